"""Services a flow file declares itself (no context): built per run from their factory,
in their scope, with constructor constants; on threads, the CLI and Dask."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aetherflow import Flow, FlowError
from aetherflow.graph import events as ev

HERE = Path(__file__).resolve().parent


def designed_doc() -> dict:
    """The file a user designs from a blank canvas: a source and two services, no context."""
    return {
        "format": "aetherflow",
        "version": [1, 1],
        "name": "designed",
        "source": "urls",
        "services": [
            {"name": "counter", "scope": "shared", "factory": "designed_nodes:Counter"},
            {"name": "cache", "scope": "isolated", "factory": "designed_nodes:Cache"},
        ],
        "nodes": [
            {"id": "urls", "ref": "designed_nodes:urls", "constants": {"n": 20}},
            {"id": "fetch", "ref": "designed_nodes:fetch", "constants": {"delay": 0.005}},
            {"id": "count", "ref": "designed_nodes:count"},
        ],
        "edges": [
            {"source": "urls.urls", "target": "fetch.url"},
            {"source": "fetch.size", "target": "count.size"},
        ],
    }


@pytest.fixture
def designed(tmp_path: Path) -> Path:
    path = tmp_path / "designed.aflow"
    path.write_text(json.dumps(designed_doc()), "utf-8")
    return path


def _load(path: Path) -> Flow:
    flow = Flow.load(path)
    flow.search_paths = [str(HERE)]
    return flow


def test_a_file_without_context_runs_its_own_services(designed: Path) -> None:
    flow = _load(designed)
    assert [p for p in flow.validate() if p.severity == "error"] == []
    report = flow.run(workers=4, max_in_flight=4)
    assert report.failed == 0 and report.succeeded == 20
    assert sorted(r["seen"] for r in report.results) == list(range(1, 21))  # one shared counter
    assert len({r["cache_thread"] for r in report.results}) > 1  # a cache per worker thread


def test_switching_the_scope_of_a_flow_service(designed: Path) -> None:
    flow = _load(designed)
    flow.set_scope("counter", "isolated")
    report = flow.run(workers=4, max_in_flight=4)
    by_thread: dict[int, list[int]] = {}
    for r in report.results:
        by_thread.setdefault(r["cache_thread"], []).append(r["seen"])
    assert len(by_thread) > 1
    for seen in by_thread.values():  # each worker's own counter counted its own items
        assert sorted(seen) == list(range(1, len(seen) + 1))
    report = flow.run(workers=2, scopes={"counter": "shared"})
    assert max(r["seen"] for r in report.results) == 20


def test_constants_build_the_service_and_survive_save(designed: Path, tmp_path: Path) -> None:
    flow = _load(designed)
    flow.remove_service("counter")
    flow.add_service("counter", "designed_nodes:Counter", "shared", start=100)
    flow.save(tmp_path / "again.aflow")
    again = _load(tmp_path / "again.aflow")
    assert again.services["counter"].constants == {"start": 100}
    assert again.services["counter"].local
    report = again.run(workers=2)
    assert sorted(r["seen"] for r in report.results) == list(range(101, 121))


def test_add_rename_remove_emit_events_and_keep_order() -> None:
    import designed_nodes as d

    flow = Flow("f")
    seen: list[ev.FlowEvent] = []
    flow.subscribe(seen.append)
    flow.add_service("cache", d.Cache)
    flow.add_service("counter", d.Counter, "shared", start=3)
    assert flow.services["cache"].factory == "designed_nodes:Cache"
    flow.rename_service("cache", "memo")
    assert list(flow.services) == ["memo", "counter"]
    flow.remove_service("memo")
    assert seen == [
        ev.ServiceChanged("cache", "isolated"),
        ev.ServiceChanged("counter", "shared"),
        ev.ServiceChanged("cache", None),
        ev.ServiceChanged("memo", "isolated"),
        ev.ServiceChanged("memo", None),
    ]
    with pytest.raises(FlowError, match="not a Python identifier"):
        flow.add_service("my counter", d.Counter)
    with pytest.raises(FlowError, match="already declares"):
        flow.add_service("counter", d.Counter)


def test_validate_resolves_factories_and_checks_constants(designed: Path) -> None:
    doc = designed_doc()
    doc["services"][0]["factory"] = "designed_nodes:Nope"
    doc["services"][1]["constants"] = {"size": 3}
    flow = Flow.from_dict(doc)
    flow.search_paths = [str(HERE)]
    assert not [p for p in flow.validate(resolve=False) if p.severity == "error"]  # no imports
    found = {(p.where, p.code): p.message for p in flow.validate()}
    assert "has no attribute 'Nope'" in found["service 'counter'", "unresolved-service"]
    assert "size" in found["service 'cache'", "service-constants"]


def test_a_flow_service_replaces_the_context_one_and_validate_says_so() -> None:
    from nodes_for_tests import TrackedContext

    flow = Flow("f", context=TrackedContext)
    name = "tally"
    flow.add_service(name, "designed_nodes:Cache")
    flow.search_paths = [str(HERE)]
    infos = [p for p in flow.validate() if p.code == "service-override"]
    assert infos and infos[0].where == f"service '{name}'"


def test_a_generator_wired_as_an_ordinary_node_is_an_error(designed: Path) -> None:
    flow = _load(designed)
    flow.set_source(None)
    problems = flow.validate()
    found = [p for p in problems if p.code == "generator-node" and p.where == "urls"]
    assert found and "'urls' yields items: make it the source" in found[0].message


def test_cli_runs_the_designed_file(designed: Path) -> None:
    env = {"PYTHONPATH": str(HERE), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "aetherflow", "run", str(designed), "--workers", "3"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(r["seen"] for r in results) == list(range(1, 21))


@pytest.mark.dask
def test_dask_rebuilds_the_flow_services_on_the_workers(designed: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from aetherflow.runtime.dask_executor import run_flow_dask

    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}, silence_logs=40,
    )  # fmt: skip
    try:
        report = run_flow_dask(_load(designed), scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    assert report.failed == 0
    assert sorted(r["seen"] for r in report.results) == list(range(1, 21))
