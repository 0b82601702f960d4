"""The threaded run engine: results, scopes, errors, cancel, laziness, cleanup."""

from __future__ import annotations

import itertools
import re
import threading
import time

import pytest
from aetherflow import Flow, FlowError, ItemError, RunReport
from nodes_for_tests import (
    CounterContext,
    SharedTallyContext,
    SourceContext,
    Tracked,
    TrackedContext,
    bump,
    double,
    fail_every_tenth,
    forever,
    inc,
    needs_missing,
    note_state,
    numbers,
    slow,
    square,
    value_of,
)


def chain() -> Flow:
    f = Flow("chain")
    f.add(double)
    f.add(inc)
    f.add(square)
    f.connect("double.y", "inc.y")
    f.connect("inc.z", "square.z")
    return f


def engine_threads() -> list[threading.Thread]:
    """Live worker threads of any run (``aetherflow-<run id>-w<n>``)."""
    return [t for t in threading.enumerate() if re.fullmatch(r"aetherflow-\w+-w\d+", t.name)]


def test_same_results_for_1_2_and_8_workers() -> None:
    flow = chain()
    reports = [flow.run(range(500), workers=n) for n in (1, 2, 8)]
    expected = [
        {"x": i, "y": 2 * i, "z": 2 * i + 1, "result": (2 * i + 1) ** 2} for i in range(500)
    ]
    for report in reports:
        assert isinstance(report, RunReport)
        assert report.results == expected
        assert report.ok and report.stats["items"] == 500 and report.stats["succeeded"] == 500
    assert not engine_threads()


def test_private_keys_are_left_out_and_extract_chooses() -> None:
    flow = chain()
    assert flow.run([{"x": 1, "__secret": 2}]).results == [{"x": 1, "y": 2, "z": 3, "result": 9}]
    assert flow.run(range(3), extract=lambda s: s["result"]).results == [1, 9, 25]


@pytest.mark.parametrize("workers", [1, 3, 8])
def test_isolated_service_has_one_instance_per_worker(workers: int) -> None:
    Tracked.reset()
    f = Flow("iso", context=TrackedContext)
    f.add(bump)
    report = f.run(range(400), workers=workers, max_in_flight=16 * workers)
    assert report.ok
    # every worker got items (chunks start at one item), so each made exactly one
    assert Tracked.created == workers
    assert Tracked.closed == workers


def test_scope_map_switches_the_same_context_both_ways() -> None:
    Tracked.reset()
    f = Flow("iso", context=TrackedContext)
    f.add(bump)
    assert f.run(range(200), workers=4, scopes={"tally": "shared"}).ok
    assert (Tracked.created, Tracked.closed) == (1, 1)

    Tracked.reset()
    g = Flow("shared", context=SharedTallyContext)
    g.add(bump)
    assert g.run(range(200), workers=4).ok
    assert (Tracked.created, Tracked.closed) == (1, 1)
    Tracked.reset()
    g.set_scope("tally", "isolated")
    assert g.run(range(400), workers=4, max_in_flight=64).ok
    assert (Tracked.created, Tracked.closed) == (4, 4)


def test_locked_shared_counter_counts_exactly_under_8_workers() -> None:
    f = Flow("count", context=CounterContext)
    f.add(bump)
    f.add(value_of)
    f.connect("bump.seen", "value_of.seen")
    report = f.run(range(3000), workers=8)
    assert report.ok
    # each item reads the counter after adding 1; the last addition reads 3000 only
    # if no update was lost
    assert max(r["value"] for r in report.results) == 3000


def test_every_tenth_item_fails_and_the_rest_succeed() -> None:
    f = Flow("f")
    f.add(fail_every_tenth)
    report = f.run(range(200), workers=4)
    assert [e.index for e in report.errors] == list(range(0, 200, 10))
    assert all(e.node == "fail_every_tenth" and e.type == "ValueError" for e in report.errors)
    assert "bad item 10" in report.errors[1].message
    assert (
        "Traceback" in report.errors[1].traceback
        and "fail_every_tenth" in report.errors[1].traceback
    )
    assert report.stats["failed"] == 20 and report.stats["succeeded"] == 180
    assert report.results[10] is None and report.results[11] == {"x": 11, "checked": 11}


