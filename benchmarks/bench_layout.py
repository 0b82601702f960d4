"""Auto-layout of big flows: time and wire crossings for 300 and 1,000 nodes.

Two kinds of flow, both opened without positions (every node at 0, 0):

- ``grid``: bench_canvas's 40 columns of 25 ``combine`` nodes, wired between neighbouring
  columns (already layered; the layout has to find the layers and order them);
- ``random``: each node takes its inputs from one or two earlier nodes at most 30 places
  back (a DAG whose wires span several layers).

Crossings are counted between straight wire segments from an output's right edge to an
input's left edge, as drawn. ``--compare FILE`` also runs another layout module's
``layered_positions`` (e.g. the previous, hand-written layout) on the same flows.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_layout.py [--compare OLD.py]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from aetherflow import Flow
from bench_canvas import big_flow, combine

from aetherflow_studio.document.layout import estimated_size, layered_positions


def random_flow(n: int, seed: int = 3) -> Flow:
    rng = random.Random(seed)
    flow = Flow("random")
    ids = [flow.add(combine, f"n{i}") for i in range(n)]
    for i in range(1, n):
        a = ids[rng.randrange(max(0, i - 30), i)]
        flow.connect(f"{a}.rows", f"{ids[i]}.left")
        if rng.random() < 0.5:
            b = ids[rng.randrange(max(0, i - 30), i)]
            flow.connect(f"{b}.count", f"{ids[i]}.right")
    return flow


def crossings(flow: Flow, pos: dict[str, tuple[float, float]]) -> int:
    """Pairs of wires whose straight segments cross (shared endpoints do not count)."""
    seg = []
    for a, b in flow.graph().edges():
        (xa, ya), (wa, ha) = pos[a], estimated_size(flow.nodes[a])
        (xb, yb), (_wb, hb) = pos[b], estimated_size(flow.nodes[b])
        seg.append((xa + wa, ya + ha / 2, xb, yb + hb / 2))
    s = np.asarray(seg)
    p, r = s[:, None, :2], s[:, None, 2:] - s[:, None, :2]
    q, t = s[None, :, :2], s[None, :, 2:] - s[None, :, :2]
    denom = r[..., 0] * t[..., 1] - r[..., 1] * t[..., 0]
    qp = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (qp[..., 0] * t[..., 1] - qp[..., 1] * t[..., 0]) / denom
        v = (qp[..., 0] * r[..., 1] - qp[..., 1] * r[..., 0]) / denom
    hit = (denom != 0) & (u > 1e-6) & (u < 1 - 1e-6) & (v > 1e-6) & (v < 1 - 1e-6)
    return int(np.triu(hit, 1).sum())


def run(name: str, layout, flow: Flow) -> None:
    ids = list(flow.nodes)
    t0 = time.perf_counter()
    pos = layout(flow, ids)
    ms = (time.perf_counter() - t0) * 1e3
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    extent = f"{max(xs) - min(xs):,.0f} x {max(ys) - min(ys):,.0f} px"
    print(f"{name:<12} {len(ids):>5} nodes {flow.graph().number_of_edges():>5} wires  "
          f"{ms:8.0f} ms  {crossings(flow, pos):>7,} crossings  {extent}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", help="another layout module (its layered_positions)")
    opts = parser.parse_args()
    layouts = [("grandalf", layered_positions)]
    if opts.compare:
        spec = importlib.util.spec_from_file_location("other_layout", opts.compare)
        assert spec is not None and spec.loader is not None
        other = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(other)
        layouts.append(("compared", other.layered_positions))
    for n in (300, 1000):
        for kind, flow in (("grid", big_flow(n, n * 3 // 2)), ("random", random_flow(n))):
            for spec in flow.nodes.values():
                spec.position = (0.0, 0.0)
            for name, layout in layouts:
                run(f"{kind}/{name}", layout, flow)
    return 0


if __name__ == "__main__":
    sys.exit(main())
