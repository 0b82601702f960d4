"""Per-node retries and time limits: ``@node(retries=..., timeout=...)``."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from aetherflow import Flow, node


class Flaky:
    """Fails the first ``failures`` calls per item with ``exc``."""

    def __init__(self, failures: int, exc: type[BaseException] = OSError) -> None:
        self.failures, self.exc = failures, exc
        self.calls: dict[int, int] = {}
        self.lock = threading.Lock()

    def __call__(self, x: int) -> dict[str, int]:
        with self.lock:
            self.calls[x] = n = self.calls.get(x, 0) + 1
        if n <= self.failures:
            raise self.exc(f"attempt {n} of item {x} failed")
        return {"y": x, "attempts": n}


def test_retries_succeed_on_the_third_attempt_and_telemetry_counts_each_attempt() -> None:
    flaky = Flaky(failures=2)

    @node(retries=3, retry_delay=0.001, backoff=2.0, retry_on=(OSError,))
    def fetch(x):
        return flaky(x)

    handle = fetch.to_flow().start(range(20), workers=2)
    report = handle.wait(10)
    assert report.ok
    assert [r["attempts"] for r in report.results] == [3] * 20
    (stats,) = handle.snapshot().nodes
    assert (stats.count, stats.retries, stats.errors) == (20, 40, 0)


def test_retries_give_up_after_the_last_attempt_and_say_how_many_failed() -> None:
    flaky = Flaky(failures=99)

    @node(retries=2, retry_on=(OSError,))
    def fetch(x):
        return flaky(x)

    report = fetch.to_flow().run(range(3))
    assert [e.type for e in report.errors] == ["OSError"] * 3
    assert report.errors[0].message == "attempt 3 of item 0 failed (all 3 attempts failed)"
    assert flaky.calls == {0: 3, 1: 3, 2: 3}


def test_exceptions_not_in_retry_on_fail_at_once() -> None:
    flaky = Flaky(failures=1, exc=ValueError)

    @node(retries=5, retry_on=(OSError,))
    def fetch(x):
        return flaky(x)

    report = fetch.to_flow().run([1])
    assert report.errors[0].type == "ValueError" and flaky.calls == {1: 1}
    assert "attempts" not in report.errors[0].message


def test_async_nodes_retry_too() -> None:
    flaky = Flaky(failures=2)

    @node(retries=2, retry_delay=0.001)
    async def fetch(x):
        await asyncio.sleep(0)
        return flaky(x)

    report = fetch.to_flow().run(range(10), workers=2, concurrency=3)
    assert report.ok and [r["attempts"] for r in report.results] == [3] * 10


def test_retry_on_names_are_resolved_when_the_run_starts() -> None:
    flaky = Flaky(failures=1, exc=ConnectionResetError)

    def fetch(x):
        return flaky(x)

    flow = Flow("names")
    flow.add(fetch)
    flow.set_policy("fetch", retries=1, retry_on=["OSError"])
    assert flow.run([7]).ok
    flow.set_policy("fetch", retries=1, retry_on=["no_such_module_here:Boom"])
    with pytest.raises(ValueError, match="node 'fetch': retry_on 'no_such_module_here:Boom'"):
        flow.run([7])


def test_bad_policy_values_name_the_node_and_the_field() -> None:
    with pytest.raises(ValueError, match="retries must be an integer >= 0"):
        node(retries=-1)(lambda x: x)
    with pytest.raises(ValueError, match=r"@node .*: timeout must be a number of seconds > 0"):
        node(timeout=0)(lambda x: x)
    with pytest.raises(ValueError, match="retry_on must be exception classes"):
        node(retry_on=(int,))(lambda x: x)


def test_an_async_node_over_its_timeout_is_cancelled_and_its_finally_runs() -> None:
    cleaned: list[int] = []

    @node(timeout=0.05)
    async def slow(x):
        try:
            await asyncio.sleep(3600 if x == 2 else 0)
        finally:
            cleaned.append(x)
        return {"y": x}

    report = slow.to_flow().run(range(5), workers=1)
    assert [r and r["y"] for r in report.results] == [0, 1, None, 3, 4]
    (error,) = report.errors
    assert (error.index, error.node, error.type) == (2, "slow", "TimeoutError")
    assert error.message == "node 'slow' did not finish within 0.05 s (its timeout)"
    assert sorted(cleaned) == [0, 1, 2, 3, 4]
    assert report.stats["abandoned_threads"] == 0


def test_a_sync_node_over_its_timeout_fails_its_item_and_a_fresh_worker_goes_on() -> None:
    release = threading.Event()

    @node(timeout=0.1)
    def stuck_on_5(x):
        if x == 5:
            release.wait(30)
        return {"y": x}

    handle = stuck_on_5.to_flow().start(range(40), workers=2)
    report = handle.wait(20)
    try:
        assert [r["y"] for i, r in enumerate(report.results) if i != 5] == [
            i for i in range(40) if i != 5
        ]
        assert report.results[5] is None
        (error,) = report.errors
        assert (error.index, error.node, error.type) == (5, "stuck_on_5", "TimeoutError")
        assert "did not finish within 0.1 s" in error.message
        assert "abandoned and replaced" in error.message
        assert "release.wait" in error.traceback  # where the thread was stuck
        assert report.stats["abandoned_threads"] == 1 and report.stats["workers"] == 2
        threads = handle.snapshot().threads
        assert sum(t.abandoned for t in threads) == 1 and len(threads) == 3
        assert handle.snapshot().items == 40
    finally:
        release.set()


def test_a_late_result_of_an_abandoned_worker_is_dropped() -> None:
    @node(timeout=0.05)
    def late(x):
        if x == 0:
            time.sleep(0.3)
        return {"y": x}

    handle = late.to_flow().start(range(3), workers=1)
    report = handle.wait(10)
    assert [r and r["y"] for r in report.results] == [None, 1, 2]
    time.sleep(0.4)  # the abandoned thread returns now; nothing changes
    assert [r and r["y"] for r in report.results] == [None, 1, 2]
    assert len(report.errors) == 1


def test_a_sync_timeout_on_the_calling_thread_is_checked_when_the_call_returns() -> None:
    @node(timeout=0.01)
    def slow(x):
        time.sleep(0.05)
        return {"y": x}

    from aetherflow import NodeExecutionError

    with pytest.raises(NodeExecutionError, match=r"did not finish within 0\.01 s"):
        slow.run({"x": 1})


def test_a_sync_timeout_in_a_flow_with_async_nodes_replaces_the_worker_and_its_loop() -> None:
    release = threading.Event()

    @node
    async def first(x):
        await asyncio.sleep(0.001)
        return {"y": x}

    @node(timeout=0.1)
    def blocks_on_7(y):
        if y == 7:
            release.wait(30)
        return {"z": y}

    try:
        report = first.then(blocks_on_7).to_flow().run(range(30), workers=2, concurrency=3)
    finally:
        release.set()
    failed = {e.index for e in report.errors}
    assert 7 in failed and len(failed) <= 3  # the stuck item and those in flight beside it
    assert {e.type for e in report.errors} == {"TimeoutError"}
    assert all(report.results[i] == {"x": i, "y": i, "z": i} for i in range(30) if i not in failed)
    assert report.stats["abandoned_threads"] == 1 and report.stats["items"] == 30
