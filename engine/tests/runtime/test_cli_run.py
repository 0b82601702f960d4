"""``aetherflow run`` in subprocesses, on flows saved with `Flow.save`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aetherflow import Flow
from nodes_for_tests import (
    SourceContext,
    TrackedContext,
    bump,
    double,
    fail_every_tenth,
    inc,
    numbers,
    slow,
    weird_value,
)

HERE = Path(__file__).resolve().parent


def cli(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aetherflow", "run", *args],
        input=stdin, capture_output=True, text=True, timeout=timeout, env=_env(),
    )  # fmt: skip


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    return env


def lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def chain_file(tmp_path: Path) -> Path:
    f = Flow("chain")
    f.add(double)
    f.add(inc)
    f.connect("double.y", "inc.y")
    path = tmp_path / "chain.aflow"
    f.save(path)
    return path


def test_jsonl_in_and_out_in_input_order(chain_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"x": i}) + "\n" for i in range(200)))
    out = tmp_path / "out.jsonl"
    proc = cli(str(chain_file), "--input", str(data), "--output", str(out), "--workers", "4")
    assert proc.returncode == 0, proc.stderr
    assert lines(out.read_text()) == [{"x": i, "y": 2 * i, "z": 2 * i + 1} for i in range(200)]


def test_stdin_stdout_and_limit(chain_file: Path) -> None:
    stdin = "\n".join(str(i) for i in range(50)) + "\n"
    proc = cli(str(chain_file), "-i", "-", "--limit", "5", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    assert [r["z"] for r in lines(proc.stdout)] == [1, 3, 5, 7, 9]


def test_source_node_runs_without_input(tmp_path: Path) -> None:
    f = Flow("src", context=SourceContext)
    f.add(numbers, count=30)
    f.add(double)
    f.connect("numbers.numbers", "double.x")
    f.set_source("numbers")
    path = tmp_path / "src.aflow"
    f.save(path)
    proc = cli(str(path), "--limit", "12", "-w", "2")
    assert proc.returncode == 0, proc.stderr
    assert [r["y"] for r in lines(proc.stdout)] == [2 * i for i in range(12)]


def test_item_errors_exit_1_with_a_summary(tmp_path: Path) -> None:
    f = Flow("f")
    f.add(fail_every_tenth)
    path = tmp_path / "f.aflow"
    f.save(path)
    proc = cli(str(path), "-i", "-", stdin="".join(f"{i}\n" for i in range(25)))
    assert proc.returncode == 1
    out = lines(proc.stdout)
    assert len(out) == 25 and out[10]["__error__"]["node"] == "fail_every_tenth"
    assert "3 of 25 items failed" in proc.stderr
    assert "item 10 at node 'fail_every_tenth': ValueError: bad item 10" in proc.stderr


def test_scope_option_and_non_json_values(tmp_path: Path) -> None:
    f = Flow("w", context=TrackedContext)
    f.add(weird_value)
    f.add(bump)
    f.connect("weird_value.x", "bump.x")
    path = tmp_path / "w.aflow"
    f.save(path)
    proc = cli(str(path), "-i", "-", "--scope", "tally=shared", stdin='{"x": 1}\n{"x": 2}\n')
    assert proc.returncode == 0, proc.stderr
    first = lines(proc.stdout)[0]
    assert first["weird"] == "{1, 2}" and first["obj"].startswith("<object object")
    bad = cli(str(path), "-i", "-", "--scope", "tally=sideways", stdin="1\n")
    assert bad.returncode == 2 and "--scope" in bad.stderr
    unknown = cli(str(path), "-i", "-", "--scope", "nope=shared", stdin="1\n")
    assert unknown.returncode == 2 and "nope" in unknown.stderr


def test_bad_flows_exit_2_naming_the_file(tmp_path: Path, chain_file: Path) -> None:
    missing = cli(str(tmp_path / "absent.aflow"), "-i", "-", stdin="")
    assert missing.returncode == 2 and "absent.aflow" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    broken = tmp_path / "broken.aflow"
    broken.write_text("{not json")
    proc = cli(str(broken), "-i", "-", stdin="")
    assert proc.returncode == 2 and "broken.aflow" in proc.stderr
    doc = json.loads(chain_file.read_text())
    doc["nodes"][0]["ref"] = "nodes_for_tests:no_such_node"
    unresolvable = tmp_path / "unresolvable.aflow"
    unresolvable.write_text(json.dumps(doc))
    proc = cli(str(unresolvable), "-i", "-", stdin="1\n")
    assert proc.returncode == 2 and "unresolvable.aflow" in proc.stderr
    no_source = cli(str(chain_file))
    assert no_source.returncode == 2 and "no source" in no_source.stderr


def test_ctrl_c_writes_finished_results_and_exits_130(tmp_path: Path) -> None:
    f = Flow("slow")
    f.add(slow, delay=0.05)
    path = tmp_path / "slow.aflow"
    f.save(path)
    out = tmp_path / "out.jsonl"
    data = tmp_path / "in.jsonl"
    data.write_text("".join(f"{i}\n" for i in range(2000)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "aetherflow", "run", str(path), "-i", str(data), "-o", str(out),
         "-w", "2"],
        stderr=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 50):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    done = lines(out.read_text())
    assert 0 < len(done) < 2000
    assert [r["y"] for r in done] == list(range(len(done)))
    assert "cancelled" in err
