"""What a run reports: results in input order, per-item errors, statistics.

Shared by every executor (threads, Dask) so the CLI and the Studio read one shape.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..telemetry.races import RaceFinding
from .traces import ItemTrace

END_OF_STREAM = object()
"""Put on a run's outcome stream after its last chunk; readers put it back for the next."""


@dataclass(frozen=True)
class ItemError:
    """One failed item: where it failed and why, as plain data (safe to send anywhere).

    ``item`` is the item's input (as given when JSON can hold it, else rendered), so the
    item can be replayed; ``trace`` its `ItemTrace` (all steps when the run traced, else
    the failing node's step with the inputs it was called with)."""

    index: int
    node: str | None
    type: str
    message: str
    traceback: str
    item: Any = None
    trace: ItemTrace | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "node": self.node,
            "type": self.type,
            "message": self.message,
            "traceback": self.traceback,
            "item": self.item,
        }


@dataclass
class RunReport:
    """The outcome of a run.

    ``results`` holds one entry per finished item in input order (when ``ordered``);
    a failed item's entry is None and its `ItemError` is in ``errors``.

    ``stats`` (thread engine): ``items``, ``succeeded``, ``failed``, ``elapsed`` (s),
    ``items_per_s``, ``workers``, ``total`` (input size when known), ``stop_reason``
    and ``close_problems`` (failed ``close()`` calls of services, as text).
    ``stop_reason`` is None for a run that took every item, else ``"cancel"``,
    ``"error"`` (on_error="stop"), ``"worker-lost"`` (Dask, on_worker_loss="stop") or
    ``"crash"`` (an engine fault, reported as an `ItemError` with index -1).

    ``races`` (runs with ``check_races=True``): one `RaceFinding` per attribute of a
    shared service that several threads wrote, at least once without the service's
    lock; ``stats`` then also has ``races_watched`` (the shared services watched),
    ``races_unwatched`` (``{service: why not}``) and ``races_writers`` (``{service:
    how many threads wrote to it}``).
    """

    results: list[Any] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False
    stop_reason: str | None = None
    races: list[RaceFinding] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return self.stats.get("succeeded", len(self.results) - len(self.errors))

    @property
    def failed(self) -> int:
        return len(self.errors)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.cancelled


class _Finishing(Protocol):
    errors: list[ItemError]
    report: RunReport | None
    state: str
    stream: queue.SimpleQueue[Any] | None
    done: threading.Event

    def _report(self) -> RunReport: ...


def finish_run(run: _Finishing) -> None:
    """The last step of every executor's run, in this order: errors sorted by item, the
    report built, the state "finished", the outcome stream closed, then `done` set, so a
    waiter woken by `done` finds everything in place."""
    run.errors.sort(key=lambda e: e.index)
    run.report = run._report()
    run.state = "finished"
    if run.stream is not None:
        run.stream.put(END_OF_STREAM)
    run.done.set()
