"""Faults inside a run: every item accounted for, every failure named, the run ends."""

from __future__ import annotations

import pytest
from aetherflow import Flow
from failing_nodes import (
    BrokenIsolatedContext,
    CloseExitsContext,
    SharedCloseExitsContext,
    base_exception_on_5,
    uses_tool,
)

ITEMS = [{"x": i} for i in range(40)]


def _flow_raising(kind: str) -> Flow:
    f = Flow("raising")
    f.add(base_exception_on_5, kind=kind)
    return f


@pytest.mark.parametrize("kind", ["KeyboardInterrupt", "SystemExit", "GeneratorExit"])
def test_a_node_raising_a_base_exception_fails_only_its_item(kind: str) -> None:
    report = _flow_raising(kind).run(ITEMS, workers=4)
    assert [(e.index, e.node, e.type) for e in report.errors] == [(5, "base_exception_on_5", kind)]
    assert len(report.results) == 40 and report.results[5] is None
    assert [r["y"] for i, r in enumerate(report.results) if i != 5] == [
        i for i in range(40) if i != 5
    ]
    assert report.stats["items"] == 40 and report.stop_reason is None


def test_a_base_exception_with_on_error_stop_keeps_every_finished_item() -> None:
    report = _flow_raising("SystemExit").run(ITEMS, workers=2, on_error="stop")
    assert [(e.index, e.type) for e in report.errors] == [(5, "SystemExit")]
    assert report.stop_reason == "error"
    finished = [i for i, r in enumerate(report.results) if r is not None]
    # every item before the failure finished, and no finished item went missing
    assert set(range(5)) <= set(finished)
    assert report.stats["succeeded"] == len(finished)
    assert all(report.results[i] == {"x": i, "y": i} for i in finished)


def test_a_failing_isolated_constructor_names_the_node_and_the_service() -> None:
    f = Flow("tool", context=BrokenIsolatedContext)
    f.add(uses_tool)
    f.set_scope("tool", "isolated")
    report = f.run([{"x": i} for i in range(6)], workers=2)
    assert len(report.errors) == 6
    for e in report.errors:
        assert e.node == "uses_tool" and e.type == "ServiceError"
        assert "service 'tool'" in e.message and "RuntimeError: tool licence expired" in e.message


@pytest.mark.parametrize("context", [CloseExitsContext, SharedCloseExitsContext])
def test_a_close_raising_system_exit_is_a_close_problem_and_the_run_ends(context) -> None:
    f = Flow("closing", context=context)
    f.add(uses_tool)
    handle = f.start([{"x": i} for i in range(20)], workers=3)
    report = handle.wait(timeout=20)
    assert handle.state == "finished"
    assert report.ok and [r["y"] for r in report.results] == list(range(1, 21))
    problems = report.stats["close_problems"]
    assert problems and all(p == "closing service 'tool': SystemExit: close said goodbye"
                            for p in problems)  # fmt: skip
