"""One run on a background thread: starts the engine, follows it, reports back.

Everything slow happens here, never on the GUI thread: building the input (which may
import user code), creating shared services (`Flow.start`), consuming the streamed
outcomes for per-item errors, waiting for the report, or a whole Dask run. The job talks
to the GUI only through ``emit((kind, number, payload))``: the controller's one queued
signal.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from aetherflow import Flow, ItemError, RunHandle
from aetherflow.runtime.executor import discard_result

from .inputs import RunSettings, build_items

ERROR_BATCH_SECONDS = 0.1  # per-item errors reach the GUI in batches, at most 10 a second
Emit = Callable[[tuple[str, int, Any]], None]


def _debugging(s: RunSettings) -> dict[str, Any]:
    """The debugging options of a thread or process run, only those in use (an untraced run without
    breakpoints starts exactly as before)."""
    options: dict[str, Any] = {}
    if s.trace:
        options["trace"] = s.trace
    if s.breakpoints:
        options["breakpoints"] = s.breakpoints
    if s.breakpoints and s.break_mode != "worker":
        options["break_mode"] = s.break_mode
    if s.watch_wires:
        options["watch_wires"] = True
    return options


class RunJob:
    """A run of ``flow`` (a copy, owned by the job) with ``settings``.

    Attributes
    ----------
    handle
        The engine's `RunHandle` once started (threads or Dask: its capability flags
        say what it can do), else None.
    """

    def __init__(self, number: int, flow: Flow, settings: RunSettings, emit: Emit) -> None:
        self.number = number
        self.flow = flow
        self.settings = settings
        self.handle: RunHandle | None = None
        self.stop_requested = False
        self._emit = emit
        self.thread = threading.Thread(target=self._main, name=f"studio-run-{number}", daemon=True)

    @property
    def scopes(self) -> dict[str, str]:
        """The run's effective scope map, from the engine (empty before it started)."""
        return dict(self.handle.scopes) if self.handle is not None else {}

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.stop_requested = True
        if self.handle is not None:
            self.handle.cancel()

    def _main(self) -> None:
        n = self.number
        try:
            folder = os.path.dirname(self.flow.path) if getattr(self.flow, "path", None) else None
            items, limit = build_items(self.settings, self.flow.source is not None, folder)
            self._follow(self._start(items, limit))
        except BaseException as exc:  # report anything: the GUI must leave "running"
            text = "".join(traceback.format_exception(exc))
            self._emit(("failed", n, (f"{type(exc).__name__}: {exc}", text)))

    def _start(self, items: Any, limit: int | None) -> RunHandle:
        s = self.settings
        # The Studio keeps counts and errors, not results: no per-item copy of the state,
        # and only the failed items come through `results` (the counts come from snapshots).
        common = dict(
            scopes=s.scopes or None, on_error=s.on_error, limit=limit, collect=False,
            stream="errors",
        )  # fmt: skip
        local = dict(workers=s.workers, extract=discard_result, profile_shared=s.profile_shared)
        if s.executor == "thread":
            return self.flow.start(items, **local, check_races=s.check_races,
                                   concurrency=s.concurrency, **_debugging(s),
                                   **common)  # fmt: skip
        if s.executor == "process":
            from aetherflow.runtime.process_executor import start_flow_process

            return start_flow_process(self.flow, items, **local, **_debugging(s), **common)
        from aetherflow.runtime.dask_executor import start_flow_dask

        scheduler = s.address.strip() if s.executor == "dask-address" else None
        if s.executor == "dask-address" and not scheduler:
            raise ValueError("give the Dask scheduler's address (tcp://host:8786)")
        return start_flow_dask(self.flow, items, workers=s.workers, scheduler=scheduler, **common)

    def _follow(self, handle: RunHandle) -> None:
        """Report the start, per-item errors in batches, then the report."""
        self.handle = handle
        if self.stop_requested:
            handle.cancel()
        self._emit(("started", self.number, handle))
        pending: list[ItemError] = []
        last = time.monotonic()

        def flush() -> None:  # nothing more is ready: send what waits, 10 batches/s at most
            nonlocal pending, last
            if pending:
                time.sleep(max(0.0, ERROR_BATCH_SECONDS - (time.monotonic() - last)))
                self._emit(("errors", self.number, pending))
                pending, last = [], time.monotonic()

        for _index, _result, error in handle.results(on_idle=flush):
            if error is None:
                continue
            pending.append(error)
            now = time.monotonic()
            if now - last >= ERROR_BATCH_SECONDS:
                self._emit(("errors", self.number, pending))
                pending, last = [], now
        report = handle.wait()
        if pending:
            self._emit(("errors", self.number, pending))
        self._emit(("finished", self.number, report))
