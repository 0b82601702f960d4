"""Flow.validate: one test per kind of problem."""

from __future__ import annotations

import aflow_sample_nodes as s
import pytest
from aetherflow import Edge, Flow, GroupSpec, NodeSpec, PortSpec, Problem
from aetherflow.graph.model import OutputSpec
from aetherflow.graph.types import compatible
from aetherflow.graph.validate import validate_flow
from aflow_sample_flows import rich_flow


def _codes(flow: Flow, resolve: bool = False, severity: str | None = None) -> list[str]:
    return [p.code for p in flow.validate(resolve) if severity in (None, p.severity)]


def _spec(node_id: str, ins: list[tuple[str, str | None]], outs: list[tuple[str, str | None]]):
    return NodeSpec(
        node_id, f"somewhere:{node_id}",
        inputs=[PortSpec(n, t) for n, t in ins], outputs=[OutputSpec(n, t) for n, t in outs],
    )  # fmt: skip


def _pair(src_type: str | None, dst_type: str | None) -> Flow:
    flow = Flow("types")
    flow.insert_node(_spec("a", [], [("out", src_type)]))
    flow.insert_node(_spec("b", [("inp", dst_type)], []))
    flow.connect("a.out", "b.inp")
    return flow


def test_clean_flow_has_no_errors_or_warnings() -> None:
    flow = rich_flow()
    assert _codes(flow, resolve=True, severity="error") == []
    assert _codes(flow, resolve=True, severity="warning") == []
    assert set(_codes(flow, resolve=True)) == {"flow-input"}


def test_problem_is_a_small_value() -> None:
    p = Problem("error", "n", "boom", "cycle")
    assert str(p) == "error: n: boom"
    assert str(Problem("warning", None, "m")) == "warning: -: m"


def test_flow_inputs_are_infos_not_errors() -> None:
    flow = s.double.then(s.inc).to_flow()
    problems = flow.validate()
    assert [(p.severity, p.where, p.code) for p in problems] == [("info", "double", "flow-input")]
    assert flow.inputs() == ["x"]


def test_constant_and_service_fill_inputs() -> None:
    flow = Flow("f", context=s.SampleContext)
    flow.add(s.use_counter, x=3)
    assert flow.validate() == []
    assert flow.inputs() == []


def test_dangling_edge_and_unknown_ports() -> None:
    flow = rich_flow()
    flow.insert_edge(Edge("ghost.out", "inc.y"))
    flow.insert_edge(Edge("double.nope", "use_counter.x"))
    flow.insert_edge(Edge("double.y", "accumulate.nope"))
    problems = [p for p in flow.validate(resolve=False) if p.severity == "error"]
    assert [(p.where, p.code) for p in problems] == [
        ("ghost.out->inc.y", "dangling-edge"),
        ("ghost.out->inc.y", "wired-twice"),
        ("double.nope->use_counter.x", "unknown-port"),
        ("double.y->accumulate.nope", "unknown-port"),
    ]
    assert "no node 'ghost'" in problems[0].message
    assert "outputs: y" in problems[2].message


def test_cycle_is_reported_once_per_loop() -> None:
    flow = Flow("c")
    for n in ("a", "b", "c"):
        flow.insert_node(_spec(n, [("i", None), ("j", None)], [("o", None)]))
    flow.insert_edge(Edge("a.o", "b.i"))
    flow.insert_edge(Edge("b.o", "c.i"))
    flow.insert_edge(Edge("c.o", "a.i"))
    flow.insert_edge(Edge("b.o", "b.j"))  # a self-loop too
    cycles = [p for p in flow.validate(resolve=False) if p.code == "cycle"]
    assert len(cycles) == 1 and cycles[0].where == "a"
    assert cycles[0].message.startswith("cycle: a -> b")


@pytest.mark.parametrize(
    ("src", "dst", "verdict"),
    [
        ("int", "int", True), ("int", "float", True), ("bool", "int", True),
        ("float", "int", False), ("str", "int", False), ("list[int]", "list", True),
        ("int", "Optional[int]", True), ("int | None", "int", True), ("str | int", "int", False),
        ("Any", "int", True), ("int", "Any", True), ("int", "object", True), (None, "int", True),
        ("list", "Sequence", True), ("typing.List[int]", "list", True),
        ("mod.Frame", "Frame", True), ("Dog", "Animal", None), ("int", "Union[str, int]", True),
        ("dict", "Mapping", True), ("MyList", "list", None),
    ],
)  # fmt: skip
def test_type_compatibility(src: str | None, dst: str, verdict: bool | None) -> None:
    assert compatible(src, dst) is verdict


