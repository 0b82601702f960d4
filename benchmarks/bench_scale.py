"""How costs grow with graph size: per-node build, validate, compile and run of a chain of
N nodes at 1,000 and 5,000 nodes, and loading a 50,000-node file.

Run: ``.venv/bin/python benchmarks/bench_scale.py`` (targets: each per-node cost at 5,000
nodes within 1.3x of the cost at 1,000; the 50,000-node file loads in at most 1.5 s).

Each sample is what a script that builds one flow sees: a fresh interpreter builds the
chain, validates it and runs it once (`Flow.run`, which compiles it), then compiles it
again on its own and runs items through that program, timing each step once (the items:
the least of 21), after a warm-up with a 100-node chain so that one-off costs of a fresh
interpreter are not counted per node. In a fresh interpreter every sample allocates the
same objects in the same order, so the cyclic collector runs at the same points each time
and the samples differ only by what the machine's other processes cost them. A full
collection costs in proportion to everything alive and comes due once a quarter more has
piled up, so one step's window can hold one at 5,000 nodes that at 1,000 falls after it;
the "script" row (build + validate + first run) does not depend on which step it lands
in. The table shows the least CPU time of ``--rounds`` samples per size, the sizes
interleaved (the machine is shared: CPU time is steadier than wall time, and load only
adds to it), and the range of the per-round ratios.
"""

from __future__ import annotations

import argparse
import itertools
import json
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
ROUNDS = 7
ITEMS = 21
LOAD_NODES = 50_000


def chain(n: int) -> Flow:
    """``n`` nodes of `inc` (y, step -> z), each ``z`` wired into the next one's ``y``."""
    flow = Flow(f"chain{n}")
    ids = [flow.add(s.inc, id=f"n{k}", step=1, position=(k * 10.0, 0.0)) for k in range(n)]
    for a, b in itertools.pairwise(ids):
        flow.connect(f"{a}.z", f"{b}.y")
    return flow


def cpu(work: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.process_time()
    result = work()
    return time.process_time() - t0, result


def warm_up() -> None:
    """Build, check, compile and run a small chain once, so the one-off costs of a fresh
    interpreter are not divided among the measured nodes: the first allocations after
    the imports trigger one full collection of the import-time heap (20-27 ms, whatever
    is built), and some first calls import or cache more."""
    flow = chain(100)
    flow.validate()
    prog = Program(flow, frozenset())
    prog.run_item({"y": 0}, prog.container_services)
    flow.run([{"y": 0}], workers=1)


def per_node_costs(n: int) -> dict[str, float]:
    """One sample of each step, in a script's order (microseconds per node): build a
    flow, validate it, run it; then compile it again on its own and run items through
    that program."""
    warm_up()
    costs: dict[str, float] = {}
    costs["build (add + connect)"], flow = cpu(lambda: chain(n))
    costs["validate (resolve)"], problems = cpu(flow.validate)
    assert not [p for p in problems if p.severity == "error"], problems
    costs["first run (Flow.run, 1 item)"], report = cpu(lambda: flow.run([{"y": 0}], workers=1))
    assert report.results[0]["z"] == n, report
    costs["script: the three above"] = sum(costs.values())
    costs["compile (Program)"], prog = cpu(lambda: Program(flow, frozenset()))
    svc = prog.container_services
    items = [cpu(lambda: prog.run_item({"y": 0}, svc)) for _ in range(ITEMS)]
    assert items[0][1]["z"] == n
    costs["run, per item"] = min(t for t, _ in items)
    return {k: v / n * 1e6 for k, v in costs.items()}


def in_child(*args: str) -> Any:
    """Run this file with ``args`` in a fresh interpreter and return what it prints."""
    cmd = [sys.executable, __file__, *args]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def load_seconds(path: str) -> float:
    return cpu(lambda: Flow.load(path))[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # one sample (child)
    parser.add_argument("--load", help=argparse.SUPPRESS)  # one load of a file (child)
    args = parser.parse_args()
    if args.size:
        print(json.dumps(per_node_costs(args.size)))
        return
    if args.load:
        print(json.dumps(load_seconds(args.load)))
        return
    samples: dict[int, list[dict[str, float]]] = {n: [] for n in SIZES}
    for _ in range(args.rounds):
        for n in SIZES:
            samples[n].append(in_child("--size", str(n)))
    small, large = SIZES
    print(f"chain of N nodes; microseconds of CPU per node, least of {args.rounds} fresh "
          "interpreters per size")  # fmt: skip
    print(f"{'step':<32}{small:>9,}{large:>9,}{'ratio':>7}  {'per round':<11} target <= 1.3")
    for step in samples[small][0]:
        a = min(x[step] for x in samples[small])
        b = min(x[step] for x in samples[large])
        rounds = [y[step] / x[step] for x, y in zip(samples[small], samples[large], strict=True)]
        spread = f"{min(rounds):.2f}-{max(rounds):.2f}"
        print(f"{step:<32}{a:>9.2f}{b:>9.2f}{b / a:>7.2f}  {spread:<11}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.aflow"
        chain(LOAD_NODES).save(path)
        size = path.stat().st_size / 1e6
        loads = [in_child("--load", str(path)) for _ in range(args.rounds)]
    print(f"load a {LOAD_NODES:,}-node file ({size:.1f} MB): least {min(loads):.2f} s CPU, "
          f"median {sorted(loads)[len(loads) // 2]:.2f} s of {len(loads)} fresh interpreters  "
          "target <= 1.5 s")  # fmt: skip


if __name__ == "__main__":
    main()
