"""`RunController`: runs the document's flow on the engine's threads and feeds the panels.

Threads
-------
- A `RunJob` thread starts the engine, follows it and sends low-rate control events
  (started, errors, finished, failed) through ONE queued signal; the GUI thread drops
  events whose run number is not the current run's.
- High-rate telemetry is never pushed: a ~30 Hz QTimer on the GUI thread polls the run's
  `TelemetrySnapshot`, skips the frame when nothing changed, and hands a `LiveFrame` to
  the subscribed panels. It runs only while a run is live and some subscriber is visible.
- Isolated-service snapshots are requested from the workers at ~4 Hz (only while a
  subscriber wants them); the workers answer between items.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from aetherflow import RunHandle
from aetherflow.telemetry import TelemetrySnapshot, render
from aetherflow.telemetry.advice import advise_run
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from .inputs import RunSettings
from .records import LiveFrame, RunRecord, Series, flow_key
from .run_job import RunJob

POLL_MS = 33
SERVICES_PERIOD = 0.25  # s between isolated-service snapshot requests
REFRESH_ANYWAY = 0.5  # s: redraw even when counts did not change (rates decay to 0)
FRAME_HOLD_CAP = 0.05  # s: the longest a frame may hold the workers back
MAX_ERRORS = 5000  # errors kept for the errors panel per run
_LIVE_RELAYS: list[tuple[_JobEvents, RunJob]] = []  # relays of runs whose thread may emit


class FrameSubscriber(Protocol):
    def update_frame(self, frame: LiveFrame) -> None: ...
    def wants_frames(self) -> bool: ...


class _JobEvents(QObject):
    """The one queued signal a run's thread emits on. It is not the controller's own: a run
    thread may still emit after the window (and its controller) is gone, and emitting on a
    QObject being destroyed on another thread crashes. A relay stays referenced (module
    list `_LIVE_RELAYS`) until its run's thread has ended."""

    event = Signal(object)  # (kind, run number, payload)


