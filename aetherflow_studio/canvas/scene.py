"""`FlowScene`: draws a `FlowDocument`'s flow and turns gestures into document edits.

The scene first replays the flow's nodes, edges and groups, then follows the document's
``model_changed`` events. Items hold only visual state; the model is the only truth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from aetherflow import GroupSpec, PortRef
from aetherflow.graph import events as ev
from aetherflow.graph.bulk import bulk
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QMenu,
    QToolTip,
)

from ..document import FlowDocument
from . import style
from .edge_item import EdgeItem, WireItem
from .frame_item import FrameItem, FrameTitleEditor, frame_rect_around
from .node_item import NodeItem
from .overview_item import OverviewItem
from .wire_values import WireValues

EdgeKey = tuple[str, str]
OVERLAY_STATES = ("idle", "running", "failed", "ok", "race")
_NO_CACHE = QGraphicsItem.CacheMode.NoCache
_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


class FlowScene(QGraphicsScene):
    """The items of one document's flow.

    Signals
    -------
    status_message(str)
        A short message for the status bar (e.g. why a connection was refused).
    selected_nodes_changed(list)
        The ids of the selected nodes, after each selection change.
    node_activated(str)
        A node was double-clicked (the window may focus the inspector on it).
    """

    status_message = Signal(str)
    selected_nodes_changed = Signal(list)
    node_activated = Signal(str)

    def __init__(self, document: FlowDocument, parent: Any = None) -> None:
        super().__init__(parent)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self._doc = document
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[EdgeKey, EdgeItem] = {}
        self.frame_items: dict[str, FrameItem] = {}
        self._edges_at: dict[str, set[EdgeKey]] = defaultdict(set)
        self._wire: WireItem | None = None
        self._wire_from: tuple[str, str, str] | None = None  # node id, "in"|"out", port
        self._wire_ok: set[str] = set()
        self._frame_drag: tuple[str, dict[str, QPointF]] | None = None  # frame, start positions
        self._title_editor: FrameTitleEditor | None = None
        self._caching = True
        self._overview_on = False
        self._overview = OverviewItem(self)
        self.addItem(self._overview)
        self.node_actions: list[QAction] = []  # a node's right-click menu (act on the selection)
        self.values = WireValues(self)  # values on wires: hover tooltips, watch badges
        # Right-click menus: ``builder(menu, node_id)`` adds entries for one node after
        # ``node_actions``; the canvas and wire builders get the click's scene position
        # and the wire's (source, target).
        self.node_menu_builders: list[Callable[[QMenu, str], None]] = []
        self.canvas_menu_builders: list[Callable[[QMenu, QPointF], None]] = []
        self.edge_menu_builders: list[Callable[[QMenu, EdgeKey], None]] = []
        self._replay()
        document.model_changed.connect(self._on_document_model_changed)
        document.breakpoints.changed.connect(self._on_breakpoints_changed)
        self.selectionChanged.connect(self._on_selection_changed)
        style.on_palette_changed(self._on_palette_changed)

    @property
    def document(self) -> FlowDocument:
        return self._doc

    # -- building ---------------------------------------------------------------------
    @bulk
    def _replay(self) -> None:
        """Items for the whole flow (the cyclic collector paused meanwhile, as for the
        engine's own bulk steps: thousands of items and no garbage)."""
        flow = self._doc.flow
        wired: dict[str, set[str]] = defaultdict(set)
        for e in flow.edges:
            wired[e.target_node].add(e.target_port)
        for node_id, spec in flow.nodes.items():
            item = NodeItem(spec, flow.services, wired[node_id])
            item.set_source(flow.source == node_id)
            self.node_items[node_id] = item
            self.addItem(item)
        for e in flow.edges:
            self._add_edge(e.source, e.target)
        self._sync_frames()
        for node_id in self._doc.breakpoints.mapping():
            self._on_breakpoints_changed(node_id)

    def _add_node(self, node_id: str) -> None:
        flow = self._doc.flow
        wired = {e.target_port for e in flow.edges_into(node_id)}
        item = NodeItem(flow.nodes[node_id], flow.services, wired)
        item.set_source(flow.source == node_id)
        if not self._caching:
            item.setCacheMode(_NO_CACHE)
        item.setFlag(_NO_CONTENTS, self._overview_on)
        self.node_items[node_id] = item
        self.addItem(item)
        self._overview.invalidate()
        self._on_breakpoints_changed(node_id)

    def _refresh_node(self, node_id: str) -> None:
        item = self.node_items.get(node_id)
        if item is None:
            return
        flow = self._doc.flow
        mine = node_id + "."
        wired = {t[len(mine) :] for _, t in self._edges_at[node_id] if t.startswith(mine)}
        item.refresh(flow.nodes[node_id], flow.services, wired)
        item.set_source(flow.source == node_id)
        item.update()
        self._update_edges_of(node_id)

    def _add_edge(self, source: str, target: str) -> None:
        src, dst = PortRef.parse(source), PortRef.parse(target)
        a, b = self.node_items.get(src[0]), self.node_items.get(dst[0])
        if a is None or b is None or (source, target) in self.edge_items:
            return
        spec = next((p for p in self._doc.flow.nodes[dst[0]].input_view if p.name == dst[1]), None)
        type_name = a.output_type(src[1]) or (spec.type if spec else None)
        if type_name and not a.output_type(src[1]) and src[1] not in a.output_hints:
            a.output_hints[src[1]] = type_name
            a.changed()
        item = EdgeItem(source, target, type_name)
        item.setFlag(_NO_CONTENTS, self._overview_on)
        item.set_ends(a.output_pos(src[1]), b.input_pos(dst[1]))
        self.edge_items[item.key] = item
        self._edges_at[src[0]].add(item.key)
        self._edges_at[dst[0]].add(item.key)
        self.addItem(item)
        self._overview.invalidate()

    def _remove_edge(self, key: EdgeKey) -> None:
        item = self.edge_items.pop(key, None)
        if item is None:
            return
        self._overview.invalidate()
        for port in key:
            self._edges_at[PortRef.parse(port).node].discard(key)
        self.removeItem(item)
        node_id, port = PortRef.parse(key[0])
        source = self.node_items.get(node_id)
        if source is not None and source.output_hints.pop(port, None):
            left = [self.edge_items[k].type_name for k in self._edges_at[node_id] if k[0] == key[0]]
            if any(left):
                source.output_hints[port] = next(t for t in left if t)
            source.changed()

    def _update_edges_of(self, node_id: str) -> None:
        self._overview.invalidate()  # the node moved or changed: so did its box
        for key in self._edges_at.get(node_id, ()):
            item = self.edge_items[key]
            (sn, sp), (tn, tp) = PortRef.parse(key[0]), PortRef.parse(key[1])
            item.set_ends(self.node_items[sn].output_pos(sp), self.node_items[tn].input_pos(tp))

    # -- frames -----------------------------------------------------------------------
    def _sync_frames(self) -> None:
        """Match frame items to the flow's groups (membership changes emit no event)."""
        groups = self._doc.flow.groups
        for gid in [g for g in self.frame_items if g not in groups]:
            self.removeItem(self.frame_items.pop(gid))
        depth = _group_depths(groups)
        for gid, group in groups.items():
            item = self.frame_items.get(gid)
            if item is None:
                item = self.frame_items[gid] = FrameItem(group, depth[gid])
                self.addItem(item)
            else:
                item.update_group(group)
                item.set_depth(depth[gid])
        self._layout_frames(groups)

    def _layout_frames(self, groups: dict[str, GroupSpec], only: set[str] | None = None) -> None:
        done: dict[str, QRectF] = {}

        def rect_of(gid: str) -> QRectF:
            if gid not in done:
                done[gid] = QRectF()  # guards against a group that contains itself
                content = QRectF()
                for m in groups[gid].members:
                    if m in self.node_items:
                        node = self.node_items[m]
                        content = content.united(QRectF(node.pos(), QPointF(*_far(node))))
                    elif m in groups:
                        content = content.united(rect_of(m).adjusted(0, 0, 0, 0))
                self.frame_items[gid].set_content_rect(content)
                done[gid] = self.frame_items[gid].boundingRect()
            return done[gid]

        for gid in groups:
            if only is None or gid in only:
                rect_of(gid)

    def _frames_holding(self, node_id: str) -> set[str]:
        groups = self._doc.flow.groups
        found, frontier = set(), {node_id}
        while frontier:
            new = {g.id for g in groups.values() if frontier & set(g.members)} - found
            found |= new
            frontier = new
        return found

    def _model_frame_rect(
        self, gid: str, excluded: frozenset[str] = frozenset(), seen: frozenset[str] = frozenset()
    ) -> QRectF:
        """Frame ``gid`` where the model has its nodes (so, before a drag is committed),
        without the ``excluded`` nodes; null when nothing is left in it."""
        flow = self._doc.flow
        content = QRectF()
        for m in flow.groups[gid].members:
            if m in self.node_items and m not in excluded:
                w, h = self.node_items[m].size()
                content = content.united(QRectF(*flow.nodes[m].position, w, h))
            elif m in flow.groups and m not in seen:
                content = content.united(self._model_frame_rect(m, excluded, seen | {gid}))
        return frame_rect_around(content)

    def _holders(self, node_id: str, skip: set[str]) -> set[str]:
        """The groups holding a node, directly or through nested groups, ignoring its direct
        membership of the ``skip`` groups."""
        groups = self._doc.flow.groups
        found = {g.id for g in groups.values() if node_id in g.members} - skip
        frontier = set(found)
        while frontier:
            new = {g.id for g in groups.values() if frontier & set(g.members)} - found
            found |= new
            frontier = new
        return found

    def _regrouping(self, moved: set[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Comment frames that dropped nodes join (centre inside) and leave (box fully out).

        Frames are measured as they were before the drag (the dragged nodes stretch them
        while it lasts). A frame whose every node moved just follows them."""
        groups = self._doc.flow.groups
        frames = [g for g, spec in groups.items() if spec.kind == "frame"]
        rects = {g: self._model_frame_rect(g) for g in frames}
        stays = {g for g in frames if not self._model_frame_rect(g, frozenset(moved)).isEmpty()}
        depth = _group_depths(groups)
        join: dict[str, str] = {}
        leave: dict[str, list[str]] = {}
        for node_id in moved:
            item = self.node_items[node_id]
            box = QRectF(item.pos().x(), item.pos().y(), *item.size())
            out = [
                g
                for g in frames
                if node_id in groups[g].members and g in stays and not rects[g].intersects(box)
            ]
            if out:
                leave[node_id] = out
            inside = [g for g in frames if rects[g].contains(box.center())]
            if inside:
                area = {g: rects[g].width() * rects[g].height() for g in inside}
                target = max(inside, key=lambda g: (depth[g], -area[g]))
                if target not in self._holders(node_id, set(out)):
                    join[node_id] = target
        return join, leave

    # -- frame gestures (called by frame items) ----------------------------------------
    def begin_frame_drag(self, group_id: str) -> None:
        """A frame's title was pressed: remember where its nodes start."""
        ids = self._doc.frame_node_ids(group_id)
        starts = {i: self.node_items[i].pos() for i in ids if i in self.node_items}
        self._frame_drag = (group_id, starts)

    def drag_frame(self, group_id: str, delta: QPointF) -> None:
        """Move the frame's nodes live by ``delta``; the model waits for the release."""
        if self._frame_drag is None or self._frame_drag[0] != group_id:
            return
        for node_id, start in self._frame_drag[1].items():
            item = self.node_items.get(node_id)
            if item is not None:
                item.setPos(start + delta)

    def end_frame_drag(self, group_id: str) -> None:
        """Push the whole drag as one "Move frame 'label'"."""
        drag, self._frame_drag = self._frame_drag, None
        if drag is None or drag[0] != group_id or group_id not in self._doc.flow.groups:
            return
        for node_id, start in drag[1].items():
            item = self.node_items.get(node_id)
            if item is not None:
                delta = item.pos() - start
                self._doc.move_frame(group_id, (delta.x(), delta.y()))
                return

    def edit_frame_title(self, group_id: str) -> FrameTitleEditor | None:
        """Open an in-place editor over a frame's title; Enter renames ("Rename frame")."""
        item = self.frame_items.get(group_id)
        views = self.views()
        if item is None or not views:
            return None
        if self._title_editor is not None:
            self._title_editor.finish(True)
        view = views[0]
        rect = view.mapFromScene(item.title_rect()).boundingRect().adjusted(6, 1, -6, -1)
        rect.setWidth(max(rect.width(), 160))
        rect.setHeight(max(rect.height(), 22))
        label = self._doc.flow.groups[group_id].label or ""
        editor = FrameTitleEditor(
            view.viewport(), label, lambda text: self._rename_frame(group_id, text)
        )
        editor.setFont(style.font("title"))
        editor.setGeometry(rect)
        editor.show()
        editor.setFocus(Qt.FocusReason.MouseFocusReason)
        self._title_editor = editor
        return editor

    def _rename_frame(self, group_id: str, text: str) -> None:
        if group_id in self._doc.flow.groups:
            self._doc.set_frame_label(group_id, text)

    def frame_menu(self, group_id: str) -> QMenu:
        """The right-click menu of a frame: Rename…, Remove frame (keep nodes)."""
        kind = self._doc.flow.groups[group_id].kind
        menu = QMenu()
        menu.addAction("Rename…", lambda: self.edit_frame_title(group_id))
        what = "frame" if kind == "frame" else f"{kind} group"
        menu.addAction(f"Remove {what} (keep nodes)", lambda: self._doc.remove_frame(group_id))
        return menu

    def node_menu(self, node_id: str) -> QMenu:
        """The right-click menu of a node: ``node_actions`` (they act on the selection,
        which the right-click made this node unless it was already selected)."""
        menu = QMenu()
        for action in self.node_actions:
            if action.isSeparator():
                menu.addSeparator()
            else:
                menu.addAction(action)
        for build in self.node_menu_builders:
            build(menu, node_id)
        return menu

    def canvas_menu(self, pos: QPointF) -> QMenu:
        """The right-click menu of the empty canvas at scene position ``pos``."""
        menu = QMenu()
        for build in self.canvas_menu_builders:
            build(menu, QPointF(pos))
        return menu

    def edge_menu(self, key: EdgeKey) -> QMenu:
        """The right-click menu of a wire ``(source, target)``: the values' entries
        (Watch value), then the builders'."""
        menu = self.values.edge_menu(key)
        for build in self.edge_menu_builders:
            build(menu, key)
        return menu

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        super().contextMenuEvent(event)  # a frame's title strip answers itself
        if event.isAccepted():
            return
        pos = event.scenePos()
        edge = None if self.node_and_port_at(pos) else self.edge_at(pos)
        if edge is not None:
            self.edge_menu(edge.key).exec(event.screenPos())
            event.accept()
            return
        hit = self.node_and_port_at(pos)
        if hit is not None:
            node_id = hit[0].node_id
            if node_id not in self.selected_node_ids():
                self.select_nodes([node_id])
            menu = self.node_menu(node_id)
            if not menu.isEmpty():
                menu.exec(event.screenPos())
                event.accept()
            return
        inside = [g for g, f in self.frame_items.items() if f.frame_rect().contains(pos)]
        if inside:
            depth = _group_depths(self._doc.flow.groups)
            gid = max(inside, key=lambda g: depth.get(g, 0))
            self.clearSelection()
            self.frame_items[gid].setSelected(True)
            self.frame_menu(gid).exec(event.screenPos())
            event.accept()
            return
        menu = self.canvas_menu(pos)
        if not menu.isEmpty():
            menu.exec(event.screenPos())
            event.accept()

    # -- model events -----------------------------------------------------------------
    def _on_document_model_changed(self, event: ev.FlowEvent) -> None:
        if isinstance(event, ev.NodeChanged):
            if event.field == "position":
                item = self.node_items.get(event.node_id)
                if item is not None:
                    item.setPos(QPointF(*event.value))
            else:
                self._refresh_node(event.node_id)
                self._relayout_frames_of(event.node_id)
        elif isinstance(event, ev.EdgeAdded):
            self._add_edge(event.source, event.target)
            self._refresh_node(PortRef.parse(event.target).node)
        elif isinstance(event, ev.EdgeRemoved):
            self._remove_edge((event.source, event.target))
            self._refresh_node(PortRef.parse(event.target).node)
        elif isinstance(event, ev.NodeAdded):
            self._add_node(event.node_id)
        elif isinstance(event, ev.NodeRemoved):
            item = self.node_items.pop(event.node_id, None)
            if item is not None:
                self.removeItem(item)
                self._overview.invalidate()
            self._sync_frames()
        elif isinstance(event, ev.GroupChanged):
            self._sync_frames()
        elif isinstance(event, ev.ServiceChanged | ev.FlowChanged):
            for node_id in self.node_items:
                self._refresh_node(node_id)

    def edge_at(self, pos: QPointF) -> EdgeItem | None:
        """The wire under ``pos`` (scene coordinates), if any."""
        for item in self.items(pos):
            if isinstance(item, EdgeItem) and not isinstance(item, WireItem):
                return item
        return None

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        text = self.values.tooltip_at(event.scenePos())
        if text is None:
            super().helpEvent(event)
            return
        QToolTip.showText(event.screenPos(), text, event.widget())
        event.accept()

    def _on_breakpoints_changed(self, node_id: str) -> None:
        item = self.node_items.get(node_id)
        if item is None:
            return
        breakpoints = self._doc.breakpoints
        condition = breakpoints.condition(node_id)
        kind = ("conditional" if condition else "always") if node_id in breakpoints else ""
        item.set_breakpoint(kind, condition)

    def set_stopped(self, stopped: dict[str, str]) -> None:
        """Mark the nodes workers wait at (node id -> label such as "Thread-2 · item 17");
        every other node is unmarked."""
        for node_id, item in self.node_items.items():
            item.set_stopped(stopped.get(node_id))

    def _relayout_frames_of(self, node_id: str) -> None:
        holding = self._frames_holding(node_id)
        if holding:
            self._layout_frames(self._doc.flow.groups, holding)

    def node_item_moved(self, item: NodeItem) -> None:
        """Called by a node item while it moves: keep its wires and frames attached."""
        if self.node_items.get(item.node_id) is item:
            self._update_edges_of(item.node_id)
            self._relayout_frames_of(item.node_id)

    def _on_selection_changed(self) -> None:
        self._overview.invalidate()
        self.selected_nodes_changed.emit(self.selected_node_ids())

    def _on_palette_changed(self) -> None:
        self._overview.invalidate()
        for item in self.items():
            item.update()  # node items re-record their drawings for the new palette
        self.update()

    # -- public -----------------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def select_nodes(self, ids: list[str]) -> None:
        """Select exactly these nodes."""
        wanted = set(ids)
        self.blockSignals(True)
        try:
            self.clearSelection()
            for node_id in wanted:
                if node_id in self.node_items:
                    self.node_items[node_id].setSelected(True)
        finally:
            self.blockSignals(False)
        self._on_selection_changed()

    def delete_selected(self) -> None:
        """Delete the selected nodes, wires and frames in one undo step."""
        chosen = self.selectedItems()
        self._doc.remove_items(
            node_ids=[i.node_id for i in chosen if isinstance(i, NodeItem)],
            edges=[i.key for i in chosen if isinstance(i, EdgeItem)],
            group_ids=[i.group_id for i in chosen if isinstance(i, FrameItem)],
        )

    def set_problems(self, node_id: str, problems: list[str]) -> None:
        """Show validation problems on a node (a badge, a red border and a tooltip)."""
        item = self.node_items.get(node_id)
        if item is not None:
            item.set_problems(problems)
            self._overview.invalidate()

    def clear_problems(self) -> None:
        for item in self.node_items.values():
            if item.problems:
                item.set_problems([])
                self._overview.invalidate()

    def set_node_overlay(self, node_id: str, text: str | None, state: str = "idle") -> None:
        """A line under the node (run stats) and a border colour for ``state``:
        "idle", "running", "failed", "ok" or "race" (the race check found its writes)."""
        if state not in OVERLAY_STATES:
            raise ValueError(f"unknown overlay state {state!r}: use one of {OVERLAY_STATES}")
        item = self.node_items.get(node_id)
        if item is not None:
            item.set_overlay(text, state)
            self._overview.invalidate()

    def set_item_caching(self, enabled: bool) -> None:
        """Cache node pixmaps (fast pans) or not (zoomed far out, painting is cheaper than
        re-caching hundreds of items on every zoom step)."""
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache if enabled else _NO_CACHE
        if enabled != self._caching:
            self._caching = enabled
            for item in self.node_items.values():
                item.setCacheMode(mode)

    def set_overview(self, enabled: bool) -> None:
        """Draw the whole flow with one batch item (zoomed out, or while the wheel turns)
        instead of one ``paint()`` per node and wire. The items stay in the scene, keep
        their selection and answer hit tests; only their painting is switched off."""
        if enabled == self._overview_on:
            return
        self._overview_on = enabled
        if enabled:
            self.set_item_caching(False)
        for item in self.node_items.values():
            item.setFlag(_NO_CONTENTS, enabled)
        for edge in self.edge_items.values():
            edge.setFlag(_NO_CONTENTS, enabled)
        self._overview.setVisible(enabled)  # its batches were kept up to date while hidden

    @property
    def overview_on(self) -> bool:
        """Whether the batch item draws the flow (see `set_overview`)."""
        return self._overview_on

    def node_size(self, spec: Any) -> tuple[float, float]:
        """The drawn size of a node (what auto-layout needs)."""
        item = self.node_items.get(spec.id)
        return item.size() if item is not None else (180.0, 60.0)

    def nodes_rect(self, ids: list[str] | None = None) -> QRectF:
        """The scene rect around these nodes (all when None), frames included for all."""
        rect = QRectF()
        if ids is None:
            for f in self.frame_items.values():
                rect = rect.united(f.boundingRect())
        for node_id in self.node_items if ids is None else ids:
            item = self.node_items.get(node_id)
            if item is not None:
                rect = rect.united(item.sceneBoundingRect())
        return rect

    # -- gestures ---------------------------------------------------------------------
    def node_and_port_at(self, pos: QPointF) -> tuple[NodeItem, tuple[str, str] | None] | None:
        """The node under ``pos`` and the port of it there (scene coordinates)."""
        area = QRectF(pos.x() - 12.0, pos.y() - 12.0, 24.0, 24.0)
        nodes = [i for i in self.items(area) if isinstance(i, NodeItem)]
        for node in nodes:
            port = node.port_at(node.mapFromScene(pos))
            if port is not None:
                return node, port
        for node in nodes:
            if node.shape().contains(node.mapFromScene(pos)):
                return node, None
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            hit = self.node_and_port_at(event.scenePos())
            if hit is not None and hit[1] is not None:
                self._start_wire(hit[0], *hit[1], event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._wire is not None:
            self._drag_wire(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._wire is not None:
            self._finish_wire(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.commit_moves()

    def commit_moves(self) -> None:
        """Push one "Move N nodes" for every node whose item left its model position; nodes
        dropped into a comment frame join it and nodes dragged out leave, in the same step
        ("Move node into 'Ingest'")."""
        flow = self._doc.flow
        moved = {}
        for node_id, item in self.node_items.items():
            pos = (item.pos().x(), item.pos().y())
            if flow.nodes[node_id].position != pos:
                moved[node_id] = pos
        if moved:
            join, leave = self._regrouping(set(moved))
            self._doc.move_nodes(moved, join=join, leave=leave)

    def _start_wire(self, node: NodeItem, kind: str, port: str, pos: QPointF) -> None:
        self._wire_from = (node.node_id, kind, port)
        ref = f"{node.node_id}.{port}"
        if kind == "out":
            self._wire_ok = self._doc.connectable_targets(ref)
        else:
            self._wire_ok = self._doc.connectable_sources(ref)
        for target in self._wire_ok:
            node_id, name = PortRef.parse(target)
            item = self.node_items.get(node_id)
            if item is not None:
                item.set_highlighted(item.highlighted | {name})
        self._wire = WireItem()
        self.addItem(self._wire)
        self._drag_wire(pos)

    def _wire_ends(self, pos: QPointF) -> tuple[str | None, str | None, QPointF, QPointF]:
        """(source, target, start, end) of the wire with its free end at ``pos``."""
        assert self._wire_from is not None
        node_id, kind, port = self._wire_from
        fixed = self.node_items[node_id]
        hit = self.node_and_port_at(pos)
        other = None
        end = pos
        if hit is not None and hit[1] is not None and hit[1][0] != kind:
            other = f"{hit[0].node_id}.{hit[1][1]}"
            end = hit[0].output_pos(hit[1][1]) if kind == "in" else hit[0].input_pos(hit[1][1])
        mine = f"{node_id}.{port}"
        if kind == "out":
            return mine, other, fixed.output_pos(port), end
        return other, mine, end, fixed.input_pos(port)

    def _drag_wire(self, pos: QPointF) -> None:
        assert self._wire is not None and self._wire_from is not None
        source, target, start, end = self._wire_ends(pos)
        free = target if self._wire_from[1] == "out" else source
        self._wire.ok = free is None or free in self._wire_ok
        self._wire.set_ends(start, end)
        self._wire.update()

    def _finish_wire(self, pos: QPointF) -> None:
        source, target, _, _ = self._wire_ends(pos)
        self.cancel_wire()
        if source is None or target is None:
            return
        reason = self._doc.connect(source, target)
        if reason is not None:
            self.report(f"Cannot connect {source} to {target}: {reason}")

    def cancel_wire(self) -> None:
        """Drop the wire being dragged, if any, and clear the port highlights."""
        if self._wire is not None:
            self.removeItem(self._wire)
        self._wire, self._wire_from, self._wire_ok = None, None, set()
        for item in self.node_items.values():
            item.set_highlighted(set())

    def report(self, message: str) -> None:
        """Emit ``status_message`` and show the message as a tooltip at the cursor."""
        self.status_message.emit(message)
        views = self.views()
        if views:
            QToolTip.showText(QCursor.pos(), message, views[0])


def _far(node: NodeItem) -> tuple[float, float]:
    w, h = node.size()
    return node.pos().x() + w, node.pos().y() + h


def _group_depths(groups: dict[str, GroupSpec]) -> dict[str, int]:
    parent = {m: g.id for g in groups.values() for m in g.members if m in groups}
    depth = {}
    for gid in groups:
        d, cur, seen = 0, gid, {gid}
        while cur in parent and parent[cur] not in seen:
            cur = parent[cur]
            seen.add(cur)
            d += 1
        depth[gid] = d
    return depth
