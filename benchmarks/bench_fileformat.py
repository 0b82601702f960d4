"""Flow files: save, load and validate a 2,000-node / 3,000-edge flow.

Run: ``.venv/bin/python benchmarks/bench_fileformat.py`` (targets: load + validate
< 0.5 s, save < 0.3 s). Each figure is the median of several runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engine" / "tests" / "graph"))  # aflow_sample_nodes: add3(a, b, c=0)

from aetherflow import Flow  # noqa: E402
from aflow_sample_flows import big_flow  # noqa: E402

REPEATS = 7


def median_seconds(work: Callable[[], Any], setup: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(REPEATS):
        arg = setup() if setup else None
        t0 = time.perf_counter()
        work() if setup is None else work(arg)  # type: ignore[call-arg]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    flow = big_flow(2000, 3000)
    assert len(flow.nodes) == 2000 and len(flow.edges) == 3000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.aflow"
        save = median_seconds(lambda: flow.save(path))
        size = path.stat().st_size
        load = median_seconds(lambda: Flow.load(path))
        check = median_seconds(lambda f: f.validate(resolve=False), lambda: Flow.load(path))
        resolve = median_seconds(lambda f: f.validate(resolve=True), lambda: Flow.load(path))
        loaded = Flow.load(path)
        assert [p for p in loaded.validate() if p.severity != "info"] == []
    rows = [
        ("save (atomic, fsync)", save, 0.3),
        ("load (parse + schema + build)", load, None),
        ("validate, resolve=False", check, None),
        ("validate, resolve=True (imports)", resolve, None),
        ("load + validate, resolve=False", load + check, 0.5),
        ("load + validate, resolve=True", load + resolve, 0.5),
    ]
    print(f"2,000 nodes / 3,000 edges, file {size / 1e6:.2f} MB, median of {REPEATS} runs")
    print(f"{'step':<36}{'seconds':>9}{'target':>9}")
    for name, seconds, target in rows:
        print(f"{name:<36}{seconds:>9.3f}{(f'< {target}' if target else ''):>9}")


if __name__ == "__main__":
    main()
