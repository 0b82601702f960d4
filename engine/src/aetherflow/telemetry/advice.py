"""Scope advice measured on the user's own run: should a shared service stay shared?

`scope_advice` turns one service's `SharedStats` (from ``profile_shared=True``) into a
verdict and a sentence a user can act on; `advise_run` does it for every profiled service
of a `TelemetrySnapshot`. Nothing here quotes fixed percentages: the numbers are the run's.
"""

from __future__ import annotations

from dataclasses import dataclass

from .snapshot import SharedStats, TelemetrySnapshot

BUSY_THRESHOLD = 0.3  # share of worker time inside the service's calls
OVERLAP_THRESHOLD = 0.3  # share of calls that started while another thread was inside

VERDICTS = ("keep", "bottleneck", "contended", "idle")


@dataclass(frozen=True)
class ScopeAdvice:
    """What one run says about one shared service (see `scope_advice`).

    Attributes
    ----------
    service
        The service name.
    busy_fraction
        ``seconds / (elapsed * workers)``: the share of all worker time spent inside this
        service's calls (waiting for the service's own lock included).
    overlap_fraction
        ``overlapped / calls``: the share of calls that found another thread inside.
    max_concurrent
        The most threads seen inside its calls at once.
    verdict
        ``"keep"``, ``"bottleneck"``, ``"contended"`` or ``"idle"``.
    text
        One or two plain sentences for the user.
    """

    service: str
    busy_fraction: float
    overlap_fraction: float
    max_concurrent: int
    verdict: str
    text: str

    @property
    def short(self) -> str:
        """``"db_pool 41%"``: the service and its share of worker time (for tables)."""
        if self.verdict == "idle":
            return f"{self.service} not called"
        return f"{self.service} {_percent(self.busy_fraction)}"


def scope_advice(stats: SharedStats, elapsed: float, workers: int) -> ScopeAdvice:
    """Advise on the scope of one shared service from a run's measurements.

    Parameters
    ----------
    stats
        The service's `SharedStats` (a run with ``profile_shared=True``).
    elapsed
        The run's wall-clock seconds (``TelemetrySnapshot.elapsed``).
    workers
        The run's worker threads.

    Verdicts, first match wins (``busy`` = `ScopeAdvice.busy_fraction`, ``overlap`` =
    `ScopeAdvice.overlap_fraction`, both thresholds 0.3):

    ``"idle"``
        No call went through the service (``calls == 0``): nothing to say.
    ``"bottleneck"``
        ``busy >= 0.3`` and ``overlap >= 0.3``: at least a third of all worker time is
        spent in its calls and at least a third of the calls found another thread inside.
        Removing the waiting could speed the run up noticeably (up to the busy share).
    ``"contended"``
        ``overlap >= 0.3`` but ``busy < 0.3``: threads often meet in it, but its calls are
        a small share of the run, so another scope can gain little (at most the busy
        share). Worth watching when the load grows.
    ``"keep"``
        Otherwise: calls rarely overlap, so sharing costs nothing measurable here (with one
        worker nothing can overlap; a large busy share then is the work itself, which
        isolating would not remove).

    Why 0.3: the share of calls arriving while another thread is inside estimates how
    busy the service is (its utilisation, when its calls serialise on a lock); at 0.3 a
    third of the calls wait or run alongside another, and waiting grows steeply past
    that. The busy threshold is the Amdahl side: a service that takes under 30 % of the
    worker time cannot be what limits the run, however contended.

    The GIL, honestly: the time inside calls includes waiting for the user's own lock,
    which is what ``"bottleneck"`` detects, but it cannot tell what the locked work does.
    Pure-Python CPU work holds the GIL and is serialised anyway (docs/benchmarks.md:
    shared and isolated run at the same speed there even at high lock utilisation), so
    isolating helps most when the locked work blocks: I/O, ``sleep``, C code that
    releases the GIL. The advice says so, and the way to know is to flip the scope and
    run again.
    """
    calls = stats.calls
    worker_time = elapsed * max(workers, 1)
    busy = stats.seconds / worker_time if worker_time > 0 else 0.0
    busy = min(max(busy, 0.0), 1.0)
    overlap = stats.overlapped / calls if calls else 0.0
    name = stats.service
    if calls == 0:
        verdict = "idle"
        text = f"{name}: no calls went through it in this run, so there is nothing to measure."
    elif overlap >= OVERLAP_THRESHOLD and busy >= BUSY_THRESHOLD:
        verdict = "bottleneck"
        text = (
            f"{name}: {_percent(busy)} of worker time is spent in its calls and "
            f"{_percent(overlap)} of calls overlapped another thread's: with {workers} "
            f"workers it is the bottleneck. If threads do not need to see each other's "
            f"changes here, make it isolated (one per thread, no contention); this pays "
            f"off when the work inside blocks (I/O, sleep), so run again to compare."
        )
    elif overlap >= OVERLAP_THRESHOLD:
        verdict = "contended"
        text = (
            f"{name}: {_percent(overlap)} of calls overlapped another thread's, but only "
            f"{_percent(busy)} of worker time is spent in its calls: threads meet there, "
            f"yet isolating it could gain at most that share. Keep it shared if threads "
            f"need one view."
        )
    else:
        verdict = "keep"
        text = (
            f"{name}: {_percent(busy)} of worker time, {_percent(overlap)} of calls "
            f"overlapped: sharing it costs nothing measurable here; keep it shared if "
            f"threads need one view."
        )
    return ScopeAdvice(name, busy, overlap, stats.max_concurrent, verdict, text)


def advise_run(snapshot: TelemetrySnapshot, workers: int | None = None) -> list[ScopeAdvice]:
    """`scope_advice` for every profiled shared service of a finished or live run.

    ``workers`` defaults to the snapshot's worker threads. Empty when the run was not
    started with ``profile_shared=True`` or used no shared service.
    """
    n = workers if workers is not None else max(len(snapshot.threads), 1)
    return [scope_advice(s, snapshot.elapsed, n) for s in snapshot.shared]


def _percent(fraction: float) -> str:
    if 0 < fraction < 0.01:
        return "<1%"
    return f"{fraction * 100:.0f}%"
