"""Straight flows run as one generated function: same results, same errors, and no user
data in the generated source."""

from __future__ import annotations

import pytest
from aetherflow import BaseFlowContext, Flow, LoopControl, MissingInputError, node, providers
from aetherflow.errors import NodeExecutionError
from aetherflow.runtime.program import Program, run_steps


@node
def parse(text, sep=","):
    return {"fields": text.split(sep)}


@node
def count(fields, seen):
    seen.append(len(fields))
    return {"n": len(fields)}


@node(outputs=["label"])
def label(n, prefix):
    return f"{prefix}{n}"


@node
def stop_when_big(n):
    return LoopControl.BREAK if n > 2 else None


@node
def after_stop(n):
    return {"after": n}


@node
def boom(n):
    raise ValueError(f"bad {n}")


class Ctx(BaseFlowContext):
    seen = providers.ThreadLocalSingleton(list)


def _flow(*extra) -> Flow:
    flow = Flow("straight", context=Ctx)
    flow.add(parse, id="p\x1b[31m weird id", sep=";")
    flow.add(count)
    flow.add(label, prefix="SECRET-CONSTANT-")
    flow.connect("p\x1b[31m weird id.fields", "count.fields")
    flow.connect("count.n", "label.n")
    for n in extra:
        flow.add(n)
    return flow


def _interpreted(prog: Program, item):
    state, wired = prog.item_state(item)
    run_steps(prog.steps, state, wired, prog.container_services, None)
    return state


def test_a_straight_flow_runs_generated_code_with_the_interpreters_results():
    flow = _flow()
    prog = Program(flow, frozenset(Ctx.providers), Ctx)
    assert prog.straight is not None
    item = {"text": "a;b;c"}
    fast = prog.run_item(dict(item), prog.container_services)
    assert fast == _interpreted(prog, dict(item))
    assert fast["label"] == "SECRET-CONSTANT-3" and fast["n"] == 3
    report = flow.run([{"text": "a;b"}, {"text": "x"}], workers=2)
    assert [r["label"] for r in report.results] == ["SECRET-CONSTANT-2", "SECRET-CONSTANT-1"]


def test_the_generated_source_holds_no_user_data():
    prog = Program(_flow(), frozenset(Ctx.providers), Ctx)
    source = prog.straight.source
    assert "SECRET" not in source and "weird" not in source and "\x1b" not in source
    assert "def run_timed" in source and "probe.leave(" in source


def test_failures_and_missing_inputs_read_as_the_interpreters():
    prog = Program(_flow(boom), frozenset(Ctx.providers), Ctx)
    with pytest.raises(NodeExecutionError, match="bad 1") as info:
        prog.run_item({"text": "x"}, prog.container_services)
    assert info.value.node == "boom" and isinstance(info.value.original, ValueError)
    prog = Program(_flow(), frozenset(Ctx.providers), Ctx)
    with pytest.raises(MissingInputError, match="text"):
        prog.run_item({"nothing": 1}, prog.container_services)  # resumes the steps


def test_a_loop_control_result_ends_the_items_steps():
    flow = _flow(stop_when_big, after_stop)
    prog = Program(flow, frozenset(Ctx.providers), Ctx)
    assert prog.straight is not None
    assert "after" not in prog.run_item({"text": "a;b;c"}, prog.container_services)
    assert prog.run_item({"text": "a"}, prog.container_services)["after"] == 1


def test_flows_that_are_not_straight_keep_the_interpreted_steps():
    flow = _flow()
    flow.add_group("repeat", ["label"], id="twice", times=2)
    assert Program(flow, frozenset(Ctx.providers), Ctx).straight is None


def test_long_straight_flows_keep_the_steps_and_equal_shapes_share_one_compilation():
    from aetherflow.runtime import codegen

    @node
    def step(v):
        return {"v": v + 1}

    long_flow = Flow("long")
    for _ in range(codegen.MAX_NODES + 1):
        long_flow.add(step)
    assert Program(long_flow, frozenset()).straight is None
    assert long_flow.run([{"v": 0}]).results[0]["v"] == codegen.MAX_NODES + 1
    before = codegen._compiled.cache_info().hits
    first, second = (Program(_flow(), frozenset(Ctx.providers), Ctx) for _ in range(2))
    assert first.straight.source == second.straight.source
    assert codegen._compiled.cache_info().hits >= before + 3  # three variants, reused
