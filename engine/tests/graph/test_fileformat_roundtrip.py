"""Saving and loading: deterministic bytes, unknown fields kept, atomic writes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import aflow_sample_nodes as s
import pytest
from aetherflow import Flow, FlowFormatError
from aetherflow.graph import fileformat
from aflow_sample_flows import rich_flow


def test_first_keys_are_format_and_version(tmp_path: Path) -> None:
    rich_flow().save(tmp_path / "f.aflow")
    doc = json.loads((tmp_path / "f.aflow").read_text("utf-8"))
    assert list(doc)[:2] == ["format", "version"]
    assert doc["format"] == "aetherflow" and doc["version"] == [1, 2]


def test_saving_is_deterministic_and_load_save_gives_identical_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.aflow", tmp_path / "b.aflow"
    rich_flow().save(a)
    rich_flow().save(b)
    assert a.read_bytes() == b.read_bytes()
    Flow.load(a).save(b)
    assert a.read_bytes() == b.read_bytes()
    text = a.read_text("utf-8")
    assert text.endswith("}\n") and '\n  "nodes": [\n' in text  # indent 2
    assert "héllo ✓" in text  # readable, not \u-escaped


def test_committed_fixture_round_trips_byte_for_byte(fixtures: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.aflow"
    Flow.load(fixtures / "v1_2.aflow").save(out)
    assert out.read_bytes() == (fixtures / "v1_2.aflow").read_bytes()
    rich_flow().save(out)  # the fixture is what the current code writes
    assert out.read_bytes() == (fixtures / "v1_2.aflow").read_bytes()


@pytest.mark.parametrize("name", ["v1_0", "v1_1"])
def test_older_1_x_files_load_and_save_as_1_2_unchanged_otherwise(
    fixtures: Path, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out.aflow"
    Flow.load(fixtures / f"{name}.aflow").save(out)
    old = json.loads((fixtures / f"{name}.aflow").read_text("utf-8"))
    assert json.loads(out.read_text("utf-8")) == {**old, "version": [1, 2]}


def test_a_node_policy_round_trips_and_runs_as_the_file_says(fixtures: Path) -> None:
    flow = Flow.load(fixtures / "v1_2.aflow")
    assert flow.nodes["double"].policy == {
        "timeout": 2.5, "retries": 2, "retry_delay": 0.1, "backoff": 2.0,
        "retry_on": ["OSError", "builtins:TimeoutError"],
    }  # fmt: skip
    assert flow.nodes["inc"].policy == {}


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [("timeout", 0, "timeout must be a number of seconds > 0"),
     ("retries", 1.5, "retries must be an integer >= 0"),
     ("retry_on", ["OSError", ""], "retry_on")],
)  # fmt: skip
def test_a_bad_policy_field_names_the_file_node_and_field(
    fixtures: Path, tmp_path: Path, field: str, value: object, says: str
) -> None:
    doc = json.loads((fixtures / "v1_2.aflow").read_text("utf-8"))
    doc["nodes"][1][field] = value
    path = tmp_path / "bad.aflow"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(FlowFormatError) as info:
        Flow.load(path)
    assert str(path) in str(info.value) and field in str(info.value)
    assert info.value.location is not None and info.value.location.startswith("nodes[1]")


def test_model_order_is_kept(fixtures: Path) -> None:
    flow = Flow.load(fixtures / "v1_2.aflow")
    original = rich_flow()
    assert list(flow.nodes) == list(original.nodes)
    assert [e.id for e in flow.edges] == [e.id for e in original.edges]
    assert list(flow.services) == list(original.services)
    assert list(flow.groups) == list(original.groups)


def test_loaded_flow_keeps_every_field(fixtures: Path) -> None:
    flow = Flow.load(fixtures / "v1_2.aflow")
    assert flow.name == "rich" and flow.description == "Every part of the format."
    assert flow.context_ref == "aflow_sample_nodes:SampleContext"
    assert flow.metadata == {"author": "tests", "tags": ["a", "b"]}
    assert flow.scope_map()["counter"] == "shared"
    d = flow.nodes["double"]
    assert (d.label, d.position, d.ref) == ("Double", (10.0, 20.0), "aflow_sample_nodes:double")
    assert flow.nodes["inc"].constants == {"step": 10}
    step = flow.nodes["inc"].input("step")
    assert step is not None and (step.required, step.default, step.type) == (False, 1, "int")
    assert flow.nodes["named"].constants == {"text": "héllo ✓"}
    assert flow.groups["choose"].params["condition"] == "is_even"
    assert flow.groups["loop"].params == {"times": 3}
    assert flow.groups["fan"].params["max_workers"] is None
    assert flow.path == str(fixtures / "v1_2.aflow")
    assert flow.search_paths == [str(fixtures)]


def test_unknown_fields_survive_at_every_level(fixtures: Path, tmp_path: Path) -> None:
    doc = json.loads((fixtures / "v1_2.aflow").read_text("utf-8"))
    doc["zz_top"] = 1
    doc["nodes"][1]["zz_node"] = {"a": [1]}
    doc["nodes"][1]["inputs"][0]["zz_port"] = None
    doc["nodes"][1]["outputs"][0]["zz_output"] = "o"
    doc["edges"][0]["zz_edge"] = 2.5
    doc["services"][1]["zz_service"] = True
    doc["groups"][0]["zz_group"] = []
    path = tmp_path / "x.aflow"
    path.write_text(fileformat.dumps(doc), "utf-8")
    flow = Flow.load(path)
    assert flow.extra["zz_top"] == 1 and flow.edges[0].extra["zz_edge"] == 2.5
    flow.save(tmp_path / "y.aflow")
    assert (tmp_path / "y.aflow").read_bytes() == path.read_bytes()
    # ... and after the nodes were resolved (ports refreshed from the code)
    flow.resolve_all()
    assert json.loads(fileformat.dumps(flow.to_dict())) == doc


def test_placeholder_is_saved_back_unchanged(tmp_path: Path) -> None:
    doc = rich_flow().to_dict()
    doc["nodes"][0]["ref"] = "no_such_module_xyz:double"
    path = tmp_path / "p.aflow"
    path.write_text(fileformat.dumps(doc), "utf-8")
    flow = Flow.load(path)
    problems = flow.validate()
    assert any(p.where == "double" and p.code == "unresolved" for p in problems)
    assert flow.nodes["double"].is_placeholder
    flow.save(tmp_path / "q.aflow")
    assert (tmp_path / "q.aflow").read_bytes() == path.read_bytes()


def test_non_json_constant_is_a_clear_error(tmp_path: Path) -> None:
    flow = Flow("f")
    flow.add(s.double, id="dbl", x={1, 2})
    with pytest.raises(FlowFormatError) as info:
        flow.save(tmp_path / "f.aflow")
    msg = str(info.value)
    assert "node 'dbl'" in msg and "constant 'x'" in msg and "set" in msg
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(float("nan"), "nan"), ({"a": [1, object()]}, "at a[1]"), ({1: "x"}, "key 1")],
)
def test_non_json_constant_names_the_place_inside(value: object, fragment: str) -> None:
    flow = Flow("f")
    flow.add(s.double, id="dbl", x=value)
    with pytest.raises(FlowFormatError, match="constant 'x'") as info:
        flow.to_dict()
    assert fragment in str(info.value)


def test_tuples_are_saved_as_arrays(tmp_path: Path) -> None:
    flow = Flow("f")
    flow.add(s.double, id="dbl", x=(1, 2))
    flow.save(tmp_path / "f.aflow")
    assert Flow.load(tmp_path / "f.aflow").nodes["dbl"].constants == {"x": [1, 2]}


def test_to_dict_returns_a_copy() -> None:
    flow = Flow("f")
    flow.add(s.double, id="dbl", x=[1])
    flow.to_dict()["nodes"][0]["constants"]["x"].append(2)
    assert flow.nodes["dbl"].constants == {"x": [1]}


def test_from_dict_does_not_change_its_argument() -> None:
    doc = rich_flow().to_dict()
    before = json.dumps(doc)
    flow = Flow.from_dict(doc)
    flow.nodes["inc"].constants["step"] = 99
    assert json.dumps(doc) == before


def test_save_keeps_the_file_mode_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "f.aflow"
    path.write_text("old")
    os.chmod(path, 0o640)
    rich_flow().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f.aflow"]


def test_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        rich_flow().save(tmp_path / "f.aflow")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f.aflow").stat().st_mode) == 0o640


def test_failed_save_keeps_the_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.aflow"
    path.write_text("old contents")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(FlowFormatError, match="No space left"):
        rich_flow().save(path)
    assert path.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["f.aflow"]


def test_save_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.aflow"
    real.write_text("old")
    link = tmp_path / "link.aflow"
    link.symlink_to(real)
    rich_flow().save(link)
    assert link.is_symlink()
    assert Flow.load(real).name == "rich"


def test_save_uses_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd)))
    rich_flow().save(tmp_path / "f.aflow")
    assert calls  # the file (and its folder) were synced before and after the rename


def test_inputs_of_a_loaded_flow(fixtures: Path) -> None:
    flow = Flow.load(fixtures / "v1_2.aflow")
    assert flow.inputs() == ["x"]  # counter is a service, y is produced by double


def test_a_reference_that_would_not_load_is_refused_on_save(tmp_path: Path) -> None:
    flow = Flow("f")
    flow.add("my module:my func", id="odd")
    with pytest.raises(FlowFormatError, match=r"node 'odd'.*not 'module:qualname'"):
        flow.save(tmp_path / "f.aflow")
