"""`RunHandle`: what every executor's running flow answers (threads, Dask).

`Flow.start` returns a `ThreadRunHandle`, `start_flow_dask` a `DaskRunHandle`; callers
(the CLI, the Studio) code against this protocol only. What one backend cannot do is a
capability flag (``supports_pause``, ``supports_breakpoints``, ...), never a missing
method: the methods behind a False flag are harmless no-ops or return empty results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

from ..telemetry.snapshot import TelemetrySnapshot
from .report import ItemError, RunReport
from .traces import BreakHit, ItemTrace

Outcome = tuple[int, Any, ItemError | None]
"""``(index, result, error)`` of one finished item, as `RunHandle.results` yields it."""

BREAK_MODES = ("worker", "all")


def check_stream(stream: object) -> None:
    """``stream`` of a run: False, True (every outcome) or ``"errors"`` (failed items)."""
    if stream not in (False, True, "errors") or type(stream) not in (bool, str):
        raise ValueError(f'stream must be True, False or "errors", got {stream!r}')


class TimelineView(Protocol):
    """Which node each worker ran, and when: what a timeline display reads. The thread
    executor's `TimelineSampler` samples the workers itself; a run in another process
    hands over a copy filled from the spans that process sends."""

    node_ids: list[str]
    names: list[str]

    def start(self) -> TimelineView: ...

    def stop(self) -> None: ...

    def now(self) -> float:
        """Seconds since sampling began (the time base of spans)."""
        ...

    def spans(self, thread: int, since: float = 0.0) -> list[tuple[float, float, int]]:
        """``(start, end, node index)`` spans of worker number ``thread`` ending at or
        after ``since``, oldest first; node index -1 is idle."""
        ...


@runtime_checkable
class RunHandle(Protocol):
    """A run in progress. Every method may be called from any thread.

    Capability flags
    ----------------
    supports_pause
        `pause`/`resume` hold the workers (else they do nothing).
    supports_worker_state
        Per-worker state: `stacks`, `request_services`, `timeline` and the snapshot's
        ``threads`` (else empty).
    supports_breakpoints
        `set_breakpoint`, `stopped`, `step`, `resume_worker`, `skip_item` act.
    supports_traces
        `traces` and `wire_values` hold data.
    """

    run_id: str
    supports_pause: bool
    supports_worker_state: bool

    @property
    def supports_breakpoints(self) -> bool: ...

    @property
    def supports_traces(self) -> bool: ...

    # -- state ------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """``"running"``, ``"paused"``, ``"stopping"`` or ``"finished"``."""
        ...

    @property
    def done(self) -> bool:
        """True once the run has ended and its report is ready."""
        ...

    @property
    def paused(self) -> bool: ...

    @property
    def scopes(self) -> Mapping[str, str]:
        """The run's effective scope map: ``{service: scope}`` for every service of the
        run's context, the flow's scopes and the run's overrides applied
        (``"shared"``, ``"isolated"``, or the provider kind, e.g. ``"factory"``)."""
        ...

    def snapshot(self) -> TelemetrySnapshot:
        """The run's counts so far (cheap: poll it)."""
        ...

    # -- control ----------------------------------------------------------------------
    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def cancel(self) -> None:
        """Stop cooperatively; returns at once (signal-safe); `wait` for the report."""
        ...

    def wait(self, timeout: float | None = None) -> RunReport:
        """Block until the run ends and return its report (`TimeoutError` after
        ``timeout`` seconds)."""
        ...

    def results(self, on_idle: Callable[[], None] | None = None) -> Iterator[Outcome]:
        """Yield outcomes as items finish (runs started with ``stream=True``; with
        ``stream="errors"`` only the failed items')."""
        ...

    # -- looking inside ---------------------------------------------------------------
    def shared_services(self) -> dict[str, Any]:
        """``{name: live instance}`` of the shared services in this process."""
        ...

    def stacks(self) -> dict[str, str]:
        """``{worker: its current Python stack as text}``."""
        ...

    def request_services(self) -> None:
        """Ask the workers for snapshots of their isolated services (they answer between
        items, in later snapshots' ``threads``)."""
        ...

    def timeline(self, **options: Any) -> TimelineView | None:
        """A (not started) `TimelineView` of the workers, or None without worker state."""
        ...

    def hold_workers(self, max_seconds: float = 0.05) -> AbstractContextManager[None]:
        """Hold the workers between items for the body (a GUI frame), at most
        ``max_seconds``; a no-op where the workers run elsewhere."""
        ...

    # -- debugging (docs/debugging.md) -------------------------------------------------
    def traces(self) -> list[ItemTrace]:
        """The kept item traces by index: the last ``trace=K`` items of each worker and
        every failed item."""
        ...

    def set_breakpoint(self, node_id: str, condition: str | None = None) -> None:
        """Stop a worker before ``node_id`` (when ``condition``, a Python expression over
        the node's inputs, holds); ValueError for an unknown node or a bad condition."""
        ...

    def clear_breakpoint(self, node_id: str) -> None: ...

    def set_break_mode(self, mode: str) -> None:
        """``"worker"``: only the stopped worker waits; ``"all"``: every worker waits."""
        ...

    def stopped(self) -> list[BreakHit]:
        """The workers stopped at a breakpoint now."""
        ...

    def held(self) -> list[str]:
        """The workers waiting between items because another one is stopped ("all")."""
        ...

    def step(self, worker: str) -> bool:
        """Run the node, stop before the item's next one; False if not stopped."""
        ...

    def resume_worker(self, worker: str) -> bool: ...

    def skip_item(self, worker: str) -> bool: ...

    def wire_values(self) -> dict[str, dict[str, Any]]:
        """``{"node.port": {worker: rendered last value}}``."""
        ...


class NoDebugging:
    """The debugging part of `RunHandle` for a backend without it: flags False, the
    queries empty, the commands no-ops (a bad mode is still an error)."""

    supports_breakpoints = False
    supports_traces = False

    def traces(self) -> list[ItemTrace]:
        return []

    def set_breakpoint(self, node_id: str, condition: str | None = None) -> None:
        return None

    def clear_breakpoint(self, node_id: str) -> None:
        return None

    def set_break_mode(self, mode: str) -> None:
        if mode not in BREAK_MODES:
            raise ValueError(f"break_mode must be one of {BREAK_MODES}, got {mode!r}")

    def stopped(self) -> list[BreakHit]:
        return []

    def held(self) -> list[str]:
        return []

    def step(self, worker: str) -> bool:
        return False

    def resume_worker(self, worker: str) -> bool:
        return False

    def skip_item(self, worker: str) -> bool:
        return False

    def wire_values(self) -> dict[str, dict[str, Any]]:
        return {}
