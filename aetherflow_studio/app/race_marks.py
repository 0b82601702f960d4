"""What the Studio does with a race check's findings: marks the shared services' cards
(a `RaceBadge` with the explanation) and the nodes that wrote on the canvas, and runs the
one-click A/B comparison with a service's scope flipped.

The A/B run is two ordinary runs with the check run's settings (no race check, so their
throughput is comparable): the service as it was, then flipped, as a scope override for
those runs only (the document is not edited). When both finished, the Run History
compares them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from aetherflow_studio.panels.race_badge import CARD_STYLE, RaceBadge, flipped


class RaceMarks(QObject):
    """Follows the controller's finished runs; owns the badges it puts on cards.

    Signals
    -------
    ab_finished(object, object)
        The two `RunRecord`s of an A/B run (as it was, flipped).
    """

    ab_finished = Signal(object, object)

    def __init__(self, window: Any, controller: Any, history: Any) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.history = history
        self.number = 0
        self.findings: dict[str, list[Any]] = {}  # service -> findings of run `number`
        self.scopes: dict[str, str] = {}
        self.settings: Any = None  # the check run's settings, for the A/B run
        self.badges: dict[str, RaceBadge] = {}
        self._ab_queue: list[Any] = []
        self._ab_records: list[Any] = []
        controller.run_finished.connect(self._on_controller_run_finished)
        controller.state_changed.connect(self._on_controller_state_changed)
        window.services.cards_rebuilt.connect(self._apply_badges)
        window.document_changed.connect(lambda _doc: self.clear())

    def clear(self) -> None:
        self.findings, self.number, self.settings = {}, 0, None
        self._ab_queue, self._ab_records = [], []
        self._apply_badges()

    # -- a finished run ---------------------------------------------------------------
    def _on_controller_run_finished(self, record: Any) -> None:
        if self._ab_queue or self._ab_records:
            self._ab_step(record)
            return
        if record.error or not getattr(record.settings, "check_races", False):
            return
        self.number = record.number
        self.settings = record.settings
        self.scopes = dict(record.scopes)
        self.findings = {}
        for finding in record.races:
            self.findings.setdefault(finding.service, []).append(finding)
        self._apply_badges()
        self._mark_nodes()

    def _apply_badges(self) -> None:
        """Put a badge on each card with findings (cards are rebuilt on model changes)."""
        for badge in self.badges.values():
            badge.setParent(None)
            badge.deleteLater()
        self.badges = {}
        for name, card in self.window.services.cards.items():
            findings = self.findings.get(name)
            card.setStyleSheet(CARD_STYLE.format(name=card.objectName()) if findings else "")
            if not findings:
                continue
            badge = RaceBadge(name, findings, self.number, self.scopes.get(name, "shared"))
            badge.ab_requested.connect(self.start_ab)
            badge.ab_button.setEnabled(self.controller.state == "idle")
            card.layout().addWidget(badge)
            badge.show()  # a layout shows a new child of a visible card only later (queued)
            self.badges[name] = badge

    def _on_controller_state_changed(self, state: str) -> None:
        for badge in self.badges.values():
            badge.ab_button.setEnabled(state == "idle")

    def _mark_nodes(self) -> None:
        scene = self.window.scene
        if scene is None:
            return
        marks: dict[str, list[str]] = {}
        for service, findings in self.findings.items():
            for finding in findings:
                for node_id in finding.nodes:
                    marks.setdefault(node_id, []).append(f"{service}.{finding.attribute}")
        for node_id, where in marks.items():
            item = scene.node_items.get(node_id)
            if item is None:
                continue
            stats = f"{item.overlay_text} · " if item.overlay_text else ""
            scene.set_node_overlay(node_id, f"{stats}race: {', '.join(where)}", "race")
            item.setToolTip(f"Race check, run {self.number}: unlocked writes to "
                            f"{', '.join(where)} from several threads")  # fmt: skip

    # -- the A/B run ------------------------------------------------------------------
    def start_ab(self, service: str) -> bool:
        """Run the check run's settings twice: ``service`` as it was, then flipped."""
        if self.settings is None or self.controller.running:
            return False
        scope = self.scopes.get(service, "shared")
        base = dataclasses.replace(self.settings, check_races=False)
        self._ab_queue = [
            dataclasses.replace(base, scopes={**base.scopes, service: scope}),
            dataclasses.replace(base, scopes={**base.scopes, service: flipped(scope)}),
        ]
        self._ab_records = []
        self._start_next()
        return True

    def _start_next(self) -> None:
        settings = self._ab_queue.pop(0)
        if not self.controller.start(settings):
            self._ab_queue, self._ab_records = [], []

    def _ab_step(self, record: Any) -> None:
        if record.error or record.stats.get("stop_reason") == "cancel":
            self._ab_queue, self._ab_records = [], []  # stopped or failed: no comparison
            return
        self._ab_records.append(record)
        if self._ab_queue:
            QTimer.singleShot(0, self._start_next)  # after every listener saw this record
            return
        first, second = self._ab_records
        self._ab_records = []
        QTimer.singleShot(0, lambda: self._compare(first, second))

    def _compare(self, first: Any, second: Any) -> None:
        records = self.history.records
        self.history.select_runs(records.index(first), records.index(second))
        service = next(s for s, v in second.settings.scopes.items()
                       if first.settings.scopes.get(s) != v)  # fmt: skip
        self.window.statusBar().showMessage(
            f"A/B: run {first.number} ({service} {first.scopes.get(service)}) vs run "
            f"{second.number} ({service} {second.scopes.get(service)}): see Run History",
            15000,
        )
        dock = self.window.docks.get("history")
        if dock is not None:
            dock.show()
            dock.raise_()
        self.ab_finished.emit(first, second)
