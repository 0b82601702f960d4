"""``aetherflow validate``: one line per problem, exit 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aetherflow.cli import main
from aetherflow.graph import fileformat
from aflow_sample_flows import rich_flow


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["validate", *argv])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def _save(tmp_path: Path, doc: dict, name: str = "f.aflow") -> str:
    path = tmp_path / name
    path.write_text(fileformat.dumps(doc), "utf-8")
    return str(path)


def test_clean_file_exits_0_and_lists_infos(capsys, fixtures: Path) -> None:
    path = str(fixtures / "v1_0.aflow")
    code, lines, _ = _run(capsys, path)
    assert code == 0
    assert lines and all(line.startswith(f"{path}: info: ") for line in lines)
    assert f"{path}: info: double: input 'x' is a flow input: each item must provide 'x'" in lines
    code, lines, err = _run(capsys, "--quiet", path)
    assert (code, lines) == (0, []) and "ok" in err


def test_errors_exit_1_one_line_each(capsys, tmp_path: Path) -> None:
    doc = rich_flow().to_dict()
    doc["edges"].append({"source": "inc.z", "target": "double.x"})
    doc["nodes"][2]["ref"] = "no_such_mod_zz:use_counter"
    path = _save(tmp_path, doc)
    code, lines, _ = _run(capsys, "-q", path)
    assert code == 1
    assert lines[0].startswith(f"{path}: error: use_counter: cannot resolve 'no_such_mod_zz:")
    assert f"{path}: error: double: cycle: double -> inc -> double" in lines


def test_no_import_checks_the_saved_ports(capsys, tmp_path: Path) -> None:
    doc = rich_flow().to_dict()
    doc["nodes"][2]["ref"] = "no_such_mod_zz:use_counter"
    path = _save(tmp_path, doc)
    code, lines, _ = _run(capsys, "--no-import", "-q", path)
    assert (code, lines) == (0, [])
    assert "no_such_mod_zz" not in sys.modules


def test_unreadable_file_exits_2(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.aflow"
    bad.write_text("{ not json")
    code, lines, _ = _run(capsys, str(bad), str(tmp_path / "missing.aflow"))
    assert code == 2
    assert lines[0] == f"{bad}: error: line 1 column 3: not valid JSON: " + (
        "Expecting property name enclosed in double quotes"
    )
    assert lines[1].startswith(f"{tmp_path / 'missing.aflow'}: error: -: cannot read the file")


def test_newer_minor_warns(capsys, fixtures: Path) -> None:
    path = str(fixtures / "v1_9.aflow")
    code, lines, _ = _run(capsys, "-q", path)
    assert code == 1  # its 'switch' group kind is unknown to this version
    assert lines[0].startswith(f"{path}: warning: -: format version 1.9 is newer")


def test_worst_status_wins(capsys, fixtures: Path, tmp_path: Path) -> None:
    doc = rich_flow().to_dict()
    doc["edges"].append({"source": "ghost.o", "target": "inc.step"})
    broken = _save(tmp_path, doc)
    assert _run(capsys, str(fixtures / "v1_0.aflow"), broken)[0] == 1
    assert _run(capsys, broken, str(fixtures / "v2_0.aflow"))[0] == 2


def test_command_line_entry_point(fixtures: Path, tmp_path: Path) -> None:
    doc = json.loads((fixtures / "v1_0.aflow").read_text("utf-8"))
    doc["nodes"][0]["id"] = "inc"
    path = _save(tmp_path, doc)
    proc = subprocess.run(
        [sys.executable, "-m", "aetherflow", "validate", path],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert (
        proc.stdout
        == f"{path}: error: nodes[1].id: duplicate id 'inc' (already used by nodes[0])\n"
    )
    assert "Traceback" not in proc.stderr


def test_control_characters_in_ids_are_printed_escaped(tmp_path: Path) -> None:
    evil = "x\nf.aflow: ok\x1b[2J\x00\u202e"
    doc = rich_flow().to_dict()
    doc["nodes"].append({**doc["nodes"][0], "id": evil})  # unwired: its inputs are infos
    red = "y\x1b[31m"
    doc["nodes"].append({**doc["nodes"][1], "id": red})
    doc["edges"].append({"source": f"{red}.nope", "target": "double.x"})  # an error
    path = _save(tmp_path, doc)
    proc = subprocess.run(
        [sys.executable, "-m", "aetherflow", "validate", "--no-import", path],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for raw in ("\x1b", "\x00", "\u202e"):
        assert raw not in proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines)  # no faked line
    assert any("x\\nf.aflow: ok\\x1b[2J\\x00\\u202e" in line for line in lines)
    assert any("y\\x1b[31m" in line and ": error: " in line for line in lines)
