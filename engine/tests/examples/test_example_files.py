"""The bundled example flows as files: built in code, saved, reloaded, committed up to
date, importable from their own folder, and runnable headless from the command line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import build_examples
import pytest
from aetherflow import Flow

from .helpers import EXAMPLES_DIR, NAMES

# -- every example ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_builds_saves_and_reloads(name: str, tmp_path: Path) -> None:
    flow = build_examples.BUILDERS[name]()
    assert flow.description and flow.source in flow.nodes
    path = tmp_path / f"{name}.aflow"
    flow.save(path)
    loaded = Flow.load(path)
    assert loaded.name == flow.name
    assert loaded.description == flow.description
    assert loaded.source == flow.source
    assert loaded.scope_map() == flow.scope_map()
    assert [e.id for e in loaded.edges] == [e.id for e in flow.edges]
    for node_id, spec in flow.nodes.items():
        got = loaded.nodes[node_id]
        assert (got.ref, got.label, got.position, got.constants) == (
            spec.ref,
            spec.label,
            spec.position,
            spec.constants,
        )
    assert loaded.resolve_all() == []


@pytest.mark.parametrize("name", NAMES)
def test_validates_without_problems(name: str) -> None:
    flow = build_examples.BUILDERS[name]()
    assert flow.validate() == []
    assert Flow.load(EXAMPLES_DIR / f"{name}.aflow").validate() == []


@pytest.mark.parametrize("name", NAMES)
def test_committed_file_is_up_to_date(name: str, tmp_path: Path) -> None:
    """The .aflow files are generated; regenerate with build_examples.py when this fails."""
    committed = EXAMPLES_DIR / f"{name}.aflow"
    fresh = tmp_path / f"{name}.aflow"
    build_examples.BUILDERS[name]().save(fresh)
    assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_committed_file_loads_from_its_folder(name: str) -> None:
    flow = Flow.load(EXAMPLES_DIR / f"{name}.aflow")
    assert str(EXAMPLES_DIR) in [str(Path(p).resolve()) for p in flow.search_paths]
    assert flow.resolve_all() == []
    assert flow.context_class().__module__ == f"{name}_nodes"


@pytest.mark.parametrize("name", NAMES)
def test_every_node_is_documented_labelled_and_placed(name: str) -> None:
    """What the canvas shows: a label, a tooltip (the docstring), a column of its own."""
    module = __import__(f"{name}_nodes")
    assert module.__doc__
    flow = build_examples.BUILDERS[name]()
    positions = [spec.position for spec in flow.nodes.values()]
    assert len(set(positions)) == len(positions)
    for spec in flow.nodes.values():
        assert spec.label and spec.doc, spec.id
        assert spec.ref.startswith(f"{name}_nodes:"), spec.ref
    for service in flow.services.values():
        factory = service.factory or ""
        assert factory.startswith((f"{name}_nodes:", "builtins:")), factory


# -- headless: the command line -----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_cli_runs_each_example_headless(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # the pool example's default database
    proc = subprocess.run(
        [sys.executable, "-m", "aetherflow", "run", str(EXAMPLES_DIR / f"{name}.aflow"),
         "--limit", "20", "--workers", "4"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 20, proc.stdout[-2000:]
    results = [json.loads(line) for line in lines]
    assert all(isinstance(r, dict) for r in results)
    if name == "connection_pool":
        db_path = tmp_path / "aetherflow-examples" / "connection_pool.sqlite3"
        with sqlite3.connect(db_path) as conn:
            assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (20,)


@pytest.mark.parametrize("name", NAMES)
def test_default_run_lasts_long_enough_to_watch(name: str) -> None:
    """Items x simulated latency / 4 workers: half a minute or so, not a blink. (The run
    itself is timed in docs/benchmarks.md; here the file's constants are checked.)"""
    flow = Flow.load(EXAMPLES_DIR / f"{name}.aflow")
    assert flow.source is not None
    items = flow.nodes[flow.source].constants["count"]
    assert items <= 1000  # the Studio's At most box defaults to 1,000
    per_item_ms = sum(
        flow.nodes[node_id].constants[constant]
        for node_id, constant, _ms in build_examples.LATENCY[name]
    )
    seconds = items * per_item_ms / 1000 / 4
    assert 15 <= seconds <= 40, seconds


def test_realtime_counter_shows_lock_contention_in_the_scope_advice() -> None:
    """Latency scaled down tenfold keeps its proportions: the workers still queue for the
    metrics service's lock, and the measured advice says so."""
    from aetherflow.telemetry.advice import advise_run

    flow = build_examples.scale_latency(build_examples.build_realtime_counter(), 0.1)
    handle = flow.start(workers=4, limit=200, profile_shared=True)
    assert handle.wait().ok
    advice = {a.service: a for a in advise_run(handle.snapshot())}
    assert advice["metrics"].verdict in ("contended", "bottleneck"), advice["metrics"].text
    assert advice["metrics"].overlap_fraction >= 0.3
