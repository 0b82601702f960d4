"""What a run reports: results in input order, per-item errors, statistics.

Shared by every executor (threads, Dask) so the CLI and the Studio read one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ItemError:
    """One failed item: where it failed and why, as plain text (safe to send anywhere)."""

    index: int
    node: str | None
    type: str
    message: str
    traceback: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "node": self.node,
            "type": self.type,
            "message": self.message,
            "traceback": self.traceback,
        }


@dataclass
class RunReport:
    """The outcome of a run.

    ``results`` holds one entry per finished item in input order (when ``ordered``);
    a failed item's entry is None and its `ItemError` is in ``errors``.
    """

    results: list[Any] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False

    @property
    def succeeded(self) -> int:
        return self.stats.get("succeeded", len(self.results) - len(self.errors))

    @property
    def failed(self) -> int:
        return len(self.errors)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.cancelled
