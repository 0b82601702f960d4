"""The problems `Flow.validate` found; clicking one selects its node on the canvas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aetherflow import PortRef
from aetherflow.printable import printable
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

_NODE_ROLE = Qt.ItemDataRole.UserRole + 1
_SEVERITY_COLORS = {"error": "#e5484d", "warning": "#f5a524", "info": "#8b919c"}


def problem_where(problem: Any) -> str | None:
    """What a problem is about: a node id, an edge id ``a.out->b.in``, a group, a service."""
    for attr in ("where", "node_id", "node"):
        value = getattr(problem, attr, None)
        if isinstance(value, str) and value:
            return value
    return None


def problem_node(problem: Any) -> str | None:
    """The node a problem points at (an edge's problem points at its target node)."""
    where = problem_where(problem)
    if where and "->" in where:
        target = where.split("->", 1)[1].strip()
        return PortRef.parse(target).node if "." in target else target
    return where


def problem_severity(problem: Any) -> str:
    severity = getattr(problem, "severity", None) or getattr(problem, "level", None) or "error"
    return str(getattr(severity, "value", severity)).lower()


def problem_message(problem: Any) -> str:
    return str(getattr(problem, "message", None) or problem)


class ProblemsPanel(QWidget):
    """A list of problems. ``node_selection_requested(str)`` asks the canvas to select a node.

    The window ignores ids that are not nodes (groups, services).
    """

    node_selection_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Level", "Where", "Problem"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 70)
        self.tree.setColumnWidth(1, 140)
        self.tree.itemClicked.connect(self._on_tree_item_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.problems: list[Any] = []

    def set_problems(self, problems: Iterable[Any]) -> None:
        self.problems = list(problems)
        self.tree.clear()
        for p in self.problems:
            severity = problem_severity(p)
            node_id = problem_node(p)
            where = printable(problem_where(p) or "flow")
            message = printable(problem_message(p))  # ids from the file may hold controls
            item = QTreeWidgetItem(self.tree, [severity, where, message])
            item.setForeground(0, QColor(_SEVERITY_COLORS.get(severity, "#8b919c")))
            item.setToolTip(2, message)
            item.setData(0, _NODE_ROLE, node_id)

    def count(self) -> int:
        return len(self.problems)

    def _on_tree_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        node_id = item.data(0, _NODE_ROLE)
        if node_id:
            self.node_selection_requested.emit(node_id)
