"""Values on wires: the last value that passed each output port, per worker.

`WireValues` belongs to a `FlowScene`. The run side hands it plain rendered data with
`WireValues.set` (polled by the GUI timer, never pushed by a worker); hovering a port or a
wire shows the value in a tooltip, and a watched wire keeps a small badge with it. Which
wires are watched is view state: it is not part of the flow.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMenu

from ..widgets.rendered import per_worker
from .edge_item import BADGE_CHARS, EdgeItem

if TYPE_CHECKING:
    from .scene import EdgeKey, FlowScene


class WireValues:
    """``values``: ``{"node.port": {worker: rendered value}}`` of the current run."""

    def __init__(self, scene: FlowScene) -> None:
        self._scene = scene
        self.values: dict[str, dict[str, Any]] = {}

    def set(self, values: dict[str, dict[str, Any]]) -> None:
        """New values (a new run starts with ``{}``); watched wires update their badges."""
        self.values = values
        for item in self._scene.edge_items.values():
            if item.watched:
                self._update_badge(item)

    def watch(self, key: EdgeKey, watched: bool = True) -> None:
        item = self._scene.edge_items.get(key)
        if item is not None:
            item.set_watched(watched)
            self._update_badge(item)

    def watched(self) -> list[EdgeKey]:
        return [k for k, item in self._scene.edge_items.items() if item.watched]

    def edge_menu(self, key: EdgeKey) -> QMenu:
        """The right-click menu of a wire: Watch value (a live badge on it)."""
        item = self._scene.edge_items[key]
        menu = QMenu()
        watch = menu.addAction("Watch value", lambda: self.watch(key, not item.watched))
        watch.setCheckable(True)
        watch.setChecked(item.watched)
        watch.setToolTip("Keep the last value that passed on the wire while a run goes")
        return menu

    def _update_badge(self, item: EdgeItem) -> None:
        if not item.watched:
            return
        seen = self.values.get(item.source)
        lines = per_worker(seen, BADGE_CHARS) if seen else ["…"]
        if len(lines) == 1:
            item.set_badge(lines[0])
        else:  # the first worker's value; hovering lists every worker's
            first = per_worker({"": next(iter(seen.values()))}, BADGE_CHARS)[0]
            item.set_badge(f"{first} (+{len(lines) - 1})")

    def tooltip_at(self, pos: QPointF) -> str | None:
        """The tooltip of the port or wire at ``pos`` (scene coordinates): the last value
        that passed there, per worker when they differ; None elsewhere (and for inputs fed
        by a constant, a service or the item, which keep the node's tooltip)."""
        scene = self._scene
        hit = scene.node_and_port_at(pos)
        if hit is not None:
            if hit[1] is None:
                return None
            kind, port = hit[1]
            ref = f"{hit[0].node_id}.{port}"
            if kind == "out":
                return value_tooltip(ref, self.values.get(ref))
            flow = scene.document.flow
            source = next((e.source for e in flow.edges if e.target == ref), None)
            if source is None:
                return None
            return value_tooltip(f"{ref} ← {source}", self.values.get(source))
        edge = scene.edge_at(pos)
        if edge is None:
            return None
        return value_tooltip(f"{edge.source} → {edge.target}", self.values.get(edge.source))


def value_tooltip(title: str, seen: dict[str, Any] | None) -> str:
    """``title`` and the last value ``seen`` per worker (one line when all agree)."""
    head = f"<b>{html.escape(title)}</b>"
    if not seen:
        return f"{head}<br><i>no value has passed yet (values show during and after a run)</i>"
    lines = [html.escape(line) for line in per_worker(seen)]
    if len(lines) == 1:
        return f"{head}<br>last value: {lines[0]}"
    return f"{head}<br>last value per worker:<br>" + "<br>".join(lines)
