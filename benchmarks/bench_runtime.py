"""The threaded run engine. Prints tables; every comparison is measured in
this one run (the machine is shared and noisy: compare ratios, not absolute numbers).

    .venv/bin/python benchmarks/bench_runtime.py            # everything
    .venv/bin/python benchmarks/bench_runtime.py overhead   # one section:
        overhead | overhead-cpu | scaling | memory | scopes
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from aetherflow import BaseFlowContext, Flow, Node, node, providers

N_NODES = 10


# -- 1. overhead per node, telemetry on/off, vs a minimal loop and pipefunc ----------------
def make_funcs(returning_dict: bool) -> list[Callable[..., Any]]:
    funcs = []
    for i in range(N_NODES):
        ns: dict[str, Any] = {}
        body = f"{{'x{i + 1}': x{i} + 1}}" if returning_dict else f"x{i} + 1"
        exec(f"def n{i}(x{i}):\n    return {body}\n", ns)
        funcs.append(ns[f"n{i}"])
    return funcs


def trivial_chain() -> Flow:
    flow = Flow("chain10")
    for i, f in enumerate(make_funcs(True)):
        flow.add(Node(f, outputs=[f"x{i + 1}"]))
    return flow


def best_of(fn: Callable[[], float], repeat: int) -> tuple[float, float]:
    times = [fn() for _ in range(repeat)]
    return min(times), statistics.median(times)


def bench_overhead(
    items: int = 20_000, repeat: int = 5, clock: Callable[[], float] = time.perf_counter
) -> None:
    """Per node: the minimal loop, `Flow.run` (1 worker) with telemetry off and on.

    ``clock``: wall time by default; `time.process_time` for the ``overhead-cpu`` section
    (with one worker the caller only waits, so CPU time is the work; on a loaded machine
    it is far steadier than wall time)."""
    flow = trivial_chain()
    funcs = make_funcs(True)
    plan = [(f, (f"x{i}",)) for i, f in enumerate(funcs)]

    def minimal() -> float:
        t0 = clock()
        out = []
        for item in range(items):
            state = {"x0": item}
            for fn, params in plan:
                state.update(fn(**{p: state[p] for p in params}))
            out.append(state)
        return clock() - t0

    def engine(telemetry: bool) -> Callable[[], float]:
        def run() -> float:
            t0 = clock()
            report = flow.run(range(items), workers=1, telemetry=telemetry)
            elapsed = clock() - t0
            assert report.results[-1]["x10"] == items - 1 + N_NODES
            return elapsed

        return run

    rows: dict[str, tuple[float, float]] = {}
    rows["minimal by-name loop"] = best_of(minimal, repeat)
    # interleave on/off so drift on the shared machine hits both alike
    on, off = [], []
    for _ in range(repeat):
        on.append(engine(True)())
        off.append(engine(False)())
    rows["AetherFlow, telemetry off"] = (min(off), statistics.median(off))
    rows["AetherFlow, telemetry on"] = (min(on), statistics.median(on))
    try:
        rows["pipefunc"] = best_of(pipefunc_runner(items), max(2, repeat // 2))
    except ImportError:
        print("(pipefunc not installed: pip install -r benchmarks/requirements.txt)")
    base = rows["minimal by-name loop"][0]
    what = "CPU time" if clock is time.process_time else "wall time"
    print(f"\n10 trivial nodes per item, {items} items, 1 worker ({what})")
    print(f"{'variant':<28} {'us/node best':>13} {'median':>9} {'vs minimal':>11}")
    for name, (best, med) in rows.items():
        per = 1e6 / (items * N_NODES)
        print(f"{name:<28} {best * per:>13.3f} {med * per:>9.3f} {best / base:>10.2f}x")
    on_off = rows["AetherFlow, telemetry on"][0] / rows["AetherFlow, telemetry off"][0]
    print(f"telemetry on / off: {on_off:.3f}")
    if "pipefunc" in rows:
        ratio = rows["pipefunc"][0] / rows["AetherFlow, telemetry on"][0]
        print(f"pipefunc / AetherFlow (telemetry on): {ratio:.1f}x")


def pipefunc_runner(items: int) -> Callable[[], float]:
    from pipefunc import Pipeline, pipefunc

    funcs = [pipefunc(output_name=f"x{i + 1}")(f) for i, f in enumerate(make_funcs(False))]
    pipeline = Pipeline(funcs)
    assert pipeline(f"x{N_NODES}", x0=0) == N_NODES
    n = max(1, items // 10)  # pipefunc is slow: fewer items, same per-node unit

    def run() -> float:
        t0 = time.perf_counter()
        for item in range(n):
            pipeline(f"x{N_NODES}", x0=item)
        return (time.perf_counter() - t0) * items / n

    return run


# -- 2. scaling of a sleeping node --------------------------------------------------------
@node(outputs=["slept"])
def sleep_1ms(x: int) -> int:
    time.sleep(0.001)
    return x


def bench_scaling() -> None:
    flow = Flow("sleep")
    flow.add(sleep_1ms)
    print("\na node that sleeps 1 ms")
    print(f"{'workers':>8} {'items':>7} {'items/s':>9} {'vs 1 worker':>12}")
    base = 0.0
    for workers in (1, 2, 4, 8, 16):
        items = 400 * workers if workers < 16 else 6000
        report = flow.run(range(items), workers=workers)
        rate = report.stats["items_per_s"]
        base = base or rate
        print(f"{workers:>8} {items:>7} {rate:>9.0f} {rate / base:>11.1f}x")


# -- 3. memory over a million items -------------------------------------------------------
@node(outputs=["a"])
def m1(x: int) -> int:
    return x + 1


@node(outputs=["b"])
def m2(a: int) -> int:
    return a * 2


@node(outputs=["c"])
def m3(b: int) -> int:
    return b - 1


def _rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


def _memory_child(items: int) -> None:
    # ru_maxrss survives exec (it would report the parent's peak), so sample the
    # current RSS on a thread instead and keep the highest value seen
    flow = Flow("mem")
    for n in (m1, m2, m3):
        flow.add(n)
    flow.run(range(10), workers=2)  # warm up imports and caches
    before = _rss_kb()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], _rss_kb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def endless() -> Any:
        yield from range(items)

    t0 = time.perf_counter()
    report = flow.run(endless(), workers=2, collect=False)
    elapsed = time.perf_counter() - t0
    done.set()
    sampler.join()
    after = max(peak[0], _rss_kb())
    assert report.stats["items"] == items and report.ok
    print(f"{items} {before} {after} {elapsed:.2f}")


def bench_memory(items: int = 1_000_000) -> None:
    out = subprocess.run(
        [sys.executable, __file__, "_memory_child", str(items)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    n, before, after, elapsed = int(out[0]), int(out[1]), int(out[2]), float(out[3])
    print(f"\n{n:,} items through 3 nodes from a generator, 2 workers, collect=False")
    print(f"peak RSS before {before / 1024:.1f} MB, after {after / 1024:.1f} MB, "
          f"growth {(after - before) / 1024:.1f} MB, {n / elapsed:,.0f} items/s")  # fmt: skip


# -- 4. isolated vs shared-with-lock --------------------------------------------------------
class Accumulator:
    """The same class in both scopes: its user code always locks (uncontended when
    isolated), so switching scopes changes nothing in the node."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.total = 0

    def add(self, inside: Callable[[], int]) -> None:
        with self.lock:
            self.total += inside()


