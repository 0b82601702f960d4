"""`DebugSession`: the Studio's side of debugging a run (breakpoints, steps, traces,
values on wires, replay), on the engine's run-handle API.

Threads
-------
- Nothing here waits for a worker. A ~30 Hz QTimer on the GUI thread polls
  ``handle.stopped()`` while a run is live and emits ``stopped_changed`` only when the set
  of stopped workers changed; values on wires are read at ~4 Hz and traces at ~1 Hz (only
  while someone shows them). Everything read is plain data the workers rendered.
- Step, Continue and Skip only post a command to the stopped worker (``handle.step`` etc.
  return at once); a replay is an ordinary run of the controller (its own thread).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aetherflow import RunHandle
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from .inputs import RunSettings

POLL_MS = 33
VALUES_PERIOD = 0.25  # s between wire-value reads
TRACES_PERIOD = 1.0  # s between trace reads while the trace view is shown
TRACE_DEFAULT = 20  # traced items kept per worker when tracing is on
DEBUG_EXECUTORS = ("thread", "process")  # their handles stop workers (sync flows)
NEEDS_THREADS = ("Breakpoints, stepping and traces need the Threads or Process executor: Dask "
                 "workers (and async nodes) cannot be stopped from here")  # fmt: skip


def item_key(run: int, index: int) -> str:
    """A traced item's identity in the Studio: ``"run:index"``."""
    return f"{run}:{index}"


