"""``aetherflow run``: error lines that carry their item, re-fed with ``--input``, and
``--trace FILE`` (subprocesses on saved flows)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aetherflow import Flow
from debug_nodes import label, parse, scale
from nodes_for_tests import double, fail_every_tenth
from test_cli_run import cli, lines


@pytest.fixture
def checked_file(tmp_path: Path) -> Path:
    flow = Flow("checked")
    flow.add(double)
    flow.add(fail_every_tenth)
    path = tmp_path / "checked.aflow"
    flow.save(path)
    return path


def test_error_lines_carry_the_item(checked_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"x": i, "tag": [i, "a"]}) + "\n" for i in range(25)))
    done = cli(str(checked_file), "-i", str(data), "-w", "3")
    assert done.returncode == 1
    errors = [line["__error__"] for line in lines(done.stdout) if "__error__" in line]
    assert errors == [
        {"index": i, "node": "fail_every_tenth", "type": "ValueError",
         "message": f"bad item {i}", "item": {"x": i, "tag": [i, "a"]}}
        for i in (0, 10, 20)
    ]  # fmt: skip


def test_error_lines_fed_back_reproduce_exactly_the_failures(
    checked_file: Path, tmp_path: Path
) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"x": i}) + "\n" for i in range(45)))
    first = cli(str(checked_file), "-i", str(data), "-w", "4")
    failed = [line for line in first.stdout.splitlines() if '"__error__"' in line]
    assert len(failed) == 5
    again_in = tmp_path / "failed.jsonl"
    again_in.write_text("\n".join(failed) + "\n")
    again = cli(str(checked_file), "-i", str(again_in), "-w", "2")
    assert again.returncode == 1
    before = [{k: v for k, v in e["__error__"].items() if k != "index"} for e in lines(first.stdout)
              if "__error__" in e]  # fmt: skip
    after = [{k: v for k, v in e["__error__"].items() if k != "index"} for e in lines(again.stdout)]
    assert after == before
    assert "5 of 5 items failed" in again.stderr


def test_error_line_without_item_fails_that_item_naming_the_line(
    checked_file: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.jsonl"
    old.write_text('{"x": 1}\n{"__error__": {"index": 0, "node": "n", "type": "E"}}\n')
    done = cli(str(checked_file), "-i", str(old))
    assert done.returncode == 1
    ok, bad = lines(done.stdout)
    assert ok["checked"] == 1
    assert bad["__error__"]["type"] == "InputError"
    assert bad["__error__"]["message"].startswith(f"{old} line 2: an error line without its item")


def test_trace_file_has_one_line_per_node_executed(tmp_path: Path) -> None:
    flow = Flow("chain")
    for n in (parse, scale, label):
        flow.add(n)
    flow.connect("parse.n", "scale.n")
    flow.connect("scale.m", "label.m")
    path = tmp_path / "chain.aflow"
    flow.save(path)
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"x": i}) + "\n" for i in range(6)))
    trace = tmp_path / "trace.jsonl"
    done = cli(str(path), "-i", str(data), "-w", "2", "--trace", str(trace))
    assert done.returncode == 1  # item 3 fails in scale
    records = lines(trace.read_text())
    assert all(
        set(r) == {"index", "node", "thread", "seconds", "inputs", "outputs", "error"}
        for r in records
    )
    by_item: dict[int, list[dict]] = {}
    for r in records:
        by_item.setdefault(r["index"], []).append(r)
    assert sorted(by_item) == list(range(6))
    assert [r["node"] for r in by_item[3]] == ["parse", "scale"]
    assert by_item[3][1]["inputs"] == {"n": 30, "factor": 2}
    assert by_item[3][1]["error"] == "ValueError: bad 30"
    assert by_item[3][1]["outputs"] is None
    ok = by_item[4]
    assert [r["node"] for r in ok] == ["parse", "scale", "label"]
    assert ok[0]["inputs"] == {"x": 4} and ok[0]["outputs"] == {"n": 40, "tag": "t4"}
    assert ok[2]["inputs"] == {"m": 80, "tag": "t4"} and ok[2]["outputs"] == {"label": "t4:80"}
    assert len({r["thread"] for r in ok}) == 1 and ok[0]["thread"].startswith("aetherflow-")
