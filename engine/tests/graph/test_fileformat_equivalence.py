"""Every composition converts to a Flow that, saved and loaded again, gives the same
results as running the composition itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aflow_sample_nodes as s
import pytest
from aetherflow import Flow, Node
from aetherflow.runtime.program import Program
from aetherflow.runtime.services import NoServices

COMPOSITIONS: dict[str, tuple[Node, list[dict[str, Any]]]] = {
    "then": (s.double.then(s.inc), [{"x": 3}, {"x": -1}]),
    "then_constant_default": (s.double.then(s.inc), [{"x": 3, "step": 5}]),
    "fan_out_fan_in": (
        s.double.fan_out_to([s.square, s.negate]).fan_in(s.total),
        [{"x": 3}, {"x": 0}],
    ),
    "fan_out_duplicates": (s.double.fan_out_to([s.square, s.square]), [{"x": 4}]),
    "branch_bool": (s.is_even.branch_on({True: s.half, False: s.triple}), [{"x": 4}, {"x": 5}]),
    "branch_int": (
        s.mod3.branch_on({0: s.tag_a, 1: s.tag_b, 2: s.tag_c}),
        [{"x": i} for i in range(6)],
    ),
    "branch_str": (s.size.branch_on({"big": s.tag_a, "small": s.tag_b}), [{"x": 3}, {"x": 30}]),
    "repeat": (s.accumulate.repeat(3), [{"x": 2}]),
    "repeat_break": (s.count_up.repeat(10), [{}]),
    "repeat_sequence": (s.double.then(s.inc).repeat(2), [{"x": 1}]),
    "nested": (
        s.double.then(s.is_even.branch_on({True: s.half.repeat(2), False: s.triple})),
        [{"x": 2}, {"x": 3}],
    ),
}


def _reload(node: Node, tmp_path: Path) -> Flow:
    flow = node.to_flow()
    path = tmp_path / "flow.aflow"
    flow.save(path)
    loaded = Flow.load(path)
    assert all(spec.node is None for spec in loaded.nodes.values())  # nothing imported yet
    return loaded


@pytest.mark.parametrize("name", sorted(COMPOSITIONS))
def test_saved_and_loaded_composition_gives_the_same_results(name: str, tmp_path: Path) -> None:
    node, items = COMPOSITIONS[name]
    loaded = _reload(node, tmp_path)
    program = Program(loaded, frozenset(), None)
    try:
        for item in items:
            expected = node.run(dict(item))
            assert program.run_item(dict(item), NoServices()) == expected
    finally:
        program.close()


@pytest.mark.parametrize("name", sorted(COMPOSITIONS))
def test_loaded_flow_has_the_same_document(name: str, tmp_path: Path) -> None:
    node, _ = COMPOSITIONS[name]
    loaded = _reload(node, tmp_path)
    assert loaded.to_dict() == node.to_flow().to_dict()
    assert [e.id for e in loaded.edges] == [e.id for e in node.to_flow().edges]


def test_branch_case_values_keep_their_json_types(tmp_path: Path) -> None:
    loaded = _reload(s.mod3.branch_on({0: s.tag_a, True: s.tag_b, "2": s.tag_c}), tmp_path)
    (group,) = loaded.groups.values()
    values = [c["value"] for c in group.params["cases"]]
    assert values == [0, True, "2"]
    assert [type(v) for v in values] == [int, bool, str]


def test_run_once_on_a_loaded_flow(tmp_path: Path) -> None:
    from aetherflow.runtime.once import run_once

    loaded = _reload(s.double.then(s.inc), tmp_path)
    assert run_once(loaded, {"x": 5}, None)["z"] == 11
