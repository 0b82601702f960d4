"""A Dask worker killed mid-run (SIGKILL, worker processes): at-least-once, told in the
report and the CLI, never a duplicate result; or, on request, a stop with each lost item
reported."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from aetherflow import Flow
from aetherflow.runtime.dask_executor import start_flow_dask
from loss_nodes import logged

HERE = Path(__file__).resolve().parent
N = 300
BATCH = 10


def _flow(tmp_path: Path) -> tuple[Flow, Path]:
    log = tmp_path / "calls.log"
    flow = Flow("logged")
    flow.add(logged, log_path=str(log), delay=0.01)
    flow.search_paths = [str(HERE)]
    return flow, log


def _calls(log: Path) -> list[tuple[int, int]]:
    rows = [line.split() for line in log.read_text().splitlines() if line.strip()]
    return [(int(pid), int(x)) for pid, x in rows]


def _kill_mid_batch(log: Path, after: int, mid_batch) -> tuple[int, int]:
    """Once ``after`` calls were logged, SIGKILL the worker process of the first call
    ``mid_batch(calls)`` accepts (a worker some items into a batch: its attempt has
    been logged); return the pid and the item it was running."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        calls = _calls(log) if log.exists() else []
        if len(calls) >= after and mid_batch(calls):
            pid, x = calls[-1]
            os.kill(pid, signal.SIGKILL)
            return pid, x
        time.sleep(0.005)
    raise AssertionError("no worker was seen in the middle of a batch")


def _fixed_batches(calls: list[tuple[int, int]]) -> bool:
    return 3 <= calls[-1][1] % BATCH <= 6  # batches of BATCH items start at multiples


def _same_worker_in_a_row(calls: list[tuple[int, int]]) -> bool:
    """The last 4 calls of one process were consecutive items: one batch, under way."""
    pid, x = calls[-1]
    mine = [c for c in calls if c[0] == pid][-4:]
    return [c[1] for c in mine] == [x - 3, x - 2, x - 1, x]


def test_a_killed_worker_reruns_its_batch_and_the_report_says_so(tmp_path: Path) -> None:
    flow, log = _flow(tmp_path)
    handle = start_flow_dask(flow, [{"x": i} for i in range(N)], workers=2, processes=True,
                             batch_size=BATCH)  # fmt: skip
    killed, running = _kill_mid_batch(log, 60, _fixed_batches)
    report = handle.wait(timeout=240)
    # every item once in the results, in order, none duplicated, none failed
    assert report.ok, report.errors[:3]
    assert [r["y"] for r in report.results] == list(range(N))
    counts = Counter(x for _, x in _calls(log))
    assert set(counts) == set(range(N))
    twice = {x for x, n in counts.items() if n > 1}
    reruns = report.stats["reruns"]
    assert reruns, "the killed worker's batch must be reported as re-run"
    rerun_items = {i for r in reruns for i in range(r["start"], r["start"] + r["items"])}
    assert twice <= rerun_items  # nothing ran twice that the report does not name
    ran_by_killed = {x for pid, x in _calls(log) if pid == killed}
    assert running in twice and twice <= ran_by_killed
    batch = running - running % BATCH
    [mine] = [r for r in reruns if r["start"] == batch]  # the batch it was running
    assert (mine["items"], mine["lost_attempts"]) == (BATCH, 1) and mine["ran_twice"] >= 1
    assert 1 <= report.stats["items_ran_twice"] <= len(twice)  # a lower bound, never more


def test_on_worker_loss_stop_reruns_no_running_batch_and_reports_its_items(tmp_path) -> None:
    flow, log = _flow(tmp_path)
    handle = start_flow_dask(flow, [{"x": i} for i in range(N)], workers=2, processes=True,
                             batch_size=BATCH, on_worker_loss="stop")  # fmt: skip
    _, running = _kill_mid_batch(log, 60, _fixed_batches)
    report = handle.wait(timeout=240)
    assert report.stop_reason == "worker-lost"
    counts = Counter(x for _, x in _calls(log))
    twice = {x for x, n in counts.items() if n > 1}
    assert running not in twice  # the batch it was running did not run again
    # Only a batch that had already finished on the dead worker, its result not yet
    # fetched, is computed again by Dask (the report lists it)
    recomputed = {
        i for r in report.stats["reruns"] for i in range(r["start"], r["start"] + r["items"])
    }
    assert twice <= recomputed
    lost = [e for e in report.errors if e.type == "WorkerLost"]
    assert running in {e.index for e in lost} and report.stats["batches_lost"] >= 1
    assert all("not re-run" in e.message and e.node is None for e in lost)
    done = {i for i, r in enumerate(report.results) if r is not None}
    failed = {e.index for e in report.errors}
    assert not done & failed
    assert done | failed == set(range(len(report.results)))  # every delivered item told


def test_the_cli_says_which_batches_ran_twice(tmp_path: Path) -> None:
    flow, log = _flow(tmp_path)
    path = tmp_path / "logged.aflow"
    flow.save(path)
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"x": i}) + "\n" for i in range(N)))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "aetherflow", "run", str(path), "-i", str(data), "-w", "2",
         "--executor", "dask"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    _kill_mid_batch(log, 60, _same_worker_in_a_row)
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["y"] for r in lines] == list(range(N))  # no duplicate line
    assert "was re-run on another worker" in err and "ran twice" in err
