"""Run a flow's worker threads in a child process: `start_flow_process`.

The child runs the ordinary thread executor (`start_flow`) on a flow rebuilt from its
plain data, and streams back what the run already produces as plain data: telemetry
snapshots (~30 Hz, only when they changed), outcomes in batches, timeline spans while
someone watches them, and the final `RunReport`. The caller's process keeps the whole
GIL for itself, so a GUI watching the run neither slows the workers nor is starved by
them; and the process can be ended: `ProcessRunHandle.cancel` asks the child to stop
cooperatively and, if it has not ended after ``stop_grace`` seconds (a node that hangs),
terminates it. A child that dies (a node calling ``os._exit``, a crash in C code) ends
the run with a report that says so and keeps every outcome that had arrived.

Three pipes join the processes: items (caller -> child, pulled lazily, so the pipe's
buffer is the back-pressure), control (caller -> child: commands and questions) and
events (child -> caller). Items, options and results must be picklable.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import AetherFlowError
from ..graph.model import Flow
from ..telemetry.render import render
from ..telemetry.snapshot import TelemetrySnapshot
from .handle import Outcome, RunHandle
from .inputs import PortableInput
from .report import ItemError, RunReport
from .source import module_folders
from .traces import BreakHit, ItemTrace

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

FRAME_PERIOD = 1 / 30  # s between the child's snapshot messages
OUTCOME_BATCH = 512  # outcomes per events message at most
OUTCOME_PERIOD = 0.05  # s: a partial batch goes out after this long
ITEM_CHUNK = 256  # items per message on the items pipe
ASK_TIMEOUT = 2.0  # s to wait for the child's answer to a question
STOP_GRACE = 3.0  # s a cancelled child has to end before it is terminated
START_TIMEOUT = 120.0  # s for the child to import and start the run

_END = ("end",)
_ASKABLE = {"stacks", "traces", "set_breakpoint", "step", "resume_worker", "skip_item"}
_COMMANDS = {
    "pause", "resume", "cancel", "request_services", "set_breakpoint", "clear_breakpoint",
    "set_break_mode", "step", "resume_worker", "skip_item", "timeline", "watch",
}  # fmt: skip
WATCH_PERIOD = 0.25  # s between the child's readings of what the caller watches
# What the caller can watch: read in the child each period, sent when it changed.
_WATCHABLE: dict[str, Callable[[Any], Any]] = {
    "wires": lambda handle: handle.wire_values() if handle.supports_traces else {},
    "shared": lambda handle: {k: render(v) for k, v in handle.shared_services().items()},
}


class RunProcessError(AetherFlowError):
    """The run's child process could not start the run, or died."""


# -- the child -------------------------------------------------------------------------
def _child_main(spec: dict[str, Any], items_conn: Connection, control: Connection,
                events: Connection) -> None:  # fmt: skip
    """Entry point of the child process (must stay importable at module level)."""
    send_lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with send_lock:
            events.send(message)

    try:
        flow = _rebuild(spec)
        items = spec["input"]  # a `PortableInput`: made here, not sent item by item
        if spec["has_items"]:
            items = _received_items(items_conn)
        from .executor import start_flow

        handle = start_flow(flow, items, **spec["options"])
    except BaseException as exc:
        send(("fatal", _exception_data(exc), "".join(traceback.format_exception(exc))))
        return
    flags = {name: getattr(handle, name) for name in _FLAGS}
    send(("hello", handle.run_id, flags, dict(handle.scopes), os.getpid()))
    child = _ChildRun(handle, send)
    if spec["options"].get("watch_wires"):
        child.watched.add("wires")
    threading.Thread(target=child.serve, args=(control,), daemon=True).start()
    if spec["options"].get("stream"):
        threading.Thread(target=child.forward_outcomes, daemon=True).start()
    child.pump()


_FLAGS = ("supports_pause", "supports_worker_state", "supports_breakpoints", "supports_traces")


