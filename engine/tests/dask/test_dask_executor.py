"""`run_flow_dask` on a real LocalCluster: the thread executor's results, errors and
stop policy, streamed input, and the flow built once per worker."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask_nodes as dn
import pytest
from aetherflow import Flow
from aetherflow.errors import ReferenceResolutionError
from aetherflow.runtime.dask_executor import IN_FLIGHT_PER_THREAD, run_flow_dask, start_flow_dask
from aetherflow.runtime.executor import run_flow

HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = HERE.parents[2] / "resources" / "examples"
WORKERS, THREADS = 2, 2  # the `scheduler` fixture's cluster

pytestmark = pytest.mark.dask


def square_add() -> Flow:
    flow = Flow("square_add")
    flow.add(dn.square)
    flow.add(dn.add, offset=1)
    flow.connect("square.y", "add.y")
    flow.search_paths = [str(HERE)]
    return flow


def test_results_equal_thread_executor(scheduler: str) -> None:
    flow = square_add()
    items = list(range(57))
    report = run_flow_dask(flow, items, scheduler=scheduler)
    expected = run_flow(flow, items, workers=2)
    assert report.results == expected.results
    assert report.results[5] == {"x": 5, "y": 25, "total": 26}
    assert report.ok and report.errors == []
    assert report.stats["items"] == report.stats["succeeded"] == 57
    assert report.stats["executor"] == "dask"
    per_worker = report.stats["per_worker"]
    assert sum(w["items"] for w in per_worker.values()) == 57
    assert report.stats["nodes"]["square"]["calls"] == 57


@pytest.mark.parametrize("name", ["etl_pipeline"])
def test_example_flow_equals_thread_executor(scheduler: str, name: str) -> None:
    """Examples whose results do not depend on which thread ran an item (map_reduce's
    partials do by design, connection_pool writes a database that outlives a run)."""
    flow, again = (Flow.load(EXAMPLES_DIR / f"{name}.aflow") for _ in range(2))
    for f in (flow, again):
        f.set_constant("extract", "fetch_ms", 0.0)  # no simulated latency in tests
    report = run_flow_dask(flow, scheduler=scheduler)  # items from the source node
    expected = run_flow(again, workers=2)
    assert report.errors == expected.errors == []
    assert len(report.results) == len(expected.results) > 0
    assert without_threads(report.results) == without_threads(expected.results)


def without_threads(value: Any) -> Any:
    """``value`` without the keys that name the worker thread (they differ by executor)."""
    if isinstance(value, dict):
        return {k: without_threads(v) for k, v in value.items() if not k.startswith("thread")}
    if isinstance(value, list):
        return [without_threads(v) for v in value]
    return value


def test_node_error_reported_like_the_thread_executor(scheduler: str) -> None:
    flow = Flow("fails")
    flow.add(dn.fails_on, bad=3)
    flow.search_paths = [str(HERE)]
    report = run_flow_dask(flow, range(8), scheduler=scheduler, batch_size=3)
    expected = run_flow(flow, range(8), workers=2)
    assert not report.ok
    assert [r is None for r in report.results] == [i == 3 for i in range(8)]
    (error,) = report.errors
    (thread_error,) = expected.errors
    assert (error.index, error.node, error.type, error.message) == (
        3, "fails_on", "ValueError", "bad item 3",
    )  # fmt: skip
    assert (error.index, error.node, error.type, error.message) == (
        thread_error.index, thread_error.node, thread_error.type, thread_error.message,
    )  # fmt: skip
    assert "Traceback" in error.traceback
    assert 'raise ValueError(f"bad item {x}")' in error.traceback
    assert report.stats["failed"] == 1 and report.stats["succeeded"] == 7
    assert report.stats["nodes"]["fails_on"]["errors"] == 1


def test_a_stream_of_errors_yields_only_the_failed_items(scheduler: str) -> None:
    flow = Flow("fails")
    flow.add(dn.fails_on, bad=3)
    flow.search_paths = [str(HERE)]
    handle = start_flow_dask(flow, range(12), scheduler=scheduler, batch_size=4,
                             stream="errors", collect=False)  # fmt: skip
    ((index, result, error),) = list(handle.results())
    assert (index, result, error.message) == (3, None, "bad item 3")
    assert handle.wait(60).stats["succeeded"] == 11


def test_on_error_stop_sends_no_more_batches(scheduler: str) -> None:
    flow = Flow("fails")
    flow.add(dn.fails_on, bad=3)
    flow.search_paths = [str(HERE)]
    pulled = itertools.count()

    def items() -> Iterator[int]:
        for i in range(100_000):
            next(pulled)
            yield i

    report = run_flow_dask(flow, items(), scheduler=scheduler, on_error="stop", batch_size=2)
    assert report.stop_reason == "error" == report.stats["stop_reason"]
    assert [e.index for e in report.errors] == [3]
    bound = IN_FLIGHT_PER_THREAD * WORKERS * THREADS * 2
    assert len(report.results) == report.stats["items"] <= bound + 4
    assert next(pulled) <= bound + 4  # nothing much was read after the failure
    assert report.results[:3] == [{"x": i, "ok": i} for i in range(3)]


def test_generator_input_is_streamed_with_bounded_lookahead(scheduler: str) -> None:
    flow = square_add()
    pulled = 0
    lookahead: list[int] = []

    def items() -> Iterator[int]:
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield i

    def progress(finished: int, failed: int) -> None:
        lookahead.append(pulled - finished)

    report = run_flow_dask(
        flow, items(), scheduler=scheduler, limit=400, batch_size=10, progress=progress
    )
    assert [r["x"] for r in report.results] == list(range(400))
    assert report.stats["total"] == 400
    bound = IN_FLIGHT_PER_THREAD * WORKERS * THREADS * 10
    assert lookahead and max(lookahead) <= bound
    assert pulled <= 400 + 1


def test_auto_batches_grow_for_fast_items(scheduler: str) -> None:
    flow = square_add()
    report = run_flow_dask(flow, range(20_000), scheduler=scheduler)
    assert report.stats["items"] == 20_000
    assert report.stats["batches"] < 200  # not one task per item


def test_input_error_is_reported_at_its_index(scheduler: str) -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise OSError("input broke")

    report = run_flow_dask(square_add(), items(), scheduler=scheduler)
    assert len(report.results) == 5
    (error,) = report.errors
    assert (error.index, error.type, error.message) == (5, "OSError", "input broke")


def test_unresolvable_node_fails_before_running(scheduler: str) -> None:
    flow = Flow("broken")
    flow.add("no_such_module_xyz:nothing", id="ghost")
    with pytest.raises(ReferenceResolutionError, match="ghost"):
        run_flow_dask(flow, range(3), scheduler=scheduler)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="on_error"):
        run_flow_dask(square_add(), [1], on_error="ignore")
    with pytest.raises(ValueError, match="batch_size"):
        run_flow_dask(square_add(), [1], batch_size=0)
