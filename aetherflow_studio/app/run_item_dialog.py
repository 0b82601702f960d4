"""Flow > Run Item…: run one item through the flow on one worker and show its result.

The JSON editor is prefilled with the flow's inputs (``{"x": null}``) or, for a flow with
a source node, with the source's first item. Getting that item and running the item both
happen on a background thread (they run user code); the answer comes back to the dialog
through a queued signal.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from aetherflow.printable import printable
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def first_source_item(flow: Any) -> Any:
    """The first item the flow's source node yields (runs user code: not on the GUI thread)."""
    from aetherflow.runtime.flow_context import run_services
    from aetherflow.runtime.source import source_iterator

    services = run_services(flow)
    items = source_iterator(flow, services.for_worker())
    try:
        return next(items)
    finally:
        close = getattr(items, "close", None)
        if callable(close):
            close()
        services.close_shared()


def _text(value: Any) -> str:
    return json.dumps(value, indent=2, default=printable, ensure_ascii=False)


class RunItemDialog(QDialog):
    """Edit one item as JSON, run it on one worker, read its result (or its error)."""

    answered = Signal(str, object)  # ("prefill" | "result" | "error", payload)

    def __init__(self, parent: QWidget | None, flow: Any) -> None:
        super().__init__(parent)
        self.setObjectName("run_item_dialog")
        self.setWindowTitle(f"Run one item of '{flow.name}'")
        self.resize(560, 520)
        self._flow = flow
        self.item = QPlainTextEdit(_text({name: None for name in flow.inputs()}))
        self.item.setObjectName("run_item_input")
        self.item.setFont(QFont("monospace"))
        self.result = QPlainTextEdit()
        self.result.setObjectName("run_item_result")
        self.result.setReadOnly(True)
        self.result.setFont(QFont("monospace"))
        self.result.setPlaceholderText("The item's result (its final state) shows here.")
        self.status = QLabel("")
        self.status.setObjectName("run_item_status")
        self.status.setWordWrap(True)
        self.run_button = QPushButton("Run Item")
        self.run_button.setObjectName("run_item_run")
        self.run_button.clicked.connect(lambda _c=False: self.run())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Item (JSON):"))
        layout.addWidget(self.item, 1)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Result:"))
        layout.addWidget(self.result, 1)
        layout.addWidget(buttons)
        self.answered.connect(self._on_answered)
        if flow.source is not None:
            self.status.setText(f"Asking the source '{flow.source}' for its first item…")
            snapshot = flow.copy()
            self._in_background("prefill", lambda: first_source_item(snapshot))

    def _in_background(self, kind: str, work: Any) -> None:
        def body() -> None:
            try:
                value = work()
            except Exception as exc:
                self.answered.emit("error", f"{type(exc).__name__}: {exc}")
                return
            self.answered.emit(kind, value)

        threading.Thread(target=body, name="run-item", daemon=True).start()

    def run(self) -> bool:
        """Run the editor's item (on a background thread); False when it is not JSON."""
        try:
            item = json.loads(self.item.toPlainText())
        except json.JSONDecodeError as exc:
            self.status.setText(f"The item is not JSON: {exc.msg} (line {exc.lineno}, "
                                f"column {exc.colno}); nothing ran")  # fmt: skip
            return False
        self.run_button.setEnabled(False)
        self.status.setText("Running on one worker…")
        flow = self._flow.copy()  # the user may go on editing while it runs
        self._in_background("result", lambda: flow.run([item], workers=1, collect=True))
        return True

    def _on_answered(self, kind: str, payload: Any) -> None:
        self.run_button.setEnabled(True)
        if kind == "prefill":
            self.item.setPlainText(_text(payload))
            self.status.setText(f"The first item of the source '{self._flow.source}'.")
        elif kind == "error":
            self.status.setText(payload)
        else:
            self._show_report(payload)

    def _show_report(self, report: Any) -> None:
        if report.errors:
            e = report.errors[0]
            where = f"node '{e.node}'" if e.node else "the input"
            self.status.setText(f"The item failed in {where}: {e.type}: {e.message}")
            self.result.setPlainText(e.traceback)
            return
        self.status.setText("Done: the item's final state.")
        self.result.setPlainText(_text(report.results[0]))
