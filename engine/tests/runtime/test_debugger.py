"""Breakpoints and wire values on real runs of the thread executor."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import debug_nodes
import pytest
from aetherflow import Flow
from debug_nodes import TallyContext, label, pace, parse, scale, tally


@pytest.fixture(autouse=True)
def _fresh_seen() -> None:
    debug_nodes.SEEN.clear()


def wait_until(condition: Callable[[], object], timeout: float = 20.0) -> None:
    """Poll ``condition`` (a run advances on its own threads) until true or fail."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {condition}")
        tick.wait(0.005)


def paced() -> Flow:
    flow = Flow("paced", context=TallyContext)
    flow.add(pace)
    flow.add(tally)
    flow.connect("pace.y", "tally.y")
    flow.set_scope("tally", "isolated")
    return flow


def chain() -> Flow:
    flow = Flow("chain")
    for n in (parse, scale, label):
        flow.add(n)
    flow.connect("parse.n", "scale.n")
    flow.connect("scale.m", "label.m")
    return flow


def seen(node: str) -> list[int]:
    return [inputs["x"] for n, _, inputs in list(debug_nodes.SEEN) if n == node]


def test_conditional_breakpoint_stops_only_the_matching_item_while_others_finish() -> None:
    items = [{"x": i} for i in range(24)]
    handle = paced().start(items, workers=2, breakpoints={"pace": "x == 7"})
    wait_until(handle.stopped)
    (hit,) = handle.stopped()
    assert (hit.node, hit.index) == ("pace", 7)
    assert hit.inputs == {"x": 7, "delay": 0.01}
    assert hit.state == {"x": 7}
    assert set(hit.isolated) == {"tally"} and hit.isolated["tally"]["__type__"] == "Tally"
    # the other worker takes every other item meanwhile; item 7 never ran
    wait_until(lambda: len(seen("pace")) == 23)
    assert 7 not in seen("pace")
    assert handle.stopped() == [hit] and not handle.done
    assert handle.resume_worker(hit.worker)
    report = handle.wait(timeout=20)
    assert report.ok and sorted(seen("pace")) == list(range(24))
    assert report.results[7]["y"] == 8
    assert not handle.resume_worker(hit.worker)  # no longer stopped


def test_all_mode_holds_the_other_workers_between_items() -> None:
    handle = paced().start(
        [{"x": i} for i in range(30)], workers=3, breakpoints={"pace": "x == 4"},
        break_mode="all",
    )  # fmt: skip
    wait_until(handle.stopped)
    (hit,) = handle.stopped()
    others = sorted(t.name for t in handle.threads if t.name != hit.worker)
    wait_until(lambda: handle.held() == others)
    count = len(seen("pace"))
    threading.Event().wait(0.2)  # 20 items' time for two workers: none may run
    assert len(seen("pace")) == count < 30
    handle.resume_worker(hit.worker)
    report = handle.wait(timeout=20)
    assert report.ok and len(seen("pace")) == 30 and handle.held() == []


def test_step_stops_before_each_next_node_of_the_item_then_continue() -> None:
    handle = chain().start([{"x": i} for i in range(6)], workers=2, breakpoints={"parse": "x == 4"})
    wait_until(handle.stopped)
    (hit,) = handle.stopped()
    assert (hit.node, hit.index, hit.inputs) == ("parse", 4, {"x": 4})
    handle.step(hit.worker)
    wait_until(lambda: [h.node for h in handle.stopped()] == ["scale"])
    (at_scale,) = handle.stopped()
    assert at_scale.index == 4 and at_scale.inputs == {"n": 40, "factor": 2}
    assert at_scale.state == {"x": 4, "n": 40, "tag": "t4"}
    handle.step(hit.worker)
    wait_until(lambda: [h.node for h in handle.stopped()] == ["label"])
    assert handle.stopped()[0].inputs == {"m": 80, "tag": "t4"}
    handle.resume_worker(hit.worker)
    report = handle.wait(timeout=20)
    assert report.results[4]["label"] == "t4:80"
    assert [e.index for e in report.errors] == [3]  # x == 3 fails in scale, as always


def test_skip_item_reports_it_with_its_input_and_runs_the_rest() -> None:
    handle = chain().start([{"x": i} for i in range(6)], workers=2, breakpoints={"label": None})
    skipped = set()
    while not handle.done:
        for hit in handle.stopped():
            if hit.index % 2 == 0:
                skipped.add(hit.index)
                handle.skip_item(hit.worker)
            else:
                handle.resume_worker(hit.worker)
        threading.Event().wait(0.005)
    report = handle.wait()
    assert skipped == {0, 2, 4}
    assert {(e.index, e.type, e.node) for e in report.errors} == {
        (0, "Skipped", "label"), (2, "Skipped", "label"), (4, "Skipped", "label"),
        (3, "ValueError", "scale"),
    }  # fmt: skip
    assert next(e for e in report.errors if e.index == 2).item == {"x": 2}
    assert report.results[1]["label"] == "t1:20" and report.results[0] is None


def test_cancel_releases_a_stopped_worker() -> None:
    handle = paced().start([{"x": i} for i in range(50)], workers=2, breakpoints={"tally": None})
    wait_until(lambda: len(handle.stopped()) == 2)
    handle.pause()
    handle.cancel()
    report = handle.wait(timeout=10)
    assert report.cancelled and handle.stopped() == []


