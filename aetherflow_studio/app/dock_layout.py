"""The default dock layout, in one place (first start, or when no saved state restores).

::

    +---------+-----------------------------------------+---------------+
    | Library |                 canvas                  | Inspector     |
    |         |                                         +---------------+
    |         |                                         | Services      |
    +---------+------------------------------+----------+---------------+
    | Thread State (wide)                    | Throughput | Timeline |    |
    |                                        | Problems | Errors | Trace |
    |                                        | Run History (one tabbed)  |
    +----------------------------------------+--------------------------+

Thread State gets two thirds of the bottom row, which spans the window, so four workers'
columns are readable side by side; what a run reports over time (plots, errors, history)
and the validation problems share one tabbed dock beside it, Throughput in front (errors
raise their tab when they arrive); the editing panels keep the right column. Docks added
under names not listed here stay where they were put. Saved window state (QSettings) wins
over all of this: `MainWindow` calls `apply_default_layout` only when none restores.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

Area = Qt.DockWidgetArea
H = Qt.Orientation.Horizontal
V = Qt.Orientation.Vertical

LEFT_WIDTH = 240
RIGHT_WIDTH = 350
BOTTOM_SHARE = 0.36  # of the window's height, for the bottom row
THREAD_STATE_SHARE = 0.66  # of the bottom row's width
RIGHT = ("inspector", "services")
RIGHT_SHARES = (0.56, 0.44)  # of the right column's height
BOTTOM = ("thread_state", "throughput", "timeline", "problems", "errors", "trace", "history")
PLACED = ("library", *RIGHT, *BOTTOM)


def set_corners(window: Any) -> None:
    """The bottom row spans the window (the side columns end above it)."""
    window.setCorner(Qt.Corner.BottomRightCorner, Area.BottomDockWidgetArea)
    window.setCorner(Qt.Corner.BottomLeftCorner, Area.BottomDockWidgetArea)


def apply_default_layout(window: Any) -> None:
    """Place and size the docks of ``window`` (a `MainWindow`) as drawn above."""
    docks: dict[str, QDockWidget] = window.docks
    set_corners(window)
    for name in PLACED:  # start clean: re-tabifying in place leaves stale tab bars behind
        if name in docks:
            window.removeDockWidget(docks[name])
    _column(window, Area.LeftDockWidgetArea, [docks.get("library")], V)
    _column(window, Area.RightDockWidgetArea, [docks.get(n) for n in RIGHT], V)
    tabbed = [docks[n] for n in BOTTOM[1:] if n in docks]
    _column(window, Area.BottomDockWidgetArea, [docks.get(BOTTOM[0]), *tabbed[:1]], H)
    _tabs(window, tabbed)
    if tabbed:
        tabbed[0].raise_()
    _size(window, docks)


def _column(window: Any, area: Qt.DockWidgetArea, docks: list, split: Qt.Orientation) -> None:
    """Put the present ``docks`` in ``area``, each after the previous one along ``split``."""
    present = [d for d in docks if d is not None]
    for i, dock in enumerate(present):
        dock.show()
        if i == 0:
            window.addDockWidget(area, dock)
        else:
            window.splitDockWidget(present[i - 1], dock, split)


def _tabs(window: Any, docks: list) -> None:
    present = [d for d in docks if d is not None]
    for dock in present[1:]:
        dock.show()
        window.tabifyDockWidget(present[0], dock)


def _size(window: Any, docks: dict[str, QDockWidget]) -> None:
    width, height = window.width(), window.height()
    _resize(window, docks, {"library": LEFT_WIDTH, "inspector": RIGHT_WIDTH}, H)
    column = max(300, int(height * (1 - BOTTOM_SHARE)) - 110)  # less bars and the bottom row
    shares = dict(zip(RIGHT, RIGHT_SHARES, strict=True))
    _resize(window, docks, {n: int(column * s) for n, s in shares.items()}, V)
    row = max(600, width - 10)
    share = THREAD_STATE_SHARE
    # the tabbed dock is named by its first present member
    tabs = next((n for n in BOTTOM[1:] if n in docks), "throughput")
    _resize(window, docks, {"thread_state": int(row * share), tabs: int(row * (1 - share))}, H)
    _resize(window, docks, {"thread_state": int(height * BOTTOM_SHARE)}, V)


def _resize(window: Any, docks: dict[str, QDockWidget], sizes: dict[str, int],
            orientation: Qt.Orientation) -> None:  # fmt: skip
    present = [n for n in sizes if n in docks]
    if present:
        window.resizeDocks([docks[n] for n in present], [sizes[n] for n in present], orientation)
