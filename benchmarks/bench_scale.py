"""How costs grow with graph size: per-node build, validate, compile and run of a chain of
N nodes at 1,000 and 5,000 nodes, and loading a 50,000-node file.

Run: ``.venv/bin/python benchmarks/bench_scale.py`` (targets: each per-node cost at 5,000
nodes within 1.3x of the cost at 1,000; the 50,000-node file loads in at most 1.5 s).
Each figure is the median of several runs in CPU time of this process (the machine is
shared: CPU time is steadier than wall time under load); compare the ratios.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engine" / "tests" / "graph"))  # aflow_sample_nodes

import aflow_sample_nodes as s  # noqa: E402
from aetherflow import Flow  # noqa: E402
from aetherflow.runtime.program import Program  # noqa: E402

SIZES = (1000, 5000)
REPEATS = 5


def chain(n: int) -> Flow:
    """``n`` nodes of `inc` (y, step -> z), each ``z`` wired into the next one's ``y``."""
    flow = Flow(f"chain{n}")
    ids = [flow.add(s.inc, id=f"n{k}", step=1, position=(k * 10.0, 0.0)) for k in range(n)]
    for a, b in itertools.pairwise(ids):
        flow.connect(f"{a}.z", f"{b}.y")
    return flow


def median(
    work: Callable[[Any], Any], setup: Callable[[], Any] = lambda: None, repeats: int = REPEATS
) -> float:
    """Median seconds of ``work(setup())``, the setup not timed."""
    times = []
    for _ in range(repeats):
        arg = setup()
        t0 = time.process_time()
        work(arg)
        times.append(time.process_time() - t0)
    return statistics.median(times)


def per_node_costs(n: int) -> dict[str, float]:
    built = chain(n)
    prog = Program(built, frozenset())
    assert prog.run_item({"y": 0}, prog.container_services)["z"] == n
    svc = prog.container_services
    costs = {
        "build (add + connect)": median(lambda _: chain(n)),
        "validate (resolve)": median(lambda f: f.validate(), lambda: chain(n)),
        "compile (Program)": median(lambda f: Program(f, frozenset()), lambda: chain(n)),
        "first run (Flow.run, 1 item)": median(
            lambda f: f.run([{"y": 0}], workers=1), lambda: chain(n)
        ),
        "run, per item": median(lambda _: prog.run_item({"y": 0}, svc), repeats=21),
    }
    return {k: v / n * 1e6 for k, v in costs.items()}


def file_load(n: int) -> tuple[float, float]:
    flow = chain(n)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.aflow"
        flow.save(path)
        size = path.stat().st_size / 1e6
        return median(lambda _: Flow.load(path), repeats=3), size


def measure_in_child(n: int) -> dict[str, float]:
    """`per_node_costs` in a fresh interpreter, so each size starts from the same heap
    (what a script that builds one flow sees), not from the previous size's garbage."""
    out = subprocess.run(
        [sys.executable, __file__, "--size", str(n)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        print(json.dumps(per_node_costs(int(sys.argv[2]))))
        return
    table = {n: measure_in_child(n) for n in SIZES}
    small, large = SIZES
    print(f"chain of N nodes; microseconds of CPU per node (median of {REPEATS})")
    print(f"{'step':<32}{small:>10,}{large:>10,}{'ratio':>8}  target <= 1.3")
    for step in table[small]:
        a, b = table[small][step], table[large][step]
        print(f"{step:<32}{a:>10.2f}{b:>10.2f}{b / a:>8.2f}")
    seconds, size = file_load(50_000)
    print(f"load a 50,000-node file ({size:.1f} MB): {seconds:.2f} s CPU  target <= 1.5 s")


if __name__ == "__main__":
    main()
