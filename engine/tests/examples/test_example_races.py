"""The bundled examples under the race check: their shared services lock what they
write, so a check run finds nothing and gives the same results as a normal run."""

from __future__ import annotations

from pathlib import Path

import pytest
from aetherflow import Flow

from .helpers import EXAMPLES_DIR, NAMES

LIMIT = 200  # items per example: the examples simulate I/O with sleeps


def example(name: str, tmp_path: Path) -> Flow:
    flow = Flow.load(EXAMPLES_DIR / f"{name}.aflow")
    for node_id, spec in flow.nodes.items():
        if "db_path" in spec.constants:  # the connection pool writes its own file
            flow.set_constant(node_id, "db_path", str(tmp_path / "events.sqlite3"))
    return flow


@pytest.mark.parametrize("name", NAMES)
def test_bundled_example_has_no_race(name: str, tmp_path: Path) -> None:
    flow = example(name, tmp_path)
    report = flow.run(workers=8, check_races=True, limit=LIMIT)
    assert report.ok, [e.to_dict() for e in report.errors]
    assert report.races == [], [f.text for f in report.races]
    shared = sorted(n for n, scope in flow.scope_map().items() if scope == "shared")
    watched = report.stats["races_watched"]
    assert set(watched) <= set(shared)
    assert report.stats["races_unwatched"].keys() <= {"shared_data"}
    assert report.stats["items"] > 0


def test_the_check_sees_the_counter_example_written_by_every_thread(tmp_path: Path) -> None:
    flow = example("realtime_counter", tmp_path)
    report = flow.run(workers=8, check_races=True, limit=LIMIT)
    assert report.races == []
    assert report.stats["races_writers"]["metrics"] >= 2  # locked writes, many threads
