"""Item traces and replayable errors on real runs of the thread executor."""

from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path

import debug_nodes
import pytest
from aetherflow import Flow, ItemTrace
from debug_nodes import label, parse, scale


@pytest.fixture(autouse=True)
def _fresh_seen() -> None:
    debug_nodes.SEEN.clear()


def chain() -> Flow:
    flow = Flow("chain")
    flow.add(parse)
    flow.add(scale)
    flow.add(label)
    flow.connect("parse.n", "scale.n")
    flow.connect("scale.m", "label.m")
    return flow


def test_each_trace_matches_what_its_nodes_saw() -> None:
    handle = chain().start([{"x": i} for i in range(40)], workers=3, trace=40)
    report = handle.wait()
    traces = handle.traces()
    assert [t.index for t in traces] == list(range(40))
    seen = [(node, thread, inputs) for node, thread, inputs in debug_nodes.SEEN]
    traced = [(s.node, s.thread, s.inputs) for t in traces for s in t.steps]
    assert sorted(traced, key=repr) == sorted(seen, key=repr)
    ok = traces[5]
    assert ok.item == {"x": 5} and not ok.failed
    assert [s.node for s in ok.steps] == ["parse", "scale", "label"]
    assert ok.steps[0].outputs == {"n": 50, "tag": "t5"}
    assert ok.steps[1].inputs == {"n": 50, "factor": 2}
    assert ok.steps[2].outputs == {"label": "t5:100"}
    assert report.results[5]["label"] == "t5:100"
    assert all(s.thread == ok.worker and s.seconds >= 0 for s in ok.steps)
    assert ok.steps[0].started <= ok.steps[1].started <= ok.steps[2].started


def test_failed_item_keeps_its_input_and_failing_inputs_without_tracing() -> None:
    report = chain().run([{"x": i} for i in range(6)], workers=2)
    (error,) = report.errors
    assert (error.index, error.node, error.type) == (3, "scale", "ValueError")
    assert error.item == {"x": 3}
    assert error.to_dict()["item"] == {"x": 3}
    assert isinstance(error.trace, ItemTrace) and error.trace.failed
    (step,) = error.trace.steps  # untraced: only the failing node's call was captured
    assert step.node == "scale"
    assert step.inputs == {"n": 30, "factor": 2}
    assert step.error == "ValueError: bad 30"
    assert step.thread == next(t for n, t, _ in debug_nodes.SEEN if n == "scale")


def test_traced_failure_has_every_step_and_the_handle_lists_it() -> None:
    handle = chain().start([{"x": i} for i in range(6)], workers=1, trace=2)
    report = handle.wait()
    (error,) = report.errors
    assert [s.node for s in error.trace.steps] == ["parse", "scale"]
    assert error.trace.steps[1].outputs is None
    # the last 2 items of the worker plus the failed one, always kept
    assert [t.index for t in handle.traces()] == [3, 4, 5]


def test_trace_keeps_the_last_k_items_per_worker() -> None:
    handle = chain().start([{"x": i} for i in range(100, 150)], workers=1, trace=5)
    handle.wait()
    assert [t.index for t in handle.traces()] == [45, 46, 47, 48, 49]


def test_untraced_run_keeps_no_traces_of_good_items() -> None:
    handle = chain().start([{"x": 1}, {"x": 2}], workers=1)
    handle.wait()
    assert handle.traces() == []


def test_trace_values_are_rendered_and_bounded() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    flow = Flow("one")
    flow.add(parse)
    handle = flow.start([{"x": list(range(1000))}, {"x": Broken()}], workers=1, trace=5)
    report = handle.wait()
    big, broken = handle.traces()
    shown = big.steps[0].inputs["x"]
    assert len(shown) == 51 and shown[-1] == "... (1000 items)"
    assert report.errors[0].index == 1  # Broken() * 10 raises
    assert "repr failed" in str(broken.item)


