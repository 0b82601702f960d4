"""Flows with async nodes on Dask workers (a real LocalCluster)."""

from __future__ import annotations

from pathlib import Path

import dask_nodes as dn
from aetherflow import Flow
from aetherflow.runtime.dask_executor import run_flow_dask
from aetherflow.runtime.executor import run_flow

HERE = Path(__file__).resolve().parent


def test_async_nodes_are_awaited_on_dask_workers_like_on_threads(scheduler: str) -> None:
    flow = Flow("square_add_later")
    flow.add(dn.square)
    flow.add(dn.add_later, offset=1)
    flow.connect("square.y", "add_later.y")
    flow.search_paths = [str(HERE)]
    report = run_flow_dask(flow, range(40), scheduler=scheduler)
    assert report.ok, report.errors[:1]
    assert report.results == run_flow(flow, range(40), workers=2).results
    assert report.results[6] == {"x": 6, "y": 36, "total": 37}
