"""The Add Service / Edit Service dialog: name, factory, scope, constructor constants.

The factory is picked from the classes of the library's modules or typed as a
``module:qualname``; constants are a JSON object of the factory's keyword arguments.
The dialog checks what it can without importing anything and stays open on a mistake,
saying what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

SCOPE_CHOICES = (("shared", "Shared: one instance for every worker (your code locks)"),
                 ("isolated", "Isolated: one instance per worker thread"))  # fmt: skip


@dataclass(frozen=True)
class ServiceValues:
    name: str
    factory: str
    scope: str
    constants: dict[str, Any]


def parse_constants(text: str) -> dict[str, Any]:
    """The constants typed as a JSON object ("" is none); ValueError says what is wrong."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"constants: not JSON ({exc.msg} at line {exc.lineno} column "
                         f"{exc.colno})") from None  # fmt: skip
    if not isinstance(value, dict):
        raise ValueError('constants: a JSON object of keyword arguments, e.g. {"size": 10}')
    return value


class ServiceDialog(QDialog):
    """Ask for a flow service; `values` holds the answer after ``exec()`` accepts."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        factories: Iterable[tuple[str, str]] = (),
        initial: ServiceValues | None = None,
        taken: Iterable[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("service_dialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._taken = set(taken)
        self.values: ServiceValues | None = None
        form = QFormLayout(self)
        self.name = QLineEdit(initial.name if initial else "")
        self.name.setObjectName("service_name")
        self.name.setPlaceholderText("the node input it fills, e.g. cache")
        self.factory = QComboBox()
        self.factory.setObjectName("service_factory")
        self.factory.setEditable(True)
        for ref, doc in factories:
            self.factory.addItem(ref)
            self.factory.setItemData(self.factory.count() - 1, doc or ref, 3)  # ToolTipRole
        self.factory.setEditText(initial.factory if initial else "")
        self.factory.lineEdit().setPlaceholderText("module:qualname of a class or callable")
        self.scope = QComboBox()
        self.scope.setObjectName("service_scope")
        for value, text in SCOPE_CHOICES:
            self.scope.addItem(text, value)
        self.scope.setCurrentIndex(self.scope.findData(initial.scope if initial else "isolated"))
        self.constants = QPlainTextEdit(
            json.dumps(initial.constants) if initial and initial.constants else ""
        )
        self.constants.setObjectName("service_constants")
        self.constants.setPlaceholderText('keyword arguments as JSON, e.g. {"start": 0}')
        self.constants.setFixedHeight(70)
        self.error = QLabel("")
        self.error.setObjectName("service_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d05050;")
        form.addRow("Name", self.name)
        form.addRow("Factory", self.factory)
        form.addRow("Scope", self.scope)
        form.addRow("Constants", self.constants)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def problem(self) -> str | None:
        name = self.name.text().strip()
        factory = self.factory.currentText().strip()
        if not name.isidentifier():
            return f"name {name!r} must be a Python identifier (the node input it fills)"
        if name in self._taken:
            return f"the flow already declares a service '{name}'"
        module, _, qualname = factory.partition(":")
        if not module or not qualname or ":" in qualname:
            return f"factory {factory!r} must look like module:qualname"
        try:
            parse_constants(self.constants.toPlainText())
        except ValueError as exc:
            return str(exc)
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.error.setText(problem)
            return
        self.values = ServiceValues(
            self.name.text().strip(),
            self.factory.currentText().strip(),
            str(self.scope.currentData()),
            parse_constants(self.constants.toPlainText()),
        )
        super().accept()
