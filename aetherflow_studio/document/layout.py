"""Layered left-to-right layout: topological generations as columns, barycenter rows."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
from aetherflow import Flow, NodeSpec

Size = tuple[float, float]
COLUMN_GAP = 80.0
ROW_GAP = 36.0


def estimated_size(spec: NodeSpec) -> Size:
    """A node's size when no canvas is at hand (the canvas passes its real metrics)."""
    rows = max(len(spec.inputs), len(spec.outputs), 1)
    return 180.0, 40.0 + 20.0 * rows


def layered_positions(
    flow: Flow,
    ids: list[str],
    size_of: Callable[[NodeSpec], Size] = estimated_size,
    sweeps: int = 4,
) -> dict[str, tuple[float, float]]:
    """New positions for ``ids``, anchored at the top-left of their current positions."""
    if not ids:
        return {}
    graph = flow.graph().subgraph(ids).copy()
    index = {n: i for i, n in enumerate(ids)}
    columns = [sorted(gen, key=index.__getitem__) for gen in nx.topological_generations(graph)]
    _order_by_barycenter(graph, columns, sweeps)
    left = min(flow.nodes[i].position[0] for i in ids)
    top = min(flow.nodes[i].position[1] for i in ids)
    positions: dict[str, tuple[float, float]] = {}
    x = left
    for column in columns:
        sizes = [size_of(flow.nodes[i]) for i in column]
        y = top
        for node_id, (_, h) in zip(column, sizes, strict=True):
            positions[node_id] = (round(x), round(y))
            y += h + ROW_GAP
        x += max(w for w, _ in sizes) + COLUMN_GAP
    return positions


def _order_by_barycenter(graph: nx.DiGraph, columns: list[list[str]], sweeps: int) -> None:
    """Reorder each column by the mean row of its neighbours, alternating direction."""
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        order = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for c in order:
            ref = columns[c - 1] if forward else columns[c + 1]
            row = {n: i for i, n in enumerate(ref)}
            near = graph.predecessors if forward else graph.successors
            here = {n: float(i) for i, n in enumerate(columns[c])}

            def key(n: str, row: dict[str, int] = row, near=near, here=here) -> float:
                rows = [row[m] for m in near(n) if m in row]
                return sum(rows) / len(rows) if rows else here[n]

            columns[c].sort(key=key)