class RunController(QObject):
    """Start, pause, resume and stop runs of a document's flow; poll their telemetry.

    Signals
    -------
    run_started(int)
        Run number ``n`` started on the engine.
    run_finished(object)
        The `RunRecord` of the run that ended (also after a stop or a failure).
    errors_added(list)
        New `ItemError`s of the current run.
    state_changed(str)
        ``"idle"``, ``"starting"``, ``"running"``, ``"paused"`` or ``"stopping"``.
    run_failed(str)
        The run could not start or crashed: the message.
    """

    run_started = Signal(int)
    run_finished = Signal(object)
    errors_added = Signal(list)
    state_changed = Signal(str)
    run_failed = Signal(str)

    def __init__(self, document: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.settings = RunSettings()
        self.history: list[RunRecord] = []
        self.errors: list[Any] = []
        self.state = "idle"
        self.frame: LiveFrame | None = None
        self.run_flow_key = ""
        self.timeline_hz = 250.0  # the GIL caps it near there under load anyway
        self._subscribers: list[Any] = []
        self._number = 0
        self._job: RunJob | None = None
        self._series = Series()
        self._timeline: Any = None
        self._last_version = -1
        self._last_push = 0.0
        self._last_request = 0.0
        self._services: dict[str, Any] = {}
        self._shared: dict[str, Any] = {}
        self.polls = 0  # frames delivered (the benchmark counts them)
        self._shut_down = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)

    # -- state ------------------------------------------------------------------------
    @property
    def number(self) -> int:
        """The current (or last) run's number."""
        return self._number

    @property
    def running(self) -> bool:
        return self._job is not None

    @property
    def handle(self) -> RunHandle | None:
        return self._job.handle if self._job is not None else None

    def set_document(self, document: Any) -> None:
        """Runs use this document's flow from now on (a live run goes on with its copy)."""
        self.document = document

    def forget_run(self) -> None:
        """Drop the last run's frame and errors (another flow is open and no run is live):
        panels that subscribe later get nothing stale. Its record stays in ``history``."""
        if self._job is None:
            self.frame = None
            self.errors = []
            self.run_flow_key = ""

    # -- subscribers ------------------------------------------------------------------
    def subscribe(self, subscriber: FrameSubscriber) -> None:
        """``subscriber.update_frame(frame)`` is called with every changed frame;
        ``subscriber.wants_frames()`` says whether it is visible (keeps the timer on)."""
        self._subscribers.append(subscriber)
        if self.frame is not None:
            subscriber.update_frame(self.frame)

    def visibility_changed(self) -> None:
        """A subscriber was shown or hidden: start or stop polling."""
        self._update_timer()

    def _update_timer(self) -> None:
        # After `shutdown` the window is closing: panels hiding must not restart the poll
        # (a frame flushes posted events, which could rebuild widgets while Qt hides them).
        live = self._job is not None and self.state != "starting" and not self._shut_down
        want = live and any(s.wants_frames() for s in self._subscribers)
        if want and not self._timer.isActive():
            self._timer.start()
            self._on_timer_timeout()
        elif not want and self._timer.isActive():
            self._timer.stop()

    # -- commands ---------------------------------------------------------------------
    def start(self, settings: RunSettings | None = None) -> int:
        """Start a run of a copy of the document's flow (edits apply to the next run).

        Returns the run number, 0 when it could not start (``run_failed`` says why).
        """
        if self._job is not None:
            return 0
        if settings is not None:
            self.settings = settings
        doc = self.document
        if doc is None or not doc.flow.nodes:
            self.run_failed.emit("nothing to run: the flow has no nodes")
            return 0
        if not getattr(doc, "trusted", True):
            self.run_failed.emit("trust this flow first (File > Trust and Import Code)")
            return 0
        self._number += 1
        self.run_flow_key = flow_key(doc)  # the panels show a run of this flow
        self.errors = []
        self._series = Series()
        self._services, self._shared = {}, {}
        self._last_version = -1
        self.frame = None
        relay = self._relay()
        self._job = RunJob(self._number, doc.flow.copy(), self.settings, relay.event.emit)
        _LIVE_RELAYS.append((relay, self._job))
        self._set_state("starting")
        self._job.start()
        return self._number

    @property
    def can_pause(self) -> bool:
        """Dask runs can only be stopped."""
        return self.handle is not None and self.handle.supports_pause

    def pause(self) -> None:
        handle = self.handle
        if handle is not None and handle.supports_pause and self.state == "running":
            handle.pause()
            self._set_state("paused")

    def resume(self) -> None:
        handle = self.handle
        if handle is not None and self.state == "paused":
            handle.resume()
            self._set_state("running")

    def toggle_pause(self) -> None:
        self.resume() if self.state == "paused" else self.pause()

    def stop(self) -> None:
        """Cooperative stop: items in flight finish; ``run_finished`` follows."""
        if self._job is not None and self.state != "stopping":
            self._job.cancel()
            self._set_state("stopping")

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop a live run and wait a little for it (the window is closing)."""
        self._shut_down = True
        job = self._job
        if job is not None:
            job.cancel()
            job.thread.join(timeout)
        self._timer.stop()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
        self._update_timer()

    def _relay(self) -> _JobEvents:
        """A fresh relay for the next run's events (and drop those whose runs ended)."""
        _LIVE_RELAYS[:] = [(r, job) for r, job in _LIVE_RELAYS if job.thread.is_alive()]
        relay = _JobEvents()
        relay.event.connect(self._on_job_event, Qt.ConnectionType.QueuedConnection)
        return relay

    # -- events from the run's thread (queued) ----------------------------------------
    def _on_job_event(self, event: tuple[str, int, Any]) -> None:
        kind, number, payload = event
        if self._job is None or number != self._job.number:
            return  # a superseded run
        if kind == "started":
            self._on_started(payload)
        elif kind == "errors":
            room = MAX_ERRORS - len(self.errors)
            if room > 0:
                self.errors.extend(payload[:room])
                self.errors_added.emit(list(payload[:room]))
        elif kind == "finished":
            self._finish(payload, None)
        elif kind == "failed":
            message, text = payload
            self.run_failed.emit(f"{message}\n\n{text}")
            self._finish(None, message)

    def _on_started(self, handle: RunHandle) -> None:
        if any(getattr(s, "wants_timeline", False) for s in self._subscribers):
            sampler = handle.timeline(hz=self.timeline_hz)
            self._timeline = sampler.start() if sampler is not None else None
        state = "stopping" if self._job is not None and self._job.stop_requested else "running"
        self.run_started.emit(self._number)
        self._set_state(state)

    def _finish(self, report: Any, error: str | None) -> None:
        job = self._job
        assert job is not None
        frame = self._poll(final=True)
        self._job = None
        if self._timeline is not None:
            self._timeline.stop()
        if frame is not None:
            self._deliver(frame)
        snap = frame.snapshot if frame is not None else None
        nodes = snap.nodes if snap is not None else ()
        advice: tuple[Any, ...] = ()
        if snap is not None and job.settings.profile_shared:
            advice = tuple(advise_run(snap, job.settings.workers))
        record = RunRecord(job.number, job.flow.name, job.settings, job.scopes, report,
                           self._series, tuple(nodes), error, advice,
                           self.run_flow_key)  # fmt: skip
        self.history.append(record)
        self._set_state("idle")
        self.run_finished.emit(record)

    # -- polling ----------------------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        job = self._job
        handle = job.handle if job is not None else None
        # Workers running pure Python leave the GUI thread 1/(workers+1) of the GIL; hold
        # them between items while this frame updates and paints (see WorkerGate).
        # (Dask workers run elsewhere: the hold does nothing.)
        if handle is None:
            return
        with handle.hold_workers(FRAME_HOLD_CAP):
            frame = self._poll()
            if frame is not None:
                self._deliver(frame)
                # Paint now, inside the hold: scene updates are queued calls that post
                # UpdateRequests, so flush twice.
                QCoreApplication.sendPostedEvents()
                QCoreApplication.sendPostedEvents()

    def _deliver(self, frame: LiveFrame) -> None:
        self.frame = frame
        self.polls += 1
        for s in list(self._subscribers):
            s.update_frame(frame)

    def _poll(self, final: bool = False) -> LiveFrame | None:
        """A frame of the live run, or None when nothing changed since the last one."""
        job = self._job
        if job is None:
            return None
        snap = self._snapshot(job)
        if snap is None:
            return None
        now = time.monotonic()
        changed = self._refresh_services(job, snap, now, final)
        self._series.add(snap.elapsed, snap.items_per_s, snap.failed,
                         {t.name: t.items_per_s for t in snap.threads})  # fmt: skip
        if not (final or changed or snap.version != self._last_version
                or now - self._last_push >= REFRESH_ANYWAY):  # fmt: skip
            return None
        self._last_version, self._last_push = snap.version, now
        return LiveFrame(job.number, snap, self._series, self._services, self._shared,
                         job.scopes, self._timeline, final, changed, job.flow.source)  # fmt: skip

    def _snapshot(self, job: RunJob) -> TelemetrySnapshot | None:
        return job.handle.snapshot() if job.handle is not None else None

    def _refresh_services(self, job: RunJob, snap: Any, now: float, final: bool) -> bool:
        """Ask for isolated-state snapshots at a low rate; True when new ones arrived."""
        handle = job.handle
        if handle is None or not handle.supports_worker_state:  # Dask: none here
            return False
        wanted = final or any(
            getattr(s, "wants_services", False) and s.wants_frames() for s in self._subscribers
        )
        if wanted and (final or now - self._last_request >= SERVICES_PERIOD):
            self._last_request = now
            if not final:
                handle.request_services()
            self._shared = _render_shared(handle)
        changed = False
        for t in snap.threads:
            if t.services is not None and self._services.get(t.name) is not t.services:
                self._services[t.name] = t.services
                changed = True
        if changed:
            self._services = dict(self._services)  # panels compare by identity
        return changed


def _render_shared(handle: RunHandle) -> dict[str, Any]:
    """The run's shared instances, rendered on the GUI thread (they are shared: the user's
    code locks them; a torn read only renders stale values). Dask handles answer ``{}``."""
    return {name: render(obj) for name, obj in handle.shared_services().items()}
