"""Validation after every change, debounced: problems go to the canvas and the Problems dock.

`Flow.validate(resolve=...)` imports node code when ``resolve`` is true, so it is true only
for documents whose file the user trusts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from aetherflow_studio.panels.problems_panel import (
    problem_message,
    problem_node,
    problem_severity,
)

DEBOUNCE_MS = 300
SCENE_SEVERITIES = ("error", "warning")


class ValidationController(QObject):
    """Runs ``document.flow.validate`` ``DEBOUNCE_MS`` after the last change.

    ``problems_found(list)`` is emitted with every result (empty when the flow can run).
    """

    problems_found = Signal(list)

    def __init__(self, parent: QObject | None = None, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.document: Any = None
        self.scene: Any = None
        self.problems: list[Any] = []
        self._flagged: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.validate_now)

    def bind(self, document: Any, scene: Any) -> None:
        if self.document is not None:
            self.document.model_changed.disconnect(self._on_document_model_changed)
        self.document, self.scene = document, scene
        self._flagged = set()
        if document is not None:
            document.model_changed.connect(self._on_document_model_changed)
        self.schedule()

    def schedule(self) -> None:
        self._timer.start()

    def validate_now(self) -> list[Any]:
        self._timer.stop()
        if self.document is None:
            return []
        flow = self.document.flow
        try:
            problems = list(flow.validate(resolve=bool(self.document.trusted)))
        except Exception as exc:  # validation must never take the editor down
            problems = [_Problem(None, f"validation failed: {type(exc).__name__}: {exc}")]
        self.problems = problems
        self._push_to_scene(flow, problems)
        self.problems_found.emit(problems)
        return problems

    def _push_to_scene(self, flow: Any, problems: list[Any]) -> None:
        set_problems = getattr(self.scene, "set_problems", None)
        if set_problems is None:
            return
        by_node: dict[str, list[str]] = defaultdict(list)
        for p in problems:
            if problem_severity(p) not in SCENE_SEVERITIES:
                continue  # infos (flow inputs) are listed in the dock, not flagged on nodes
            node_id = problem_node(p)
            if node_id in flow.nodes:
                by_node[node_id].append(problem_message(p))
        for node_id in self._flagged - set(by_node):
            if node_id in flow.nodes:
                set_problems(node_id, [])
        for node_id, messages in by_node.items():
            set_problems(node_id, messages)
        self._flagged = set(by_node)

    def _on_document_model_changed(self, _event: object) -> None:
        self.schedule()


class _Problem:
    def __init__(self, node_id: str | None, message: str, severity: str = "error") -> None:
        self.node_id, self.message, self.severity = node_id, message, severity
