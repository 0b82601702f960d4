"""Compositions: then, fan_out_to, fan_in, branch_on, repeat with LoopControl.BREAK."""

from __future__ import annotations

import threading

import pytest
from aetherflow import BranchError, LoopControl, NodeExecutionError, node


@node
def start(x):
    return {"y": x + 1}


@node
def double(y):
    return {"z": y * 2}


@node
def square(y):
    return y * y


@node
def negate(y):
    return -y


@node
def where(y):
    return {"thread": threading.get_ident(), "seen": y}


@node
def total(parallel_results):
    return {"sum": sum(parallel_results.values())}


@node
def is_even(y):
    return y % 2 == 0


@node
def even():
    return {"kind": "even"}


@node
def odd():
    return {"kind": "odd"}


@node
def step(counter=0, limit=3):
    if counter >= limit:
        return LoopControl.BREAK
    return {"counter": counter + 1}


def test_then_runs_in_order_and_merges_results():
    assert start.then(double).run({"x": 1}) == {"x": 1, "y": 2, "z": 4}
    chain = start.then(double).then(square)
    assert chain.name == "start -> double -> square"
    assert chain.run({"x": 2})["square"] == 9


def test_compositions_are_nodes_and_callable():
    chain = start.then(double)
    assert chain(x=3)["z"] == 8
    assert chain.outputs == ("y", "z")
    assert chain.inputs == ("x",)


def test_fan_out_keys_results_by_node_name_with_index_for_duplicates():
    state = start.fan_out_to([square, negate, square]).run({"x": 2})
    assert state["__parallel_results"] == {"square": 9, "negate": -3, "square[1]": 9}


def test_fan_out_targets_run_on_pool_threads_with_a_copy_of_the_state():
    state = start.fan_out_to([where, where]).run({"x": 0})
    results = state["__parallel_results"]
    assert {r["seen"] for r in results.values()} == {1}
    assert all(r["thread"] != threading.get_ident() for r in results.values())
    assert "thread" not in state  # targets worked on copies


def test_fan_in_receives_parallel_results():
    state = start.fan_out_to([square, negate]).fan_in(total).run({"x": 3})
    assert state["sum"] == 16 - 4


def test_branch_runs_the_matching_side():
    flow = start.then(is_even.branch_on({True: even, False: odd}))
    assert flow.run({"x": 1})["kind"] == "even"
    assert flow.run({"x": 2})["kind"] == "odd"


def test_branch_value_not_in_mapping_names_node_and_value():
    with pytest.raises(BranchError) as err:
        is_even.branch_on({True: even}).run({"y": 3})
    assert "is_even" in str(err.value) and "False" in str(err.value)


def test_repeat_runs_n_times_and_stops_on_break():
    assert step.repeat(2).run({})["counter"] == 2
    assert step.repeat(10).run({})["counter"] == 3
    assert step.repeat(0).run({}) == {}


def test_repeat_of_a_sequence_breaks_out_of_the_whole_body():
    @node
    def bump(counter=0):
        return {"counter": counter + 1}

    @node
    def stop_at_5(counter):
        return LoopControl.BREAK if counter >= 5 else None

    @node
    def after(counter):
        return {"after": counter}

    state = bump.then(stop_at_5).then(after).repeat(100).run({})
    assert state["counter"] == 5 and state["after"] == 4


def test_a_node_exception_carries_the_node_name_and_chains_the_original():
    @node
    def broken(y):
        raise ZeroDivisionError("nope")

    with pytest.raises(NodeExecutionError) as err:
        start.then(broken).run({"x": 1})
    assert err.value.node == "broken"
    assert isinstance(err.value.__cause__, ZeroDivisionError)
    assert "broken" in str(err.value) and "nope" in str(err.value)


def test_compositions_convert_to_flows_that_give_the_same_results():
    from aetherflow.runtime.program import Program
    from aetherflow.runtime.services import NoServices

    comps = [
        start.then(double),
        start.fan_out_to([square, negate]).fan_in(total),
        start.then(is_even.branch_on({True: even, False: odd})),
        step.repeat(5),
    ]
    for comp in comps:
        flow = comp.to_flow()
        for x in range(4):
            expected = comp.run({"x": x})
            got = Program(flow.copy(), frozenset()).run_item({"x": x}, NoServices())
            assert got == expected, comp.name


def test_flow_of_a_chain_has_data_edges():
    flow = start.then(double).to_flow()
    assert [(e.source, e.target) for e in flow.edges] == [("start.y", "double.y")]


def test_a_group_kind_this_version_does_not_know_refuses_to_run():
    from aetherflow import Flow, FlowError
    from aetherflow.runtime.program import Program

    flow = Flow("future")
    a = flow.add(start)
    flow.add_group("repeat", [a], times=2)
    flow.groups["repeat"].kind = "retry"  # as a newer file could carry
    with pytest.raises(FlowError, match="kind 'retry'"):
        Program(flow, frozenset())


def test_branch_on_a_chain_branches_on_its_last_node_both_ways() -> None:
    flow = start.then(double).then(is_even).branch_on({True: even, False: odd})
    assert flow.run({"x": 1}) == {"x": 1, "y": 2, "z": 4, "is_even": True, "kind": "even"}
    assert flow.run({"x": 2})["kind"] == "odd"  # y = 3
    converted = flow.to_flow()
    assert list(converted.nodes)[:3] == ["start", "double", "is_even"]
    assert [g.params["condition"] for g in converted.groups.values()] == ["is_even"]


def test_branch_on_a_chain_ending_in_a_group_says_what_it_needs() -> None:
    with pytest.raises(TypeError, match="must be a node or end with one"):
        start.fan_out_to([double, square]).branch_on({True: even}).to_flow()
