"""Immutable telemetry snapshots: plain data the Studio polls (~30 Hz) and the CLI reads.

Times are in seconds. Every snapshot is built by the reader from counters the workers
write without locks, so counts can be a few calls behind while a run is live; once the
run is finished they are exact and equal the `RunReport`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NodeStats:
    """One node over all worker threads.

    Attributes
    ----------
    node
        The node id.
    count
        Calls that finished (exact).
    errors
        Calls that failed, counted once per failing item.
    mean
        Mean seconds per call over the timed calls (0.0 before the first). The nodes
        of one item in 8 are timed (per worker: the 1st, 9th, ... item); counts are exact.
    p50, p95
        Latency percentiles over recent timed calls (the last 128 per thread).
    retries
        Failed attempts that were tried again (the node's ``retries`` policy); the
        attempts of one call are ``1 + `` its retries.
    """

    node: str
    count: int
    errors: int
    mean: float
    p50: float
    p95: float
    retries: int = 0


@dataclass(frozen=True)
class ServicesSnapshot:
    """A worker thread's isolated service instances, rendered by that thread itself.

    Attributes
    ----------
    thread
        The worker's thread name.
    taken_at
        ``time.monotonic()`` when the worker rendered it (between two items).
    items
        Items the worker had finished at that moment.
    services
        ``{service name: rendered instance}``: JSON-like data (dicts, lists, str,
        numbers, bool, None) of bounded depth and size; anything else as its ``repr``.
    """

    thread: str
    taken_at: float
    items: int
    services: dict[str, Any]


@dataclass(frozen=True)
class ThreadStats:
    """One worker thread.

    Attributes
    ----------
    name
        The thread name (``aetherflow-<run>-w<i>``).
    items, failed
        Items it finished, and how many of those failed.
    busy
        Working on a chunk of items (False while idle, paused or waiting).
    current_node
        The node it is running now, or None between items.
    items_per_s
        Its throughput over the sliding window.
    alive
        The thread is still running.
    services
        Its latest `ServicesSnapshot`, or None before any was requested (each worker
        also posts one when it ends).
    in_flight
        Items started and not finished on it now: up to the run's ``concurrency`` when
        the flow has async nodes, else 0 or 1 (0 for sync flows, which do not count).
    abandoned
        The run gave up on this thread: a sync node overran its ``timeout``, and a fresh
        worker took over (the thread may still be stuck in the node).
    """

    name: str
    items: int
    failed: int
    busy: bool
    current_node: str | None
    items_per_s: float
    alive: bool
    services: ServicesSnapshot | None = None
    in_flight: int = 0
    abandoned: bool = False


@dataclass(frozen=True)
class SharedStats:
    """Calls into one shared service instance (only with ``profile_shared=True``).

    Attributes
    ----------
    service
        The service name.
    calls
        Method calls made through the profiling proxy.
    seconds
        Total seconds spent inside those calls (waiting for the user's lock included).
    overlapped
        Calls that started while another thread was inside a call: contention.
    max_concurrent
        The most threads seen inside calls at once.
    """

    service: str
    calls: int
    seconds: float
    overlapped: int
    max_concurrent: int


@dataclass(frozen=True)
class TelemetrySnapshot:
    """The state of a run at one moment.

    Attributes
    ----------
    run_id
        The run this snapshot belongs to (drop snapshots of a superseded run).
    state
        ``"running"``, ``"paused"``, ``"stopping"`` (cancel or stop-on-error, finishing
        the items in flight) or ``"finished"``.
    elapsed
        Seconds since the run started (until it finished, once finished).
    total
        The number of items the run will take when known (the input's length, capped by
        ``limit``), else None: a limit alone is not a total.
    input_total
        The input's own length when known (a sized input or source, or the caller's
        ``total``), before ``limit``: ``input_total > limit`` means the limit caps it.
    limit
        The most items the run was told to take, or None.
    items, succeeded, failed
        Items finished so far over all threads, and the split.
    items_per_s
        Throughput over the sliding window (the last ``window`` seconds of polls;
        the overall rate until two polls are that far apart).
    items_per_s_overall
        ``items / elapsed``.
    eta
        Seconds left at the current rate when ``total`` is known, else None.
    threads, nodes, shared
        Per worker thread, per node (in flow order), per profiled shared service.
    version
        Changes whenever any count changes: a poller skips a frame when it is unchanged.
    """

    run_id: str
    state: str
    elapsed: float
    total: int | None
    items: int
    succeeded: int
    failed: int
    items_per_s: float
    items_per_s_overall: float
    eta: float | None
    threads: tuple[ThreadStats, ...] = ()
    nodes: tuple[NodeStats, ...] = ()
    shared: tuple[SharedStats, ...] = ()
    version: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    input_total: int | None = None
    limit: int | None = None
