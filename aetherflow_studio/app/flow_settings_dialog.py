"""Flow > Flow Settings…: the flow's name, description, context class, source node and
default run input, applied as one undoable "Edit flow settings"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from aetherflow_studio.document.design_commands import FlowSettings

RUN_INPUTS = (("", "as the run controls say"), ("source", "the source node's items"),
              ("count", "generated {i} items"))  # fmt: skip


class FlowSettingsDialog(QDialog):
    """Edit a `FlowSettings`; `result_settings` holds the answer after ``exec()``.

    ``contexts`` are ``(ref, class)`` of the `BaseFlowContext` subclasses the library's
    modules define; ``sources`` the node ids, generator nodes first.
    """

    def __init__(
        self,
        parent: QWidget | None,
        current: FlowSettings,
        contexts: Iterable[tuple[str, Any]],
        sources: Iterable[tuple[str, bool]],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("flow_settings_dialog")
        self.setWindowTitle("Flow Settings")
        self.setMinimumWidth(480)
        self._current = current
        self.result_settings: FlowSettings | None = None
        form = QFormLayout(self)
        self.name = QLineEdit(current.name)
        self.name.setObjectName("flow_name")
        self.description = QPlainTextEdit(current.description)
        self.description.setObjectName("flow_description")
        self.description.setFixedHeight(70)
        self.context = QComboBox()
        self.context.setObjectName("flow_context")
        self.context.addItem("none (services declared in the flow only)", (None, None))
        for ref, cls in contexts:
            self.context.addItem(ref, (ref, cls))
        if current.context and self.context.findText(current.context) < 0:
            self.context.addItem(current.context, (current.context, current.context_class))
        self.context.setCurrentIndex(max(0, self.context.findText(current.context or "")))
        self.source = QComboBox()
        self.source.setObjectName("flow_source")
        self.source.addItem("none", None)
        for node_id, generator in sources:
            self.source.addItem(f"{node_id}  (yields items)" if generator else node_id, node_id)
        self.source.setCurrentIndex(max(0, self.source.findData(current.source)))
        self.run_kind = QComboBox()
        self.run_kind.setObjectName("flow_run_input")
        for value, text in RUN_INPUTS:
            self.run_kind.addItem(text, value)
        run = current.run_input or {}
        self.run_kind.setCurrentIndex(max(0, self.run_kind.findData(run.get("kind", ""))))
        self.run_count = QSpinBox()
        self.run_count.setObjectName("flow_run_count")
        self.run_count.setRange(0, 100_000_000)
        self.run_count.setValue(int(run.get("count", 100)))
        self.run_count.setToolTip("How many items (for the source: at most; 0 = all)")
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_kind, 1)
        run_row.addWidget(self.run_count)
        self.error = QLabel("")
        self.error.setObjectName("flow_settings_error")
        self.error.setStyleSheet("color: #d05050;")
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        form.addRow("Context class", self.context)
        form.addRow("Source node", self.source)
        form.addRow("Default run input", run_row)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def settings(self) -> FlowSettings:
        ref, cls = self.context.currentData()
        kind = self.run_kind.currentData()
        run_input = {"kind": kind, "count": self.run_count.value()} if kind else None
        return FlowSettings(
            self.name.text().strip(), self.description.toPlainText().strip(), ref, cls,
            self.source.currentData(), run_input,
        )  # fmt: skip

    def accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText("A flow needs a name: it is shown in the Studio and in reports")
            return
        self.result_settings = self.settings()
        super().accept()


def ask_flow_settings(
    parent: QWidget | None,
    current: FlowSettings,
    contexts: Iterable[tuple[str, Any]],
    sources: Iterable[tuple[str, bool]],
) -> FlowSettings | None:
    dialog = FlowSettingsDialog(parent, current, contexts, sources)
    try:
        return dialog.result_settings if dialog.exec() else None
    finally:
        dialog.deleteLater()