def test_pause_while_stopped_then_resume_does_not_deadlock() -> None:
    handle = paced().start([{"x": i} for i in range(12)], workers=2, breakpoints={"pace": "x == 2"})
    wait_until(handle.stopped)
    handle.pause()
    (hit,) = handle.stopped()
    handle.resume_worker(hit.worker)
    wait_until(lambda: 2 in seen("pace"))
    handle.resume()
    assert handle.wait(timeout=20).ok


def test_breakpoint_set_and_cleared_during_a_run() -> None:
    handle = paced().start([{"x": i} for i in range(40)], workers=2)
    wait_until(lambda: len(seen("pace")) >= 3)
    handle.set_breakpoint("tally", "y > 20")
    wait_until(handle.stopped)
    assert all(h.inputs["y"] > 20 for h in handle.stopped())
    handle.clear_breakpoint("tally")
    resumed = 0
    while not handle.done:  # a worker may have been stopping just as it was cleared
        for hit in handle.stopped():
            resumed += handle.resume_worker(hit.worker)
        threading.Event().wait(0.005)
    assert 1 <= resumed <= 2  # at most one stop per worker: none after the clear
    report = handle.wait(timeout=20)
    assert report.ok and len(seen("pace")) == 40


def test_condition_that_raises_stops_and_says_why() -> None:
    handle = chain().start([{"x": 1}], workers=1, breakpoints={"scale": "n / 0 > 1"})
    wait_until(handle.stopped)
    (hit,) = handle.stopped()
    assert hit.condition_error == "ZeroDivisionError: division by zero"
    handle.resume_worker(hit.worker)
    assert handle.wait(timeout=10).ok


def test_bad_breakpoints_are_refused_naming_node_and_expression() -> None:
    with pytest.raises(ValueError, match=r"node 'scale': condition 'n >' is not a Python"):
        chain().start([{"x": 1}], breakpoints={"scale": "n >"})
    with pytest.raises(ValueError, match="runs no node 'nope'"):
        chain().start([{"x": 1}], breakpoints={"nope": None})
    with pytest.raises(ValueError, match="break_mode must be one of"):
        chain().start([{"x": 1}], break_mode="some")


def test_wire_values_are_the_last_values_that_passed_per_worker() -> None:
    handle = paced().start([{"x": i} for i in range(20)], workers=2)
    assert handle.wire_values() == {}  # asked before any worker watched
    wait_until(lambda: "pace.y" in handle.wire_values())
    live = handle.wire_values()["pace.y"]
    assert all(1 <= v <= 20 for v in live.values())
    handle.wait(timeout=20)
    final = handle.wire_values()
    assert set(final) == {"pace.y", "tally.counted"}
    workers = {t.name for t in handle.threads}
    assert set(final["pace.y"]) <= workers
    assert 20 in final["pace.y"].values()  # the last item, x == 19


def test_watch_wires_keeps_values_from_the_first_item_of_a_fast_run() -> None:
    handle = chain().start([{"x": i} for i in range(3)], workers=1, watch_wires=True)
    report = handle.wait(timeout=20)
    values = handle.wire_values()  # first asked after the run
    assert list(values["label.label"].values()) == [report.results[-1]["label"]]
    unwatched = chain().start([{"x": 1}], workers=1)
    unwatched.wait(timeout=20)
    assert unwatched.wire_values() == {}


def test_replay_is_an_ordinary_run_with_breakpoints_and_a_trace() -> None:
    first = chain().run([{"x": i} for i in range(5)], workers=2)
    (error,) = first.errors
    replay = chain().start([error.item], workers=1, trace=1, breakpoints={"scale": "n == 30"})
    wait_until(replay.stopped)
    assert replay.stopped()[0].inputs == error.trace.steps[-1].inputs
    replay.resume_worker(replay.stopped()[0].worker)
    again = replay.wait(timeout=10)
    (trace,) = replay.traces()
    assert trace.item == error.item and trace.failed
    assert trace.steps[-1].error == error.trace.steps[-1].error == "ValueError: bad 30"
    assert again.errors[0].trace == trace


def test_breakpoints_work_through_a_run_in_a_separate_process() -> None:
    from aetherflow.runtime.process_executor import start_flow_process

    flow = chain()
    handle = start_flow_process(flow, [{"x": i} for i in range(5)], workers=2, trace=5,
                                breakpoints={"label": "m == 40"})  # fmt: skip
    assert handle.supports_breakpoints and handle.supports_traces
    wait_until(handle.stopped, timeout=60)
    (hit,) = handle.stopped()
    assert (hit.node, hit.index, hit.inputs) == ("label", 2, {"m": 40, "tag": "t2"})
    assert handle.resume_worker(hit.worker)
    report = handle.wait(timeout=60)
    assert report.results[2]["label"] == "t2:40"


def test_a_stepped_worker_of_a_separate_process_stays_stopped_until_it_stops_again() -> None:
    from aetherflow.runtime.process_executor import start_flow_process

    handle = start_flow_process(chain(), [{"x": i} for i in range(6)], workers=2,
                                breakpoints={"parse": "x == 4"})  # fmt: skip
    wait_until(handle.stopped, timeout=60)
    (hit,) = handle.stopped()
    assert handle.step(hit.worker)
    # Until the child says where it went, the worker is where it was: it never shows as
    # running on (a display following it would turn to another worker).
    assert [h.worker for h in handle.stopped()] == [hit.worker]
    wait_until(lambda: [h.node for h in handle.stopped()] == ["scale"])
    (at_scale,) = handle.stopped()
    assert (at_scale.worker, at_scale.index) == (hit.worker, 4)
    assert handle.resume_worker(hit.worker)
    report = handle.wait(timeout=60)
    assert report.results[4]["label"] == "t4:80" and handle.stopped() == []
