"""`FlowDocument`: the one place where the Studio edits a `Flow`, through undo commands."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import networkx as nx
from aetherflow import Flow, GroupSpec, Node, NodeSpec, PortRef
from aetherflow.graph import events as ev
from aetherflow.graph.model import unique_id
from aetherflow.node import MISSING
from aetherflow.policy import checked_fields
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from . import commands as cmd
from . import design_commands as dcmd
from .arrange import snapped
from .breakpoints import Breakpoints
from .fragments import (
    copy_spec,
    fragment_text,
    parse_fragment,
    resolve_loaded,
    resolve_or_none,
    spec_from_node,
)
from .layout import Size, estimated_size, layered_positions
from .typecheck import types_compatible

CLEAR: Any = MISSING
"""Pass as the value of `FlowDocument.set_constant` to remove the constant."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}s" if n != 1 else word


class FlowDocument(QObject):
    """A `Flow` being edited, with its undo stack, file path and dirty state.

    Every edit is one undo command named verb + object; the flow's change events are
    re-emitted as ``model_changed`` for views.

    Signals
    -------
    model_changed(object)
        One `aetherflow.graph.events.FlowEvent` after every change of the flow.
    dirty_changed(bool)
        True when the flow differs from the last saved state.
    path_changed(str)
        The file the document was saved to or loaded from.
    """

    model_changed = Signal(object)
    dirty_changed = Signal(bool)
    path_changed = Signal(str)

    def __init__(
        self,
        flow: Flow | None = None,
        path: str | None = None,
        parent: QObject | None = None,
        *,
        trusted: bool = False,
    ) -> None:
        super().__init__(parent)
        self._flow = flow if flow is not None else Flow("untitled")
        self._path = path if path is not None else self._flow.path
        self._trusted = trusted
        self.snap_to_grid = False  # drags end on the grid (View > Snap to Grid)
        self._stack = QUndoStack(self)
        self._stack.cleanChanged.connect(self._on_stack_clean_changed)
        self._breakpoints = Breakpoints(self)
        self._flow.subscribe(self._on_flow_event)

    # -- state ------------------------------------------------------------------------
    @property
    def flow(self) -> Flow:
        return self._flow

    @property
    def undo_stack(self) -> QUndoStack:
        """The stack; the window builds its Undo/Redo actions from it."""
        return self._stack

    @property
    def path(self) -> str | None:
        return self._path

    @property
    def breakpoints(self) -> Breakpoints:
        """The nodes runs stop at (session state: not saved, not undoable)."""
        return self._breakpoints

    @property
    def is_dirty(self) -> bool:
        return not self._stack.isClean()

    @property
    def trusted(self) -> bool:
        """Whether node code may be imported (the user trusts the file or its folder)."""
        return self._trusted

    def close(self) -> None:
        """Stop listening to the flow (the document is no longer used)."""
        try:
            self._flow.unsubscribe(self._on_flow_event)
        except ValueError:
            pass  # already closed

    def undo(self) -> None:
        self._stack.undo()

    def redo(self) -> None:
        self._stack.redo()

    # -- files ------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, trusted: bool = False) -> FlowDocument:
        """Open a ``.aflow`` file (never imports node code unless ``trusted``)."""
        flow = Flow.load(path)
        doc = cls(flow, os.fspath(path), trusted=False)
        if trusted:
            doc.set_trusted(True)
        return doc

    def save(self, path: str | os.PathLike[str] | None = None) -> str:
        """Write the flow to ``path`` (default: the current path) and mark it saved."""
        target = os.fspath(path) if path is not None else self._path
        if not target:
            raise ValueError("the document has no file yet: pass a path")
        self._flow.save(target)
        self.mark_saved(target)
        return target

    def mark_saved(self, path: str | os.PathLike[str] | None = None) -> None:
        """Record that the flow was written (to ``path``): it is clean from here on."""
        self._stack.setClean()
        if path is not None and os.fspath(path) != self._path:
            self._path = os.fspath(path)
            self._flow.path = self._path
            self.path_changed.emit(self._path)

    def set_trusted(self, trusted: bool) -> list[str]:
        """Allow (or forbid) importing node code; resolving refreshes ports of every node.

        Returns the ids of the nodes that stay placeholders.
        """
        self._trusted = trusted
        if not trusted:
            return []
        failed = self._flow.resolve_all()
        for node_id in self._flow.nodes:
            self.model_changed.emit(ev.NodeChanged(node_id, "ports", None))
        return failed

    def reload_nodes(self, ids: Iterable[str]) -> dict[str, tuple[list[str], list[str]]]:
        """Import the nodes ``ids`` again (their module was reloaded) and refresh their
        ports; constants and wires stay as they are (validation reports the ones that no
        longer fit). Not an undo step: the code changed, not the flow. Returns ``{node:
        (ports added, ports removed)}`` for the nodes whose ports changed."""
        changed = {}
        for node_id in ids:
            spec = self._flow.nodes[node_id]
            before = set(spec.input_names) | {f"→{o}" for o in spec.output_names}
            spec.node = None
            try:
                self._flow.resolve(node_id)
            except Exception:  # a placeholder now; its error says why
                pass
            after = set(spec.input_names) | {f"→{o}" for o in spec.output_names}
            if before != after:
                changed[node_id] = (sorted(after - before), sorted(before - after))
            self.model_changed.emit(ev.NodeChanged(node_id, "ports", None))
        return changed

    # -- nodes ------------------------------------------------------------------------
    def add_node(
        self,
        node_or_ref: Node | NodeSpec | str | Callable[..., Any],
        position: tuple[float, float] = (0.0, 0.0),
        **constants: Any,
    ) -> str:
        """Add one node and return its new id ("Add node").

        Parameters
        ----------
        node_or_ref
            A `Node` (or plain function); a `NodeSpec` used as a template (copied, its id
            made unique); or a ``module:qualname`` string. A string is resolved for its
            ports only when the document is trusted or its module is already imported;
            otherwise the node is added without ports until the file is trusted.
        position
            Top-left corner of the node in scene coordinates.
        constants
            Constant values for the node's inputs.
        """
        spec = self._spec_for(node_or_ref)
        spec.id = unique_id(spec.id or spec.ref.rsplit(":", 1)[-1].rsplit(".", 1)[-1], self._ids())
        spec.position = (float(position[0]), float(position[1]))
        spec.constants.update(constants)
        self._stack.push(cmd.AddNodesCommand(self._flow, [spec], [], [], "Add node"))
        return spec.id

    def _spec_for(self, what: Node | NodeSpec | str | Callable[..., Any]) -> NodeSpec:
        if isinstance(what, NodeSpec):
            return copy_spec(what)
        if isinstance(what, str):
            paths = self._flow.search_paths
            node = resolve_or_none(what, paths) if self._trusted else resolve_loaded(what, paths)
            if node is None:  # trusted but unresolvable: a placeholder that keeps its data
                error = f"cannot import '{what}'" if self._trusted else None
                return NodeSpec(id="", ref=what, error=error)
            what = node
        spec = spec_from_node(what if isinstance(what, Node) else Node(what))
        spec.id = ""
        return spec

    def _ids(self) -> set[str]:
        return set(self._flow.nodes) | set(self._flow.groups)

    def remove_nodes(self, ids: Iterable[str]) -> None:
        """Delete nodes with their edges ("Delete 2 nodes"); undo restores edges and frames."""
        self.remove_items(node_ids=ids)

    def remove_items(
        self,
        node_ids: Iterable[str] = (),
        edges: Iterable[tuple[str, str]] = (),
        group_ids: Iterable[str] = (),
    ) -> None:
        """Delete nodes, edges ``(source, target)`` and groups in one undo step."""
        nodes = [i for i in dict.fromkeys(node_ids) if i in self._flow.nodes]
        existing = {(e.source, e.target) for e in self._flow.edges}
        wires = [e for e in dict.fromkeys(edges) if e in existing]
        groups = [g for g in dict.fromkeys(group_ids) if g in self._flow.groups]
        if not (nodes or wires or groups):
            return
        if nodes:
            text = f"Delete {_plural(len(nodes), 'node')}"
        elif wires:
            text = f"Delete {_plural(len(wires), 'connection')}"
        else:
            text = f"Delete {_plural(len(groups), 'frame')}"
        self._stack.push(cmd.RemoveCommand(self._flow, nodes, wires, groups, text))

    def move_nodes(
        self,
        positions: dict[str, tuple[float, float]],
        *,
        join: dict[str, str] | None = None,
        leave: dict[str, Iterable[str]] | None = None,
    ) -> None:
        """Set node positions in one undo step ("Move 3 nodes"); call once per drag.

        ``join`` maps a node to the comment frame it was dropped into, ``leave`` a node to
        the comment frames it was dragged out of; both change in the same step ("Move node
        into 'Ingest'"). Joining a frame takes the node out of the other comment frames
        that list it (unless it is their last member). Control groups keep their members.
        """
        if self.snap_to_grid:
            positions = snapped(positions)
        moved = {
            k: (float(p[0]), float(p[1]))
            for k, p in positions.items()
            if k in self._flow.nodes and self._flow.nodes[k].position != (p[0], p[1])
        }
        members, joined, left = self._regrouped(join or {}, leave or {})
        if not (moved or members):
            return
        n = len(moved) or len({i for ids in joined.values() for i in ids} | left.keys())
        text = f"Move {_plural(n, 'node')}"
        if len(joined) == 1:
            text += f" into '{self.frame_name(next(iter(joined)))}'"
        elif not joined and len({g for gs in left.values() for g in gs}) == 1:
            text += f" out of '{self.frame_name(next(iter(left.values()))[0])}'"
        self._stack.push(cmd.MoveNodesCommand(self._flow, moved, text, members))

    def arrange_nodes(self, positions: dict[str, tuple[float, float]], text: str) -> None:
        """Set node positions in one undo step named ``text`` ("Align Left", "Snap to
        Grid"); nothing is pushed when no node moves."""
        nodes = self._flow.nodes
        moved = {k: (float(p[0]), float(p[1])) for k, p in positions.items()
                 if k in nodes and nodes[k].position != (float(p[0]), float(p[1]))}  # fmt: skip
        if moved:
            self._stack.push(cmd.MoveNodesCommand(self._flow, moved, text))

    def _regrouped(
        self, join: dict[str, str], leave: dict[str, Iterable[str]]
    ) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
        """(new member lists of the changed frames, frame -> nodes joined, node -> frames left)."""
        groups, nodes = self._flow.groups, self._flow.nodes
        frames = {gid for gid, g in groups.items() if g.kind == "frame"}
        new: dict[str, list[str]] = {}
        joined: dict[str, list[str]] = {}
        left: dict[str, list[str]] = {}

        def members(gid: str) -> list[str]:
            return new.setdefault(gid, list(groups[gid].members))

        def drop(node_id: str, gid: str) -> None:
            if node_id in members(gid):
                members(gid).remove(node_id)
                left.setdefault(node_id, []).append(gid)

        for node_id, gid in join.items():
            if node_id not in nodes or gid not in frames or node_id in members(gid):
                continue
            members(gid).append(node_id)
            joined.setdefault(gid, []).append(node_id)
            for other in frames - {gid}:
                if node_id in groups[other].members and len(members(other)) > 1:
                    drop(node_id, other)
        for node_id, gids in leave.items():
            for gid in gids:
                if gid in frames and join.get(node_id) != gid:
                    drop(node_id, gid)
        changed = {g: m for g, m in new.items() if m != groups[g].members}
        return changed, joined, left

    def set_constant(self, node_id: str, name: str, value: Any = CLEAR) -> None:
        """Set a node's constant ("Set constant"); `CLEAR` removes it ("Clear constant")."""
        spec = self._flow.node(node_id)
        old = spec.constants.get(name, MISSING)
        if old is value or (old is not MISSING and value is not MISSING and old == value):
            return
        text = "Clear constant" if value is MISSING else "Set constant"
        self._stack.push(cmd.SetConstantCommand(self._flow, node_id, name, value, text))

    def set_policy(self, node_id: str, name: str, value: Any) -> None:
        """Save a node's timeout or retry field ("Set timeout"); None clears it, so the
        ``@node`` decorator's value applies again ("Clear timeout").

        Raises
        ------
        ValueError
            A value out of range, naming the node and the field (nothing is pushed).
        """
        if self._flow.node(node_id).policy.get(name) == value:
            return
        if value is not None:  # check it before an undo step exists
            checked_fields({name: value}, f"node '{node_id}'")
        self._stack.push(cmd.SetPolicyCommand(self._flow, node_id, name, value))

    def set_label(self, node_id: str, label: str | None) -> None:
        """Rename a node for display ("Rename node"); None or "" shows its id again."""
        label = label or None
        if self._flow.node(node_id).label != label:
            old = self._flow.nodes[node_id].label
            self._stack.push(
                cmd.SetValueCommand(
                    "Rename node", partial(self._flow.set_label, node_id), old, label
                )
            )

    def set_scope(self, service: str, scope: str) -> None:
        """Switch a service to "shared" or "isolated" ("Switch db_pool to isolated")."""
        if service not in self._flow.services or scope not in ("shared", "isolated"):
            self._flow.set_scope(service, scope)  # raises the engine's readable ScopeError
        if self._flow.services[service].scope != scope:
            old = self._flow.services[service].scope
            apply = partial(self._flow.set_scope, service)
            self._stack.push(cmd.SetValueCommand(f"Switch {service} to {scope}", apply, old, scope))

    # -- designing: settings, source, the flow's own services --------------------------
    def set_flow_settings(self, settings: dcmd.FlowSettings) -> None:
        """Name, description, context, source and run input ("Edit flow settings")."""
        if settings != dcmd.settings_of(self._flow) or (
            settings.context_class is not None
            and settings.context_class is not self._flow._context_obj
        ):
            self._stack.push(dcmd.SetFlowSettingsCommand(self._flow, settings))

    def set_source(self, node_id: str | None) -> None:
        """Make a node the flow's source ("Use urls as source"); None clears it."""
        if node_id is not None:
            self._flow.node(node_id)  # raises naming the missing node
        if self._flow.source != node_id:
            self._stack.push(dcmd.SetSourceCommand(self._flow, node_id))

    def add_service(
        self, name: str, factory: str, scope: str = "isolated", constants: dict | None = None
    ) -> None:
        """Declare a service of the flow itself ("Add service counter"); an entry of that
        name from the context is replaced. Bad names, factories or scopes raise."""
        spec = Flow("check").add_service(name, factory, scope, **(constants or {}))
        if name in self._flow.services and self._flow.services[name].local:
            raise ValueError(f"the flow already declares a service '{name}'")
        self._stack.push(dcmd.PutServiceCommand(self._flow, spec, f"Add service {name}"))

    def edit_service(
        self, name: str, factory: str, scope: str, constants: dict | None = None
    ) -> None:
        """Change a flow service's factory, scope or constants ("Edit service counter")."""
        spec = Flow("check").add_service(name, factory, scope, **(constants or {}))
        old = self._flow.services[name]
        if (old.factory, old.scope, old.constants, old.local) != (
            spec.factory,
            spec.scope,
            spec.constants,
            True,
        ):
            self._stack.push(dcmd.PutServiceCommand(self._flow, spec, f"Edit service {name}"))

    def rename_service(self, old: str, new: str) -> None:
        """Rename a flow service ("Rename service cache to memo"); nodes' inputs keep
        their names, so a node that used it no longer does."""
        new = new.strip()
        spec = self._flow.services.get(old)
        if spec is None or not spec.local:
            raise ValueError(f"'{old}' is not a service of this flow (context services keep "
                             "the names their code gives them)")  # fmt: skip
        if not new.isidentifier() or (new != old and new in self._flow.services):
            raise ValueError(f"cannot rename service '{old}' to {new!r}: not a Python "
                             "identifier, or taken")  # fmt: skip
        if new != old:
            self._stack.push(dcmd.RenameServiceCommand(self._flow, old, new))

    def remove_service(self, name: str) -> None:
        """Remove a service entry ("Remove service cache")."""
        if name not in self._flow.services:
            raise ValueError(f"the flow has no service '{name}'")
        self._stack.push(dcmd.RemoveServiceCommand(self._flow, name))

    # -- edges ------------------------------------------------------------------------
    def can_connect(self, source: str, target: str) -> str | None:
        """None when ``source`` ("node.output") may feed ``target`` ("node.input"), else why not."""
        reason = self._port_problem(source, target)
        if reason:
            return reason
        src, dst = PortRef.parse(source).node, PortRef.parse(target).node
        if self._flow.would_cycle(src, dst):
            return f"would create a cycle: '{dst}' already feeds '{src}'"
        return None

    def _port_problem(self, source: str, target: str, wired: set[str] | None = None) -> str | None:
        """Every check but the cycle one; ``wired``: the wired inputs, when known."""
        flow = self._flow
        try:
            (src_id, out), (dst_id, inp) = PortRef.parse(source), PortRef.parse(target)
        except ValueError:
            return "ports look like 'node.port'"
        src, dst = flow.nodes.get(src_id), flow.nodes.get(dst_id)
        if src is None or dst is None:
            return f"no node '{src_id if src is None else dst_id}'"
        if src.outputs and src.output(out) is None:
            return f"'{src_id}' has no output '{out}'"
        if dst.inputs and dst.input(inp) is None:
            return f"'{dst_id}' has no input '{inp}'"
        if (target in wired) if wired is not None else any(e.target == target for e in flow.edges):
            return f"input '{target}' is already wired; disconnect it first"
        out_spec, in_spec = src.output(out), dst.input(inp)
        s_type = out_spec.type if out_spec else None
        d_type = in_spec.type if in_spec else None
        if not types_compatible(s_type, d_type):
            return f"type mismatch: '{source}' gives {s_type}, '{target}' takes {d_type}"
        return None

    def connectable_targets(self, source: str) -> set[str]:
        """Every input ``"node.port"`` that ``source`` may feed (one graph walk for all)."""
        return self._connectable(source, outgoing=True)

    def connectable_sources(self, target: str) -> set[str]:
        """Every output ``"node.port"`` that may feed ``target`` (one graph walk for all)."""
        return self._connectable(target, outgoing=False)

    def _connectable(self, ref: str, outgoing: bool) -> set[str]:
        """The ports at the other end of every wire ``ref`` may take: inputs it may feed
        (``outgoing``), else outputs that may feed it. Nodes that would close a cycle
        (upstream of a source, downstream of a target) are skipped in one graph walk."""
        node = PortRef.parse(ref).node
        if node not in self._flow.nodes:
            return set()
        graph = self._flow.graph()
        skipped = (nx.ancestors(graph, node) if outgoing else nx.descendants(graph, node)) | {node}
        wired = {e.target for e in self._flow.edges}
        found = set()
        for node_id, spec in self._flow.nodes.items():
            if node_id in skipped:
                continue
            for port in spec.inputs if outgoing else spec.outputs:
                other = str(PortRef(node_id, port.name))
                source, target = (ref, other) if outgoing else (other, ref)
                if self._port_problem(source, target, wired) is None:
                    found.add(other)
        return found

    def connect(self, source: str, target: str) -> str | None:
        """Wire ``source`` into ``target`` ("Connect"); return None, or why it was refused."""
        reason = self.can_connect(source, target)
        if reason is None:
            self._stack.push(cmd.ConnectCommand(self._flow, source, target))
        return reason

    def insert_node_on_edge(
        self, node_or_ref: Any, position: tuple[float, float], source: str, target: str
    ) -> str:
        """Put a new node into the wire source -> target ("Insert node"): the wire's source
        feeds the node's first input that accepts it, and the node's first output that
        fits feeds the wire's target. Ends that fit nowhere stay unwired."""
        self._stack.beginMacro("Insert node")
        try:
            node_id = self.add_node(node_or_ref, position)
            self.disconnect(source, target)
            spec = self._flow.nodes[node_id]
            for port in spec.input_names:
                if self.connect(source, f"{node_id}.{port}") is None:
                    break
            for port in spec.output_names:
                if self.connect(f"{node_id}.{port}", target) is None:
                    break
        finally:
            self._stack.endMacro()
        return node_id

    def disconnect(self, source: str, target: str) -> None:
        """Remove one edge ("Delete connection")."""
        self.remove_items(edges=[(source, target)])

    # -- frames -----------------------------------------------------------------------
    def add_frame(self, ids: Iterable[str], label: str = "Frame") -> str:
        """Put a comment frame around nodes ("Add frame"); return the frame's id."""
        members = [i for i in dict.fromkeys(ids) if i in self._flow.nodes or i in self._flow.groups]
        gid = unique_id("frame", self._ids())
        group = GroupSpec(gid, "frame", members, label)
        self._stack.push(cmd.AddGroupCommand(self._flow, group, "Add frame"))
        return gid

    def move_frame(self, group_id: str, offset: tuple[float, float]) -> None:
        """Move a frame (or a control group) with every node inside it, nested groups
        included, by ``offset`` in one undo step ("Move frame 'Ingest'")."""
        dx, dy = float(offset[0]), float(offset[1])
        if group_id not in self._flow.groups or (dx, dy) == (0.0, 0.0):
            return
        nodes = self._flow.nodes
        positions = {
            i: (nodes[i].position[0] + dx, nodes[i].position[1] + dy)
            for i in self.frame_node_ids(group_id)
        }
        if positions:
            text = f"Move frame '{self.frame_name(group_id)}'"
            self._stack.push(cmd.MoveNodesCommand(self._flow, positions, text))

    def frame_node_ids(self, group_id: str) -> list[str]:
        """The nodes inside a group, those of nested groups included."""
        groups, nodes = self._flow.groups, self._flow.nodes
        found: dict[str, None] = {}
        seen: set[str] = set()
        todo = [group_id]
        while todo:
            gid = todo.pop()
            if gid in seen or gid not in groups:
                continue
            seen.add(gid)
            for m in groups[gid].members:
                if m in nodes:
                    found[m] = None
                elif m in groups:
                    todo.append(m)
        return list(found)

    def frame_name(self, group_id: str) -> str:
        """A group's label, or its id when it has none (for command names)."""
        group = self._flow.groups[group_id]
        return group.label or group.id

    def set_frame_label(self, group_id: str, label: str | None) -> None:
        """Rename a frame or control group ("Rename frame"); None or "" clears the label."""
        if group_id not in self._flow.groups:
            raise KeyError(f"no frame '{group_id}'")
        label = (label or "").strip() or None
        if self._flow.groups[group_id].label != label:
            old = self._flow.groups[group_id].label
            apply = partial(self._flow.set_group_label, group_id)
            self._stack.push(cmd.SetValueCommand("Rename frame", apply, old, label))

    def remove_frame(self, group_id: str) -> None:
        """Remove a frame (or any group); its nodes stay ("Delete frame")."""
        self.remove_items(group_ids=[group_id])

    # -- clipboard --------------------------------------------------------------------
    def copy_fragment(self, ids: Iterable[str]) -> str:
        """JSON text of the nodes, the edges among them and their frames (for the clipboard)."""
        return fragment_text(self._flow, list(dict.fromkeys(ids)))

    def paste_fragment(
        self,
        text: str,
        offset: tuple[float, float] = (40.0, 40.0),
        at: tuple[float, float] | None = None,
    ) -> list[str]:
        """Add the nodes of a fragment with fresh ids ("Paste 4 nodes"); return the new ids.

        Positions move by ``offset``, or the fragment's top-left lands on ``at`` when given.
        Text that is not a fragment adds nothing and returns [].
        """
        part = parse_fragment(text)
        if part is None or not part.nodes:
            return []
        specs = list(part.nodes.values())
        if at is not None:
            left = min(s.position[0] for s in specs)
            top = min(s.position[1] for s in specs)
            offset = (at[0] - left, at[1] - top)
        taken, renamed = self._ids(), {}
        for spec in specs:
            renamed[spec.id] = spec.id = unique_id(spec.id, taken)
            taken.add(spec.id)
            spec.position = (spec.position[0] + offset[0], spec.position[1] + offset[1])
            spec.node = self._live_node(spec.ref) if spec.error is None else None
        edges = [(_rename(e.source, renamed), _rename(e.target, renamed)) for e in part.edges]
        edges = [(s, t) for s, t in edges if s and t]
        groups = []
        for frame in part.groups.values():
            gid = unique_id(frame.id or "frame", taken)
            taken.add(gid)
            members = [renamed[m] for m in frame.members if m in renamed]
            groups.append(GroupSpec(gid, "frame", members, frame.label))
        text = f"Paste {_plural(len(specs), 'node')}"
        self._stack.push(cmd.AddNodesCommand(self._flow, specs, edges, groups, text))
        return [s.id for s in specs]

    def _live_node(self, ref: str) -> Node | None:
        paths = self._flow.search_paths
        return resolve_or_none(ref, paths) if self._trusted else resolve_loaded(ref, paths)

    def duplicate(self, ids: Iterable[str]) -> list[str]:
        """Copy and paste nodes next to themselves in one step ("Duplicate 2 nodes")."""
        new_ids = self.paste_fragment(self.copy_fragment(ids), offset=(40.0, 40.0))
        if new_ids:
            self._stack.command(self._stack.index() - 1).setText(
                f"Duplicate {_plural(len(new_ids), 'node')}"
            )
        return new_ids

    # -- layout -----------------------------------------------------------------------
    def auto_layout(
        self,
        ids: Iterable[str] | None = None,
        size_of: Callable[[NodeSpec], Size] | None = None,
    ) -> None:
        """Arrange nodes in layers from left to right ("Auto-layout"), as one undo step.

        ``size_of(spec) -> (width, height)`` gives real node sizes (the canvas passes it).
        """
        nodes = self._flow.nodes
        chosen = list(nodes) if ids is None else [i for i in ids if i in nodes]
        positions = layered_positions(self._flow, chosen, size_of or estimated_size)
        moved = {k: p for k, p in positions.items() if self._flow.nodes[k].position != p}
        if moved:
            self._stack.push(cmd.MoveNodesCommand(self._flow, moved, "Auto-layout"))

    # -- handlers ---------------------------------------------------------------------
    def _on_flow_event(self, event: ev.FlowEvent) -> None:
        if isinstance(event, ev.NodeRemoved):
            self._breakpoints.remove(event.node_id)
        self.model_changed.emit(event)

    def _on_stack_clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)


def _rename(port_ref: str, renamed: dict[str, str]) -> str | None:
    node_id, port = PortRef.parse(port_ref)
    return str(PortRef(renamed[node_id], port)) if node_id in renamed else None
