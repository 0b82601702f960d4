"""Plain data handed from the run controller to the panels: live frames and run records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from aetherflow import NodeStats, RunReport, ScopeAdvice, ServicesSnapshot, TelemetrySnapshot

from .inputs import RunSettings


@dataclass
class Series:
    """Throughput over time for one run, appended by the controller at each poll.

    Bounded: at `MAX_POINTS` samples every second one is dropped, so a run of any length
    keeps an overview of its whole history at a fixed drawing and memory cost (at 30 polls
    a second the first halving comes after about 2 minutes).
    """

    MAX_POINTS: ClassVar[int] = 4096

    t: list[float] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    threads: dict[str, list[float]] = field(default_factory=dict)

    def add(self, t: float, rate: float, failed: int, per_thread: dict[str, float]) -> None:
        n = len(self.t)
        self.t.append(t)
        self.rate.append(rate)
        self.failed.append(failed)
        for name, value in per_thread.items():
            column = self.threads.get(name)
            if column is None:
                column = self.threads[name] = [0.0] * n  # a thread that appeared late
            column.append(value)
        if len(self.t) >= self.MAX_POINTS:
            self._halve()

    def _halve(self) -> None:
        keep = slice(None, None, 2)
        self.t, self.rate, self.failed = self.t[keep], self.rate[keep], self.failed[keep]
        self.threads = {name: values[keep] for name, values in self.threads.items()}


@dataclass
class LiveFrame:
    """One poll of a live run, as the panels see it.

    Attributes
    ----------
    number
        The Studio's run number (1, 2, ... in this session).
    snapshot
        The engine's `TelemetrySnapshot` (None before the engine started).
    series
        The run's throughput so far (shared, growing: read, never keep a reference).
    services
        ``{thread name: ServicesSnapshot}``: the latest isolated-state snapshots.
    shared
        ``{service: rendered instance}`` of the shared services (refreshed at a low rate).
    scopes
        The run's effective scope map.
    timeline
        The engine's `TimelineSampler`, when one runs.
    final
        The run has finished: this is the exact, last frame.
    """

    number: int
    snapshot: TelemetrySnapshot | None
    series: Series
    services: dict[str, ServicesSnapshot]
    shared: dict[str, Any]
    scopes: dict[str, str]
    timeline: Any = None
    final: bool = False
    services_changed: bool = False
    source: str | None = None


@dataclass
class RunRecord:
    """A finished run of this session (the history panel lists them).

    ``advice`` holds the engine's `ScopeAdvice` for each shared service, measured from the
    final snapshot when the run had "Measure shared services" on (else empty).
    """

    number: int
    flow_name: str
    settings: RunSettings
    scopes: dict[str, str]
    report: RunReport | None
    series: Series
    node_stats: tuple[NodeStats, ...] = ()
    error: str | None = None
    advice: tuple[ScopeAdvice, ...] = ()
    flow_key: str = ""  # which open flow it was a run of (`flow_key`)

    @property
    def stats(self) -> dict[str, Any]:
        return self.report.stats if self.report is not None else {}

    @property
    def items(self) -> int:
        return int(self.stats.get("items", 0))

    @property
    def failed(self) -> int:
        return int(self.stats.get("failed", 0))

    @property
    def items_per_s(self) -> float:
        return float(self.stats.get("items_per_s", 0.0))

    @property
    def elapsed(self) -> float:
        return float(self.stats.get("elapsed", 0.0))

    def latency(self, q: str) -> float:
        """Item latency estimate: the sum over nodes of their ``q`` ("p50", "p95", "mean")."""
        return sum(getattr(n, q, 0.0) for n in self.node_stats)

    def shared_time_text(self) -> str:
        """``"db_pool 41%"``: each measured shared service's share of worker time;
        ``"none shared"`` when the run measured but used no shared service, ``"-"``
        when it did not measure."""
        if self.advice:
            return ", ".join(a.short for a in self.advice)
        return "none shared" if self.settings.profile_shared and not self.error else "-"

    @property
    def races(self) -> list[Any]:
        """The race check's `RaceFinding`s (empty when the run did not check)."""
        return list(getattr(self.report, "races", None) or [])

    def races_text(self) -> str:
        """``"2: tally.count, tally.seen"``, ``"none"``, or ``"-"`` when not checked."""
        if not getattr(self.settings, "check_races", False) or self.error:
            return "-"
        found = self.races
        if not found:
            return "none"
        return f"{len(found)}: " + ", ".join(f"{f.service}.{f.attribute}" for f in found)

    def scope_text(self) -> str:
        iso = sorted(k for k, v in self.scopes.items() if v == "isolated" and k not in _BUILTIN)
        sh = sorted(k for k, v in self.scopes.items() if v == "shared" and k not in _BUILTIN)
        parts = []
        if iso:
            parts.append("isolated: " + ", ".join(iso))
        if sh:
            parts.append("shared: " + ", ".join(sh))
        return "; ".join(parts) or "(defaults)"


_BUILTIN = frozenset({"context", "shared_data"})  # every context has them


def flow_key(document: Any) -> str:
    """What tells one flow of the session from another: its file, else the document
    itself (a new, unsaved flow). Runs and their panels belong to a flow by this key."""
    path = getattr(document, "path", None)
    if path:
        import os

        return os.path.realpath(path)
    return f"unsaved:{id(document)}"