def _rebuild(spec: dict[str, Any]) -> Flow:
    import sys

    for path in reversed(spec["search_paths"]):
        if path not in sys.path:
            sys.path.insert(0, path)
    flow = Flow.from_dict(spec["flow"], origin=spec["path"] or "<flow>")
    flow.path = spec["path"]
    flow.search_paths = list(spec["search_paths"])
    return flow


def _received_items(conn: Connection) -> Iterator[Any]:
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message == _END:
            return
        if type(message) is tuple:  # ("error", text): reading the input failed
            raise RunProcessError(message[1])
        yield from message


def _exception_data(exc: BaseException) -> tuple[Any, ...]:
    """``exc`` as plain data the caller can rebuild it from (exceptions with their own
    ``__init__`` signature do not survive pickling as they are)."""
    import pickle

    cls = type(exc)
    attrs = {}
    for key, value in vars(exc).items():
        try:
            pickle.dumps(value)
            attrs[key] = value
        except Exception:
            continue
    try:
        args = pickle.loads(pickle.dumps(exc.args))
    except Exception:
        args = (str(exc),)
    return (cls.__module__, cls.__qualname__, f"{cls.__name__}: {exc}", args, attrs)


def _rebuilt_exception(data: tuple[Any, ...]) -> BaseException:
    """The child's exception again: the engine's own and built-in ones as themselves,
    anything else as a `RunProcessError` with its text."""
    import importlib

    module, qualname, text, args, attrs = data
    if module == "builtins" or module.startswith("aetherflow."):
        cls = getattr(importlib.import_module(module), qualname, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            exc = cls.__new__(cls)
            exc.args = args
            exc.__dict__.update(attrs)
            return exc
    return RunProcessError(text)


class _ChildRun:
    """The child's side of one run: answers the caller, streams what happens."""

    def __init__(self, handle: Any, send: Callable[[tuple[Any, ...]], None]) -> None:
        self.handle = handle
        self.send = send
        self.timeline: Any = None
        self._sent_spans: list[float] = []
        self.watched: set[str] = set()  # `_WATCHABLE` names the caller asked for
        self._pushed: dict[str, Any] = {}  # name -> the value last sent
        self._pushed_at: dict[str, float] = {}
        self._stops: tuple[list[BreakHit], list[str]] = ([], [])

    def serve(self, control: Connection) -> None:
        """Carry out the caller's commands and answer its questions until it hangs up."""
        while True:
            try:
                message = control.recv()
            except (EOFError, OSError):
                self.handle.cancel()  # the caller is gone: nobody wants the rest
                return
            kind, name, args = message[0], message[1], message[2]
            try:
                if kind == "ask" and name in _ASKABLE:
                    value = getattr(self.handle, name)(*args)
                    self.send(("reply", message[3], value, None))
                elif kind == "cmd" and name == "timeline":
                    self._start_timeline(*args)
                elif kind == "cmd" and name == "watch" and args[0] in _WATCHABLE:
                    self.watched.add(args[0])
                elif kind == "cmd" and name in _COMMANDS:
                    getattr(self.handle, name)(*args)
            except Exception as exc:
                if kind == "ask":
                    self.send(("reply", message[3], None, f"{type(exc).__name__}: {exc}"))

    def _start_timeline(self, options: dict[str, Any]) -> None:
        if self.timeline is None:
            sampler = self.handle.timeline(**options)
            if sampler is not None:
                self.timeline = sampler.start()
                self._sent_spans = [0.0] * len(sampler.names)
                self.send(("timeline", list(sampler.node_ids), list(sampler.names)))

    def forward_outcomes(self) -> None:
        batch: list[Outcome] = []
        last = time.monotonic()
        for outcome in self.handle.results():
            batch.append(outcome)
            now = time.monotonic()
            if len(batch) >= OUTCOME_BATCH or now - last >= OUTCOME_PERIOD:
                self._send_outcomes(batch)
                batch, last = [], now
        self._send_outcomes(batch)
        self.send(("outcomes-end",))

    def _send_outcomes(self, batch: list[Outcome]) -> None:
        """Send a batch; outcomes with no result and no error (a run that only counts, as
        the Studio's) go as index ranges, so the workers' process pickles almost nothing."""
        if not batch:
            return
        blanks: list[list[int]] = []
        full = []
        for outcome in batch:
            index, result, error = outcome
            if result is None and error is None:
                if blanks and blanks[-1][1] == index:
                    blanks[-1][1] = index + 1
                else:
                    blanks.append([index, index + 1])
            else:
                full.append(outcome)
        try:
            self.send(("outcomes", blanks, full))
        except Exception:  # a result that cannot be pickled goes as its rendering
            self.send(("outcomes", blanks, [(i, render(r), e) for i, r, e in full]))

    def pump(self) -> None:
        """Send snapshots, stopped workers and wire values (when they change) and
        timeline spans until the run ends: the caller reads its copies of these, never
        waiting for this busy process to answer."""
        version = -1
        due = time.monotonic()
        while not self.handle.done:
            snap = self.handle.snapshot()
            if snap.version != version:
                version = snap.version
                self.send(("snapshot", snap))
            self._send_spans()
            self._send_stops()
            self._send_watched(final=False)
            # a frame every FRAME_PERIOD, however long the sending took (among busy
            # workers it waits for the GIL: a fixed sleep gave ~21 frames a second)
            due = max(due + FRAME_PERIOD, time.monotonic() - FRAME_PERIOD)
            time.sleep(max(0.0, due - time.monotonic()))
        report = self.handle.wait()
        self._send_spans()
        self._send_stops()
        self._send_watched(final=True)
        self.send(("snapshot", self.handle.snapshot()))
        try:
            self.send(("report", report))
        except Exception:
            self.send(("report", replace(report, results=[render(r) for r in report.results])))

    def _send_stops(self) -> None:
        handle = self.handle
        if handle.supports_breakpoints:
            stops = (handle.stopped(), handle.held())
            if stops != self._stops:
                self._stops = stops
                self.send(("stops", *stops))

    def _send_watched(self, final: bool) -> None:
        """What the caller watches (wire values: asking also makes the workers render
        fresh ones), each period and at the end, when it changed."""
        now = time.monotonic()
        for name in tuple(self.watched):  # the serve thread may add one meanwhile
            if final or now - self._pushed_at.get(name, 0.0) >= WATCH_PERIOD:
                self._pushed_at[name] = now
                value = _WATCHABLE[name](self.handle)
                if name not in self._pushed or value != self._pushed[name]:
                    self._pushed[name] = value
                    self.send(("watched", name, value))

    def _send_spans(self) -> None:
        sampler = self.timeline
        if sampler is None:
            return
        spans = []
        for i in range(len(self._sent_spans)):
            new = sampler.spans(i, self._sent_spans[i])
            if new:
                self._sent_spans[i] = new[-1][0]  # the last span may still grow: resend it
            spans.append(new)
        self.send(("spans", sampler.now(), spans))


# -- the caller's side -------------------------------------------------------------------
class RemoteTimeline:
    """The caller's copy of the child's `TimelineSampler`: the same reading methods
    (``node_ids``, ``names``, ``now``, ``spans``), filled from the spans the child sends."""

    def __init__(self, handle: ProcessRunHandle, options: dict[str, Any]) -> None:
        self._handle = handle
        self._options = options
        self.node_ids: list[str] = []
        self.names: list[str] = []
        self._rings: list[list[tuple[float, float, int]]] = []
        self._now = 0.0
        self._at = time.perf_counter()
        self._stopped = False
        self.max_spans = int(options.get("max_spans", 50_000))

    def start(self) -> RemoteTimeline:
        self._handle._command("timeline", dict(self._options))
        return self

    def stop(self) -> None:
        self._stopped = True

    @property
    def running(self) -> bool:
        return not self._stopped and not self._handle.done

    def now(self) -> float:
        return self._now + (time.perf_counter() - self._at if self.running else 0.0)

    def spans(self, thread: int, since: float = 0.0) -> list[tuple[float, float, int]]:
        if thread >= len(self._rings):
            return []
        ring = self._rings[thread]
        cut = len(ring)
        while cut > 0 and ring[cut - 1][1] >= since:
            cut -= 1
        return list(ring[cut:])

    def _declare(self, node_ids: list[str], names: list[str]) -> None:
        self.node_ids, self.names = node_ids, names
        self._rings = [[] for _ in names]

    def _add(self, now: float, spans: list[list[tuple[float, float, int]]]) -> None:
        for ring, new in zip(self._rings, spans, strict=False):
            if not new:
                continue
            while ring and ring[-1][0] >= new[0][0]:
                ring.pop()  # resent spans replace the copies that were still growing
            ring.extend((s[0], s[1], s[2]) for s in new)
            if len(ring) > self.max_spans:
                del ring[: len(ring) - self.max_spans]
        self._now, self._at = now, time.perf_counter()


class ProcessRunHandle:
    """A run whose worker threads live in a child process (from `start_flow_process`).

    Implements `RunHandle`. Snapshots, states and outcomes arrive from the child; the
    stopped workers, wire values and the shared services (rendered: the live instances
    are in the other process) are pushed by the child when they change, so reading them
    never waits for the busy process; the other questions (`stacks`, `traces`) are asked
    over the control pipe and answered as plain data. `hold_workers` does nothing:
    the workers do not share this process's GIL.
    """

    def __init__(self, process: Any, control: Connection, events: Connection,
                 stop_grace: float) -> None:  # fmt: skip
        self._process = process
        self._control = control
        self._events = events
        self._send_lock = threading.Lock()
        self._stop_grace = stop_grace
        self._asks = itertools.count(1)
        self._answers: dict[int, tuple[threading.Event, list[Any]]] = {}
        self._outcomes: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._seen = 0  # outcomes arrived (for the report of a child that died)
        self._seen_results: list[Any] = []
        self._seen_errors: list[ItemError] = []
        self._report: RunReport | None = None
        self._done = threading.Event()
        self._hello = threading.Event()
        self._fatal: tuple[tuple[Any, ...], str] | None = None
        self._cancelled = False
        self._snapshot: TelemetrySnapshot | None = None
        self._timeline: RemoteTimeline | None = None
        self._hits: list[BreakHit] = []  # as the child last sent them
        self._held: list[str] = []
        self._watched: dict[str, Any] = {}  # `_WATCHABLE` name -> as the child last sent it
        self.run_id = ""
        self.pid = 0
        self.supports_pause = True
        self.supports_worker_state = True
        self.supports_breakpoints = False
        self.supports_traces = False
        self._scopes: dict[str, str] = {}
        self._reader = threading.Thread(target=self._read, name="aetherflow-process-reader",
                                        daemon=True)  # fmt: skip
        self._reader.start()

    # -- starting -------------------------------------------------------------------------
    def _await_start(self, timeout: float) -> None:
        if not self._hello.wait(timeout) and self._fatal is None:
            self._kill()
            raise RunProcessError(f"the run's process did not start within {timeout:.0f} s")
        if self._fatal is not None:
            data, text = self._fatal
            raise _rebuilt_exception(data) from RunProcessError(f"in the run's process:\n{text}")
        if not self.run_id:
            raise RunProcessError(
                f"the run's process ended (exit code {self._process.exitcode}) before "
                "starting the run; a script that starts runs in a separate process must "
                'do so under `if __name__ == "__main__":` (the child imports the '
                "script's main module)"
            )

    # -- state ----------------------------------------------------------------------------
    @property
    def state(self) -> str:
        if self._done.is_set():
            return "finished"
        if self._cancelled:
            return "stopping"
        return self._snapshot.state if self._snapshot is not None else "running"

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def paused(self) -> bool:
        return self.state == "paused"

    @property
    def scopes(self) -> Mapping[str, str]:
        return dict(self._scopes)

    @property
    def exitcode(self) -> int | None:
        """The child's exit code once it ended (negative: killed by that signal)."""
        return self._process.exitcode

    def snapshot(self) -> TelemetrySnapshot:
        snap = self._snapshot
        if snap is None:
            return TelemetrySnapshot(self.run_id, "running", 0.0, None, 0, 0, 0, 0.0, 0.0, None)
        if self._done.is_set() and snap.state != "finished":
            return replace(snap, state="finished", version=snap.version + 1)
        return snap

    # -- control --------------------------------------------------------------------------
    def pause(self) -> None:
        self._command("pause")

    def resume(self) -> None:
        self._command("resume")

    def cancel(self) -> None:
        """Ask the child to stop cooperatively; terminate it if it has not ended after
        the grace period (a node that never returns). Returns at once."""
        if self._cancelled or self._done.is_set():
            return
        self._cancelled = True
        self._command("cancel")
        threading.Thread(target=self._end_after_grace, daemon=True).start()

    def _end_after_grace(self) -> None:
        if not self._done.wait(self._stop_grace):
            self._kill()

    def _kill(self) -> None:
        """SIGTERM, then SIGKILL if the child is still there a second later. Only the
        reader thread joins (reaps) the child: two threads reaping one child race."""
        from multiprocessing.connection import wait

        with contextlib.suppress(Exception):
            self._process.terminate()
            if not wait([self._process.sentinel], 1.0):
                self._process.kill()

    def wait(self, timeout: float | None = None) -> RunReport:
        if not self._done.wait(timeout):
            raise TimeoutError(f"run {self.run_id} still running after {timeout} s")
        assert self._report is not None
        return self._report

    def results(self, on_idle: Callable[[], None] | None = None) -> Iterator[Outcome]:
        while True:
            if on_idle is not None and self._outcomes.empty():
                on_idle()
            batch = self._outcomes.get()
            if batch is None:
                self._outcomes.put(None)  # later iterations end too
                return
            yield from batch

    # -- looking inside -------------------------------------------------------------------
    def shared_services(self) -> dict[str, Any]:
        """The shared services as the child last rendered them (they live there; about
        four times a second once asked): the first call starts that, so it returns
        ``{}``."""
        return dict(self._watch("shared"))

    def stacks(self) -> dict[str, str]:
        return self._ask("stacks", default={})

    def request_services(self) -> None:
        self._command("request_services")

    def timeline(self, **options: Any) -> RemoteTimeline | None:
        if self._timeline is None:
            self._timeline = RemoteTimeline(self, options)
        return self._timeline

    def hold_workers(self, max_seconds: float = 0.05) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    # -- debugging ------------------------------------------------------------------------
    def traces(self) -> list[ItemTrace]:
        return self._ask("traces", default=[])

    def set_breakpoint(self, node_id: str, condition: str | None = None) -> None:
        """Asked, not sent: a bad node or condition raises here (`RunProcessError`)."""
        self._ask("set_breakpoint", node_id, condition, default=None)

    def clear_breakpoint(self, node_id: str) -> None:
        self._command("clear_breakpoint", node_id)

    def set_break_mode(self, mode: str) -> None:
        from .handle import BREAK_MODES

        if mode not in BREAK_MODES:
            raise ValueError(f"break mode must be one of {BREAK_MODES}, got {mode!r}")
        self._command("set_break_mode", mode)

    def stopped(self) -> list[BreakHit]:
        """The stopped workers as the child last sent them (each frame they change)."""
        return list(self._hits)

    def held(self) -> list[str]:
        return list(self._held)

    def step(self, worker: str) -> bool:
        return self._release(worker, "step")

    def resume_worker(self, worker: str) -> bool:
        return self._release(worker, "resume_worker")

    def skip_item(self, worker: str) -> bool:
        return self._release(worker, "skip_item")

    def _release(self, worker: str, command: str) -> bool:
        # The worker's hit stays until the child's next message says where it is, as on
        # threads (where it stays until the worker takes the command): dropping it here
        # showed a stepped worker as gone, and could drop the stop that message brought.
        return bool(self._ask(command, worker, default=False))

    def wire_values(self) -> dict[str, dict[str, Any]]:
        """The values the child last sent (about 4 times a second while watched); the
        first call starts the watching, so it returns ``{}``."""
        if not self.supports_traces:
            return {}
        return dict(self._watch("wires"))

    def _watch(self, name: str) -> Any:
        """The child's last copy of ``name`` (`_WATCHABLE`); the first call asks the child
        to send it from now on, and gets ``{}``."""
        if name not in self._watched:
            self._watched[name] = {}
            self._command("watch", name)
        return self._watched[name]

    # -- the pipes ------------------------------------------------------------------------
    def _command(self, name: str, *args: Any) -> None:
        if self._done.is_set():
            return
        with self._send_lock, contextlib.suppress(OSError, ValueError):
            self._control.send(("cmd", name, args))

    def _ask(self, name: str, *args: Any, default: Any) -> Any:
        """The child's answer to ``handle.<name>(*args)``, or ``default`` when the run has
        ended or the child does not answer in time."""
        if self._done.is_set():
            return default
        number = next(self._asks)
        answer: tuple[threading.Event, list[Any]] = (threading.Event(), [])
        self._answers[number] = answer
        try:
            with self._send_lock:
                self._control.send(("ask", name, args, number))
            if not answer[0].wait(ASK_TIMEOUT) or not answer[1]:
                return default
            value, error = answer[1]
            if error is not None:
                raise RunProcessError(f"{name}() in the run's process failed: {error}")
            return value
        except (OSError, ValueError):
            return default
        finally:
            self._answers.pop(number, None)

    def _read(self) -> None:
        """The reader thread: every message of the child, until it hangs up."""
        try:
            while True:
                message = self._events.recv()
                self._on_message(message)
                if message[0] in ("report", "fatal"):
                    break
        except (EOFError, OSError):
            pass
        finally:
            self._on_child_ended()

    def _on_message(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "snapshot":
            self._snapshot = message[1]
        elif kind == "outcomes":
            self._outcomes.put(self._unpacked(message[1], message[2]))
        elif kind == "outcomes-end":
            self._outcomes.put(None)
        elif kind == "reply":
            answer = self._answers.get(message[1])
            if answer is not None:
                answer[1][:] = [message[2], message[3]]
                answer[0].set()
        elif kind == "stops":
            self._hits, self._held = message[1], message[2]
        elif kind == "watched":
            self._watched[message[1]] = message[2]
        elif kind == "spans" and self._timeline is not None:
            self._timeline._add(message[1], message[2])
        elif kind == "timeline" and self._timeline is not None:
            self._timeline._declare(message[1], message[2])
        elif kind == "hello":
            self.run_id, flags, self._scopes, self.pid = (
                message[1],
                message[2],
                message[3],
                message[4],
            )
            for name, value in flags.items():
                setattr(self, name, value)
            self._hello.set()
        elif kind == "report":
            self._report = message[1]
        elif kind == "fatal":
            self._fatal = (message[1], message[2])

    def _on_child_ended(self) -> None:
        self._process.join(self._stop_grace + 2.0)
        if self._process.is_alive():  # hung up but still running (stuck in its shutdown)
            with contextlib.suppress(Exception):
                self._process.kill()
            self._process.join(5.0)
        if self._report is None and self._hello.is_set():
            self._report = self._lost_report()
        self._outcomes.put(None)
        for event, _value in list(self._answers.values()):
            event.set()
        self._done.set()
        self._hello.set()  # a child that died before saying hello: _await_start raises
        with contextlib.suppress(OSError):
            self._control.close()

    def _unpacked(self, blanks: list[list[int]], full: list[Outcome]) -> list[Outcome]:
        """A batch of outcomes from its index ranges of blank ones and the others."""
        outcomes: list[Outcome] = [
            (i, None, None) for start, stop in blanks for i in range(start, stop)
        ]
        if full:
            outcomes.extend(full)
            outcomes.sort(key=lambda o: o[0])
        self._seen += len(outcomes)
        for _i, result, error in outcomes:
            if error is None:
                self._seen_results.append(result)
            else:
                self._seen_errors.append(error)
        return outcomes

    def _lost_report(self) -> RunReport:
        """The report of a run whose child ended without sending one."""
        code = self._process.exitcode
        how = "was stopped" if self._cancelled else "died"
        message = f"the run's process {how} (exit code {code}) before the run finished"
        errors = [*self._seen_errors, ItemError(-1, None, "RunProcessError", message, message)]
        snap = self.snapshot()
        reason = "cancel" if self._cancelled else "crash"
        seen = max(self._seen, snap.items)  # a stream of errors only: the last snapshot
        stats = {
            "items": seen, "succeeded": seen - len(errors) + 1,
            "failed": len(errors) - 1, "elapsed": snap.elapsed, "items_per_s": 0.0,
            "total": snap.total, "stop_reason": reason, "exit_code": code,
        }  # fmt: skip
        return RunReport(self._seen_results, errors, stats, cancelled=self._cancelled,
                         stop_reason=reason)  # fmt: skip


def start_flow_process(
    flow: Flow,
    items: Iterable[Any] | None = None,
    stop_grace: float = STOP_GRACE,
    **options: Any,
) -> ProcessRunHandle:
    """Start running ``flow`` on worker threads in a child process; return once the
    child has started the run.

    Parameters
    ----------
    flow
        The flow; rebuilt in the child from ``flow.to_dict()``, its file's folder and
        search paths (so its nodes must be importable there).
    items
        As `start_flow`: read here, lazily, and sent to the child in chunks (picklable
        items); a `PortableInput` (a count, a file) is read in the child itself; None
        uses the flow's source node, in the child.
    stop_grace
        Seconds a cancelled run has to end before its process is terminated.
    options
        As `start_flow` (``extract`` must then be a picklable, module-level function).

    Raises
    ------
    FlowError, ReferenceResolutionError, ScopeError, ...
        What `start_flow` raises in the child (re-raised here); `RunProcessError` when
        the child could not start at all.
    """
    ctx = multiprocessing.get_context("spawn")
    items_out, items_in = ctx.Pipe(duplex=False)  # (receiving end, sending end)
    control_out, control_in = ctx.Pipe(duplex=False)
    events_out, events_in = ctx.Pipe(duplex=False)
    portable = items if isinstance(items, PortableInput) else None
    spec = {
        "flow": flow.to_dict(),
        "path": flow.path,
        "search_paths": module_folders(flow),
        "has_items": items is not None and portable is None,
        "input": portable,
        "options": options,
    }
    process = ctx.Process(target=_child_main, args=(spec, items_out, control_out, events_in),
                          name=f"aetherflow-run-{flow.name}", daemon=True)  # fmt: skip
    process.start()
    for end in (items_out, control_out, events_in):
        end.close()  # the child's ends: our copies would keep the pipes open
    handle = ProcessRunHandle(process, control_in, events_out, stop_grace)
    if spec["has_items"]:
        assert items is not None
        threading.Thread(target=_feed, args=(items, items_in), daemon=True,
                         name="aetherflow-process-feed").start()  # fmt: skip
    else:
        items_in.close()
    handle._await_start(START_TIMEOUT)
    return handle


def _feed(items: Iterable[Any], conn: Connection) -> None:
    """Send ``items`` in chunks; blocks while the child's pipe is full (back-pressure)."""
    try:
        chunk: list[Any] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= ITEM_CHUNK:
                conn.send(chunk)
                chunk = []
        if chunk:
            conn.send(chunk)
        conn.send(_END)
    except (OSError, ValueError):
        pass  # the child has gone (finished early, stopped or died)
    except Exception as exc:  # the input itself failed: the run's feed reports it
        with contextlib.suppress(OSError, ValueError):
            conn.send(("error", f"reading the input failed: {type(exc).__name__}: {exc}"))
    finally:
        conn.close()


if TYPE_CHECKING:  # mypy checks that the class implements the protocol
    _implements: type[RunHandle] = ProcessRunHandle
