"""`Adjacency`: which node feeds which, for ordering and cycle checks while a flow is edited.

A flow keeps its node-to-node graph here rather than in a `networkx.DiGraph`: networkx
stores each edge's attribute dict inside the node's neighbour dict, which makes the
collector track two more dicts for every node of the flow. Here each node's neighbours are
a dict of node ids to None, which the cyclic collector does not track at all, so a flow of
thousands of nodes adds only the two outer dicts to the heap that every full collection
scans. `Flow.graph` still hands out a `networkx.DiGraph` (built from this) for analysis.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable

import networkx as nx


class Adjacency:
    """Successors and predecessors of each node id, in insertion order."""

    __slots__ = ("pred", "succ")

    def __init__(self) -> None:
        self.succ: dict[str, dict[str, None]] = {}
        self.pred: dict[str, dict[str, None]] = {}

    def add_node(self, node: str) -> None:
        if node not in self.succ:
            self.succ[node] = {}
            self.pred[node] = {}

    def remove_node(self, node: str) -> None:
        """Drop ``node`` and every edge to or from it."""
        for target in self.succ.pop(node):
            self.pred[target].pop(node, None)
        for source in self.pred.pop(node):
            self.succ[source].pop(node, None)

    def add_edge(self, source: str, target: str) -> None:
        """Wire ``source`` to ``target`` (both must be nodes); a second call is a no-op."""
        self.succ[source][target] = None
        self.pred[target][source] = None

    def remove_edge(self, source: str, target: str) -> None:
        self.succ[source].pop(target, None)
        self.pred[target].pop(source, None)

    def reaches(self, start: str, goal: str) -> bool:
        """True if a path of edges leads from ``start`` to ``goal``."""
        seen = {start}
        todo = [start]
        while todo:
            for nxt in self.succ[todo.pop()]:
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return start == goal

    def topological(self, key: Callable[[str], int]) -> list[str] | None:
        """Node ids with every edge's source before its target, ties broken by the
        smallest ``key`` first (the order of `networkx.lexicographical_topological_sort`);
        None when the graph has a cycle."""
        indegree = {n: len(p) for n, p in self.pred.items() if p}
        ready = [(key(n), n) for n, p in self.pred.items() if not p]
        heapq.heapify(ready)
        order = []
        while ready:
            node = heapq.heappop(ready)[1]
            order.append(node)
            for child in self.succ[node]:
                indegree[child] -= 1
                if not indegree[child]:
                    del indegree[child]
                    heapq.heappush(ready, (key(child), child))
        return None if indegree else order

    def to_networkx(self) -> nx.DiGraph:
        """A `networkx.DiGraph` of the same nodes and edges, in the same order."""
        graph = nx.DiGraph()
        graph.add_nodes_from(self.succ)
        graph.add_edges_from(self.edges())
        return graph

    def edges(self) -> Iterable[tuple[str, str]]:
        return ((a, b) for a, targets in self.succ.items() for b in targets)
