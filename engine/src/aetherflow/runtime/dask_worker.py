"""The Dask worker side of `run_flow_dask`: a plugin that builds the flow once per worker.

Imported only by `aetherflow.runtime.dask_executor` (and by Dask workers unpickling the
plugin), never by ``import aetherflow``: it needs ``distributed``.

Containers cannot be pickled, so the plugin travels as plain data (the flow's file-format
dict, its search paths and the scope map) and builds the flow, its context and a compiled
`Program` in `FlowWorkerPlugin.setup`, on the worker. Scopes on Dask:

- ``isolated``: one instance per Dask worker thread (a ``ThreadLocalSingleton`` of this
  worker's container);
- ``shared``: one instance per Dask worker (its own container), which is one per worker
  process with ``processes=True``. With ``processes=False`` several workers share one
  process but each still has its own instance.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from distributed import WorkerPlugin, get_worker

from ..errors import ReferenceResolutionError
from ..graph.model import Flow
from .aio import arun_item, run_on_thread_loop
from .dask_loss import AttemptLog, log_topic
from .executor import public_state
from .flow_context import run_services
from .program import Probe, Program
from .report import ItemError
from .scopes import RunServices, WorkerServices
from .source import used_services
from .workers import failed_item


@dataclass
class BatchResult:
    """What one batch sends back: its items' results, errors and the worker's counters."""

    start: int
    results: list[Any]
    errors: list[ItemError]
    worker: str
    thread: str
    seconds: float
    node_calls: list[int] = field(default_factory=list)
    node_seconds: list[float] = field(default_factory=list)
    node_errors: list[int] = field(default_factory=list)
    attempt: str = ""  # which attempt of the batch this is (see `dask_loss`)

    @property
    def done(self) -> int:
        return len(self.results)


class _BatchProbe(Probe):
    """Per-node calls, seconds and failures for one batch (every call timed)."""

    timing = True
    counting = True

    def __init__(self, n_nodes: int) -> None:
        self.current = -1
        self.counts = [0] * n_nodes  # calls, also when a runtime skips timing
        self.seconds = [0.0] * n_nodes
        self.errors = [0] * n_nodes

    def leave(self, index: int, seconds: float) -> None:
        self.counts[index] += 1
        self.seconds[index] += seconds

    def failed(self, index: int) -> None:
        self.counts[index] += 1
        self.errors[index] += 1

    def retried(self, index: int, failed: int, exc: BaseException) -> None:
        """A failed attempt that runs again (only its final outcome is counted)."""


class FlowWorkerPlugin(WorkerPlugin):
    """Builds the flow, its services and a `Program` once on each Dask worker.

    Parameters
    ----------
    name
        The plugin's name on the worker; tasks find the plugin by it.
    flow_data
        ``flow.to_dict()``: plain data, rebuilt with `Flow.from_dict` on the worker.
    search_paths
        Folders put in front of ``sys.path`` on the worker, for the flow's node modules.
    scopes
        ``{service: "shared" | "isolated"}`` applied with `with_scopes`.
    """

    def __init__(
        self,
        name: str,
        flow_data: dict[str, Any],
        search_paths: Sequence[str],
        scopes: Mapping[str, str],
    ) -> None:
        self.name = name
        self.flow_data = flow_data
        self.search_paths = list(search_paths)
        self.scopes = dict(scopes)
        self.program: Program | None = None
        self.services: RunServices | None = None
        self.address = ""
        self._per_thread: dict[int, WorkerServices] = {}

    def setup(self, worker: Any) -> None:
        for path in reversed(self.search_paths):
            if path not in sys.path:
                sys.path.insert(0, path)
        flow = Flow.from_dict(self.flow_data)
        flow.search_paths = list(self.search_paths)
        for node_id in flow.nodes:
            flow.resolve(node_id)  # raises naming the node and the reason
        self.services = run_services(flow, self.scopes)
        # Shared instances now, once, before any task: a Singleton raced by worker threads
        # may build one instance per thread.
        self.services.create_shared(used_services(flow, self.services.names))
        self.program = Program(flow, self.services.names, self.services.container)
        self.address = str(getattr(worker, "address", ""))
        self._per_thread = {}

    def teardown(self, worker: Any) -> None:
        """Close the services this worker created (isolated ones from every thread)."""
        if self.program is not None:
            self.program.close()
        for svc in self._per_thread.values():
            svc.close()
        if self.services is not None:
            self.services.close_shared()
        self.program = self.services = None
        self._per_thread = {}

    def thread_services(self) -> WorkerServices:
        """The calling worker thread's services (its isolated instances), made once."""
        key = threading.get_ident()
        svc = self._per_thread.get(key)
        if svc is None:
            assert self.services is not None
            svc = self._per_thread[key] = self.services.for_worker()
        return svc

    def run_batch(
        self, start: int, items: Sequence[Any], log: Callable[[dict[str, Any]], None] | None = None
    ) -> BatchResult:
        """Run ``items`` (input indexes from ``start``) on the calling worker thread;
        ``log`` records the attempt and its progress for the client (`AttemptLog`)."""
        program = self.program
        if program is None:
            raise ReferenceResolutionError(self.name, "the flow was not set up on this worker")
        svc = self.thread_services()
        probe = _BatchProbe(len(program.node_ids))
        run_item = program.run_item
        results: list[Any] = []
        errors: list[ItemError] = []
        attempt = AttemptLog(log or _no_log, start, len(items))
        t0 = perf_counter()
        if program.is_async:  # awaited one at a time on this thread's own loop
            run_on_thread_loop(_abatch(program, start, items, svc, probe, results, errors,
                                       attempt), self.name)  # fmt: skip
        for offset, item in enumerate(items if not program.is_async else ()):
            attempt.starting(offset + 1)
            try:
                results.append(public_state(run_item(item, svc, probe)))
            except BaseException as exc:  # even a BaseException fails only its item
                results.append(None)
                errors.append(failed_item(start + offset, exc, item, None))
        seconds = perf_counter() - t0
        return BatchResult(
            start, results, errors, self.address, threading.current_thread().name,
            seconds, probe.counts, probe.seconds, probe.errors, attempt.attempt,
        )  # fmt: skip


async def _abatch(
    program: Any, start: int, items: Sequence[Any], svc: Any, probe: Any,
    results: list[Any], errors: list[ItemError], attempt: AttemptLog,
) -> None:  # fmt: skip
    for offset, item in enumerate(items):
        attempt.starting(offset + 1)
        try:
            results.append(public_state(await arun_item(program, item, svc, probe)))
        except BaseException as exc:  # even a BaseException fails only its item
            results.append(None)
            errors.append(failed_item(start + offset, exc, item, None))


def run_batch(plugin_name: str, start: int, items: list[Any]) -> BatchResult:
    """The Dask task: run one batch with this worker's plugin."""
    worker = get_worker()
    plugin = worker.plugins[plugin_name]
    if not isinstance(plugin, FlowWorkerPlugin):
        raise TypeError(f"worker plugin '{plugin_name}' is not an AetherFlow plugin")
    topic = log_topic(plugin_name)
    return plugin.run_batch(start, items, lambda msg: worker.log_event(topic, msg))


def _no_log(msg: dict[str, Any]) -> None:
    pass
