"""Async nodes: I/O-bound throughput with ``concurrency``, the per-call cost of an async
node, and sync flows before/after the async runtime. Every comparison is measured in
this one run (the machine is shared and noisy: compare ratios, not absolute numbers).

    .venv/bin/python benchmarks/bench_async.py                 # everything
    .venv/bin/python benchmarks/bench_async.py sleep           # one section:
        sleep | overhead | sync-before-after [REV]

``sync-before-after`` runs bench_runtime's overhead flow on the engine at each git
revision REV (default: 1416cd0, main just before async nodes, and 2777686, the commit that
landed them on top of it) and on this tree, interleaved, each run in a fresh process.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aetherflow import Flow, Node, node

ROOT = Path(__file__).resolve().parent.parent
REVISIONS = ("1416cd0", "2777686")  # main just before async nodes, and with them


# -- 1. a node that waits 5 ms: async with concurrency vs time.sleep ---------------------
@node
async def wait_async(x):
    await asyncio.sleep(0.005)
    return {"y": x}


@node
def wait_sync(x):
    time.sleep(0.005)
    return {"y": x}


def _items_per_s(flow: Flow, items: int, **options: Any) -> float:
    t0 = time.perf_counter()
    report = flow.run(range(items), **options)
    elapsed = time.perf_counter() - t0
    assert report.ok and len(report.results) == items
    return items / elapsed


def bench_sleep(items: int = 4_000, repeat: int = 3) -> None:
    sync_flow, async_flow = wait_sync.to_flow(), wait_async.to_flow()
    rows: dict[str, list[float]] = {}
    for _ in range(repeat):  # interleaved so drift hits every variant alike
        rows.setdefault("time.sleep, 2 workers", []).append(
            _items_per_s(sync_flow, items // 8, workers=2)
        )
        for k in (1, 50, 200):
            rows.setdefault(f"asyncio.sleep, 2 workers, concurrency={k}", []).append(
                _items_per_s(async_flow, items if k > 1 else items // 8, workers=2, concurrency=k)
            )
    base = max(rows["time.sleep, 2 workers"])
    print(f"\nA node waiting 5 ms, {items} items (1/8 of them for the unconcurrent rows)")
    print(f"{'variant':<42} {'items/s best':>13} {'median':>9} {'vs time.sleep':>14}")
    for name, values in rows.items():
        best, med = max(values), statistics.median(values)
        print(f"{name:<42} {best:>13,.0f} {med:>9,.0f} {best / base:>13.1f}x")


# -- 2. per-call cost of a trivial async node over a trivial sync node -------------------
N_NODES = 10


def _chain(is_async: bool) -> Flow:
    flow = Flow(f"chain10-{'async' if is_async else 'sync'}")
    for i in range(N_NODES):
        ns: dict[str, Any] = {}
        head = "async def" if is_async else "def"
        exec(f"{head} n{i}(x{i}):\n    return {{'x{i + 1}': x{i} + 1}}\n", ns)
        flow.add(Node(ns[f"n{i}"], outputs=[f"x{i + 1}"]))
    return flow


def _seconds(flow: Flow, items: int, telemetry: bool) -> float:
    t0 = time.perf_counter()
    report = flow.run(range(items), workers=1, telemetry=telemetry)
    elapsed = time.perf_counter() - t0
    assert report.results[-1]["x10"] == items - 1 + N_NODES
    return elapsed


def bench_overhead(items: int = 20_000, repeat: int = 5) -> None:
    flows = {"sync": _chain(False), "async": _chain(True)}
    times: dict[tuple[str, bool], list[float]] = {}
    for _ in range(repeat):
        for telemetry in (False, True):
            for kind, flow in flows.items():
                times.setdefault((kind, telemetry), []).append(_seconds(flow, items, telemetry))
    per = 1e6 / (items * N_NODES)
    print(f"\n10 trivial nodes per item, {items} items, 1 worker (us per node call)")
    print(f"{'telemetry':<10} {'sync best':>10} {'async best':>11} {'async - sync':>13}")
    for telemetry in (False, True):
        s = min(times["sync", telemetry]) * per
        a = min(times["async", telemetry]) * per
        print(f"{'on' if telemetry else 'off':<10} {s:>10.3f} {a:>11.3f} {a - s:>13.3f}")


# -- 3. sync flows before and after the async runtime -------------------------------------
def _engine_at(rev: str, into: Path) -> Path:
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "engine/src", "benchmarks/bench_runtime.py"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
import aetherflow, bench_runtime
assert aetherflow.__file__.startswith(sys.argv[2]), aetherflow.__file__
flow = bench_runtime.trivial_chain()
items = 20_000
best = {}
for telemetry in (False, True):
    t0 = time.perf_counter()
    flow.run(range(items), workers=1, telemetry=telemetry)
    best[telemetry] = (time.perf_counter() - t0) * 1e6 / (items * bench_runtime.N_NODES)
print(best[False], best[True])
"""


def _child(src: Path, benches: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{benches}"}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(src), str(src)],
        check=True, capture_output=True, text=True, env=env,
    ).stdout.split()  # fmt: skip
    return float(out[0]), float(out[1])


def bench_sync_before_after(*revs: str, repeat: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        variants = {}
        for rev in revs or REVISIONS:
            old = _engine_at(rev, Path(tmp) / rev)
            variants[rev] = (old / "engine" / "src", old / "benchmarks")
        variants["this tree"] = (ROOT / "engine" / "src", ROOT / "benchmarks")
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in variants}
        for _ in range(repeat):  # interleaved, a fresh process each time
            for name, (src, benches) in variants.items():
                results[name].append(_child(src, benches))
    print("\nbench_runtime's overhead flow (10 trivial sync nodes, 20,000 items, 1 worker),")
    print(f"us per node, {repeat} fresh processes per engine, interleaved")
    print(f"{'engine':<12} {'off best':>9} {'off median':>11} {'on best':>8} {'on median':>10}")
    first = next(iter(results.values()))
    base_off, base_on = min(r[0] for r in first), min(r[1] for r in first)
    for name, rows in results.items():
        off, on = [r[0] for r in rows], [r[1] for r in rows]
        print(f"{name:<12} {min(off):>9.3f} {statistics.median(off):>11.3f} "
              f"{min(on):>8.3f} {statistics.median(on):>10.3f}   best vs first: "
              f"{min(off) / base_off:.3f} off, {min(on) / base_on:.3f} on")  # fmt: skip


SECTIONS: dict[str, Callable[..., None]] = {
    "sleep": bench_sleep,
    "overhead": bench_overhead,
    "sync-before-after": bench_sync_before_after,
}

if __name__ == "__main__":
    if len(sys.argv) > 1:
        SECTIONS[sys.argv[1]](*sys.argv[2:])
    else:
        for section in SECTIONS.values():
            section()
