"""Node specs of one node share their port specs until one is changed; the graph kept for
ordering gives the same orders, cycles and copies as networkx."""

from __future__ import annotations

import copy
import pickle
import random

import aflow_sample_nodes as s
import networkx as nx
import pytest
from aetherflow import CycleError, Edge, Flow, PortSpec


def two_incs() -> Flow:
    flow = Flow("shared")
    flow.add(s.inc, id="a")
    flow.add(s.inc, id="b")
    flow.connect("a.z", "b.y")
    return flow


def test_changing_one_nodes_ports_leaves_the_others_alone() -> None:
    flow = two_incs()
    flow.nodes["a"].inputs[0].extra["hint"] = "a number"
    flow.nodes["a"].outputs[0].extra["unit"] = "m"
    flow.nodes["a"].inputs.append(PortSpec("more", "int"))
    b = flow.nodes["b"]
    assert [(p.name, p.extra) for p in b.inputs] == [("y", {}), ("step", {})]
    assert [(o.name, o.extra) for o in b.outputs] == [("z", {})]
    again = Flow("other")
    again.add(s.inc, id="c")
    assert again.nodes["c"].input_names == ["y", "step"]
    assert again.nodes["c"].inputs[0].extra == {}


def test_ports_read_as_the_code_declares_them() -> None:
    spec = two_incs().nodes["b"]
    y, step = spec.inputs
    assert (y.name, y.type, y.required, y.default) == ("y", "int", True, None)
    assert (step.name, step.required, step.default) == ("step", False, 1)
    assert spec.output_names == ["z"] and spec.output("z") is spec.outputs[0]


def test_copies_and_pickles_keep_ports_apart() -> None:
    flow = two_incs()
    dup = flow.copy()
    dup.nodes["a"].inputs[0].extra["hint"] = "copy only"
    assert flow.nodes["a"].inputs[0].extra == {}
    deep = copy.deepcopy(flow.nodes["b"])
    assert deep == flow.nodes["b"]
    back = pickle.loads(pickle.dumps(flow.nodes["b"]))
    assert back.input_names == ["y", "step"] and back.inputs[1].default == 1


def test_saved_port_fields_survive_resolving(tmp_path) -> None:
    flow = two_incs()
    flow.nodes["b"].inputs[0].extra["hint"] = "from a"
    flow.save(tmp_path / "f.aflow")
    loaded = Flow.load(tmp_path / "f.aflow")
    loaded.resolve_all()
    assert loaded.nodes["b"].inputs[0].extra == {"hint": "from a"}
    assert loaded.nodes["a"].inputs[0].extra == {}
    assert loaded.nodes["b"].inputs[1].default == 1


def random_flow(rng: random.Random, n: int) -> Flow:
    flow = Flow("random")
    ids = [flow.add(s.add3, id=f"n{k}") for k in range(n)]
    rng.shuffle(ids)  # edges go from earlier to later in this order: no cycle
    for j, target in enumerate(ids):
        for port in rng.sample(["a", "b", "c"], rng.randint(0, 3)):
            if j:
                flow.connect(f"{rng.choice(ids[:j])}.s", f"{target}.{port}")
    return flow


@pytest.mark.parametrize("seed", range(20))
def test_run_order_is_networkx_lexicographical_order(seed: int) -> None:
    flow = random_flow(random.Random(seed), 30)
    graph = flow.graph()
    index = {n: i for i, n in enumerate(flow.nodes)}
    assert list(graph.nodes) == list(flow.nodes)
    expected = list(nx.lexicographical_topological_sort(graph, key=index.__getitem__))
    assert flow.topological_order() == expected


def test_would_cycle_and_disconnect_follow_the_edges() -> None:
    flow = Flow("c")
    for k in "abc":
        flow.add(s.add3, id=k)
    flow.connect("a.s", "b.a")
    flow.connect("a.s", "b.b")
    flow.connect("b.s", "c.a")
    assert flow.would_cycle("c", "a") and not flow.would_cycle("a", "c")
    with pytest.raises(CycleError, match="'c' already depends on 'a'"):
        flow.connect("c.s", "a.a")
    flow.disconnect("a.s", "b.a")
    assert flow.graph().has_edge("a", "b")  # a second wire still joins them
    flow.disconnect("a.s", "b.b")
    assert not flow.graph().has_edge("a", "b")
    assert [e.target for e in flow.edges_from("b")] == ["c.a"]
    flow.remove("b")
    assert list(flow.graph().edges) == [] and flow.edges == []


def test_a_cycle_read_from_a_file_is_named() -> None:
    flow = Flow("loop")
    for k in "ab":
        flow.add(s.double, id=k)
    flow.insert_edge(Edge("a.y", "b.x"))  # what a loader does: no checks
    flow.insert_edge(Edge("b.y", "a.x"))
    with pytest.raises(CycleError, match="has a cycle: a -> b -> a"):
        flow.topological_order()


def test_nodes_read_from_a_file_keep_their_own_ports(tmp_path) -> None:
    flow = Flow("defaults")
    for k, default in enumerate([1, 1.0, True, 0.0, -0.0, "1", None, [1]]):
        spec = flow.node(flow.add(s.inc, id=f"n{k}"))
        spec.inputs[1].default = default
        spec.inputs[1].required = False
    flow.add(s.inc, id="plain")
    flow.add(s.inc, id="hinted")
    flow.nodes["hinted"].inputs[0].extra["hint"] = "kept"
    flow.save(tmp_path / "d.aflow")
    loaded = Flow.load(tmp_path / "d.aflow")
    got = [loaded.nodes[f"n{k}"].inputs[1].default for k in range(8)]
    assert [(type(d), repr(d)) for d in got] == [
        (int, "1"), (float, "1.0"), (bool, "True"), (float, "0.0"), (float, "-0.0"),
        (str, "'1'"), (type(None), "None"), (list, "[1]"),
    ]  # fmt: skip
    assert loaded.nodes["hinted"].inputs[0].extra == {"hint": "kept"}
    loaded.nodes["plain"].inputs[0].type = "float"
    loaded.nodes["plain"].outputs[0].extra["unit"] = "m"
    assert loaded.nodes["n0"].inputs[0].type == "int"
    assert loaded.nodes["n1"].outputs[0].extra == {}
    assert loaded.to_dict() != flow.to_dict()  # the change is saved, for that node only
    loaded.nodes["plain"].inputs[0].type = "int"
    del loaded.nodes["plain"].outputs[0].extra["unit"]
    assert loaded.to_dict() == Flow.load(tmp_path / "d.aflow").to_dict()
