"""``aetherflow run --concurrency`` on a saved flow with an async node (subprocesses)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from aetherflow import Flow
from async_nodes import nap
from test_cli_run import cli, lines


def _nap_file(tmp_path: Path) -> Path:
    flow = Flow("naps")
    flow.add(nap, seconds=0.05)
    path = tmp_path / "naps.aflow"
    flow.save(path)
    return path


def test_concurrency_keeps_items_in_flight_and_keeps_the_order(tmp_path: Path) -> None:
    path = _nap_file(tmp_path)
    stdin = "".join(json.dumps({"x": i}) + "\n" for i in range(100))
    t0 = time.perf_counter()
    out = cli(str(path), "-i", "-", "--workers", "1", "--concurrency", "50", stdin=stdin)
    elapsed = time.perf_counter() - t0
    assert out.returncode == 0, out.stderr
    assert [r["y"] for r in lines(out.stdout)] == [i + 1 for i in range(100)]
    assert elapsed < 100 * 0.05  # one item at a time would take 5 s of naps alone


def test_concurrency_is_for_worker_threads_only(tmp_path: Path) -> None:
    out = cli(str(_nap_file(tmp_path)), "--executor", "dask", "--concurrency", "4", stdin="")
    assert out.returncode == 2
    assert "--concurrency" in out.stderr and "--executor thread" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
