"""Undo commands: each holds plain data captured in ``__init__`` and calls `Flow` methods.

Never give a `QUndoCommand` a parent command here: PySide6 crashes on such children.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from aetherflow import Edge, Flow, GroupSpec, NodeSpec, PortRef
from aetherflow.node import MISSING
from PySide6.QtGui import QUndoCommand

from .fragments import copy_group, copy_spec

Position = tuple[float, float]


class AddNodesCommand(QUndoCommand):
    """Add nodes with the edges among them and their frames (add, paste, duplicate)."""

    def __init__(
        self,
        flow: Flow,
        specs: list[NodeSpec],
        edges: list[tuple[str, str]],
        groups: list[GroupSpec],
        text: str,
    ) -> None:
        super().__init__(text)
        self._flow = flow
        self._specs = [copy_spec(s) for s in specs]
        self._edges = list(edges)
        self._groups = [copy_group(g) for g in groups]

    def redo(self) -> None:
        for spec in self._specs:
            self._flow.insert_node(copy_spec(spec))
        for source, target in self._edges:
            self._flow.insert_edge(Edge(source, target))
        for g in self._groups:
            _add_group(self._flow, g)

    def undo(self) -> None:
        for g in reversed(self._groups):
            self._flow.remove_group(g.id)
        for spec in reversed(self._specs):
            self._flow.remove(spec.id)


class RemoveCommand(QUndoCommand):
    """Remove nodes (with their edges), loose edges and groups; undo restores all of it."""

    def __init__(
        self,
        flow: Flow,
        node_ids: list[str],
        edges: list[tuple[str, str]],
        group_ids: list[str],
        text: str,
    ) -> None:
        super().__init__(text)
        self._flow = flow
        self._node_ids = list(node_ids)
        self._group_ids = list(group_ids)
        gone = set(node_ids)
        self._specs = [copy_spec(flow.nodes[i]) for i in node_ids]
        wanted = set(edges)
        self._edges = [
            (e.source, e.target)
            for e in flow.edges
            if e.source_node in gone or e.target_node in gone or (e.source, e.target) in wanted
        ]
        self._loose = [e for e in self._edges if e in wanted and not _touches(e, gone)]
        touched = _groups_containing(flow, gone | set(group_ids)) | set(group_ids)
        self._groups = [copy_group(g) for g in flow.groups.values() if g.id in touched]
        self._source = flow.source if flow.source in gone else None

    def redo(self) -> None:
        for source, target in self._loose:
            self._flow.disconnect(source, target)
        for gid in self._group_ids:
            self._flow.remove_group(gid)
        for node_id in self._node_ids:
            self._flow.remove(node_id)

    def undo(self) -> None:
        for spec in self._specs:
            self._flow.insert_node(copy_spec(spec))
        for source, target in self._edges:
            self._flow.insert_edge(Edge(source, target))
        # Re-create every group whose members changed, with its saved member list.
        for g in self._groups:
            if g.id in self._flow.groups:
                self._flow.remove_group(g.id)
        for g in self._groups:
            _add_group(self._flow, g)
        if self._source is not None:
            self._flow.set_source(self._source)


class MoveNodesCommand(QUndoCommand):
    """Set node positions (a finished drag, a frame drag, or an auto-layout); a drag that
    drops nodes into or out of frames also carries the frames' new member lists."""

    def __init__(
        self,
        flow: Flow,
        positions: dict[str, Position],
        text: str,
        members: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(text)
        self._flow = flow
        self._new = {k: (float(x), float(y)) for k, (x, y) in positions.items()}
        self._old = {k: flow.nodes[k].position for k in positions}
        self._new_members = {g: list(m) for g, m in (members or {}).items()}
        self._old_members = {g: list(flow.groups[g].members) for g in self._new_members}

    def redo(self) -> None:
        for node_id, pos in self._new.items():
            self._flow.set_position(node_id, pos)
        for gid, members in self._new_members.items():
            self._flow.set_group_members(gid, list(members))

    def undo(self) -> None:
        for gid, members in self._old_members.items():
            self._flow.set_group_members(gid, list(members))
        for node_id, pos in self._old.items():
            self._flow.set_position(node_id, pos)


class ConnectCommand(QUndoCommand):
    def __init__(self, flow: Flow, source: str, target: str) -> None:
        super().__init__("Connect")
        self._flow, self._source, self._target = flow, source, target

    def redo(self) -> None:
        self._flow.connect(self._source, self._target)

    def undo(self) -> None:
        self._flow.disconnect(self._source, self._target)


class SetConstantCommand(QUndoCommand):
    def __init__(self, flow: Flow, node_id: str, name: str, value: Any, text: str) -> None:
        super().__init__(text)
        self._flow, self._node_id, self._name = flow, node_id, name
        self._new = copy.deepcopy(value)
        old = flow.nodes[node_id].constants.get(name, MISSING)
        self._old = old if old is MISSING else copy.deepcopy(old)

    def redo(self) -> None:
        self._flow.set_constant(self._node_id, self._name, copy.deepcopy(self._new))

    def undo(self) -> None:
        self._flow.set_constant(self._node_id, self._name, copy.deepcopy(self._old))


class SetPolicyCommand(QUndoCommand):
    """Save one timeout / retry field on a node (None clears it)."""

    def __init__(self, flow: Flow, node_id: str, name: str, value: Any) -> None:
        super().__init__(f"{'Clear' if value is None else 'Set'} {name.replace('_', ' ')}")
        self._flow, self._node_id, self._name = flow, node_id, name
        self._new, self._old = copy.deepcopy(value), flow.nodes[node_id].policy.get(name)

    def redo(self) -> None:
        self._flow.set_policy(self._node_id, **{self._name: copy.deepcopy(self._new)})

    def undo(self) -> None:
        self._flow.set_policy(self._node_id, **{self._name: copy.deepcopy(self._old)})


class AddGroupCommand(QUndoCommand):
    def __init__(self, flow: Flow, group: GroupSpec, text: str) -> None:
        super().__init__(text)
        self._flow, self._group = flow, copy_group(group)

    def redo(self) -> None:
        _add_group(self._flow, self._group)

    def undo(self) -> None:
        self._flow.remove_group(self._group.id)


def _add_group(flow: Flow, g: GroupSpec) -> None:
    params = copy.deepcopy(g.params)
    flow.add_group(g.kind, list(g.members), id=g.id, label=g.label, **params)
    flow.groups[g.id].extra = copy.deepcopy(g.extra)


def _touches(edge: tuple[str, str], nodes: set[str]) -> bool:
    return PortRef.parse(edge[0]).node in nodes or PortRef.parse(edge[1]).node in nodes


def _groups_containing(flow: Flow, ids: set[str]) -> set[str]:
    """Groups holding any of ``ids``, and the groups holding those, transitively."""
    found: set[str] = set()
    frontier = set(ids)
    while frontier:
        new = {g.id for g in flow.groups.values() if frontier & set(g.members)} - found
        found |= new
        frontier = new
    return found


class SetValueCommand(QUndoCommand):
    """Set one value of the model (a node's label, a service's scope, a frame's label):
    ``apply(new)`` on redo, ``apply(old)`` on undo. The caller reads ``old`` from the
    model before pushing, so the command holds plain values only."""

    def __init__(self, text: str, apply: Callable[[Any], None], old: Any, new: Any) -> None:
        super().__init__(text)
        self._apply, self._old, self._new = apply, old, new

    def redo(self) -> None:
        self._apply(self._new)

    def undo(self) -> None:
        self._apply(self._old)
