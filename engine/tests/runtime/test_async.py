"""Async nodes: mixed with sync ones, on each worker's own event loop, ``concurrency``
items in flight per worker, async sources, Stop cancelling an await."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from aetherflow import Flow, node
from async_nodes import DeskContext, at_desk, fetch, plus_one, scaled, ticks


def mixed() -> Flow:
    flow = Flow("mixed")
    flow.add(fetch)
    flow.add(plus_one)
    flow.add(scaled, factor=3)
    flow.connect("fetch.y", "plus_one.y")
    flow.connect("plus_one.z", "scaled.z")
    return flow


def expected(n: int) -> list[dict[str, int]]:
    return [{"x": i, "y": 2 * i, "z": 2 * i + 1, "w": 3 * (2 * i + 1)} for i in range(n)]


@pytest.mark.parametrize("concurrency", [1, 7])
def test_mixed_async_and_sync_nodes_give_the_same_results_on_1_2_and_8_workers(
    concurrency: int,
) -> None:
    flow = mixed()
    for workers in (1, 2, 8):
        report = flow.run(range(300), workers=workers, concurrency=concurrency)
        assert report.ok, report.errors[:1]
        assert report.results == expected(300)


def test_node_run_from_sync_code_awaits_async_nodes() -> None:
    chain = fetch.then(plus_one).then(scaled)
    assert chain.run({"x": 4}) == {"x": 4, "y": 8, "z": 9, "w": 90}
    assert fetch.run({"x": 1}) == {"x": 1, "y": 2}


def test_arun_awaits_on_the_running_loop_and_run_there_says_to_use_it() -> None:
    chain = fetch.then(plus_one)

    async def main() -> tuple[dict[str, int], str]:
        loop = asyncio.get_running_loop()
        state = await chain.arun({"x": 5})
        assert asyncio.get_running_loop() is loop
        with pytest.raises(RuntimeError) as info:
            chain.run({"x": 1})
        return state, str(info.value)

    state, message = asyncio.run(main())
    assert state == {"x": 5, "y": 10, "z": 11}
    assert "await node.arun(state, context)" in message


def test_an_async_generator_feeds_the_run_as_its_source() -> None:
    flow = Flow("source")
    flow.add(ticks, id="ticks", count=25)
    flow.add(fetch)
    flow.source = "ticks"
    report = flow.run(workers=2, concurrency=4)
    assert report.ok
    assert [r["y"] for r in report.results] == [2 * i for i in range(25)]


def test_a_failing_async_source_reports_its_error_and_keeps_earlier_items() -> None:
    @node
    async def breaks_at_3():
        for i in range(5):
            if i == 3:
                raise ValueError("source broke")
            yield {"x": i}

    flow = Flow("bad source")
    flow.add(breaks_at_3, id="src")
    flow.add(fetch)
    flow.source = "src"
    report = flow.run()
    assert [r["y"] for r in report.results] == [0, 2, 4]
    (error,) = report.errors
    assert (error.index, error.node, error.type) == (3, "src", "ValueError")


def test_concurrency_keeps_k_items_of_one_worker_in_flight_on_its_isolated_instance() -> None:
    flow = Flow("desks", context=DeskContext)
    flow.add(at_desk)
    report = flow.run(range(200), workers=2, concurrency=8)
    assert report.ok
    desks = {r["desk_id"] for r in report.results}
    assert len(desks) == 2  # one isolated instance per worker thread, K items share it
    assert all(r["same_thread"] for r in report.results)  # awaited on its worker's loop


def test_items_of_one_worker_interleave_only_with_concurrency() -> None:
    seen: list[int] = []

    @node
    async def watch(x, desk):
        desk.inside += 1
        desk.most_inside = max(desk.most_inside, desk.inside)
        await asyncio.sleep(0.001)
        desk.inside -= 1
        seen.append(desk.most_inside)
        return {"done": x}

    flow = Flow("interleave", context=DeskContext)
    flow.add(watch)
    flow.run(range(40), workers=1, concurrency=1)
    assert max(seen) == 1
    seen.clear()
    flow.run(range(40), workers=1, concurrency=10)
    assert max(seen) == 10


def test_telemetry_shows_items_in_flight_per_worker() -> None:
    release = threading.Event()

    @node
    async def parked(x):
        while not release.is_set():
            await asyncio.sleep(0.002)
        return {"done": x}

    handle = parked.to_flow().start(range(40), workers=2, concurrency=5)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            flights = [t.in_flight for t in handle.snapshot().threads]
            if flights == [5, 5]:
                break
            time.sleep(0.01)
        assert flights == [5, 5]
    finally:
        release.set()
    report = handle.wait(10)
    assert report.ok and len(report.results) == 40
    assert [t.in_flight for t in handle.snapshot().threads] == [0, 0]


def test_stop_cancels_awaiting_nodes_and_runs_their_finally() -> None:
    started: list[int] = []
    cleaned: list[int] = []

    @node
    async def waits_forever(x):
        started.append(x)
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.append(x)
        return {"done": x}

    handle = waits_forever.to_flow().start(range(100), workers=2, concurrency=3)
    deadline = time.monotonic() + 10
    while len(started) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    handle.cancel()
    report = handle.wait(5)
    assert sorted(cleaned) == sorted(started) and len(started) == 6
    assert report.cancelled and not report.results[:0]
    assert {e.type for e in report.errors} == {"CancelledError"}
    assert all(e.node == "waits_forever" for e in report.errors)
    assert "while awaiting node 'waits_forever'" in report.errors[0].message


def test_sync_only_flows_take_the_sync_path() -> None:
    assert not plus_one.to_flow().run([{"y": 1}]).errors
    from aetherflow.runtime.program import program_for

    assert not program_for(plus_one.to_flow(), None).is_async
    assert program_for(mixed(), None).is_async


def test_concurrency_must_be_a_positive_integer() -> None:
    with pytest.raises(ValueError, match="concurrency must be a positive integer"):
        mixed().run([1], concurrency=0)


@pytest.mark.parametrize("concurrency", [1, 6])
def test_telemetry_counts_every_call_of_an_async_flow_exactly(concurrency: int) -> None:
    handle = mixed().start(range(257), workers=2, concurrency=concurrency)
    assert handle.wait(30).ok
    counts = {n.node: n.count for n in handle.snapshot().nodes}
    assert counts == {"fetch": 257, "plus_one": 257, "scaled": 257}
    assert handle.snapshot().items == 257
