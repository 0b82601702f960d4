"""``aetherflow run --executor dask``: the thread executor's output, exit codes and Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import dask_nodes as dn
import pytest
from aetherflow import Flow

pytestmark = pytest.mark.dask

HERE = Path(__file__).resolve().parent


def flow_file(tmp_path: Path, node: Any, **constants: Any) -> Path:
    """A saved one-node flow next to a copy of its node module (the flow's folder is
    searched for nodes, on the client and on every worker)."""
    shutil.copy(HERE / "dask_nodes.py", tmp_path / "dask_nodes.py")
    flow = Flow(node.name)
    flow.add(node, **constants)
    path = tmp_path / f"{node.name}.aflow"
    flow.save(path)
    return path


def aetherflow(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    return subprocess.run(
        [sys.executable, "-m", "aetherflow", *args], input=stdin, capture_output=True,
        text=True, timeout=120, env=env,
    )  # fmt: skip


def test_failed_items_exit_1_with_the_thread_executors_output(tmp_path: Path) -> None:
    path = flow_file(tmp_path, dn.fails_on, bad=3)
    items = "".join(f"{i}\n" for i in range(10))
    threads = aetherflow("run", str(path), "-i", "-", "-w", "2", stdin=items)
    on_dask = aetherflow(
        "run", str(path), "-i", "-", "-w", "2", "--executor", "dask", "--dask-threads",
        stdin=items,
    )  # fmt: skip
    assert threads.returncode == on_dask.returncode == 1, on_dask.stderr
    assert on_dask.stdout == threads.stdout
    assert json.loads(on_dask.stdout.splitlines()[3]) == {"__error__": {
        "index": 3, "node": "fails_on", "type": "ValueError", "message": "bad item 3",
        "item": 3,
    }}  # fmt: skip
    assert "1 of 10 items failed" in on_dask.stderr
    assert "item 3 at node 'fails_on': ValueError: bad item 3" in on_dask.stderr


def test_unknown_scheduler_or_executor_exit_2(tmp_path: Path) -> None:
    path = flow_file(tmp_path, dn.square)
    bad = aetherflow("run", str(path), "-i", "-", "--executor", "ray", stdin="1\n")
    assert bad.returncode == 2
    none = aetherflow(
        "run", str(path), "-i", "-", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
        stdin="1\n",
    )  # fmt: skip
    assert none.returncode == 2 and "aetherflow run:" in none.stderr


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def test_ctrl_c_writes_finished_results_and_exits_130(tmp_path: Path) -> None:
    path = flow_file(tmp_path, dn.slow, ms=20.0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "aetherflow", "run", str(path), "-i", "-", "-w", "2",
         "--executor", "dask", "--dask-threads"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("".join(f"{i}\n" for i in range(2000)))
    proc.stdin.close()
    first = proc.stdout.readline()  # the run is going
    proc.send_signal(signal.SIGINT)
    rest = proc.stdout.read()  # through the same buffer as readline
    err = proc.stderr.read() if proc.stderr else ""
    assert proc.wait(timeout=60) == 130, err
    done = [json.loads(line) for line in (first + rest).splitlines()]
    assert 0 < len(done) < 2000
    assert [d["done"] for d in done] == list(range(len(done)))  # in order, no gaps
    assert "cancelled after" in err