class DebugSession(QObject):
    """Debugging for the runs of ``controller`` on the document ``document()`` returns.

    Signals
    -------
    stopped_changed(list)
        The `BreakHit`s of the workers stopped now (empty: none is).
    traces_changed(int, list)
        Run number and its item traces (dicts, as `ItemTrace.to_dict` gives them).
    replay_traced(str, int, dict)
        A replayed item: the original's key, the replay run's number, its trace dict.
    wire_values_changed(dict)
        ``{"node.port": {worker: rendered value}}`` of the live (or last) run.
    message(str)
        A short message for the status bar (e.g. why a breakpoint was refused).
    """

    stopped_changed = Signal(list)
    traces_changed = Signal(int, list)
    replay_traced = Signal(str, int, dict)
    wire_values_changed = Signal(dict)
    message = Signal(str)

    def __init__(self, controller: Any, document: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._document = document
        self.trace_items = 0  # K traced items per worker (0: failed items only)
        self.record_values = True
        self.break_mode = "worker"
        self.traces_wanted = lambda: False  # the trace view says whether it is shown
        self.hits: list[Any] = []
        self.base_settings: RunSettings | None = None  # of the last run (not a replay)
        self.current_worker: str | None = None
        self._handle: RunHandle | None = None
        self._number = 0
        self._values: dict[str, dict[str, Any]] = {}
        self._last_values = self._last_traces = 0.0
        self._trace_count = -1
        self._replays: dict[int, list[str]] = {}  # replay run -> original keys by index
        self._origin: dict[str, str] = {}  # a replayed item's key -> its original's
        self._replay_runs: set[int] = set()
        self._breakpoints: Any = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)
        controller.run_started.connect(self._on_controller_run_started)
        controller.run_finished.connect(self._on_controller_run_finished)
        self.document_changed()

    # -- state ------------------------------------------------------------------------
    @property
    def handle(self) -> RunHandle | None:
        """The live thread run's handle (None between runs and for Dask runs)."""
        return self._handle if self._handle is not None and not self._handle.done else None

    def unavailable_reason(self, executor: str) -> str:
        """Why breakpoints cannot work for runs on ``executor`` ("" when they can); a live
        run answers with its handle's capability flag."""
        live = self.controller.handle
        if live is not None and not live.done:
            return "" if live.supports_breakpoints else NEEDS_THREADS
        return "" if executor in DEBUG_EXECUTORS else NEEDS_THREADS

    def document_changed(self) -> None:
        """Follow the (new) document's breakpoints: a live run gets their changes."""
        if self._breakpoints is not None:
            self._breakpoints.changed.disconnect(self._on_breakpoints_changed)
        doc = self._document()
        self._breakpoints = doc.breakpoints if doc is not None else None
        if self._breakpoints is not None:
            self._breakpoints.changed.connect(self._on_breakpoints_changed)

    def settings_for(self, settings: RunSettings) -> RunSettings:
        """``settings`` with the debugging options: breakpoints, trace, break mode."""
        self.base_settings = settings
        if settings.executor not in DEBUG_EXECUTORS:
            return settings
        return replace(settings, trace=max(self.trace_items, settings.trace),
                       breakpoints=self._active_breakpoints(),
                       break_mode=self.break_mode,
                       watch_wires=self.record_values)  # fmt: skip

    def _active_breakpoints(self) -> dict[str, str | None]:
        doc = self._document()
        if doc is None:
            return {}
        per_item = [n for n in doc.flow.nodes if n != doc.flow.source]
        return doc.breakpoints.mapping(per_item)

    # -- commands ---------------------------------------------------------------------
    def step(self) -> bool:
        """Run the node the current worker waits at; stop before its item's next node."""
        return self._command(lambda handle, worker: handle.step(worker))

    def resume(self) -> bool:
        """Let the current worker go on (to its next breakpoint)."""
        return self._command(lambda handle, worker: handle.resume_worker(worker))

    def skip_item(self) -> bool:
        """Abandon the current worker's item (reported as a "Skipped" error)."""
        return self._command(lambda handle, worker: handle.skip_item(worker))

    def resume_all(self) -> None:
        handle = self.handle
        if handle is not None:
            for hit in list(self.hits):
                handle.resume_worker(hit.worker)

    def _command(self, send: Callable[[RunHandle, str], bool]) -> bool:
        handle, worker = self.handle, self.current_worker
        if handle is None or worker is None:
            return False
        done = bool(send(handle, worker))
        self._on_timer_timeout()  # show the worker running again at once
        return done

    def set_break_mode(self, mode: str) -> None:
        """``"worker"``: other workers keep going; ``"all"``: all stop while one is."""
        self.break_mode = mode
        handle = self.handle
        if handle is not None:
            handle.set_break_mode(mode)

    def choose_worker(self, worker: str) -> None:
        """Step/Continue/Skip act on this stopped worker from now on."""
        if any(h.worker == worker for h in self.hits):
            self.current_worker = worker

    # -- replay -----------------------------------------------------------------------
    def is_replay(self, number: int) -> bool:
        return number in self._replay_runs

    def original_key(self, key: str) -> str:
        """The key of the item a replayed item replays (itself when it is no replay)."""
        return self._origin.get(key, key)

    def replay(self, entries: list[tuple[str, Any]]) -> int:
        """Run these ``(key, item input)`` alone with the last run's settings (scopes,
        breakpoints, trace). Returns the run number, 0 when it could not start."""
        if not entries or self.controller.running:
            if self.controller.running:
                self.message.emit("Replay waits for the live run to end: stop it first")
            return 0
        base = self.base_settings or self.controller.settings
        n = len(entries)
        settings = replace(self.settings_for(replace(base, executor="thread")),
                           input_kind="items", items=tuple(item for _, item in entries),
                           count=n, workers=1 if n == 1 else min(base.workers, n),
                           trace=max(n, self.trace_items))  # fmt: skip
        keys = [self.original_key(key) for key, _ in entries]
        number = self.controller.start(settings)
        if number:
            self._replays[number] = keys
            self._replay_runs.add(number)
            for index, key in enumerate(keys):
                self._origin[item_key(number, index)] = key
        return number

    # -- polling ----------------------------------------------------------------------
    def _on_controller_run_started(self, number: int) -> None:
        handle = self.controller.handle
        self._number = number
        self._handle = handle if handle is not None and handle.supports_breakpoints else None
        self._values, self._trace_count = {}, -1
        self.wire_values_changed.emit({})
        if self._handle is not None:
            if self.break_mode != "worker":  # for breakpoints set while it runs
                self._handle.set_break_mode(self.break_mode)
            if self.record_values:
                self._handle.wire_values()  # from now on the workers keep them
            self._timer.start()

    def _on_controller_run_finished(self, _record: Any) -> None:
        self._timer.stop()
        handle, self._handle = self._handle, None
        self._set_hits([])
        if handle is None:
            return
        if self.record_values:
            self._read_values(handle)
        traces = [t.to_dict() for t in handle.traces()]
        keys = self._replays.pop(self._number, None)
        if keys is None:
            self.traces_changed.emit(self._number, traces)
            return
        for trace in traces:
            if 0 <= trace["index"] < len(keys):
                self.replay_traced.emit(keys[trace["index"]], self._number, trace)

    def _on_timer_timeout(self) -> None:
        handle = self.handle
        if handle is None:
            return
        hits = handle.stopped()
        if hits != self.hits:
            self._set_hits(hits)
        now = time.monotonic()
        if self.record_values and now - self._last_values >= VALUES_PERIOD:
            self._last_values = now
            self._read_values(handle)
        if self.traces_wanted() and now - self._last_traces >= TRACES_PERIOD:
            self._last_traces = now
            traces = handle.traces()
            if len(traces) != self._trace_count and self._number not in self._replays:
                self._trace_count = len(traces)
                self.traces_changed.emit(self._number, [t.to_dict() for t in traces])

    def _read_values(self, handle: Any) -> None:
        values = handle.wire_values()
        if values != self._values:
            self._values = values
            self.wire_values_changed.emit(values)

    def _set_hits(self, hits: list[Any]) -> None:
        old = {h.worker for h in self.hits}
        self.hits = list(hits)
        workers = [h.worker for h in self.hits]
        new = [w for w in workers if w not in old]
        if self.current_worker not in workers:  # it went on: the one that just stopped
            self.current_worker = new[0] if new else workers[0] if workers else None
        # else keep it: another worker stopping must not redirect the user's next Step
        self.stopped_changed.emit(self.hits)

    def _on_breakpoints_changed(self, node_id: str) -> None:
        handle = self.handle
        if handle is None:
            return
        active = self._active_breakpoints()
        try:
            if node_id in active:
                handle.set_breakpoint(node_id, active[node_id])
            else:
                handle.clear_breakpoint(node_id)
        except ValueError as exc:
            self.message.emit(str(exc))
