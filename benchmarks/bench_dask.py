"""Dask executor benchmark: scale-out past the GIL, and per-item overhead.

Run on demand from the repository root:

    .venv/bin/python benchmarks/bench_dask.py [--items 2000] [--trivial-items 200000] [--repeats 3]

1. A CPU-bound pure-Python node (a fixed loop calibrated to about 2 ms per item on one
   thread, holds the GIL): the thread executor
   with 2 threads against 2 Dask worker processes (1 thread each). Cluster start-up is
   timed apart from the run; throughput counts the run only.
2. Per-item overhead: a trivial node over many items, per-item wall time on Dask (batched)
   minus per-item time in-process (the thread executor with 1 thread).

The nodes are imported by reference on the workers, so this file imports itself as the
module ``bench_dask`` (its folder is the flow's search path).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

nan = float("nan")
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from aetherflow import Flow, node  # noqa: E402


def spin(loops: int) -> int:
    acc = 0
    for i in range(loops):
        acc += i * i
    return acc


@node
def burn(x: int, loops: int = 40_000) -> dict[str, int]:
    """A fixed amount of pure-Python CPU work (never releases the GIL)."""
    spin(loops)
    return {"out": x}


def calibrate(ms: float = 2.0) -> int:
    """Loops of `spin` that take about ``ms`` milliseconds on one thread here."""
    loops = 20_000
    best = min(timed(lambda: spin(loops))[1] for _ in range(20))
    return max(1, int(loops * (ms / 1000.0) / best))


@node
def trivial(x: int) -> int:
    return x + 1


def one_node_flow(func: Any, **constants: Any) -> Flow:
    import bench_dask  # this file as a module: refs 'bench_dask:...' import on workers

    flow = Flow(f"bench_{func.name}")
    flow.add(getattr(bench_dask, func.name), **constants)
    flow.search_paths = [HERE]
    return flow


def timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def cluster(processes: bool, workers: int) -> Any:
    """A cluster as `run_flow_dask` starts one itself (1 thread per worker), started
    before the timed runs as a user's standing cluster would be."""
    from aetherflow.runtime.dask_executor import local_cluster

    return local_cluster(workers, 1, processes)


def bench_cpu(n: int, repeats: int) -> list[tuple[str, float, float]]:
    """Best of ``repeats`` for each variant, measured alternately (the machine is shared:
    alternating spreads other jobs' load over every variant)."""
    from aetherflow.runtime.dask_executor import run_flow_dask
    from aetherflow.runtime.executor import run_flow

    loops = calibrate()
    flow = one_node_flow(burn, loops=loops)
    items = list(range(n))
    best: dict[str, float] = {}
    c, start = timed(lambda: cluster(processes=True, workers=2))
    try:
        for _ in range(repeats):
            for label, run in (
                ("threads, 1 thread", lambda: run_flow(flow, items, workers=1)),
                ("threads, 2 threads", lambda: run_flow(flow, items, workers=2)),
                ("dask, 2 worker processes",
                 lambda: run_flow_dask(flow, items, scheduler=c.scheduler_address)),
            ):  # fmt: skip
                cpu0 = time.process_time()
                report, secs = timed(run)
                assert report.ok and len(report.results) == n
                if secs < best.get(label, float("inf")):
                    best[label] = secs
                    if label.startswith("dask"):
                        busy = sum(w["busy_s"] for w in report.stats["per_worker"].values())
                        client_cpu = time.process_time() - cpu0
                        batches = report.stats["batches"]
    finally:
        c.close()
    rows = [(label, secs, n / secs) for label, secs in best.items()]
    rows.append((f"  client+scheduler CPU (workers busy {busy:.1f} s)", client_cpu, nan))
    rows.append((f"  cluster start-up, not counted ({batches} batches)", start, nan))
    report, secs = timed(lambda: run_flow_dask(flow, items, workers=2, processes=True))
    rows.append(("dask, 2 processes incl. start/stop", secs, n / secs))
    return rows


def bench_overhead(n: int) -> list[tuple[str, float, float]]:
    from aetherflow.runtime.dask_executor import run_flow_dask
    from aetherflow.runtime.executor import run_flow

    flow = one_node_flow(trivial)
    items = range(n)
    rows = []
    report, secs = timed(lambda: run_flow(flow, items, workers=1))
    rows.append(("in-process, 1 thread", secs, secs / n * 1e6))
    for processes, label in ((False, "dask, 1 in-process worker"), (True, "dask, 2 processes")):
        c = cluster(processes=processes, workers=1 if not processes else 2)
        try:
            report, secs = timed(
                lambda c=c: run_flow_dask(flow, items, scheduler=c.scheduler_address)
            )
            assert report.ok and len(report.results) == n
            rows.append((label, secs, secs / n * 1e6))
            rows.append((f"  ({report.stats['batches']} batches)", 0.0, nan))
        finally:
            c.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000, help="CPU-bound items (2 ms each)")
    parser.add_argument("--trivial-items", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3, help="best of N, alternating")
    args = parser.parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"CPU cores: {os.cpu_count()}, Python {sys.version.split()[0]}, load average {load}")

    cpu = bench_cpu(args.items, args.repeats)
    print(f"\nCPU-bound node, ~2 ms/item, {args.items} items, best of {args.repeats}")
    print(f"{'configuration':46} {'seconds':>9} {'items/s':>9}")
    for label, secs, rate in cpu:
        print(f"{label:46} {secs:9.2f} {rate:9.1f}")
    serial = next(rate for label, _, rate in cpu if label == "threads, 1 thread")
    base = next(rate for label, _, rate in cpu if label == "threads, 2 threads")
    dask_rate = next(rate for label, _, rate in cpu if label == "dask, 2 worker processes")
    print(f"speed-up, dask 2 processes / serial (1 thread): {dask_rate / serial:.2f}x"
          "   (target >= 1.85)")  # fmt: skip
    print(f"speed-up, dask 2 processes / threads 2 threads: {dask_rate / base:.2f}x")

    over = bench_overhead(args.trivial_items)
    print(f"\nTrivial node, {args.trivial_items} items")
    print(f"{'configuration':46} {'seconds':>9} {'us/item':>9}")
    for label, secs, per in over:
        print(f"{label:46} {secs:9.2f} {per:9.2f}")
    ref = over[0][2]
    per = {label: per for label, _, per in over}
    print(
        f"per-item overhead, 1 in-process worker: {per['dask, 1 in-process worker'] - ref:+.2f} us"
    )
    print(f"per-item overhead, 2 worker processes:  {per['dask, 2 processes'] - ref:+.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
