"""The separate-process executor: the same run as on threads, with a process that can be
ended and that does not take the caller down with it."""

from __future__ import annotations

import os
import time

import nodes_for_tests as t
import process_nodes as p
import pytest
from aetherflow import Flow, ReferenceResolutionError
from aetherflow.runtime.process_executor import ProcessRunHandle, start_flow_process


def _chain(second) -> Flow:
    flow = Flow("process")
    a = flow.add(t.double)
    b = flow.add(second)
    flow.connect(f"{a}.y", f"{b}.y")
    return flow


def test_results_match_the_thread_executor_in_input_order():
    flow = _chain(t.inc)
    items = [{"x": i} for i in range(300)]
    handle = start_flow_process(flow, items, workers=3)
    report = handle.wait(60)
    assert report.results == flow.run(items, workers=3).results
    assert [r["z"] for r in report.results] == [2 * i + 1 for i in range(300)]
    assert handle.snapshot().items == 300 and handle.state == "finished"
    assert handle.scopes == flow.start([], workers=1).scopes


def test_workers_run_in_another_process_and_stream_outcomes():
    flow = _chain(p.pid_of)
    handle = start_flow_process(flow, ({"x": i} for i in range(50)), workers=2, stream=True)
    outcomes = list(handle.results())
    assert [i for i, _r, _e in outcomes] == list(range(50))
    pids = {r["pid"] for _i, r, _e in outcomes}
    assert pids == {handle.pid} and handle.pid != os.getpid()


def test_a_node_that_kills_its_process_ends_the_run_with_a_report():
    flow = _chain(p.exit_at)
    flow.nodes["exit_at"].constants.update(at=120, delay=0.002)
    handle = start_flow_process(flow, [{"x": i} for i in range(200)], workers=1, stream=True)
    seen = list(handle.results())
    report = handle.wait(30)
    assert report.stop_reason == "crash"
    assert report.errors[-1].type == "RunProcessError"
    assert "exit code 7" in report.errors[-1].message
    assert 0 < len(seen) <= 60  # outcomes that reached us before the crash are kept
    assert len(report.results) == len(seen)


def test_cancel_ends_a_process_whose_node_hangs():
    flow = _chain(p.hang_at)
    flow.nodes["hang_at"].constants["at"] = 20
    handle = start_flow_process(flow, [{"x": i} for i in range(100)], workers=1,
                                stop_grace=0.5)  # fmt: skip
    deadline = time.monotonic() + 30
    while "hang_at" not in next(iter(handle.stacks().values()), "") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "time.sleep" in next(iter(handle.stacks().values()))
    started = time.monotonic()
    handle.cancel()
    report = handle.wait(15)
    assert time.monotonic() - started < 5
    assert report.stop_reason == "cancel" and handle.exitcode is not None
    assert "was stopped" in report.errors[-1].message


def test_a_flow_that_cannot_start_raises_the_childs_error_here():
    flow = Flow("broken")
    flow.add("no_such_module_here:thing")
    with pytest.raises(ReferenceResolutionError, match="no_such_module_here"):
        start_flow_process(flow, [{"x": 1}])


def test_timeline_spans_and_pause_arrive_from_the_child():
    flow = Flow("slowly")
    flow.add(t.double)
    flow.add(t.slow, delay=0.01)  # reads x from the item
    handle: ProcessRunHandle = start_flow_process(flow, [{"x": i} for i in range(150)], workers=2)
    timeline = handle.timeline(hz=200.0)
    assert timeline is not None
    timeline.start()
    deadline = time.monotonic() + 20
    while not timeline.spans(0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert timeline.names and timeline.node_ids == ["double", "slow"]
    nodes = {timeline.node_ids[s[2]] for s in timeline.spans(0) if s[2] >= 0}
    assert "slow" in nodes
    handle.pause()
    while handle.state != "paused" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert handle.paused
    handle.resume()
    assert len(handle.wait(60).results) == 150


def test_a_stream_of_errors_brings_only_the_failed_items_across():
    flow = Flow("tenth")
    flow.add(t.fail_every_tenth)
    handle = start_flow_process(flow, ({"x": i} for i in range(3000)), workers=2,
                                stream="errors", collect=False)  # fmt: skip
    streamed = list(handle.results())
    assert [i for i, _r, _e in streamed] == list(range(0, 3000, 10))
    assert streamed[1][2].message == "bad item 10"
    report = handle.wait(60)
    assert report.stats["succeeded"] == 2700 and handle.snapshot().items == 3000


def test_a_count_or_a_file_is_read_in_the_runs_process(tmp_path):
    from aetherflow.runtime.inputs import CountedItems, JsonLinesFile

    flow = _chain(p.pid_of)
    counted = start_flow_process(flow, CountedItems(40, key="x"), workers=2)
    report = counted.wait(60)
    assert [r["y"] for r in report.results] == [2 * i for i in range(40)]
    assert counted.snapshot().total == 40  # sized: the run knows its total
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"x": 1}\nnot json\n{"x": 3}\n', encoding="utf-8")
    report = start_flow_process(flow, JsonLinesFile(str(lines)), workers=1).wait(60)
    assert [r and r["y"] for r in report.results] == [2, None, 6]
    (error,) = report.errors
    assert error.index == 1 and "in.jsonl line 2" in error.message


def test_shared_services_come_across_rendered_once_asked():
    flow = Flow("count", context=t.CounterContext)
    flow.add(t.bump)
    handle = start_flow_process(flow, ({"x": i} for i in range(100_000)), workers=2,
                                collect=False)  # fmt: skip
    assert handle.shared_services() == {}  # the first call asks the child to send them
    deadline = time.monotonic() + 30
    while "tally" not in handle.shared_services() and time.monotonic() < deadline:
        time.sleep(0.02)
    live = handle.shared_services()["tally"]
    assert live["__type__"] == "LockedCounter"  # a rendering: the instance lives there
    handle.cancel()
    report = handle.wait(60)
    assert handle.shared_services()["tally"]["value"] == report.stats["succeeded"]