def test_replay_of_a_failed_item_after_fixing_the_module(tmp_path: Path) -> None:
    module = tmp_path / "replay_nodes.py"
    module.write_text(
        "from aetherflow import node\n\n"
        "@node\ndef check(x):\n    if x == 2:\n        raise ValueError('x is 2')\n"
        "    return {'ok': x}\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import replay_nodes

        flow = Flow("replay")
        flow.add(replay_nodes.check)
        path = tmp_path / "replay.aflow"
        flow.save(path)
        first = Flow.load(path).start([{"x": i} for i in range(4)], workers=2, trace=1)
        (error,) = first.wait().errors
        module.write_text(module.read_text().replace("x == 2", "x == -1"))
        importlib.invalidate_caches()
        importlib.reload(replay_nodes)
        replay = Flow.load(path).start([error.item], workers=1, trace=1)
        report = replay.wait()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("replay_nodes", None)
    assert report.ok and report.results == [{"x": 2, "ok": 2}]
    (again,) = replay.traces()
    assert again.item == error.trace.item == {"x": 2}
    assert [s.node for s in again.steps] == [s.node for s in error.trace.steps] == ["check"]
    assert again.steps[0].inputs == error.trace.steps[0].inputs == {"x": 2}
    assert again.steps[0].error is None and error.trace.steps[0].error == "ValueError: x is 2"


def test_bad_trace_option_names_it() -> None:
    with pytest.raises(ValueError, match="trace must be a non-negative integer"):
        chain().start([1], trace=-1)


def test_traces_and_breakpoints_reach_nodes_inside_branches_and_loops() -> None:
    from aetherflow import node

    @node
    def start(x):
        return x > 2

    @node
    def grow(x):
        return {"x": x + 1}

    @node
    def shrink(x):
        return {"x": x - 1}

    flow = start.branch_on({True: grow.repeat(2), False: shrink}).to_flow()
    handle = flow.start([{"x": 1}, {"x": 5}], workers=1, trace=5)
    report = handle.wait()
    assert [r["x"] for r in report.results] == [0, 7]
    small, big = handle.traces()
    assert [(s.node, s.outputs) for s in small.steps] == [
        ("start", {"start": False}), ("shrink", {"x": 0}),
    ]  # fmt: skip
    assert [(s.node, s.inputs) for s in big.steps] == [
        ("start", {"x": 5}), ("grow", {"x": 5}), ("grow", {"x": 6}),
    ]  # fmt: skip
    grows = [s for s in flow.nodes if s.startswith("grow")]
    again = flow.start([{"x": 5}], workers=1, breakpoints={grows[0]: "x == 6"})
    deadline = threading.Event()
    while not again.stopped() and not again.done:
        deadline.wait(0.005)
    (hit,) = again.stopped()
    assert hit.inputs == {"x": 6} and hit.state["x"] == 6
    again.resume_worker(hit.worker)
    assert again.wait(timeout=10).results[0]["x"] == 7


def test_nodes_with_retries_are_traced_with_their_attempts_and_can_break() -> None:
    from aetherflow import node

    calls = []

    @node(retries=2)
    def flaky(x):
        calls.append(x)
        raise ConnectionError(f"down for {x}")

    flow = Flow("retrying")
    flow.add(flaky)
    handle = flow.start([{"x": 1}], workers=1, trace=1, breakpoints={"flaky": "x == 1"})
    deadline = threading.Event()
    while not handle.stopped():
        deadline.wait(0.005)
    assert handle.stopped()[0].inputs == {"x": 1} and calls == []  # stopped before it
    handle.resume_worker(handle.stopped()[0].worker)
    (error,) = handle.wait(timeout=10).errors
    (step,) = error.trace.steps
    assert (step.error, step.attempt) == ("ConnectionError: down for 1", 3)
    assert calls == [1, 1, 1]


def test_async_flows_keep_failed_items_but_say_they_do_not_trace() -> None:
    from aetherflow import node

    @node
    async def fetch(x):
        if x == 2:
            raise ValueError("no 2")
        return {"y": x}

    flow = Flow("async")
    flow.add(fetch)
    handle = flow.start([{"x": i} for i in range(4)], workers=1, concurrency=2)
    (error,) = handle.wait(timeout=10).errors
    assert not handle.supports_traces and not handle.supports_breakpoints
    assert error.item == {"x": 2} and error.trace.steps[0].inputs == {"x": 2}
