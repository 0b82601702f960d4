"""``aetherflow run`` under faults, in subprocesses: one line per failure, nothing lost."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aetherflow import Flow
from failing_nodes import BrokenSharedContext, base_exception_on_5, napping, uses_db

HERE = Path(__file__).resolve().parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    return env


def cli(*args: str, stdin: str | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aetherflow", "run", *args],
        input=stdin, capture_output=True, text=True, timeout=120, env=_env(), **kw,
    )  # fmt: skip


def _save(flow: Flow, tmp_path: Path) -> str:
    path = tmp_path / f"{flow.name}.aflow"
    flow.save(path)
    return str(path)


def _items(n: int) -> str:
    return "".join(json.dumps({"x": i}) + "\n" for i in range(n))


def test_a_base_exception_in_a_node_is_one_error_line_among_forty(tmp_path: Path) -> None:
    f = Flow("raising")
    f.add(base_exception_on_5, kind="KeyboardInterrupt")
    proc = cli(_save(f, tmp_path), "-i", "-", "-w", "4", stdin=_items(40))
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 40
    assert lines[5] == {"__error__": {"index": 5, "node": "base_exception_on_5",
                                      "type": "KeyboardInterrupt", "message": "",
                                      "item": {"x": 5}}}  # fmt: skip
    assert [r["y"] for i, r in enumerate(lines) if i != 5] == [i for i in range(40) if i != 5]
    assert "1 of 40 items failed" in proc.stderr and "Traceback" not in proc.stderr


def test_a_real_ctrl_c_still_exits_130_with_whole_lines(tmp_path: Path) -> None:
    f = Flow("napping")
    f.add(napping, delay=0.02)
    data = tmp_path / "in.jsonl"
    data.write_text(_items(2000))
    proc = subprocess.Popen(
        [sys.executable, "-m", "aetherflow", "run", _save(f, tmp_path), "-i", str(data), "-w", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, env=_env(),
    )  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()  # unbuffered: communicate() reads the rest
    assert json.loads(first) == {"x": 0, "y": 0}  # the run is going
    proc.send_signal(signal.SIGINT)
    out, err_bytes = proc.communicate(timeout=60)
    err = err_bytes.decode()
    assert proc.returncode == 130, err
    lines = [json.loads(line) for line in (first + out).decode().splitlines()]
    assert 0 < len(lines) < 2000 and [r["x"] for r in lines] == list(range(len(lines)))
    assert "cancelled after" in err and "Traceback" not in err


def test_a_bad_json_line_is_that_items_error_and_the_rest_run(tmp_path: Path) -> None:
    f = Flow("napping")
    f.add(napping, delay=0)
    rows = [json.dumps({"x": i}) for i in range(41)]
    rows[20] = '{"x": 20, oops' + "z" * 500
    data = tmp_path / "in.jsonl"
    data.write_text("\n".join(rows) + "\n")
    proc = cli(_save(f, tmp_path), "-i", str(data))
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 41
    assert [r["y"] for i, r in enumerate(lines) if i != 20] == [i for i in range(41) if i != 20]
    error = lines[20]["__error__"]
    assert error["index"] == 20 and error["type"] == "InputError" and error["node"] is None
    assert f"{data} line 21: not valid JSON" in error["message"]
    assert '{"x": 20, oops' in error["message"] and len(error["message"]) < 300  # cut
    assert "Traceback" not in proc.stderr


def test_a_failing_shared_constructor_is_one_line_exit_2(tmp_path: Path) -> None:
    f = Flow("db", context=BrokenSharedContext)
    f.add(uses_db)
    proc = cli(_save(f, tmp_path), "-i", "-", stdin=_items(3))
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert "service 'db'" in line and "ConnectionError: database is down" in line


def test_a_full_disk_is_one_line_naming_the_output_exit_1(tmp_path: Path) -> None:
    f = Flow("napping")
    f.add(napping, delay=0)
    proc = cli(_save(f, tmp_path), "-i", "-", "-o", "/dev/full", stdin=_items(100))
    assert proc.returncode == 1
    [line] = proc.stderr.splitlines()
    assert "cannot write output /dev/full: No space left on device" in line
    assert "(0 result lines written)" in line


def _limit_file_size(limit: int):
    def preexec() -> None:  # Python ignores SIGXFSZ: a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE")
def test_an_output_that_fills_up_keeps_only_whole_lines(tmp_path: Path) -> None:
    f = Flow("napping")
    f.add(napping, delay=0)
    out = tmp_path / "out.jsonl"
    limit = 10_000  # the output stops part-way through a line
    proc = cli(_save(f, tmp_path), "-i", "-", "-o", str(out), stdin=_items(5000),
               preexec_fn=_limit_file_size(limit))  # fmt: skip
    assert proc.returncode == 1
    [line] = proc.stderr.splitlines()
    text = out.read_text()
    written = text.splitlines()
    assert text.endswith("\n") and 0 < len(text) <= limit
    assert [json.loads(row) for row in written] == [{"x": i, "y": i} for i in range(len(written))]
    assert f"cannot write output {out}: File too large ({len(written)} result lines" in line


def test_on_worker_loss_needs_the_dask_executor(tmp_path: Path) -> None:
    f = Flow("napping")
    f.add(napping, delay=0)
    proc = cli(_save(f, tmp_path), "-i", "-", "--on-worker-loss", "stop", stdin=_items(2))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "aetherflow run: --on-worker-loss is about Dask workers: use --executor dask"
    ]
