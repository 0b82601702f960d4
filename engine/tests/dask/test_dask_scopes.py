"""Scopes on Dask (docs/dask.md): isolated = one instance per worker thread, shared = one
instance per Dask worker; the flow travels as data and is built once per worker."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import dask_nodes as dn
import pytest
from aetherflow import Flow, RunHandle
from aetherflow.runtime.dask_executor import run_flow_dask, start_flow_dask

pytestmark = pytest.mark.dask

HERE = Path(__file__).resolve().parent
WORKERS, THREADS = 2, 2  # the `scheduler` fixture's cluster


def counting_flow() -> Flow:
    flow = Flow("who", context=dn.CountingContext)
    flow.add(dn.who)
    flow.search_paths = [str(HERE)]
    return flow


def instances(results: list[dict[str, object]], service: str) -> dict[object, set[object]]:
    """``{thread or worker: {instance serials}}`` from the results of `dn.who`."""
    seen: dict[object, set[object]] = defaultdict(set)
    for r in results:
        worker, serial = r[service]  # type: ignore[misc]
        owner = r["thread"] if service == "mine" else worker
        seen[owner].add(serial)
    return seen


def test_isolated_per_thread_shared_per_worker(scheduler: str) -> None:
    report = run_flow_dask(counting_flow(), range(80), scheduler=scheduler, batch_size=2)
    assert report.ok
    per_thread = instances(report.results, "mine")
    per_worker = instances(report.results, "pool")
    # every thread that ran items has exactly one isolated instance of its own
    assert all(len(s) == 1 for s in per_thread.values())
    assert len(set().union(*per_thread.values())) == len(per_thread) <= WORKERS * THREADS
    # every worker has exactly one shared instance, even in one process (processes=False)
    assert all(len(s) == 1 for s in per_worker.values())
    assert len(set().union(*per_worker.values())) == len(per_worker) == WORKERS
    assert len(per_thread) > WORKERS  # both threads of some worker worked


def test_services_are_closed_when_the_run_ends(scheduler: str) -> None:
    report = run_flow_dask(counting_flow(), range(40), scheduler=scheduler, batch_size=2)
    used = {tuple(r[s]) for r in report.results for s in ("mine", "pool")}  # type: ignore[arg-type]
    assert {serial for _, serial in used} <= set(dn.closed)  # in-process workers: visible here


def test_scope_map_switches_without_code_changes(scheduler: str) -> None:
    report = run_flow_dask(
        counting_flow(), range(80), scheduler=scheduler, batch_size=2,
        scopes={"pool": "isolated", "mine": "shared"},
    )  # fmt: skip
    mine_by_worker: dict[object, set[object]] = defaultdict(set)  # "mine" is shared now
    for r in report.results:
        worker, serial = r["mine"]  # type: ignore[misc]
        mine_by_worker[worker].add(serial)
    assert all(len(s) == 1 for s in mine_by_worker.values()) and len(mine_by_worker) == WORKERS
    pools_by_thread: dict[object, set[object]] = defaultdict(set)
    for r in report.results:
        pools_by_thread[r["thread"]].add(tuple(r["pool"]))  # type: ignore[arg-type]
    assert all(len(s) == 1 for s in pools_by_thread.values())
    assert len(set().union(*pools_by_thread.values())) == len(pools_by_thread)


def test_worker_processes_build_their_own_flow() -> None:
    """The one test with worker processes (spawned): results and one shared per process."""
    flow = counting_flow()
    flow.add(dn.square)
    report = run_flow_dask(flow, range(40), workers=2, processes=True, batch_size=2)
    assert report.ok, report.errors
    assert [r["y"] for r in report.results] == [i * i for i in range(40)]
    per_worker = instances(report.results, "pool")
    assert len(per_worker) == 2 and all(len(s) == 1 for s in per_worker.values())
    assert all(str(w).startswith("tcp://127.0.0.1:") for w in report.stats["per_worker"])


def test_engine_imports_without_dask() -> None:
    code = (
        "import sys\n"
        "sys.modules['dask'] = sys.modules['distributed'] = None\n"
        "import aetherflow, aetherflow.runtime.dask_executor, aetherflow.graph.export\n"
        "from aetherflow import export_script\n"
        "assert 'distributed' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "try:\n"
        "    aetherflow.runtime.dask_executor.run_flow_dask(aetherflow.Flow('f'), [1])\n"
        "except ImportError as exc:\n"
        "    print('ImportError', exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "ImportError" in out.stdout and "aetherflow-engine[dask]" in out.stdout


def test_handle_has_the_effective_scope_map(scheduler: str) -> None:
    handle = start_flow_dask(
        counting_flow(), range(8), scheduler=scheduler, scopes={"pool": "isolated"}
    )
    handle.wait()
    assert isinstance(handle, RunHandle)
    assert handle.scopes["pool"] == "isolated" and handle.scopes["mine"] == "isolated"
    assert handle.scopes["shared_data"] == "shared"
