"""Bad files: each gives one self-contained FlowFormatError naming the file and the place,
and nothing is imported or executed."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from aetherflow import CycleError, Flow, FlowFormatError, ReferenceResolutionError
from aetherflow.graph import fileformat
from aetherflow.runtime.program import Program
from aflow_sample_flows import rich_flow

PORT0 = "nodes[0].inputs[0]"


def _write(tmp_path: Path, data: bytes | str, name: str = "bad.aflow") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _load_error(path: Path) -> FlowFormatError:
    modules = set(sys.modules)
    with pytest.raises(FlowFormatError) as info:
        Flow.load(path)
    assert set(sys.modules) == modules  # nothing imported
    err = info.value
    assert err.path == str(path) and str(path) in str(err)
    assert err.__cause__ is None
    assert err.__suppress_context__ or err.__context__ is None
    return err


def _doc() -> dict[str, Any]:
    return rich_flow().to_dict()


def _with(tmp_path: Path, doc: dict[str, Any]) -> Path:
    return _write(tmp_path, json.dumps(doc))


def test_truncated_json(tmp_path: Path) -> None:
    text = fileformat.dumps(_doc())
    err = _load_error(_write(tmp_path, text[: len(text) // 2]))
    assert err.location is not None and err.location.startswith("line ")
    assert "not valid JSON" in err.reason


@pytest.mark.parametrize("data", [b"hello world", b"\x00\x01\x02junk", b"", b"   \n  "])
def test_not_json(tmp_path: Path, data: bytes) -> None:
    err = _load_error(_write(tmp_path, data))
    assert "not a flow file" in err.reason


@pytest.mark.parametrize("data", ["[1, 2]", '"flow"', "42", "null", "true"])
def test_wrong_top_level_type(tmp_path: Path, data: str) -> None:
    err = _load_error(_write(tmp_path, data))
    assert "expected a JSON object" in err.reason and err.location == "line 1 column 1"


def test_invalid_utf8(tmp_path: Path) -> None:
    err = _load_error(_write(tmp_path, b'{"format": "aetherflow", "name": "\xff\xfe"}'))
    assert "UTF-8" in err.reason


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers(tmp_path: Path, literal: str) -> None:
    text = fileformat.dumps(_doc()).replace('"author": "tests"', f'"author": {literal}')
    _load_error(_write(tmp_path, text))


def test_deeply_nested(tmp_path: Path) -> None:
    _load_error(_write(tmp_path, "{" + '"a":[' * 100_000))
    deep = "[" * 5000 + "]" * 5000
    _load_error(_write(tmp_path, '{"format": "aetherflow", "version": [1, 0], "nodes": [], '
                       f'"metadata": {{"a": {deep}}}}}'))  # fmt: skip


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert "cannot read" in _load_error(tmp_path / "nope.aflow").reason
    (tmp_path / "dir.aflow").mkdir()
    assert "cannot read" in _load_error(tmp_path / "dir.aflow").reason


@pytest.mark.parametrize(
    ("mutate", "location"),
    [
        (lambda d: d.pop("format"), "format"),
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d.pop("version"), "version"),
        (lambda d: d.update(version="1.0"), "version"),
        (lambda d: d.update(version=[1]), "version"),
        (lambda d: d.update(version=[True, 0]), "version"),
        (lambda d: d.pop("nodes"), "nodes"),
        (lambda d: d.update(nodes={}), "nodes"),
        (lambda d: d["nodes"][3].pop("ref"), "nodes[3].ref (node 'is_even')"),
        (lambda d: d["nodes"][3].update(ref=5), "nodes[3].ref (node 'is_even')"),
        (lambda d: d["nodes"][3].update(ref="no colon"), "nodes[3].ref (node 'is_even')"),
        (lambda d: d["nodes"][0].update(position=[1, "x"]), "nodes[0].position[1] (node 'double')"),
        (lambda d: d["nodes"][0].update(position=[1]), "nodes[0].position (node 'double')"),
        (lambda d: d["nodes"][0].update(constants=[]), "nodes[0].constants (node 'double')"),
        (
            lambda d: d["nodes"][0]["inputs"][0].pop("name"),
            "nodes[0].inputs[0].name (node 'double')",
        ),
        (
            lambda d: d["nodes"][0]["inputs"][0].update(required="yes"),
            "nodes[0].inputs[0].required (node 'double')",
        ),
        (lambda d: d["nodes"][1].update(id=""), "nodes[1].id"),
        (lambda d: d["edges"][0].update(target="nodot"), "edges[0].target"),
        (lambda d: d["edges"].append({"source": "a.b"}), "edges[1].target"),
        (lambda d: d["services"][0].update(scope=None), "services[0].scope"),
        (lambda d: d["groups"][0].update(kind="loop"), "groups[0].kind (group 'choose')"),
        (lambda d: d["groups"][0].update(members="x"), "groups[0].members (group 'choose')"),
        (lambda d: d.update(metadata=[]), "metadata"),
        (lambda d: d.update(context="nocolon"), "context"),
    ],
)
def test_missing_or_mistyped_fields(tmp_path: Path, mutate, location: str) -> None:
    doc = _doc()
    mutate(doc)
    err = _load_error(_with(tmp_path, doc))
    assert err.location == location, str(err)
    assert len(str(err)) < 300


def test_newer_major_version(tmp_path: Path) -> None:
    doc = _doc()
    doc["version"] = [3, 2]
    err = _load_error(_with(tmp_path, doc))
    assert "3.2" in str(err) and "1.2" in str(err)


def test_duplicate_ids(tmp_path: Path) -> None:
    doc = _doc()
    doc["nodes"][4]["id"] = "double"
    err = _load_error(_with(tmp_path, doc))
    assert err.location == "nodes[4].id" and "duplicate id 'double'" in err.reason
    assert "nodes[0]" in err.reason
    doc = _doc()
    doc["groups"][1]["id"] = "inc"
    assert _load_error(_with(tmp_path, doc)).location == "groups[1].id"


def test_duplicate_services_and_ports(tmp_path: Path) -> None:
    doc = _doc()
    doc["services"][1]["name"] = "state"
    assert _load_error(_with(tmp_path, doc)).location == "services[1].name"
    doc = _doc()
    doc["nodes"][1]["inputs"][1]["name"] = "y"
    assert _load_error(_with(tmp_path, doc)).location == "nodes[1].inputs[1].name (node 'inc')"


def test_fifty_megabytes_of_junk_fail_fast(tmp_path: Path) -> None:
    junk = tmp_path / "junk.aflow"
    with open(junk, "wb") as f:
        # random bytes (never starting like JSON: one in a hundred would begin "{")
        f.write(b"\x00" + os.urandom(50 * 1024 * 1024))
    t0 = time.perf_counter()
    err = _load_error(junk)
    assert time.perf_counter() - t0 < 0.5
    assert "not a flow file" in err.reason
    # junk that starts like JSON is parsed, and fails at its first bad byte
    with open(junk, "r+b") as f:
        f.write(b'{"format": ')
    t0 = time.perf_counter()
    _load_error(junk)
    assert time.perf_counter() - t0 < 2.0


def _module_flow(tmp_path: Path, body: str, ref_attr: str = "work") -> tuple[Path, str, Path]:
    """A node module that leaves a marker file when imported, and a flow using it."""
    name = f"aflow_probe_{os.getpid()}_{time.perf_counter_ns()}"
    marker = tmp_path / "imported.marker"
    (tmp_path / f"{name}.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('x')\n"
        "from aetherflow import node\n" + body
    )
    flow = Flow("probe")
    flow.add(f"{name}:{ref_attr}", id="w")
    doc = flow.to_dict()
    doc["nodes"][0]["inputs"] = [{"name": "x", "required": True}]
    doc["nodes"][0]["outputs"] = [{"name": "y"}]
    return _with(tmp_path, doc), name, marker


def test_loading_never_imports(tmp_path: Path) -> None:
    body = "@node\ndef work(x):\n    return {'y': x + 1}\n"
    path, module, marker = _module_flow(tmp_path, body)
    flow = Flow.load(path)
    assert not marker.exists() and module not in sys.modules
    assert [p.code for p in flow.validate(resolve=False)] == ["flow-input"]
    assert not marker.exists() and module not in sys.modules
    assert flow.validate(resolve=True)[0].code == "flow-input"  # explicit: imports now
    assert marker.exists()
    assert Program(flow, frozenset(), None).run_item({"x": 1}, _no_services())["y"] == 2


def test_module_that_raises_on_import_is_a_validate_problem(tmp_path: Path) -> None:
    path, _, marker = _module_flow(tmp_path, "raise RuntimeError('boom on import')\n")
    flow = Flow.load(path)  # loads fine: nothing imported
    assert not marker.exists()
    (problem,) = [p for p in flow.validate() if p.severity == "error"]
    assert problem.where == "w" and "boom on import" in problem.message
    assert flow.nodes["w"].is_placeholder
    with pytest.raises(ReferenceResolutionError, match="node 'w'"):
        Program(flow, frozenset(), None)


def test_reference_to_something_that_is_not_a_node(tmp_path: Path) -> None:
    path, _, _ = _module_flow(tmp_path, "def work(x):\n    return x\n")
    flow = Flow.load(path)
    (problem,) = [p for p in flow.validate() if p.severity == "error"]
    assert problem.where == "w" and "not an @node function" in problem.message
    with pytest.raises(ReferenceResolutionError, match="node 'w'"):
        Program(flow, frozenset(), None)


def test_unknown_module_is_a_validate_problem_not_a_load_error(tmp_path: Path) -> None:
    doc = _doc()
    doc["nodes"][0]["ref"] = "surely_missing_module_abc:double"
    flow = Flow.load(_with(tmp_path, doc))
    errors = [p for p in flow.validate() if p.severity == "error"]
    assert [(p.where, p.code) for p in errors] == [("double", "unresolved")]
    assert "surely_missing_module_abc" in errors[0].message
    with pytest.raises(ReferenceResolutionError, match="node 'double'"):
        Program(flow, frozenset(), None)


def test_cycle_written_into_the_file(tmp_path: Path) -> None:
    doc = _doc()
    doc["edges"].append({"source": "inc.z", "target": "double.x"})
    flow = Flow.load(_with(tmp_path, doc))
    cycles = [p for p in flow.validate(resolve=False) if p.code == "cycle"]
    assert len(cycles) == 1 and "double -> inc -> double" in cycles[0].message
    with pytest.raises(CycleError):
        Program(flow, frozenset(), None)


def _no_services() -> Any:
    from aetherflow.runtime.services import NoServices

    return NoServices()


def test_duplicate_keys_are_refused_naming_the_key_and_the_place(tmp_path: Path) -> None:
    text = fileformat.dumps(_doc())
    # A second "nodes" at the top level would silently empty the flow.
    head, tail = text.rsplit("}", 1)
    err = _load_error(_write(tmp_path, head.rstrip() + ',\n  "nodes": []\n}' + tail))
    assert "duplicate key 'nodes'" in err.reason and "top level" in err.reason
    # Inside a node: the place is the node's JSON path.
    doc_text = text.replace('"id": "inc",', '"id": "inc",\n      "id": "other",', 1)
    assert doc_text != text
    err = _load_error(_write(tmp_path, doc_text))
    assert err.location == "nodes[1]" and "duplicate key 'id'" in err.reason
