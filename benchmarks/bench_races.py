"""The cost of the race check (``check_races=True``). Prints one table; every ratio is
measured in this one run, normal and checking runs interleaved (the machine is shared
and noisy: compare ratios, not absolute numbers).

    .venv/bin/python benchmarks/bench_races.py [items] [repeat]

Flows, each on 8 workers:
  seed      the seed guide's two shared services with their locks (every item writes
            to both: a counter, a defaultdict)
  no-writes a 10-node chain of trivial nodes, no shared service (the hostile schedule
            alone)
Modes: normal run; check_races=True; check_races with the default switch interval (the
recording alone, no hostile schedule).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections import defaultdict
from typing import Any

from aetherflow import BaseFlowContext, Flow, Node, node, providers
from aetherflow.telemetry import races

WORKERS = 8


class SharedStateService:
    def __init__(self) -> None:
        self.counter = 0
        self.lock = threading.Lock()

    def increment(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter


class MonitoredSharedService:
    def __init__(self) -> None:
        self.operations = 0
        self.lock = threading.Lock()
        self.metrics: defaultdict[str, int] = defaultdict(int)

    def track_operation(self, op_type: str) -> None:
        with self.lock:
            self.operations += 1
            self.metrics[op_type] += 1


class SeedContext(BaseFlowContext):
    shared_service = providers.Singleton(SharedStateService)
    monitor = providers.Singleton(MonitoredSharedService)


@node
def claim(x: int, shared_service: SharedStateService) -> dict[str, int]:
    return {"n": shared_service.increment()}


@node
def track(n: int, monitor: MonitoredSharedService) -> dict[str, bool]:
    monitor.track_operation("even" if n % 2 == 0 else "odd")
    return {"tracked": True}


def seed_flow() -> Flow:
    f = Flow("seed", context=SeedContext)
    f.add(claim)
    f.add(track)
    return f


def chain_flow() -> Flow:
    f = Flow("chain10")
    for i in range(10):
        ns: dict[str, Any] = {}
        exec(f"def n{i}(x{i}):\n    return {{'x{i + 1}': x{i} + 1}}\n", ns)
        f.add(Node(ns[f"n{i}"], outputs=[f"x{i + 1}"]))
    return f


def timed(flow: Flow, items: int, **options: Any) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one run."""
    t0, c0 = time.perf_counter(), time.process_time()
    report = flow.run(range(items), workers=WORKERS, **options)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert report.ok and report.races == []
    return elapsed, cpu


def recording_only(flow: Flow, items: int) -> tuple[float, float]:
    saved = races.HOSTILE_SWITCH_INTERVAL
    races.HOSTILE_SWITCH_INTERVAL = sys.getswitchinterval()
    try:
        return timed(flow, items, check_races=True)
    finally:
        races.HOSTILE_SWITCH_INTERVAL = saved


def main(items: int = 20_000, repeat: int = 5) -> None:
    modes = {
        "normal": lambda f: timed(f, items),
        "check_races": lambda f: timed(f, items, check_races=True),
        "recording only": lambda f: recording_only(f, items),
    }
    print(f"{items} items, {WORKERS} workers, best of {repeat} (median in brackets)")
    print(f"{'flow':<10} {'mode':<15} {'wall us/item':>16} {'x normal':>9} "
          f"{'CPU us/item':>16} {'x normal':>9}")  # fmt: skip
    for name, flow in (("seed", seed_flow()), ("no-writes", chain_flow())):
        times: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
        for _ in range(repeat):
            for mode, run in modes.items():  # interleaved: drift hits every mode alike
                times[mode].append(run(flow))
        base_wall = min(t[0] for t in times["normal"])
        base_cpu = min(t[1] for t in times["normal"])
        for mode, ts in times.items():
            cells = []
            for k, base in ((0, base_wall), (1, base_cpu)):
                values = [t[k] for t in ts]
                best, median = min(values), statistics.median(values)
                per = f"{best / items * 1e6:.1f} ({median / items * 1e6:.1f})"
                cells.append(f"{per:>16} {best / base:>8.2f}x")
            print(f"{name:<10} {mode:<15} {' '.join(cells)}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
