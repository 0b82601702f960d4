"""`@node`: names, inputs, outputs, calling, and the parameter resolution order."""

from __future__ import annotations

import pickle

import pytest
from aetherflow import BaseFlowContext, Flow, MissingInputError, Node, node, providers


@node
def add(a: int, b: int = 1):
    """Add two numbers."""
    return {"total": a + b}


@node
def either(flag):
    if flag:
        return {"yes": 1, "both": 2}
    return {"no": 0, "both": 3}


@node
def computed(x):
    key = "k"
    return {key: x}


@node
def not_dict(x):
    return x * 2


@node(name="renamed", outputs=["out1", "out2"])
def declared(x):
    return {"out1": x, "out2": -x}


@node
def nested_returns(x):
    def helper():
        return 5  # a nested function's return does not count

    return {"v": helper() + x}


def test_node_is_still_callable_like_the_function():
    assert add(2, 3) == {"total": 5}
    assert add(a=2) == {"total": 3}
    assert isinstance(add, Node)
    assert add.__doc__ == "Add two numbers."


def test_name_inputs_and_inferred_outputs():
    assert add.name == "add"
    assert add.inputs == ("a", "b")
    assert add.required_inputs == ("a",)
    assert add.outputs == ("total",)
    assert either.outputs == ("yes", "both", "no")
    assert nested_returns.outputs == ("v",)


def test_outputs_fall_back_to_the_node_name():
    assert computed.outputs == ("computed",)
    assert not_dict.outputs == ("not_dict",)


def test_declared_name_and_outputs_win():
    assert declared.name == "renamed"
    assert declared.outputs == ("out1", "out2")


def test_ref_and_pickle_by_reference():
    assert add.ref == f"{__name__}:add"
    assert pickle.loads(pickle.dumps(add)) is add


def test_results_merge_dicts_store_values_and_skip_none():
    assert add.run({"a": 1}) == {"a": 1, "total": 2}
    assert not_dict.run({"x": 4})["not_dict"] == 8

    @node
    def nothing(x):
        return None

    assert nothing.run({"x": 1}) == {"x": 1}


class Ctx(BaseFlowContext):
    b = providers.Object(100)


def test_resolution_order_edge_constant_service_state_default():
    flow = Flow("order", context=Ctx)
    src = flow.add(add, id="src")
    dst = flow.add(add, id="dst", b=7)
    flow.connect("src.total", "dst.a")
    from aetherflow.runtime.program import Program
    from aetherflow.runtime.services import ContainerServices

    prog = Program(flow, frozenset(Ctx.providers), Ctx)
    # src: a from state, b from the service (service beats state and default)
    state = prog.run_item({"a": 1, "b": 5}, ContainerServices(Ctx))
    assert src and dst
    # dst: a from the edge (101), b from its constant 7 (constant beats the service)
    assert state["total"] == 108


def test_state_beats_default_and_default_fills_last():
    assert add.run({"a": 1, "b": 10})["total"] == 11
    assert add.run({"a": 1})["total"] == 2


def test_missing_input_names_node_parameter_and_what_was_available():
    with pytest.raises(MissingInputError) as err:
        add.run({"z": 1, "y": 2})
    msg = str(err.value)
    assert "'add'" in msg and "'a'" in msg and "y" in msg and "z" in msg
    assert err.value.node == "add" and err.value.parameter == "a"


def test_positional_only_parameters_are_refused_clearly():
    def f(a, /):
        return a

    with pytest.raises(TypeError, match="positional-only"):
        Node(f)
