"""The race check's mark on a shared service's card: what was found, how to fix it, and
a button for the A/B run with the service's scope flipped.

Self-contained: `RaceBadge` is added to a `ServiceCard`'s layout by its owner
(`aetherflow_studio.app.race_marks`), which also restyles the card; the services panel
itself knows nothing about races.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

RACE_COLOR = "#e0533d"
CARD_STYLE = "QFrame#{name} {{ border: 2px solid " + RACE_COLOR + "; border-radius: 6px; }}"


def describe(finding: Any) -> str:
    """``counter: written by 8 threads (2 without a lock) at nodes.py:21, node 'claim'``."""
    unlocked = len({w.thread for w in finding.writes if not w.locked})
    nodes = ", ".join(f"'{n}'" for n in finding.nodes) or "code outside nodes"
    return (
        f"{finding.attribute}: written by {len(finding.threads)} threads ({unlocked} without "
        f"a lock) at {', '.join(finding.unlocked_sites)}, node {nodes}"
    )


def advice(service: str, findings: Sequence[Any]) -> str:
    """One sentence for all of a service's findings."""
    around = "; ".join(f"{f.attribute} at {', '.join(f.unlocked_sites)}" for f in findings)
    return (
        f"Add a lock around the writes to {around}, or make {service} isolated if threads "
        "need not share it."
    )


def flipped(scope: str) -> str:
    return "isolated" if scope == "shared" else "shared"


class RaceBadge(QFrame):
    """Findings of one run for one service.

    Signals
    -------
    ab_requested(str)
        The user asked for the A/B run of this service (its name).
    """

    ab_requested = Signal(str)

    def __init__(
        self, service: str, findings: Sequence[Any], number: int, scope: str,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.service = service
        self.setObjectName(f"race_{service}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(3)
        self.title = QLabel(f"⚠ Race found in run {number}")
        self.title.setStyleSheet(f"color: {RACE_COLOR}; font-weight: bold;")
        layout.addWidget(self.title)
        for finding in findings:
            line = QLabel(describe(finding))
            line.setWordWrap(True)
            line.setToolTip(finding.text)
            layout.addWidget(line)
        self.explanation = QLabel(advice(service, findings))
        self.explanation.setObjectName(f"race_advice_{service}")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        other = flipped(scope)
        self.ab_button = QPushButton(f"A/B run: {scope} vs {other}")
        self.ab_button.setObjectName(f"race_ab_{service}")
        self.ab_button.setToolTip(
            f"Run the flow twice with the same settings, {service} {scope} then {other} "
            "(no race check, so throughput is comparable), and compare the two runs in "
            "the Run History"
        )
        self.ab_button.clicked.connect(lambda _checked=False: self.ab_requested.emit(service))
        layout.addWidget(self.ab_button)
