"""The cost of the debugging features (traces, breakpoints, wire values) on the run
engine, on bench_runtime's overhead flow (10 trivial nodes, 1 worker). Every comparison
is measured in this one run, interleaved, in process CPU time (the machine is shared:
compare ratios).

    .venv/bin/python benchmarks/bench_debug.py                 # debugging on vs off
    .venv/bin/python benchmarks/bench_debug.py --baseline DIR  # + tracing off vs another
        checkout's engine (DIR/engine/src), e.g. the previous main in a temp worktree

The baseline comparison runs bench_runtime's overhead measurement (the whole `Flow.run`,
telemetry on and off) in child processes, alternating this checkout and DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ITEMS = 20_000
N_NODES = 10


def chain() -> object:
    sys.path.insert(0, str(HERE))
    from bench_runtime import trivial_chain

    return trivial_chain()


def timed(run: Callable[[], object]) -> float:
    """CPU seconds of the process for ``run()``: with one worker (the caller only waits)
    that is the worker's work, and far steadier than wall time on a shared machine."""
    t0 = time.process_time()
    run()
    return time.process_time() - t0


# -- child: one checkout's plain overhead ---------------------------------------------
def child(repeat: int) -> None:
    """Best seconds of `Flow.run` (telemetry on, off) with whatever engine is importable."""
    flow = chain()
    on, off = [], []
    for _ in range(repeat):
        on.append(timed(lambda: flow.run(range(ITEMS), workers=1, telemetry=True)))
        off.append(timed(lambda: flow.run(range(ITEMS), workers=1, telemetry=False)))
    print(json.dumps({"on": min(on), "off": min(off)}))


def measure_checkout(src: Path, repeat: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(src))
    out = subprocess.run(
        [sys.executable, __file__, "_child", str(repeat)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def versus_baseline(baseline: Path, rounds: int = 6, repeat: int = 3) -> None:
    mine, theirs = ROOT / "engine" / "src", baseline / "engine" / "src"
    results: dict[str, list[dict[str, float]]] = {"this": [], "baseline": []}
    for _ in range(rounds):  # alternate, so drift hits both alike
        results["this"].append(measure_checkout(mine, repeat))
        results["baseline"].append(measure_checkout(theirs, repeat))
    per = 1e6 / (ITEMS * N_NODES)
    print(f"\nTracing off vs baseline {baseline} ({rounds} rounds x best of {repeat}, child procs)")
    print(f"{'telemetry':<10} {'this us/node':>13} {'baseline':>9} {'this/baseline':>14}")
    for key in ("on", "off"):
        this = min(r[key] for r in results["this"])
        base = min(r[key] for r in results["baseline"])
        print(f"{key:<10} {this * per:>13.3f} {base * per:>9.3f} {this / base:>14.3f}")


# -- in process: debugging features on vs off ------------------------------------------
def debugging_costs(repeat: int = 7) -> None:
    flow = chain()

    def plain() -> object:
        return flow.run(range(ITEMS), workers=1)

    def breakpoint_never() -> object:
        return flow.run(range(ITEMS), workers=1, breakpoints={"n5": "x5 < 0"})

    def traced() -> object:
        return flow.run(range(ITEMS), workers=1, trace=100)

    def watched() -> object:
        handle = flow.start(range(ITEMS), workers=1)
        handle.wire_values()  # the workers watch from their next chunk on
        poller = threading.Thread(target=poll_wires, args=(handle,))
        poller.start()
        report = handle.wait()
        poller.join()
        return report

    variants = {
        "plain (telemetry on)": plain,
        "1 breakpoint, never true": breakpoint_never,
        "wire values, polled 10/s": watched,
        "trace=100": traced,
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeat):
        for name, run in variants.items():
            times[name].append(timed(run))
    base = min(times["plain (telemetry on)"])
    per = 1e6 / (ITEMS * N_NODES)
    print(
        f"\nDebugging on vs off: {N_NODES} trivial nodes, {ITEMS} items, 1 worker, best of {repeat}"
    )
    print(f"{'variant':<28} {'us/node best':>13} {'median':>9} {'vs plain':>9}")
    for name, ts in times.items():
        best = min(ts)
        print(f"{name:<28} {best * per:>13.3f} {statistics.median(ts) * per:>9.3f} "
              f"{best / base:>8.3f}x")  # fmt: skip
    wire_cost()


def poll_wires(handle: object) -> None:
    tick = threading.Event()
    while not handle.done:  # type: ignore[attr-defined]
        handle.wire_values()  # type: ignore[attr-defined]
        tick.wait(0.1)


def wire_cost(calls: int = 2000) -> None:
    """What one `wire_values()` call costs the caller, and a worker's answer."""
    flow = chain()
    handle = flow.start(iter(range(10**9)), workers=2, collect=False)
    handle.wire_values()
    tick = threading.Event()
    while not handle.wire_values():
        tick.wait(0.01)
    t0 = time.perf_counter()
    for _ in range(calls):
        handle.wire_values()
    reader = (time.perf_counter() - t0) / calls
    handle.cancel()
    handle.wait()
    from aetherflow.runtime.tracer import Tracer

    tracer = next(iter(handle._run.debug._tracers.values()))  # type: ignore[attr-defined]
    assert isinstance(tracer, Tracer)
    t0 = time.perf_counter()
    for _ in range(calls):
        tracer.post_wires(1)
    answer = (time.perf_counter() - t0) / calls
    print(f"wire_values(): {reader * 1e6:.1f} us per call (reader, 2 workers, 10 ports); "
          f"a worker's answer (rendering 10 ports): {answer * 1e6:.1f} us")  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--only-baseline", action="store_true")
    args = parser.parse_args()
    if args.baseline is not None:
        versus_baseline(args.baseline)
    if not args.only_baseline:
        debugging_costs()


if __name__ == "__main__":
    main()
