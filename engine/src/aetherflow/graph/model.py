"""`Flow`: the editable graph every part of AetherFlow shares (canvas, file, runners).

A flow holds node specs (a ``module:qualname`` reference plus everything needed to draw
and save the node without importing it), edges from an output port to an input port,
services with their scopes, groups (visual frames and the control structures of code-built
compositions) and free-form metadata. networkx keeps the graph for ordering and cycle checks.
"""

from __future__ import annotations

import copy
import os
import re
from collections import ChainMap
from collections.abc import Callable, Container, Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

import networkx as nx

from ..bindings import bound
from ..context import (
    SCOPES,
    declared_scope,
    factory_ref,
    is_container,
    service_providers,
)
from ..errors import CycleError, FlowError, ReferenceResolutionError, ScopeError
from ..node import MISSING, Node
from ..policy import checked_fields, file_fields
from ..refs import ref_of, resolve_ref
from . import events as ev
from .adjacency import Adjacency
from .bulk import bulk
from .specs import (
    GROUP_KINDS,
    Edge,
    GroupSpec,
    NodeSpec,
    OutputSpec,
    PortRef,
    PortSpec,
    ServiceSpec,
    merged_ports,
    shared_ports,
)

if TYPE_CHECKING:
    from .validate import Problem

# The specs live in `specs`; they are re-exported here, where the model always had them.
__all__ = ["GROUP_KINDS", "Edge", "Flow", "GroupSpec", "NodeSpec", "OutputSpec", "PortSpec",
           "ServiceSpec"]  # fmt: skip

_ID_RE = re.compile(r"[^0-9A-Za-z_\-]+")

# The edges at each node id: one `Edge`, or a list once a node has several (most nodes of
# a big flow have one edge per side, and a list per node is one more object per node for
# the cyclic collector to scan).
_EdgesByNode: TypeAlias = dict[str, Edge | list[Edge]]


def _index_edge(index: _EdgesByNode, node_id: str, edge: Edge) -> None:
    have = index.get(node_id)
    if have is None:
        index[node_id] = edge
    elif isinstance(have, list):
        have.append(edge)
    else:
        index[node_id] = [have, edge]


def _unindex_edge(index: _EdgesByNode, node_id: str, edge: Edge) -> None:
    have = index[node_id]
    if not isinstance(have, list):
        del index[node_id]
        return
    have.remove(edge)
    if len(have) == 1:
        index[node_id] = have[0]


def _indexed(index: _EdgesByNode, node_id: str) -> list[Edge]:
    have = index.get(node_id)
    if have is None:
        return []
    return list(have) if isinstance(have, list) else [have]


def unique_id(base: str, taken: Container[str]) -> str:
    """The id rule of nodes and groups: ``base`` with anything but letters, digits, ``_``
    and ``-`` replaced by ``_`` (``"node"`` when nothing is left), then ``base_2``,
    ``base_3``... until it is not in ``taken``."""
    base = _ID_RE.sub("_", base).strip("_") or "node"
    if base not in taken:
        return base
    i = 2
    while f"{base}_{i}" in taken:
        i += 1
    return f"{base}_{i}"


