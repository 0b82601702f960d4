"""Sync nodes with a time limit or retries (`GuardedStep`), and the per-worker
`TimeGuard` a run's watchdog uses to give up on a worker stuck in a node.

Python cannot stop a thread. A sync node that overruns its ``timeout`` on a run's
worker is abandoned instead: the watchdog fails the item with a `TimeoutError`, starts a
fresh worker in its place, and the stuck thread, if its node ever returns, unwinds with
`WorkerAbandoned` and its late result is dropped. On a thread that is no run's worker
(`Node.run`) the limit is checked when the call returns.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from time import perf_counter
from typing import TYPE_CHECKING, Any

from ..errors import NodeExecutionError
from ..policy import resolve_retry_on

if TYPE_CHECKING:
    from .program import CallStep, Wired
    from .services import Services

_current = threading.local()  # .guard: the calling worker's TimeGuard


def record_call(probe: Any, index: int, started: float) -> None:
    """Report a finished node call that began at ``started`` (`perf_counter`) to the run's
    probe: timed while it samples, else counted (see `program.Probe`)."""
    if probe.timing:
        probe.leave(index, perf_counter() - started)
    elif probe.counting:
        probe.counts[index] += 1


class WorkerAbandoned(BaseException):
    """Unwinds a worker thread the run gave up on (its node overran ``timeout``)."""


def node_timeout(node: str, seconds: float) -> TimeoutError:
    return TimeoutError(f"node '{node}' did not finish within {seconds:g} s (its timeout)")


class TimeGuard:
    """The deadline of the sync node call a worker is in, if any.

    The worker arms it around a call and disarms it after; the watchdog expires it.
    Both take the lock, so a call either returns in time or is abandoned, never both.
    """

    __slots__ = ("_lock", "abandoned", "deadline", "node", "seconds", "stopping")

    def __init__(self, stopping: Callable[[], bool]) -> None:
        self._lock = threading.Lock()
        self.deadline: float | None = None
        self.node = ""
        self.seconds = 0.0
        self.abandoned = False
        self.stopping = stopping  # the run was cancelled: no more retries

    def bind(self) -> None:
        """Make this the calling thread's guard (a worker calls it when it starts)."""
        _current.guard = self

    def arm(self, node: str, seconds: float) -> None:
        with self._lock:
            self.node, self.seconds = node, seconds
            self.deadline = time.monotonic() + seconds

    def disarm(self) -> None:
        """After the call; raises `WorkerAbandoned` when the watchdog gave up on it."""
        with self._lock:
            self.deadline = None
            if self.abandoned:
                raise WorkerAbandoned(self.node)

    def expire(self, now: float) -> bool:
        """Called by the watchdog: abandon the worker if its call is overdue."""
        with self._lock:
            if self.deadline is None or now < self.deadline or self.abandoned:
                return False
            self.abandoned = True
            return True

    def pause(self, seconds: float) -> None:
        """Sleep before a retry, waking early when the run is cancelled."""
        end = time.monotonic() + seconds
        while not self.stopping():
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.05))


def current_guard() -> TimeGuard | None:
    guard: TimeGuard | None = getattr(_current, "guard", None)
    return guard


class GuardedStep:
    """Call a sync node with its policy: each attempt under the time limit, failed
    attempts retried after a delay while the exception is one of ``retry_on``."""

    __slots__ = ("call", "policy", "retry_on")

    def __init__(self, call: CallStep) -> None:
        self.call = call
        self.policy = call.policy
        self.retry_on = resolve_retry_on(call.policy, f"node '{call.node_id}'")

    def __call__(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        call, policy = self.call, self.policy
        kwargs = call.kwargs(state, wired, svc)
        guard = current_guard()
        failed = 0
        while True:
            try:
                result = self._attempt(kwargs, probe, guard)
                break
            except Exception as exc:
                failed += 1
                stopping = guard is not None and guard.stopping()
                if failed > policy.retries or not isinstance(exc, self.retry_on) or stopping:
                    if probe is not None:
                        probe.failed(call.index)
                    raise NodeExecutionError(call.node_id, exc, failed, inputs=kwargs) from exc
                if probe is not None:
                    probe.retried(call.index, failed, exc)
                delay = policy.delay(failed)
                if guard is not None:
                    guard.pause(delay)
                elif delay > 0:
                    time.sleep(delay)
        return call.merge(result, state, wired)

    def _attempt(self, kwargs: dict[str, Any], probe: Any, guard: TimeGuard | None) -> Any:
        call, timeout = self.call, self.policy.timeout
        if probe is not None:
            probe.current = call.index
        t0 = perf_counter()
        if timeout is None:
            result = call.func(**kwargs)
        elif guard is None:  # not a run's worker: nobody can replace this thread
            result = call.func(**kwargs)
            if perf_counter() - t0 > timeout:
                raise node_timeout(call.node_id, timeout)
        else:
            guard.arm(call.node_id, timeout)
            try:
                result = call.func(**kwargs)
            finally:
                guard.disarm()
        if probe is not None:
            record_call(probe, call.index, t0)
        return result
