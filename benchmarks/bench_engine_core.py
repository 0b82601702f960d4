"""Engine core: `Node.run` over a `then` chain of 10 trivial nodes.

Reports microseconds per node for plain Python calls, a minimal by-name dispatch loop
and AetherFlow, all measured in this one run (the machine is shared: compare ratios).

    .venv/bin/python benchmarks/bench_engine_core.py
"""

from __future__ import annotations

import statistics
import timeit

from aetherflow import Node

N_NODES = 10


def make_funcs() -> list:
    funcs = []
    for i in range(N_NODES):
        ns: dict = {}
        exec(f"def n{i}(x{i}):\n    return {{'x{i + 1}': x{i} + 1}}\n", ns)
        funcs.append(ns[f"n{i}"])
    return funcs


def main(number: int = 20_000, repeat: int = 15) -> dict[str, float]:
    funcs = make_funcs()
    nodes = [Node(f, outputs=[f"x{i + 1}"]) for i, f in enumerate(funcs)]
    chain = nodes[0]
    for n in nodes[1:]:
        chain = chain.then(n)
    assert chain.run({"x0": 0})["x10"] == N_NODES

    def plain() -> None:
        v = 0
        for i, f in enumerate(funcs):
            v = f(v)[f"x{i + 1}"]

    plan = [(f, (f"x{i}",)) for i, f in enumerate(funcs)]

    def minimal() -> None:
        state = {"x0": 0}
        for fn, params in plan:
            state.update(fn(**{p: state[p] for p in params}))

    def engine() -> None:
        chain.run({"x0": 0})

    per_node = {}
    variants = (("plain calls", plain), ("minimal by-name loop", minimal),
                ("AetherFlow Node.run", engine))  # fmt: skip
    # Interleaved rounds: this shared machine's speed drifts by tens of percent within
    # seconds, and measuring each variant's repeats in a block put that drift in the ratio.
    all_times: dict[str, list[float]] = {name: [] for name, _ in variants}
    for _ in range(repeat):
        for name, fn in variants:
            all_times[name].append(timeit.timeit(fn, number=number))
    for name, times in all_times.items():
        per_node[name] = min(times) / number / N_NODES * 1e6
        per_node[name + " (median)"] = statistics.median(times) / number / N_NODES * 1e6
    base = per_node["minimal by-name loop"]
    print(f"{'variant':<24} {'us/node (best)':>15} {'us/node (median)':>17} {'vs minimal':>11}")
    for name in ("plain calls", "minimal by-name loop", "AetherFlow Node.run"):
        print(
            f"{name:<24} {per_node[name]:>15.3f} {per_node[name + ' (median)']:>17.3f} "
            f"{per_node[name] / base:>10.2f}x"
        )
    return per_node


if __name__ == "__main__":
    main()