def test_type_mismatch_is_an_error_when_both_ends_are_builtins() -> None:
    assert _codes(_pair("str", "int")) == ["type-mismatch"]
    assert _pair("str", "int").validate(False)[0].severity == "error"
    assert _pair("Dog", "Animal").validate(False)[0].severity == "warning"
    assert _codes(_pair("int", "float")) == []
    assert _codes(_pair(None, "int")) == []


def test_unresolvable_reference_is_an_error_only_when_tried() -> None:
    flow = Flow("f")
    flow.add("no_such_mod_qq:thing", id="t")
    assert flow.validate(resolve=False) == []
    (p,) = flow.validate(resolve=True)
    assert (p.severity, p.where, p.code) == ("error", "t", "unresolved")
    assert _codes(flow, resolve=False) == ["unresolved"]  # now a known placeholder


def test_unknown_service_and_unresolvable_context() -> None:
    flow = rich_flow()
    flow.services["ghost"] = type(flow.services["counter"])("ghost", "shared")
    (p,) = [p for p in flow.validate(resolve=False) if p.severity == "error"]
    assert (p.where, p.code) == ("service 'ghost'", "unknown-service")
    flow.context_ref, flow._context_obj = "no_such_mod_qq:Ctx", None
    assert "unresolved-context" in _codes(flow, resolve=True)
    assert "unresolved-context" not in _codes(flow, resolve=False)


def test_unknown_scope_is_a_warning() -> None:
    flow = rich_flow()
    flow.services["counter"].scope = "global"
    assert "unknown-scope" in _codes(flow, severity="warning")


def test_wired_twice() -> None:
    flow = _pair("int", "int")
    flow.insert_node(_spec("c", [], [("out", None)]))
    flow.insert_edge(Edge("c.out", "b.inp"))
    assert _codes(flow) == ["wired-twice"]


def test_constant_warnings() -> None:
    flow = s.double.then(s.inc).to_flow()
    flow.set_constant("inc", "nope", 1)
    flow.set_constant("inc", "y", 1)
    codes = _codes(flow, severity="warning")
    assert codes == ["unknown-constant", "constant-ignored"]


def test_group_problems() -> None:
    flow = rich_flow()
    flow.groups["bad"] = GroupSpec("bad", "repeat", ["missing", "accumulate"], params={"times": -1})
    flow.groups["odd"] = GroupSpec("odd", "teleport", [])
    flow.groups["choose"].params["condition"] = "nowhere"
    messages = [p.message for p in flow.validate(resolve=False) if p.code == "group"]
    assert any("'missing', which does not exist" in m for m in messages)
    assert any("'accumulate' is in two control groups: 'loop' and 'bad'" in m for m in messages)
    assert any("times" in m for m in messages)
    assert any("unknown group kind 'teleport'" in m for m in messages)
    assert any("condition 'nowhere'" in m for m in messages)


def test_group_params_of_any_shape_do_not_crash() -> None:
    flow = rich_flow()
    for params in ({"cases": "x"}, {"cases": [1, {"members": [2]}]}, {"executor": "gpu"},
                   {"max_workers": 0, "cases": [{"key": 1, "members": []}] * 2}):  # fmt: skip
        flow.groups["fan"].params = params
        flow.groups["choose"].params = params
        assert "group" in _codes(flow)


def test_groups_that_contain_each_other() -> None:
    flow = Flow("g")
    flow.insert_node(_spec("a", [], []))
    flow.groups["g1"] = GroupSpec("g1", "repeat", ["g2", "a"], params={"times": 1})
    flow.groups["g2"] = GroupSpec("g2", "repeat", ["g1"], params={"times": 1})
    messages = [p.message for p in flow.validate(resolve=False)]
    assert any("groups contain each other" in m for m in messages)


def test_missing_source_node() -> None:
    flow = rich_flow()
    flow.source = "ghost"
    assert "source" in _codes(flow, severity="error")


def test_errors_come_first() -> None:
    flow = s.double.then(s.inc).to_flow()
    flow.insert_edge(Edge("ghost.o", "inc.step"))
    severities = [p.severity for p in validate_flow(flow, resolve=False)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