def test_missing_input_becomes_an_item_error_with_the_node() -> None:
    f = Flow("m")
    f.add(needs_missing)
    report = f.run([{"other": 1}, {"other": 2}])
    assert [e.type for e in report.errors] == ["MissingInputError"] * 2
    assert report.errors[0].node == "needs_missing"


def test_on_error_stop_ends_after_the_items_in_flight() -> None:
    f = Flow("f")
    f.add(fail_every_tenth)
    pulled = []

    def items():
        for i in range(1, 100_000):
            pulled.append(i)
            yield i

    report = f.run(items(), workers=2, on_error="stop")
    assert report.stop_reason == "error" and not report.ok
    assert report.errors[0].index == 9  # item 10
    assert len(pulled) < 100_000 and report.stats["items"] <= len(pulled)
    assert not engine_threads()


def test_cancel_in_the_middle_leaves_no_threads() -> None:
    f = Flow("slow")
    f.add(slow, delay=0.01)
    handle = f.start(range(10_000), workers=4)
    time.sleep(0.2)
    handle.cancel()
    report = handle.wait(timeout=10)
    assert report.cancelled and report.stop_reason == "cancel"
    assert 0 < report.stats["items"] < 10_000
    # results are a contiguous prefix in input order
    assert [r["y"] for r in report.results] == list(range(len(report.results)))
    assert handle.done and not engine_threads()


def test_pause_and_resume() -> None:
    f = Flow("slow")
    f.add(slow, delay=0.005)
    handle = f.start(range(200), workers=2)
    time.sleep(0.05)
    handle.pause()
    time.sleep(0.1)  # let the chunks in hand finish
    before = handle.snapshot().items
    time.sleep(0.15)
    assert handle.snapshot().items == before and handle.state == "paused"
    handle.resume()
    report = handle.wait(timeout=20)
    assert report.ok and report.stats["items"] == 200


def test_infinite_generator_is_pulled_lazily_with_a_bound() -> None:
    state = {"pulled": 0}

    def endless():
        for i in itertools.count():
            state["pulled"] += 1
            yield i

    f = chain()
    report = f.run(endless(), workers=2, limit=5000, collect=False, max_in_flight=64)
    assert report.stats["items"] == 5000 and report.results == []
    assert state["pulled"] <= 5000 + 1

    # a slow consumer of streamed results holds the run back: pulled - consumed <= bound
    state["pulled"] = 0
    handle = f.start(endless(), workers=2, stream=True, collect=False, max_in_flight=32)
    for seen, (index, result, error) in enumerate(handle.results(), 1):
        assert index == seen - 1 and error is None and result["x"] == index
        # the consumer frees a chunk's slots when it takes the chunk (chunks <= 8 here)
        assert state["pulled"] - seen <= 32 + 8
        if seen == 300:
            handle.cancel()
    handle.wait(timeout=10)
    assert not engine_threads()


def test_source_node_feeds_the_run_with_constants_and_services() -> None:
    f = Flow("src", context=SourceContext)
    f.add(numbers, count=25, start=100)
    f.add(double)
    f.connect("numbers.numbers", "double.x")
    f.set_source("numbers")
    report = f.run(workers=2)
    assert [r["y"] for r in report.results] == [2 * i for i in range(100, 125)]
    assert len(f.run(limit=7).results) == 7

    g = Flow("endless", context=SourceContext)
    g.add(forever)
    g.add(double)
    g.connect("forever.forever", "double.x")
    g.set_source("forever")
    report = g.run(limit=1000, workers=2)
    assert report.stats["items"] == 1000


def test_no_items_and_no_source_is_an_error() -> None:
    with pytest.raises(FlowError, match="no source"):
        chain().run()


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError):
        chain().run([1], workers=0)
    with pytest.raises(ValueError):
        chain().run([1], on_error="explode")


