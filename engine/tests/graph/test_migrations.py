"""Old files upgrade step by step; newer minors load with a warning; newer majors refuse."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from aetherflow import Flow, FlowFormatError, FlowFormatWarning, with_scopes
from aetherflow.graph import fileformat
from aetherflow.graph.migrations import CURRENT, STEPS
from aetherflow.runtime.program import Program
from aetherflow.runtime.services import ContainerServices


@pytest.mark.parametrize(("name", "version"), [("v0_1", [0, 1]), ("v0_2", [0, 2])])
def test_old_versions_upgrade_to_the_current_one(fixtures: Path, name: str, version: list[int]):
    flow = Flow.load(fixtures / f"{name}.aflow")
    assert flow.format_version == tuple(version)
    assert flow.extra["upgraded_from"] == version  # the original version is recorded
    assert flow.extra["author"] == "someone"  # unknown fields survive the upgrade
    assert list(flow.nodes) == ["double", "inc", "count"]
    assert flow.nodes["inc"].constants == {"step": 10}
    assert flow.nodes["inc"].extra == {"color": "#ffcc00"}
    assert flow.nodes["count"].position == (400.0, 20.0)
    assert flow.nodes["inc"].input_names == ["y", "step"]
    assert [e.id for e in flow.edges] == ["double.y->inc.y"]
    assert flow.scope_map() == {"counter": "isolated"}
    doc = flow.to_dict()
    assert doc["version"] == list(CURRENT) and doc["upgraded_from"] == version


def test_0_1_and_0_2_give_the_same_flow(fixtures: Path) -> None:
    a = Flow.load(fixtures / "v0_1.aflow").to_dict()
    b = Flow.load(fixtures / "v0_2.aflow").to_dict()
    for doc in (a, b):
        doc.pop("upgraded_from")
    b.pop("groups")
    a.pop("groups")
    assert a == b


def test_upgraded_flow_runs(fixtures: Path) -> None:
    flow = Flow.load(fixtures / "v0_1.aflow")
    assert [p for p in flow.validate() if p.severity == "error"] == []
    ctx = with_scopes(flow.context_class(), flow.scope_map())  # fresh instances
    program = Program(flow, frozenset(ctx.providers), ctx)
    state = program.run_item({"x": 3}, ContainerServices(ctx))
    assert (state["y"], state["z"], state["seen"]) == (6, 16, 3)


def test_upgraded_file_saves_as_current_and_reloads_identically(fixtures: Path, tmp_path: Path):
    out = tmp_path / "up.aflow"
    Flow.load(fixtures / "v0_1.aflow").save(out)
    again = tmp_path / "again.aflow"
    Flow.load(out).save(again)
    assert out.read_bytes() == again.read_bytes()
    assert json.loads(out.read_text("utf-8"))["upgraded_from"] == [0, 1]


def test_every_past_version_has_a_fixture(fixtures: Path) -> None:
    for major, minor in STEPS:
        assert (fixtures / f"v{major}_{minor}.aflow").exists()


def test_newer_minor_loads_with_a_warning_and_keeps_its_fields(fixtures: Path, tmp_path: Path):
    path = fixtures / "v1_9.aflow"
    with pytest.warns(FlowFormatWarning, match=r"1\.9 is newer .* \(1\.2\)") as record:
        flow = Flow.load(path)
    assert str(path) in str(record[0].message)
    assert flow.groups["sw"].kind == "switch"  # relaxed rules: a kind 1.0 does not know
    assert any(p.where == "sw" and p.severity == "error" for p in flow.validate(resolve=False))
    out = tmp_path / "out.aflow"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FlowFormatWarning)
        flow.save(out)
    assert out.read_bytes() == path.read_bytes()  # still labelled 1.9, nothing lost


def test_current_version_is_strict_about_known_enumerations(fixtures: Path, tmp_path: Path):
    doc = json.loads((fixtures / "v1_9.aflow").read_text("utf-8"))
    doc["version"] = [1, 0]
    path = tmp_path / "f.aflow"
    path.write_text(fileformat.dumps(doc), "utf-8")
    with pytest.raises(FlowFormatError) as info:
        Flow.load(path)
    assert info.value.location is not None and info.value.location.startswith("groups[")
    assert "switch" in info.value.reason


def test_newer_major_is_refused_naming_file_and_versions(fixtures: Path) -> None:
    path = fixtures / "v2_0.aflow"
    with pytest.raises(FlowFormatError) as info:
        Flow.load(path)
    msg = str(info.value)
    assert str(path) in msg and "2.0" in msg and "1.2" in msg
    assert info.value.location == "version"


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"aetherflow": "0.0"}, "aetherflow"),
        ({"nodes": []}, "nodes"),
        ({"edges": [["a.b"]]}, "edges[0]"),
        ({"scopes": {"s": 3}}, "scopes.s"),
    ],
)
def test_broken_old_files_name_the_place(fixtures: Path, tmp_path: Path, change, location):
    doc = json.loads((fixtures / "v0_1.aflow").read_text("utf-8"))
    doc.update(change)
    path = tmp_path / "old.aflow"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(FlowFormatError) as info:
        Flow.load(path)
    assert info.value.location == location
    assert info.value.path == str(path)


def test_unknown_old_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.aflow"
    path.write_text('{"format": "aetherflow", "version": [0, 9], "nodes": []}')
    with pytest.raises(FlowFormatError, match=r"unknown old version 0\.9"):
        Flow.load(path)
