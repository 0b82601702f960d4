"""Run statistics on the canvas: per-node count, mean latency and errors; running nodes
highlighted; failed nodes red. Fed by the controller's poll, like the panels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .records import LiveFrame


def _overlay_text(count: int, mean: float, errors: int) -> str:
    text = f"{count:,} x {mean * 1e3:.2f} ms" if count else "0 calls"
    return text + (f" · {errors:,} failed" if errors else "")


FRAMES_PER_UPDATE = 3  # ~10 Hz of 30: counts stay readable, the canvas repaints less


class RunOverlays:
    """Sets ``scene.set_node_overlay`` from every third frame and the final one (only
    when a node's text or state changed, so an unchanged node is not repainted): the
    counts of a fast run change every frame, and repainting every node 30 times a second
    takes GUI time that in-process workers lose."""

    def __init__(self, controller: Any, scene: Callable[[], Any]) -> None:
        self._scene = scene
        self._shown: dict[str, tuple[str | None, str]] = {}
        self._number = 0
        self._frames = 0
        self.active = True  # False while the run shown is of a flow that is not open
        controller.subscribe(self)

    def wants_frames(self) -> bool:
        scene = self._scene()
        return scene is not None and any(v.isVisible() for v in scene.views())

    def clear(self) -> None:
        scene = self._scene()
        if scene is not None:
            for node_id in list(self._shown):
                scene.set_node_overlay(node_id, None, "idle")
        self._shown.clear()

    def scene_replaced(self) -> None:
        """A new document (and scene): forget what the old one showed."""
        self._shown.clear()

    def update_frame(self, frame: LiveFrame) -> None:
        scene = self._scene()
        snap = frame.snapshot
        if scene is None or snap is None or not self.active:
            return
        if frame.number != self._number:
            self.clear()
            self._number = frame.number
            self._frames = 0
        self._frames += 1
        if not frame.final and self._frames % FRAMES_PER_UPDATE != 1:
            return
        running = set() if frame.final else {t.current_node for t in snap.threads if t.busy}
        source = frame.source
        for n in snap.nodes:
            if n.errors:
                state = "failed"
            elif n.node in running:
                state = "running"
            elif frame.final and n.count:
                state = "ok"
            else:
                state = "idle"
            text = _overlay_text(n.count, n.mean, n.errors)
            if n.count == 0 and n.node == source:
                text = f"{snap.items:,} items out"
            self._set(scene, n.node, text, state)

    def _set(self, scene: Any, node_id: str, text: str | None, state: str) -> None:
        if self._shown.get(node_id) != (text, state):
            self._shown[node_id] = (text, state)
            scene.set_node_overlay(node_id, text, state)
