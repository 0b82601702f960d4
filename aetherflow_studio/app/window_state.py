"""The window keeps its shape: saved geometry and docks restored sanely, a squeezed canvas
repaired, View > Reset Layout.

Qt restores dock sizes as absolute pixels for the window size it has *when*
``restoreState`` runs. Restored before the window is shown (at its construction size), a
layout saved in a larger or maximised window comes back with the docks keeping their
pixels and the canvas taking whatever is left: a 45 px sliver. So the geometry is restored
at once, the dock state only once the window has its final size, and then the canvas is
checked: a layout that leaves it under a third of the window's width or height (restored
from another screen, or squeezed by resizing the window down) has its side and bottom
docks shrunk back to at most their default share. The docks stay where the user put them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer

from . import dock_layout

if TYPE_CHECKING:
    from .main_window import MainWindow

Area = Qt.DockWidgetArea
MIN_CANVAS_SHARE = 1 / 3  # of the window's width and height
# The most each dock area may take when a squeezed layout is repaired.
MAX_SHARE = {Area.LeftDockWidgetArea: 0.22, Area.RightDockWidgetArea: 0.26,
             Area.BottomDockWidgetArea: 0.40, Area.TopDockWidgetArea: 0.25}  # fmt: skip
REPAIR_DELAY_MS = 150  # after the last resize event
WATCHED = (QEvent.Type.Resize, QEvent.Type.WindowStateChange, QEvent.Type.ScreenChangeInternal)


def canvas_share(window: MainWindow) -> tuple[float, float]:
    """The central area's share of the window's width and height."""
    central = window.centralWidget()
    if central is None or window.width() <= 0 or window.height() <= 0:
        return (1.0, 1.0)
    return (central.width() / window.width(), central.height() / window.height())


def squeezed(window: MainWindow) -> bool:
    width, height = canvas_share(window)
    return width < MIN_CANVAS_SHARE or height < MIN_CANVAS_SHARE


def repair(window: MainWindow) -> bool:
    """Shrink docks that leave the canvas under a third of the window; True if it did."""
    if not squeezed(window):
        return False
    for area, share in MAX_SHARE.items():
        horizontal = area in (Area.LeftDockWidgetArea, Area.RightDockWidgetArea)
        limit = int((window.width() if horizontal else window.height()) * share)
        docks = [d for d in window.docks.values() if _docked_in(window, d, area)]
        orientation = Qt.Orientation.Horizontal if horizontal else Qt.Orientation.Vertical
        too_big = [d for d in docks if (d.width() if horizontal else d.height()) > limit]
        if too_big:
            window.resizeDocks(too_big, [limit] * len(too_big), orientation)
    return True


def _docked_in(window: MainWindow, dock: Any, area: Qt.DockWidgetArea) -> bool:
    return dock.isVisible() and not dock.isFloating() and window.dockWidgetArea(dock) == area


class WindowState(QObject):
    """Restores and guards the layout of one `MainWindow` (``window.window_state``)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._state: QByteArray | None = None
        self.repairs = 0  # layouts repaired (tests and notes read it)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REPAIR_DELAY_MS)
        self._timer.timeout.connect(self.check)
        window.installEventFilter(self)

    def restore_geometry(self) -> bool:
        """Restore the saved geometry now; keep the dock state for `restore_docks`.

        Returns whether a dock state was saved (else the default layout applies)."""
        geometry, state = self.window.settings.window_state()
        if geometry is None or not self.window.restoreGeometry(geometry):
            self.window.resize(1400, 850)
        dock_layout.set_corners(self.window)  # not part of the saved state
        self._state = state
        return state is not None

    def restore_docks(self) -> bool:
        """Once the window has its final size: restore the docks, then check the canvas."""
        state, self._state = self._state, None
        ok = state is not None and self.window.restoreState(state)
        if ok:
            QTimer.singleShot(0, self.check)  # once the restored docks are laid out
        return ok

    def check(self) -> None:
        if self.window.isVisible() and repair(self.window):
            self.repairs += 1

    def reset(self) -> None:
        """View > Reset Layout: the first-start layout, every panel back in its place."""
        dock_layout.apply_default_layout(self.window)
        QTimer.singleShot(0, self.window.frame_all)

    def save(self) -> None:
        self.window.settings.set_window_state(self.window.saveGeometry(), self.window.saveState())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in WATCHED:
            self._timer.start()  # debounced: a drag sends many resizes
        return False
