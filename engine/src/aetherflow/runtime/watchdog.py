"""The watchdog of a run whose flow has sync nodes with a ``timeout``.

It wakes a few times per shortest timeout, and when a worker's sync node call is overdue
it gives up on that worker: the item fails with a `TimeoutError` naming the node and the
seconds (its traceback text is where the thread was stuck), a fresh worker takes over the
rest of the abandoned worker's chunk, and the stuck thread is counted as abandoned (see
`guarded`). Python cannot stop the stuck thread; it is a daemon, so it cannot block exit.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from typing import TYPE_CHECKING

from .report import ItemError
from .workers import Worker

if TYPE_CHECKING:
    from .executor import Run


def start_watchdog(run: Run, shortest: float) -> threading.Thread:
    tick = max(0.005, min(0.05, shortest / 4))
    thread = threading.Thread(
        target=_watch, args=(run, tick), name=f"aetherflow-{run.run_id}-watchdog", daemon=True
    )
    thread.start()
    return thread


def _watch(run: Run, tick: float) -> None:
    while not run.done.wait(tick):
        now = time.monotonic()
        for worker in list(run.workers):
            if not worker.probe.abandoned and worker.guard.expire(now):
                abandon(run, worker)


def _stack_text(thread: threading.Thread) -> str:
    frame = sys._current_frames().get(thread.ident or -1)
    if frame is None:
        return ""
    try:
        return "Stack of the abandoned thread:\n" + "".join(traceback.format_stack(frame))
    finally:
        del frame


def abandon(run: Run, stuck: Worker) -> Worker:
    """Replace ``stuck`` (its guard already expired) by a fresh worker; return it."""
    node, seconds = stuck.guard.node, stuck.guard.seconds
    stack = _stack_text(stuck.thread)
    message = (
        f"node '{node}' did not finish within {seconds:g} s (its timeout); worker "
        f"{stuck.thread.name} was abandoned and replaced, its late result is dropped"
    )
    failed = 0

    def error(index: int) -> ItemError:
        nonlocal failed
        failed += 1
        return ItemError(index, node, "TimeoutError", message, stack)

    carry = stuck.salvage(error)
    stuck.probe.abandoned = True
    stuck.probe.busy = False
    stuck.probe.in_flight = 0
    fresh = Worker(run, len(run.workers), carry)
    fresh.probe.items = fresh.probe.items_failed = failed
    index = run.node_index.get(node)
    if index is not None:
        fresh.probe.errors[index] += failed
    run.workers.append(fresh)
    run.abandoned += 1
    run.telemetry.register(fresh.probe, fresh.thread)
    fresh.thread.start()
    if run.stop_on_error:
        run.stop("error")
    return fresh
