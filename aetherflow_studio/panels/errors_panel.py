"""Errors of the current run: a list of failed items and the selected one's traceback."""

from __future__ import annotations

from typing import Any

from aetherflow.printable import printable
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QPlainTextEdit,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aetherflow_studio.widgets.rendered import summary

ERROR_ROLE = Qt.ItemDataRole.UserRole


class ErrorsPanel(QWidget):
    """Failed items (index, node, exception, message); the traceback below.

    Signals
    -------
    node_selection_requested(str)
        The user activated an error: select its node on the canvas.
    replay_requested(list)
        "Replay item" / "Replay failed items": the `ItemError`s whose items to run again.
    trace_requested(object)
        "Show trace": the `ItemError` whose item trace to show.
    """

    node_selection_requested = Signal(str)
    replay_requested = Signal(list)
    trace_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errors_panel")
        self.summary = QLabel("No errors.")
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["item", "node", "error", "message", "replay"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.list.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu_requested)
        self.traceback = QPlainTextEdit()
        self.traceback.setReadOnly(True)
        self.traceback.setFont(QFont("monospace"))
        self.traceback.setPlaceholderText("Select an error to see its traceback.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.traceback)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self._count = 0

    def clear(self) -> None:
        self.list.clear()
        self.traceback.clear()
        self._count = 0
        self.summary.setText("No errors.")

    def add_errors(self, errors: list[Any]) -> None:
        """Append `ItemError`s (the run controller's ``errors_added``)."""
        rows = []
        for e in errors:
            node = printable(e.node) if e.node else "(input)"
            message = printable(e.message)
            row = QTreeWidgetItem([str(e.index), node, printable(e.type), message])
            row.setData(0, ERROR_ROLE, e)
            row.setToolTip(3, message)
            rows.append(row)
        self.list.addTopLevelItems(rows)
        self._count += len(errors)
        self.summary.setText(f"{self._count} failed item{'s' if self._count != 1 else ''}")
        if self.list.currentItem() is None and rows:
            self.list.setCurrentItem(rows[0])

    def set_replay_result(self, index: int, text: str, failed: bool) -> None:
        """Show how the replay of item ``index`` went on its row."""
        for i in range(self.list.topLevelItemCount()):
            row = self.list.topLevelItem(i)
            if row.data(0, ERROR_ROLE).index == index:
                row.setText(4, text)
                row.setToolTip(4, text)
                row.setForeground(4, QBrush(QColor("#e57373" if failed else "#66bb6a")))

    def errors(self) -> list[Any]:
        return [self.list.topLevelItem(i).data(0, ERROR_ROLE)
                for i in range(self.list.topLevelItemCount())]  # fmt: skip

    def show_node(self, node_id: str) -> bool:
        """Select the first error of ``node_id``; False when it has none."""
        for i in range(self.list.topLevelItemCount()):
            row = self.list.topLevelItem(i)
            if row.data(0, ERROR_ROLE).node == node_id:
                self.list.setCurrentItem(row)
                self.list.scrollToItem(row)
                return True
        return False

    def selected_errors(self) -> list[Any]:
        return [row.data(0, ERROR_ROLE) for row in self.list.selectedItems()]

    def _on_list_current_item_changed(self, current: QTreeWidgetItem | None, _prev: Any) -> None:
        if current is None:
            self.traceback.clear()
            return
        e = current.data(0, ERROR_ROLE)
        self.traceback.setPlainText(_error_text(e))

    def row_menu(self, row: QTreeWidgetItem) -> QMenu:
        """An error row's menu: Replay item (the selected rows; a right-click on a row
        outside the selection selects it), Replay failed items (every error listed), Show
        trace; Select the Node, Copy Traceback."""
        if not row.isSelected():
            self.list.clearSelection()
            row.setSelected(True)
        e = row.data(0, ERROR_ROLE)
        menu = QMenu(self)
        self._add_replay_actions(menu)
        menu.addSeparator()
        select = menu.addAction("Select the Node", lambda: self._on_list_item_activated(row, 0))
        select.setEnabled(bool(e.node))
        menu.addAction("Copy Traceback", lambda: self.copy_traceback(row))
        return menu

    def _add_replay_actions(self, menu: QMenu) -> None:
        chosen = self.selected_errors()
        every = self.errors()
        n = len(chosen)
        one = menu.addAction("Replay item" if n <= 1 else f"Replay {n} items",
                             lambda: self.replay_requested.emit(chosen))  # fmt: skip
        one.setEnabled(bool(chosen))
        one.setToolTip("Run the item alone, with the same scopes and breakpoints, traced")
        failed = menu.addAction(f"Replay failed items ({len(every)})",
                                lambda: self.replay_requested.emit(every))  # fmt: skip
        failed.setEnabled(bool(every))
        traced = chosen[0] if n == 1 and chosen[0].trace is not None else None
        show = menu.addAction("Show trace", lambda: self.trace_requested.emit(traced))
        show.setEnabled(traced is not None)

    def copy_traceback(self, row: QTreeWidgetItem) -> str:
        """Put the row's error (item, node, message and traceback) on the clipboard."""
        text = _error_text(row.data(0, ERROR_ROLE))
        QGuiApplication.clipboard().setText(text)
        return text

    def _on_list_context_menu_requested(self, pos: QPoint) -> None:
        row = self.list.itemAt(pos)
        if row is not None:
            self.row_menu(row).exec(self.list.viewport().mapToGlobal(pos))

    def _on_list_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        node = item.data(0, ERROR_ROLE).node
        if node:
            self.node_selection_requested.emit(node)


def _error_text(e: Any) -> str:
    """An error as the traceback pane shows it: a headline, then the traceback."""
    node = printable(e.node) if e.node else "(input)"
    head = f"item {e.index} · node {node} · {printable(e.type)}: {printable(e.message)}\n"
    return f"{head}input: {printable(summary(e.item, 2000))}\n\n{e.traceback}"
