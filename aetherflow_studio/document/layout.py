"""Layered left-to-right layout of a flow, by grandalf's Sugiyama layout.

grandalf (pure Python, on PyPI) does what a readable drawing of a big flow needs: ranks
nodes into layers, inserts dummy vertices so a wire spanning several layers gets its own
lane instead of running through nodes or merging with others, orders each layer to reduce
crossings, and places nodes with Brandes-Kopf coordinate assignment. grandalf lays layers
out top to bottom; the flow reads left to right, so widths and heights are swapped going
in and coordinates swapped coming out. Disconnected parts are laid out one by one and
stacked top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
from aetherflow import Flow, NodeSpec
from grandalf.graphs import Edge, Vertex, graph_core
from grandalf.layouts import SugiyamaLayout

Size = tuple[float, float]
COLUMN_GAP = 80.0  # between layers (left to right)
ROW_GAP = 36.0  # between nodes of a layer
PART_GAP = 120.0  # between disconnected parts
ORDER_SWEEPS = 2  # crossing-reduction sweeps (more cost time and gain little, measured)


class _Box:
    """The ``view`` grandalf reads sizes from and writes positions to (axes swapped)."""

    __slots__ = ("h", "w", "xy")

    def __init__(self, width: float, height: float) -> None:
        self.w, self.h = height, width  # a grandalf layer is one of our columns
        self.xy = (0.0, 0.0)


def estimated_size(spec: NodeSpec) -> Size:
    """A node's size when no canvas is at hand (the canvas passes its real metrics)."""
    rows = max(len(spec.inputs), len(spec.outputs), 1)
    return 180.0, 40.0 + 20.0 * rows


def layered_positions(
    flow: Flow,
    ids: list[str],
    size_of: Callable[[NodeSpec], Size] = estimated_size,
    sweeps: int = ORDER_SWEEPS,
) -> dict[str, tuple[float, float]]:
    """New top-left positions for ``ids``, anchored at the top-left of their current ones."""
    if not ids:
        return {}
    graph = flow.graph().subgraph(ids)
    index = {n: i for i, n in enumerate(ids)}
    parts = [sorted(p, key=index.__getitem__) for p in nx.weakly_connected_components(graph)]
    parts.sort(key=lambda p: index[p[0]])
    left = min(flow.nodes[i].position[0] for i in ids)
    top = min(flow.nodes[i].position[1] for i in ids)
    positions: dict[str, tuple[float, float]] = {}
    y = top
    for part in parts:
        placed = _layout_part(graph.subgraph(part), part, flow, size_of, sweeps)
        bottom = max(py + size_of(flow.nodes[n])[1] for n, (_px, py) in placed.items())
        for node_id, (px, py) in placed.items():
            positions[node_id] = (round(left + px), round(y + py))
        y += bottom + PART_GAP
    return positions


def _layout_part(
    graph: nx.DiGraph, part: list[str], flow: Flow, size_of: Callable[[NodeSpec], Size],
    sweeps: int,
) -> dict[str, tuple[float, float]]:  # fmt: skip
    """Top-left positions of one connected part, from (0, 0)."""
    sizes = {n: size_of(flow.nodes[n]) for n in part}
    vertices = {n: Vertex(n) for n in part}
    for n, v in vertices.items():
        v.view = _Box(*sizes[n])
    edges = [Edge(vertices[a], vertices[b]) for a, b in graph.edges() if a != b]
    sugiyama = SugiyamaLayout(graph_core(list(vertices.values()), edges))
    sugiyama.xspace, sugiyama.yspace = ROW_GAP, COLUMN_GAP
    sugiyama.init_all()
    for _ in range(sweeps):
        for _step in sugiyama.ordering_step():
            pass
    sugiyama.setxy()
    # grandalf gives centres with layers along y: our x is its y, our y its x. Tops are
    # placed as if every node had the median height, so a chain of nodes of different
    # heights lines up by its tops (and first ports), not by its centres.
    half = sorted(h for _w, h in sizes.values())[len(sizes) // 2] / 2
    corners = {n: (v.view.xy[1] - sizes[n][0] / 2, v.view.xy[0] - half)
               for n, v in vertices.items()}  # fmt: skip
    _separate(corners, sizes)
    x0 = min(x for x, _ in corners.values())
    y0 = min(y for _, y in corners.values())
    return {n: (x - x0, y - y0) for n, (x, y) in corners.items()}


def _separate(corners: dict[str, tuple[float, float]], sizes: dict[str, Size]) -> None:
    """Push apart nodes of one column that the averaged placement left overlapping
    (grandalf's mean of four alignments can put two of them at one spot)."""
    columns: dict[float, list[str]] = {}
    for n, (x, _y) in corners.items():
        columns.setdefault(round(x + sizes[n][0] / 2), []).append(n)
    for column in columns.values():
        column.sort(key=lambda n: corners[n][1])
        bottom = float("-inf")
        for n in column:
            x, y = corners[n]
            if y < bottom + ROW_GAP / 2:
                y = bottom + ROW_GAP / 2
                corners[n] = (x, y)
            bottom = y + sizes[n][1]


def needs_layout(flow: Flow) -> bool:
    """True for a flow whose nodes have no positions of their own (two or more nodes, all
    at one point): a file written by code, or by a tool that does not place nodes."""
    points = {spec.position for spec in flow.nodes.values()}
    return len(flow.nodes) > 1 and len(points) == 1


def place_unplaced(flow: Flow) -> bool:
    """Lay out a flow that `needs_layout` (part of opening it, not an edit); True if so."""
    if not needs_layout(flow):
        return False
    for node_id, position in layered_positions(flow, list(flow.nodes)).items():
        flow.set_position(node_id, position)
    return True
