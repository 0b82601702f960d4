"""`BreakView`: a worker stopped at a breakpoint, as the Inspector shows it at the top
for the stopped node: the worker and item, Step / Continue / Skip item, the inputs the
node is about to receive and the item's state so far (rendered by the worker when it
stopped)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from .value_tree import add_value_rows

STOPPED_STYLE = "QFrame#break_view { border: 2px solid #ffd43b; border-radius: 4px; }"


def values_tree(name: str, values: dict[str, Any], empty: str) -> QTreeWidget:
    """A two-column tree of rendered ``values`` (top level expanded)."""
    tree = QTreeWidget()
    tree.setObjectName(name)
    tree.setHeaderLabels(["name", "value"])
    tree.setColumnWidth(0, 120)
    tree.setUniformRowHeights(True)
    root = tree.invisibleRootItem()
    for key, value in values.items():
        add_value_rows(root, str(key), value).setExpanded(False)
    if not values:
        tree.setHeaderLabels([empty, ""])
    tree.setMinimumHeight(70)
    tree.setMaximumHeight(40 + 22 * min(8, max(1, len(values))))
    return tree


class BreakView(QFrame):
    """One `BreakHit` (``worker``, ``node``, ``index``, ``inputs``, ``state``); with
    several workers stopped, a box chooses the one the buttons act on.

    Signals
    -------
    worker_chosen(str)
        The user chose another stopped worker.
    """

    worker_chosen = Signal(str)

    def __init__(self, hit: Any, actions: Iterable[QAction] = (), others: int = 0,
                 workers: Sequence[str] = (), parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("break_view")
        self.setStyleSheet(STOPPED_STYLE)
        self.hit = hit
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        more = f" (and {others} more worker{'s' if others != 1 else ''} here)" if others else ""
        self.title = QLabel(
            f"<b>‖ Stopped</b>: <b>{html.escape(hit.worker)}</b> before this node, "
            f"item {hit.index}{more}"
        )
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.workers = QComboBox()
        self.workers.setObjectName("break_worker")
        self.workers.setToolTip("The stopped worker that Step, Continue and Skip Item act on")
        for worker in workers:
            self.workers.addItem(f"{worker} (stopped)", worker)
        self.workers.setCurrentIndex(max(0, self.workers.findData(hit.worker)))
        self.workers.currentIndexChanged.connect(
            lambda _i: self.worker_chosen.emit(self.workers.currentData())
        )
        self.workers.setVisible(len(workers) > 1)
        layout.addWidget(self.workers)
        error = hit.condition_error
        if error:
            bad = QLabel(f"The condition raised {html.escape(error)}: stopped so you see why.")
            bad.setWordWrap(True)
            bad.setStyleSheet("color: #e57373;")
            layout.addWidget(bad)
        buttons = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Inputs it is about to receive"))
        self.inputs = values_tree("break_inputs", hit.inputs, "no inputs")
        layout.addWidget(self.inputs)
        layout.addWidget(QLabel("The item's state so far"))
        self.state = values_tree("break_state", hit.state, "empty state")
        layout.addWidget(self.state)

    def input_texts(self) -> dict[str, str]:
        """``{input name: shown value}`` (what a user reads in the tree)."""
        root = self.inputs.invisibleRootItem()
        return {root.child(i).text(0): root.child(i).text(1) for i in range(root.childCount())}
