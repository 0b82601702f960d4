"""Errors of the current run: a list of failed items and the selected one's traceback."""

from __future__ import annotations

from typing import Any

from aetherflow.printable import printable
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
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

ERROR_ROLE = Qt.ItemDataRole.UserRole


class ErrorsPanel(QWidget):
    """Failed items (index, node, exception, message); the traceback below.

    Signals
    -------
    node_selection_requested(str)
        The user activated an error: select its node on the canvas.
    """

    node_selection_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errors_panel")
        self.summary = QLabel("No errors.")
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["item", "node", "error", "message"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemActivated.connect(self._on_list_item_activated)
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

    def _on_list_current_item_changed(self, current: QTreeWidgetItem | None, _prev: Any) -> None:
        if current is None:
            self.traceback.clear()
            return
        e = current.data(0, ERROR_ROLE)
        self.traceback.setPlainText(_error_text(e))

    def row_menu(self, row: QTreeWidgetItem) -> QMenu:
        """An error row's menu: Select the Node, Copy Traceback."""
        e = row.data(0, ERROR_ROLE)
        menu = QMenu(self)
        select = menu.addAction("Select the Node", lambda: self._on_list_item_activated(row, 0))
        select.setEnabled(bool(e.node))
        menu.addAction("Copy Traceback", lambda: self.copy_traceback(row))
        return menu

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
    return f"item {e.index} · node {node} · {printable(e.type)}: {printable(e.message)}\n\n" + (
        e.traceback
    )
