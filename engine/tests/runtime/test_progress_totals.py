"""Progress totals: the source's own count when it can tell, a limit only caps it."""

from __future__ import annotations

import nodes_for_tests as n
from aetherflow import Flow


def _flow(source, count: int) -> Flow:
    flow = Flow("totals")
    flow.add(source, id="src", count=count)
    flow.add(n.double)
    flow.connect(f"src.{source.outputs[0]}", "double.x")
    flow.set_source("src")
    return flow


def _finished_snapshot(flow: Flow, limit: int | None):
    handle = flow.start(workers=2, limit=limit)
    report = handle.wait()
    return handle.snapshot(), report


def test_a_sized_source_gives_the_total_not_the_limit() -> None:
    snap, report = _finished_snapshot(_flow(n.number_list, 50), limit=1000)
    assert (snap.total, snap.input_total, snap.limit) == (50, 50, 1000)
    assert snap.items == 50 and report.stats["total"] == 50


def test_a_limit_below_the_source_count_caps_it_and_says_so() -> None:
    snap, report = _finished_snapshot(_flow(n.number_list, 50), limit=20)
    assert (snap.total, snap.input_total, snap.limit) == (20, 50, 20)
    assert snap.items == 20 and report.stats["input_total"] == 50


def test_a_generator_source_has_no_total_even_with_a_limit() -> None:
    snap, _ = _finished_snapshot(_flow(n.numbers, 50), limit=1000)
    assert (snap.total, snap.input_total, snap.limit) == (None, None, 1000)
    assert snap.items == 50