def test_telemetry_counts_equal_the_report() -> None:
    f = Flow("f")
    f.add(fail_every_tenth)
    f.add(double)
    handle = f.start(range(1000), workers=3)
    report = handle.wait()
    snap = handle.snapshot()
    assert snap.state == "finished"
    assert (snap.items, snap.succeeded, snap.failed) == (1000, 900, 100)
    assert (report.stats["succeeded"], report.failed) == (900, 100)
    nodes = {n.node: n for n in snap.nodes}
    assert nodes["fail_every_tenth"].count == 900 and nodes["fail_every_tenth"].errors == 100
    assert nodes["double"].count == 900
    assert sum(t.items for t in snap.threads) == 1000
    assert nodes["double"].p95 >= nodes["double"].p50 > 0


def test_an_unreadable_input_line_counts_as_a_call_of_no_node(tmp_path) -> None:
    from aetherflow.runtime.inputs import JsonLinesFile

    lines = [f'{{"x": {i}}}' for i in range(400)]
    lines[5] = '{"x": 5,,'  # not JSON: that item's error, before any node
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    handle = chain().start(JsonLinesFile(str(path)), workers=2, collect=False)
    report = handle.wait()
    assert [(e.index, e.type) for e in report.errors] == [(5, "InputError")]
    counts = {n.node: n.count for n in handle.snapshot().nodes}
    assert counts == {"double": 399, "inc": 399, "square": 399}


def test_telemetry_off_still_counts_items() -> None:
    handle = chain().start(range(300), workers=2, telemetry=False)
    handle.wait()
    snap = handle.snapshot()
    assert snap.items == 300 and all(n.count == 0 for n in snap.nodes)


def test_isolated_state_snapshot_shows_one_state_per_worker() -> None:
    f = Flow("state")
    f.add(note_state)
    handle = f.start(range(2000), workers=4, max_in_flight=64)
    live = handle.telemetry.services(timeout=2.0)
    report = handle.wait()
    assert report.ok and len(live) == 4
    final = [t.services for t in handle.snapshot().threads]
    assert all(s is not None for s in final)
    counts = [s.services["state"].get("count", 0) for s in final if s is not None]
    assert sum(counts) == 2000 and len(final) == 4
    assert len({s.thread for s in final if s is not None}) == 4


def test_profile_shared_counts_calls() -> None:
    f = Flow("count", context=CounterContext)
    f.add(bump)
    handle = f.start(range(500), workers=4, profile_shared=True)
    handle.wait()
    (shared,) = handle.snapshot().shared
    assert shared.service == "tally" and shared.calls == 500 and shared.seconds > 0


def test_unordered_stream_still_reports_in_input_order() -> None:
    f = Flow("slow")
    f.add(slow, delay=0.001)
    handle = f.start(range(100), workers=4, ordered=False, stream=True)
    seen = sorted(i for i, _, _ in handle.results())
    assert seen == list(range(100))
    assert [r["y"] for r in handle.wait().results] == list(range(100))


def test_item_errors_are_plain_data() -> None:
    e = ItemError(3, "n", "ValueError", "boom", "tb")
    assert e.to_dict()["index"] == 3


def test_a_stream_of_errors_yields_only_the_failed_items() -> None:
    f = Flow("tenth")
    f.add(fail_every_tenth)
    handle = f.start(({"x": i} for i in range(2000)), workers=3, stream="errors", collect=False)
    streamed = list(handle.results())
    assert [i for i, _r, _e in streamed] == list(range(0, 2000, 10))
    assert all(r is None and e.message == f"bad item {i}" for i, r, e in streamed)
    report = handle.wait()
    assert report.stats["succeeded"] == 1800 and len(report.errors) == 200


def test_stream_must_be_true_false_or_errors() -> None:
    with pytest.raises(ValueError, match=r'stream must be True, False or "errors", got .all.'):
        Flow("x").start([], stream="all")
