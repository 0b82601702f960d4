"""The inspector's "Run policy" box: a node's timeout and retries.

Each field shows the value the node runs with: the one saved on the node in the file,
else the ``@node`` decorator's (then greyed, with a tooltip saying so). Editing a field
asks the document to save it on the node (one undo step per edit); clearing a field
(timeout 0, an empty retry list) goes back to the decorator's value.
"""

from __future__ import annotations

from typing import Any

from aetherflow.policy import NodePolicy, exception_name
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)


def _seconds(maximum: float, special: str | None = None) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, maximum)
    box.setDecimals(3)
    box.setSuffix(" s")
    if special:
        box.setSpecialValueText(special)  # shown at the minimum, 0
    return box


class PolicyBox(QGroupBox):
    """Editors for the five policy fields of one node."""

    field_edited = Signal(str, object)  # field name, new value (None: clear it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run policy", parent)
        self.setObjectName("policy_box")
        form = QFormLayout(self)
        self.timeout = _seconds(86_400.0, "no limit")
        self.timeout.setToolTip("Seconds one call may take: an async node is cancelled, a "
                                "sync node's worker is abandoned and replaced")  # fmt: skip
        self.retries = QSpinBox()
        self.retries.setRange(0, 1000)
        self.retries.setToolTip("Further attempts after a failed call")
        self.retry_delay = _seconds(3_600.0)
        self.retry_delay.setToolTip("Seconds before the first retry")
        self.backoff = QDoubleSpinBox()
        self.backoff.setRange(0.0, 100.0)
        self.backoff.setDecimals(2)
        self.backoff.setPrefix("x ")
        self.backoff.setToolTip("Each later wait is this many times the one before")
        self.retry_on = QLineEdit()
        self.retry_on.setPlaceholderText("any exception")
        self.retry_on.setToolTip("Exceptions worth a retry, comma-separated: OSError, "
                                 "module:Class (resolved when a run starts)")  # fmt: skip
        for label, name, widget in (
            ("Timeout", "timeout", self.timeout), ("Retries", "retries", self.retries),
            ("Retry delay", "retry_delay", self.retry_delay), ("Backoff", "backoff", self.backoff),
            ("Retry on", "retry_on", self.retry_on),
        ):  # fmt: skip
            widget.setObjectName(f"policy_{name}")
            form.addRow(label, widget)
        for name in ("timeout", "retries", "retry_delay", "backoff"):
            getattr(self, name).editingFinished.connect(
                lambda n=name: self._on_number_editing_finished(n)
            )
        self.retry_on.editingFinished.connect(self._on_retry_on_editing_finished)
        self._shown: dict[str, Any] = {}

    def show_policy(self, saved: dict[str, Any], decorated: NodePolicy) -> None:
        """Show ``saved`` (the file's fields) over ``decorated`` (the code's policy)."""
        values = {
            "timeout": decorated.timeout or 0.0, "retries": decorated.retries,
            "retry_delay": decorated.retry_delay, "backoff": decorated.backoff,
            "retry_on": ", ".join(exception_name(e) for e in decorated.retry_on),
        }  # fmt: skip
        for name, value in saved.items():
            values[name] = ", ".join(value) if name == "retry_on" else value
        self._shown = values
        for name, value in values.items():
            widget = getattr(self, name)
            if widget.hasFocus():
                continue
            widget.blockSignals(True)
            if name == "retry_on":
                widget.setText(value)
            else:
                widget.setValue(value)
            widget.blockSignals(False)
            from_code = name not in saved
            widget.setStyleSheet("color: palette(mid);" if from_code else "")
            if from_code:
                widget.setStatusTip("from the @node decorator")

    def _on_number_editing_finished(self, name: str) -> None:
        value = getattr(self, name).value()
        if value == self._shown.get(name):
            return
        if name == "timeout":
            self.field_edited.emit(name, float(value) if value > 0 else None)
        else:
            self.field_edited.emit(name, int(value) if name == "retries" else float(value))

    def _on_retry_on_editing_finished(self) -> None:
        text = self.retry_on.text()
        if text.strip() == self._shown.get("retry_on", ""):
            return
        names = [part.strip() for part in text.split(",") if part.strip()]
        self.field_edited.emit("retry_on", names or None)