class Flow:
    """An editable flow graph.

    Parameters
    ----------
    name
        Shown in the Studio and in reports.
    context
        A `BaseFlowContext` subclass, or its ``module:qualname``; its providers become the
        flow's services with their declared scopes.
    description
        One paragraph for people: what the flow does and why its scopes were chosen.
    """

    def __init__(
        self,
        name: str = "flow",
        context: Any = None,
        description: str = "",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.nodes: dict[str, NodeSpec] = {}
        self.edges: list[Edge] = []
        self.services: dict[str, ServiceSpec] = {}
        self.groups: dict[str, GroupSpec] = {}
        self.source: str | None = None
        self.extra: dict[str, Any] = {}
        self.path: str | None = None  # the file it was loaded from or saved to
        self.search_paths: list[str] = []  # folders searched first when importing nodes
        self.format_version: tuple[int, int] | None = None  # of the file it was loaded from
        self.context_ref: str | None = None
        self._context_obj: Any = None
        self._graph = Adjacency()
        self._edge_index: tuple[int, _EdgesByNode, _EdgesByNode] | None = None
        self._listeners: list[Callable[[ev.FlowEvent], None]] = []
        if context is not None:
            self.set_context(context)

    # -- events -----------------------------------------------------------------------
    def subscribe(self, listener: Callable[[ev.FlowEvent], None]) -> None:
        """Call ``listener(event)`` after every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[ev.FlowEvent], None]) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: ev.FlowEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    # -- context and services ---------------------------------------------------------
    def set_name(self, name: str) -> None:
        if name != self.name:
            self.name = name
            self._emit(ev.FlowChanged("name", name))

    def set_metadata(self, key: str, value: Any = MISSING) -> None:
        """Set (or, with no value, remove) one metadata entry (a JSON value)."""
        if value is MISSING:
            if key not in self.metadata:
                return
            del self.metadata[key]
        elif self.metadata.get(key, MISSING) == value:
            return
        else:
            self.metadata[key] = value
        self._emit(ev.FlowChanged("metadata", copy.deepcopy(self.metadata)))

    def set_description(self, text: str) -> None:
        if text != self.description:
            self.description = text
            self._emit(ev.FlowChanged("description", text))

    def set_context(self, context: Any) -> None:
        """Use a context class (or its reference); its services join the flow's.

        None removes the context and the entries of its services (the flow's own
        services stay)."""
        if context is None:
            self.context_ref, self._context_obj = None, None
            for name in [k for k, v in self.services.items() if not v.local]:
                del self.services[name]
        elif isinstance(context, str):
            self.context_ref, self._context_obj = context, None
        elif is_container(context):
            cls = context if isinstance(context, type) else type(context)
            self.context_ref = ref_of(cls)
            self._context_obj = cls
            for sname, provider in service_providers(cls).items():
                if sname not in self.services:
                    declared = declared_scope(provider)
                    self.services[sname] = ServiceSpec(
                        sname, declared, factory_ref(provider), declared
                    )
        else:
            raise TypeError(f"context must be a BaseFlowContext subclass, got {context!r}")
        self._emit(ev.FlowChanged("context", self.context_ref))

    def context_class(self) -> Any:
        """The context class, importing its module if needed (trusted flows only)."""
        if self._context_obj is None and self.context_ref:
            obj = resolve_ref(self.context_ref, self.search_paths)
            if not is_container(obj):
                raise ReferenceResolutionError(self.context_ref, "not a BaseFlowContext class")
            self._context_obj = obj
        return self._context_obj

    def service_factory(self, name: str) -> Any:
        """Import the factory of a flow-local service (trusted flows only)."""
        spec = self.services.get(name)
        if spec is None or spec.factory is None:
            raise FlowError(f"flow '{self.name}' has no service '{name}' with a factory")
        try:
            factory = resolve_ref(spec.factory, self.search_paths)
        except ReferenceResolutionError as exc:
            raise ReferenceResolutionError(spec.factory, f"service '{name}': {exc.reason}") from exc
        if not callable(factory):
            kind = type(factory).__name__
            raise ReferenceResolutionError(
                spec.factory, f"service '{name}': a {kind} is not callable"
            )
        return factory

    def set_scope(self, service: str, scope: str) -> None:
        """Choose ``"shared"`` or ``"isolated"`` for a service; node code is unchanged."""
        if scope not in SCOPES:
            raise ScopeError(
                f"unknown scope {scope!r} for service '{service}': use one of {SCOPES}"
            )
        spec = self.services.get(service)
        if spec is None:
            known = ", ".join(sorted(self.services)) or "none"
            raise ScopeError(f"flow '{self.name}' has no service '{service}' (services: {known})")
        if spec.scope == scope:
            return
        spec.scope = scope
        self._emit(ev.ServiceChanged(service, scope))

    def add_service(
        self, name: str, factory: Any, scope: str = "isolated", **constants: Any
    ) -> ServiceSpec:
        """Declare a service of the flow itself, built from ``factory`` for each run.

        ``factory`` is a class or callable, or its ``module:qualname`` (not imported
        now); ``constants`` are its keyword arguments (JSON values, saved in the file).
        A context service of the same name is replaced for this flow.
        """
        if not isinstance(name, str) or not name.isidentifier():
            raise FlowError(f"service name {name!r} is not a Python identifier")
        if scope not in SCOPES:
            raise ScopeError(f"unknown scope {scope!r} for service '{name}': use one of {SCOPES}")
        ref = factory if isinstance(factory, str) else ref_of(factory)
        if ref is None or ref.count(":") != 1:
            raise FlowError(f"service '{name}': factory {factory!r} is not 'module:qualname'")
        if name in self.services and self.services[name].local:
            raise FlowError(f"flow '{self.name}' already declares a service '{name}'")
        spec = ServiceSpec(name, scope, ref, None, constants=dict(constants))
        self.insert_service(spec)
        return spec

    def insert_service(self, spec: ServiceSpec, index: int | None = None) -> None:
        """Add a built service spec, replacing one of the same name (loaders and undo)."""
        items = [(k, v) for k, v in self.services.items() if k != spec.name]
        items.insert(len(items) if index is None else index, (spec.name, spec))
        self.services.clear()  # the same dict: views may hold it
        self.services.update(items)
        self._emit(ev.ServiceChanged(spec.name, spec.scope))

    def remove_service(self, name: str) -> ServiceSpec:
        """Remove a service entry; return it (for undo)."""
        if name not in self.services:
            raise FlowError(f"flow '{self.name}' has no service '{name}'")
        spec = self.services.pop(name)
        self._emit(ev.ServiceChanged(name, None))
        return spec

    def rename_service(self, old: str, new: str) -> None:
        """Rename a flow-local service, keeping its place in the list."""
        spec = self.services.get(old)
        if spec is None or not spec.local:
            raise FlowError(f"flow '{self.name}' declares no service '{old}'")
        if new == old:
            return
        if not new.isidentifier() or new in self.services:
            raise FlowError(f"cannot rename service '{old}' to {new!r}: invalid or taken")
        index = list(self.services).index(old)
        self.remove_service(old)
        spec.name = new
        self.insert_service(spec, index)

    def set_service_constants(self, name: str, constants: dict[str, Any]) -> None:
        """Replace the constructor constants of a flow-local service."""
        spec = self.services.get(name)
        if spec is None or not spec.local:
            raise FlowError(f"flow '{self.name}' declares no service '{name}'")
        if spec.constants != constants:
            spec.constants = dict(constants)
            self._emit(ev.ServiceChanged(name, spec.scope))

    def scope_map(self) -> dict[str, str]:
        """``{service: scope}`` for every service whose scope is shared or isolated."""
        return {n: s.scope for n, s in self.services.items() if s.scope in SCOPES}

    # -- nodes ------------------------------------------------------------------------
    def _unique_id(self, base: str) -> str:
        return unique_id(base, ChainMap[str, Any](self.nodes, self.groups))

    def add(
        self,
        node_or_ref: Node | str | Callable[..., Any],
        id: str | None = None,
        *,
        label: str | None = None,
        position: tuple[float, float] | None = None,
        **constants: Any,
    ) -> str:
        """Add a node and return its id (the node's name by default, made unique).

        ``node_or_ref`` is a `Node`, a plain function, or a ``module:qualname`` string
        (not imported now). Keyword arguments become constants of the node.
        """
        if isinstance(node_or_ref, str):
            spec = NodeSpec(id="", ref=node_or_ref)
            base = node_or_ref.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        else:
            n = node_or_ref if isinstance(node_or_ref, Node) else Node(node_or_ref)
            ins, outs = shared_ports(n)
            ref = n.ref or f"<unimportable>:{n.name}"
            spec = NodeSpec(id="", ref=ref, inputs=ins, outputs=outs, doc=n.doc, node=n)
            base = n.name
        if id is not None and (id in self.nodes or id in self.groups):
            raise FlowError(f"flow '{self.name}' already has a node or group with id '{id}'")
        spec.id = id if id is not None else self._unique_id(base)
        spec.label = label
        spec.constants = dict(constants)
        if position is not None:
            spec.position = (float(position[0]), float(position[1]))
        self.insert_node(spec)
        return spec.id

    def insert_node(self, spec: NodeSpec) -> None:
        """Add a fully built node spec (used by loaders and undo)."""
        if spec.id in self.nodes or spec.id in self.groups:
            raise FlowError(f"flow '{self.name}' already has a node or group with id '{spec.id}'")
        self.nodes[spec.id] = spec
        self._graph.add_node(spec.id)
        self._emit(ev.NodeAdded(spec.id))

    def remove(self, node_id: str) -> list[Edge]:
        """Remove a node and its edges; return the removed edges (for undo)."""
        self._node(node_id)
        removed = [e for e in self.edges if node_id in (e.source_node, e.target_node)]
        for e in removed:
            self.disconnect(e.source, e.target)
        for g in self.groups.values():
            if node_id in g.members:
                g.members.remove(node_id)
        if self.source == node_id:
            self.source = None
        del self.nodes[node_id]
        self._graph.remove_node(node_id)
        self._emit(ev.NodeRemoved(node_id))
        return removed

    def node(self, node_id: str) -> NodeSpec:
        return self._node(node_id)

    def _node(self, node_id: str) -> NodeSpec:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise FlowError(f"flow '{self.name}' has no node '{node_id}'") from None

    def set_constant(self, node_id: str, name: str, value: Any = MISSING) -> None:
        """Set (or, with no value, clear) a constant of a node."""
        spec = self._node(node_id)
        if value is MISSING:
            if name not in spec.constants:
                return
            del spec.constants[name]
        else:
            if name in spec.constants and spec.constants[name] == value:
                return
            spec.constants[name] = value
        self._emit(ev.NodeChanged(node_id, "constants", copy.deepcopy(spec.constants)))

    def set_position(self, node_id: str, position: tuple[float, float]) -> None:
        spec = self._node(node_id)
        pos = (float(position[0]), float(position[1]))
        if spec.position != pos:
            spec.position = pos
            self._emit(ev.NodeChanged(node_id, "position", pos))

    def set_label(self, node_id: str, label: str | None) -> None:
        spec = self._node(node_id)
        if spec.label != label:
            spec.label = label
            self._emit(ev.NodeChanged(node_id, "label", label))

    def set_policy(self, node_id: str, **fields: Any) -> None:
        """Set a node's time limit and retry fields (`NodePolicy`'s names; None clears
        one), saved in the file and applied over the ``@node`` decorator's.

        Raises
        ------
        ValueError
            A value out of range, naming the node and the field.
        """
        spec = self._node(node_id)
        policy = {k: v for k, v in spec.policy.items() if k not in fields}
        given = {k: v for k, v in fields.items() if v is not None}
        policy.update(file_fields(checked_fields(given, f"node '{node_id}'")))
        if policy != spec.policy:
            spec.policy = policy
            self._emit(ev.NodeChanged(node_id, "policy", dict(policy)))

    def set_source(self, node_id: str | None) -> None:
        """Name the generator node whose items feed runs that get no other input."""
        if node_id is not None:
            self._node(node_id)
        if self.source != node_id:
            self.source = node_id
            self._emit(ev.FlowChanged("source", node_id))

    # -- edges ------------------------------------------------------------------------
    def _split_port(self, ref: str, what: str) -> tuple[str, str]:
        try:
            node_id, port = PortRef.parse(ref)
        except ValueError:
            raise FlowError(f"{what} '{ref}' must look like 'node.port'") from None
        self._node(node_id)
        return node_id, port

    def would_cycle(self, source_node: str, target_node: str) -> bool:
        """True if an edge source -> target would close a cycle."""
        if source_node == target_node:
            return True
        # A target that feeds nothing yet cannot reach the source: the usual case while
        # wiring a flow front to back, answered without a graph search.
        return bool(self._graph.succ[target_node]) and self._graph.reaches(target_node, source_node)

    def connect(self, source: str, target: str) -> Edge:
        """Wire output ``"a.out"`` into input ``"b.param"``.

        Raises
        ------
        CycleError
            When the edge would make the flow cyclic; the flow is unchanged.
        FlowError
            For an unknown node or port, or an input that is already wired.
        """
        src_node, src_port = self._split_port(source, "source")
        dst_node, dst_port = self._split_port(target, "target")
        src, dst = self.nodes[src_node], self.nodes[dst_node]
        if src.output_view and src_port not in src.output_names:
            raise FlowError(
                f"node '{src_node}' has no output '{src_port}' (outputs: {src.output_names})"
            )
        if dst.input_view and dst_port not in dst.input_names:
            raise FlowError(
                f"node '{dst_node}' has no input '{dst_port}' (inputs: {dst.input_names})"
            )
        if any(e.target == target for e in self.edges_into(dst_node)):
            raise FlowError(f"input '{target}' is already wired; disconnect it first")
        if self.would_cycle(src_node, dst_node):
            raise CycleError(
                f"connecting '{source}' to '{target}' would create a cycle: "
                f"'{src_node}' already depends on '{dst_node}'"
            )
        edge = Edge(source, target)
        self._append_edge(edge)
        self._graph.add_edge(src_node, dst_node)
        self._emit(ev.EdgeAdded(source, target))
        return edge

    def disconnect(self, source: str, target: str) -> None:
        for i, e in enumerate(self.edges):
            if e.source == source and e.target == target:
                self._delete_edge(i)
                break
        else:
            raise FlowError(f"no edge from '{source}' to '{target}'")
        a, b = PortRef.parse(source).node, PortRef.parse(target).node
        if not any(x.target_node == b for x in self.edges_from(a)):
            self._graph.remove_edge(a, b)
        self._emit(ev.EdgeRemoved(source, target))

    def _edges_by_node(self) -> tuple[_EdgesByNode, _EdgesByNode]:
        """Edges by target node and by source node, rebuilt after the edges change (a scan
        per call made compiling or validating a 2,000-node flow take seconds)."""
        index = self._edge_index
        if index is None or index[0] != len(self.edges):
            into: _EdgesByNode = {}
            out: _EdgesByNode = {}
            for e in self.edges:
                _index_edge(into, e.target_node, e)
                _index_edge(out, e.source_node, e)
            index = self._edge_index = (len(self.edges), into, out)
        return index[1], index[2]

    def _append_edge(self, edge: Edge) -> None:
        index = self._edge_index
        self.edges.append(edge)
        if index is not None and index[0] == len(self.edges) - 1:
            _index_edge(index[1], edge.target_node, edge)
            _index_edge(index[2], edge.source_node, edge)
            self._edge_index = (len(self.edges), index[1], index[2])

    def _delete_edge(self, i: int) -> None:
        edge = self.edges.pop(i)
        index, self._edge_index = self._edge_index, None
        if index is not None and index[0] == len(self.edges) + 1:
            _unindex_edge(index[1], edge.target_node, edge)
            _unindex_edge(index[2], edge.source_node, edge)
            self._edge_index = (len(self.edges), index[1], index[2])

    def edges_into(self, node_id: str) -> list[Edge]:
        return _indexed(self._edges_by_node()[0], node_id)

    def edges_from(self, node_id: str) -> list[Edge]:
        return _indexed(self._edges_by_node()[1], node_id)

    def insert_edge(self, edge: Edge) -> None:
        """Add an edge read from a file without checks (validate reports problems)."""
        self._append_edge(edge)
        source, target = edge.source_node, edge.target_node
        if source in self.nodes and target in self.nodes:
            self._graph.add_edge(source, target)
        self._emit(ev.EdgeAdded(edge.source, edge.target))

    # -- groups -----------------------------------------------------------------------
    def add_group(
        self,
        kind: str,
        members: Iterable[str],
        id: str | None = None,
        label: str | None = None,
        **params: Any,
    ) -> str:
        """Group nodes (and groups): a visual ``frame`` or a control structure."""
        if kind not in GROUP_KINDS:
            raise FlowError(f"unknown group kind '{kind}' (kinds: {', '.join(GROUP_KINDS)})")
        gid = id if id is not None else self._unique_id(kind)
        if gid in self.nodes or gid in self.groups:
            raise FlowError(f"flow '{self.name}' already has a node or group with id '{gid}'")
        self.groups[gid] = GroupSpec(gid, kind, list(members), label, dict(params))
        self._emit(ev.GroupChanged(gid))
        return gid

    def remove_group(self, group_id: str) -> GroupSpec:
        group = self.groups.pop(group_id)
        for g in self.groups.values():
            if group_id in g.members:
                g.members.remove(group_id)
        self._emit(ev.GroupChanged(group_id, removed=True))
        return group

    def set_group_label(self, group_id: str, label: str | None) -> None:
        """Rename a group for display (None shows its id or kind)."""
        group = self._group(group_id)
        if group.label != label:
            group.label = label
            self._emit(ev.GroupChanged(group_id))

    def set_group_members(self, group_id: str, members: Iterable[str]) -> None:
        """Replace a group's member list (nodes and nested groups, in order)."""
        group = self._group(group_id)
        new = list(members)
        if group.members != new:
            group.members = new
            self._emit(ev.GroupChanged(group_id))

    def _group(self, group_id: str) -> GroupSpec:
        try:
            return self.groups[group_id]
        except KeyError:
            raise FlowError(f"flow '{self.name}' has no group '{group_id}'") from None

    # -- resolution -------------------------------------------------------------------
    def resolve(self, node_id: str) -> Node:
        """Import a node's code (trusted flows only) and refresh its ports."""
        spec = self._node(node_id)
        if spec.node is not None:
            return spec.node
        try:
            obj = resolve_ref(spec.ref, self.search_paths)
        except ReferenceResolutionError as exc:
            spec.error = str(exc)
            raise ReferenceResolutionError(spec.ref, f"node '{node_id}': {exc.reason}") from exc
        if not isinstance(obj, Node):
            spec.error = f"'{spec.ref}' is a {type(obj).__name__}, not an @node function"
            raise ReferenceResolutionError(spec.ref, f"node '{node_id}': {spec.error}")
        spec.node, spec.error = obj, None
        ins, outs = shared_ports(obj)
        spec.inputs = merged_ports(spec.input_view, ins)
        spec.outputs = merged_ports(spec.output_view, outs)
        spec.doc = obj.doc
        return obj

    def resolve_all(self) -> list[str]:
        """Resolve every node; return the ids of those that stay placeholders."""
        failed = []
        for node_id in self.nodes:
            try:
                self.resolve(node_id)
            except ReferenceResolutionError:
                failed.append(node_id)
        return failed

    # -- order ------------------------------------------------------------------------
    def topological_order(self) -> list[str]:
        """Node ids in run order: edges first, then insertion order (stable)."""
        index = {n: i for i, n in enumerate(self.nodes)}
        order = self._graph.topological(index.__getitem__)
        if order is None:
            cycle = nx.find_cycle(self.graph())
            path = " -> ".join([a for a, _ in cycle] + [cycle[0][0]])
            raise CycleError(f"flow '{self.name}' has a cycle: {path}")
        return order

    def graph(self) -> nx.DiGraph:
        """A copy of the node graph (node ids, one edge per wired pair)."""
        return self._graph.to_networkx()

    # -- the rest lives in sibling modules --------------------------------------------
    def inputs(self) -> list[str]:
        """Parameters nothing inside the flow fills: each item must provide them."""
        return bound("flow.inputs")(self)

    def validate(self, resolve: bool = True) -> list[Problem]:
        """Return the problems of this flow: no errors when it can run (infos name its
        flow inputs). See `aetherflow.graph.validate`."""
        return bound("flow.validate")(self, resolve=resolve)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the flow as a ``.aflow`` file, atomically."""
        bound("flow.save")(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Flow:
        """Read a ``.aflow`` file. Never imports or runs code."""
        return bound("flow.load")(path)

    def to_dict(self) -> dict[str, Any]:
        """The flow as the JSON document of the file format."""
        return bound("flow.to_dict")(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "<dict>") -> Flow:
        return bound("flow.from_dict")(data, origin)

    def run(self, items: Any = None, **options: Any) -> Any:
        """Run the flow over ``items`` on worker threads; see `aetherflow.runtime.executor`."""
        return bound("flow.run")(self, items, **options)

    def start(self, items: Any = None, **options: Any) -> Any:
        """Start a run in the background and return its handle."""
        return bound("flow.start")(self, items, **options)

    @bulk
    def copy(self) -> Flow:
        """A deep copy without listeners; resolved nodes are shared, not copied."""
        listeners, self._listeners = self._listeners, []
        nodes = {k: v.node for k, v in self.nodes.items()}
        for v in self.nodes.values():
            v.node = None
        ctx, self._context_obj = self._context_obj, None
        try:
            dup = copy.deepcopy(self)
        finally:
            self._listeners = listeners
            self._context_obj = ctx
            for k, v in self.nodes.items():
                v.node = nodes[k]
        for k, v in dup.nodes.items():
            v.node = nodes[k]
        dup._context_obj = ctx
        return dup

    def __repr__(self) -> str:
        return f"Flow({self.name!r}, nodes={len(self.nodes)}, edges={len(self.edges)})"