class AccContext(BaseFlowContext):
    acc = providers.ThreadLocalSingleton(Accumulator)


def _cpu(n: int) -> Callable[[], int]:
    return lambda: sum(range(n))


def _sleep(seconds: float) -> Callable[[], int]:
    def inside() -> int:
        time.sleep(seconds)
        return 1

    return inside


WORKLOADS: dict[str, tuple[Callable[[], int], Callable[[], int]]] = {
    # name: (work outside the lock, work inside the lock)
    "light": (_cpu(0), _cpu(5)),
    "heavy": (_cpu(3000), _cpu(5)),
    "contended (CPU in lock)": (_cpu(50), _cpu(600)),
    "contended (blocking in lock)": (_cpu(50), _sleep(0.0005)),
}


def _work_node(outside: Callable[[], int], inside: Callable[[], int]) -> Node:
    @node(outputs=["done"])
    def work(x: int, acc: Accumulator) -> int:
        outside()
        acc.add(inside)
        return x

    return work


def _time_in_lock(inside: Callable[[], int], n: int = 300) -> float:
    """Seconds per item spent holding the lock, on one thread."""
    acc = Accumulator()
    t0 = time.perf_counter()
    for _ in range(n):
        with acc.lock:
            inside()
    return (time.perf_counter() - t0) / n


def bench_scopes(seconds_per_cell: float = 0.25, repeat: int = 3) -> None:
    print("\nisolated vs shared-with-lock (items/s; U = threads x time in lock / time per item)")
    print(f"{'workload':<30} {'threads':>7} {'isolated':>10} {'shared':>10} "
          f"{'iso/shared':>10} {'U':>6}")  # fmt: skip
    for name, (outside, inside) in WORKLOADS.items():
        flow = Flow(name, context=AccContext)
        flow.add(_work_node(outside, inside))
        in_lock = _time_in_lock(inside)
        probe = flow.run(range(200), workers=1, scopes={"acc": "shared"})
        per_item = probe.stats["elapsed"] / 200  # one thread, engine included
        share = in_lock / per_item
        items = max(200, int(seconds_per_cell / max(per_item, 1e-6)))
        for threads in (1, 2, 4, 8):
            rates = {"isolated": 0.0, "shared": 0.0}
            for _ in range(repeat):  # alternate, keep the best: the machine is noisy
                for scope in rates:
                    report = flow.run(range(items), workers=threads, scopes={"acc": scope})
                    rates[scope] = max(rates[scope], report.stats["items_per_s"])
            ratio = rates["isolated"] / rates["shared"]
            print(f"{name:<30} {threads:>7} {rates['isolated']:>10.0f} {rates['shared']:>10.0f} "
                  f"{ratio:>9.2f}x {threads * share:>6.2f}")  # fmt: skip


SECTIONS = {
    "overhead": bench_overhead,
    "overhead-cpu": lambda: bench_overhead(clock=time.process_time),
    "scaling": bench_scaling,
    "memory": bench_memory,
    "scopes": bench_scopes,
}

if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_memory_child":
        _memory_child(int(sys.argv[2]))
        sys.exit(0)
    chosen = sys.argv[1:] or list(SECTIONS)
    for section in chosen:
        SECTIONS[section]()
