"""Scope advice: thresholds on made-up numbers, and verdicts measured on real runs.

The nodes and the context here are importable by reference (``test_advice:...``), so
test_cli_advice.py saves flows that use them and runs those in a subprocess.
"""

from __future__ import annotations

import threading
import time

import pytest
from aetherflow import (
    BaseFlowContext,
    Flow,
    ScopeAdvice,
    SharedStats,
    node,
    providers,
    scope_advice,
)
from aetherflow.telemetry.advice import advise_run


class LockedSleeper:
    """A shared resource whose calls hold its lock while they block (like I/O)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls = 0

    def work(self, seconds: float) -> None:
        with self.lock:
            time.sleep(seconds)
            self.calls += 1


class SleeperContext(BaseFlowContext):
    sleeper = providers.Singleton(LockedSleeper)


@node
def use_sleeper(i: int, sleeper, inside: float = 0.002, outside: float = 0.0,
                every: int = 1) -> dict:  # fmt: skip
    """Sleeps ``outside`` seconds, then on one item in ``every`` calls the service, which
    sleeps ``inside`` seconds holding its lock."""
    if outside:
        time.sleep(outside)
    if i % every == 0:
        sleeper.work(inside)
    return {"done": i}


def sleeper_flow(**constants: float) -> Flow:
    f = Flow("sleepy", context=SleeperContext)
    f.add(use_sleeper, **constants)
    return f


def stats(calls: int, seconds: float, overlapped: int, max_concurrent: int = 2) -> SharedStats:
    return SharedStats("db_pool", calls, seconds, overlapped, max_concurrent)


# -- thresholds ------------------------------------------------------------------------
def test_bottleneck_when_busy_and_overlapping() -> None:
    a = scope_advice(stats(1000, 16.4, 630, 4), elapsed=10.0, workers=4)
    assert isinstance(a, ScopeAdvice)
    assert a.verdict == "bottleneck"
    assert a.busy_fraction == pytest.approx(0.41)
    assert a.overlap_fraction == pytest.approx(0.63)
    assert a.max_concurrent == 4
    assert a.text.startswith("db_pool: 41% of worker time is spent in its calls and 63%")
    assert "with 4 workers it is the bottleneck" in a.text
    assert "make it isolated" in a.text
    assert a.short == "db_pool 41%"


def test_thresholds_are_inclusive_at_30_percent() -> None:
    assert scope_advice(stats(10, 3.0, 3), 10.0, 1).verdict == "bottleneck"
    assert scope_advice(stats(10, 2.99, 3), 10.0, 1).verdict == "contended"
    assert scope_advice(stats(10, 3.0, 2), 10.0, 1).verdict == "keep"


def test_contended_when_overlapping_but_a_small_share() -> None:
    a = scope_advice(stats(1000, 0.8, 500), elapsed=10.0, workers=4)
    assert (a.verdict, round(a.busy_fraction, 2), a.overlap_fraction) == ("contended", 0.02, 0.5)
    assert "50% of calls overlapped" in a.text and "2% of worker time" in a.text


def test_keep_when_calls_rarely_overlap() -> None:
    a = scope_advice(stats(1000, 0.8, 10), elapsed=10.0, workers=4)
    assert a.verdict == "keep"
    assert "2% of worker time" in a.text
    assert "sharing it costs nothing measurable here" in a.text
    # one worker: nothing can overlap, a big share is the work itself
    assert scope_advice(stats(100, 9.0, 0, 1), 10.0, 1).verdict == "keep"


def test_idle_and_degenerate_inputs() -> None:
    idle = scope_advice(stats(0, 0.0, 0, 0), elapsed=1.0, workers=4)
    assert (idle.verdict, idle.busy_fraction, idle.overlap_fraction) == ("idle", 0.0, 0.0)
    assert idle.short == "db_pool not called"
    zero = scope_advice(stats(5, 0.1, 5), elapsed=0.0, workers=0)
    assert zero.busy_fraction == 0.0 and zero.verdict == "contended"
    tiny = scope_advice(stats(5, 0.0001, 0), elapsed=10.0, workers=4)
    assert "<1% of worker time" in tiny.text


# -- real runs -------------------------------------------------------------------------
def test_a_locked_blocking_shared_service_is_the_bottleneck() -> None:
    handle = sleeper_flow().start(range(120), workers=4, profile_shared=True)
    report = handle.wait()
    assert report.ok
    advice = advise_run(handle.snapshot())
    assert [a.service for a in advice] == ["sleeper"]
    a = advice[0]
    assert a.verdict == "bottleneck", a
    assert a.busy_fraction > 0.5 and a.overlap_fraction > 0.5
    assert a.max_concurrent >= 2
    assert "with 4 workers it is the bottleneck" in a.text


def test_the_same_service_isolated_has_no_shared_stats() -> None:
    flow = sleeper_flow()
    handle = flow.start(range(40), workers=4, profile_shared=True, scopes={"sleeper": "isolated"})
    assert handle.wait().ok
    snap = handle.snapshot()
    assert [s.service for s in snap.shared if s.service == "sleeper"] == []
    assert advise_run(snap) == []


def test_a_rarely_called_shared_service_is_kept() -> None:
    # a quick call on one item in 25, while the items' own work (a sleep) is elsewhere
    flow = sleeper_flow(inside=0.0, outside=0.002, every=25)
    handle = flow.start(range(200), workers=4, profile_shared=True)
    assert handle.wait().ok
    (a,) = advise_run(handle.snapshot())
    assert a.service == "sleeper" and a.verdict == "keep", a
    assert a.busy_fraction < 0.05


def test_advise_run_without_profiling_is_empty() -> None:
    handle = sleeper_flow().start(range(10), workers=2)
    handle.wait()
    assert advise_run(handle.snapshot()) == []
