"""`FlowView`: pans, zooms, frames, keyboard shortcuts, the Tab palette and drops."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from aetherflow import FlowFormatError
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from . import edge_item, style
from .node_item import LOD_TEXT, NodeItem
from .scene import FlowScene
from .search_popup import Catalog, CatalogEntry, NodeSearchPopup

MIME_NODE_REF = "application/x-aetherflow-node-ref"
MIN_ZOOM, MAX_ZOOM = 0.08, 4.0
GRID_MINOR, GRID_MAJOR = 20, 100
_WORLD = QRectF(-100_000.0, -100_000.0, 200_000.0, 200_000.0)


class FlowView(QGraphicsView):
    """The canvas widget over a `FlowScene`.

    Mouse: wheel zooms to the cursor, middle-drag or Space+drag pans, left-drag on empty
    space selects with a rubber band, drag from a port to connect. Keys: Delete/Backspace,
    Ctrl+C/V/D, Ctrl+Z/Ctrl+Shift+Z, F (frame selection or all), Home (frame all),
    Tab (search palette), Escape.

    Signals
    -------
    zoom_changed(float)
        The scale after each zoom.
    """

    zoom_changed = Signal(float)

    def __init__(self, scene: FlowScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._scene = scene
        self._catalog: Catalog | None = None
        self._popup: NodeSearchPopup | None = None
        self._pan_from: QPointF | None = None
        self._space = False
        self._search_at = QPointF()
        self._insert_on: tuple[str, str] | None = None  # the wire a chosen node goes into
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(150)
        self._settle.timeout.connect(self._on_settle_timeout)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setSceneRect(_WORLD)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        style.on_palette_changed(self._on_palette_changed)

    @property
    def flow_scene(self) -> FlowScene:
        return self._scene

    @property
    def document(self) -> Any:
        return self._scene.document

    # -- zoom and framing -------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, value: float) -> None:
        """Zoom to ``value`` (clamped) around the point under the mouse."""
        value = max(MIN_ZOOM, min(MAX_ZOOM, value))
        factor = value / self.zoom()
        if not math.isclose(factor, 1.0):
            self.scale(factor, factor)
            self._on_zoomed()

    def _on_zoomed(self) -> None:
        self._apply_detail()
        self.zoom_changed.emit(self.zoom())

    def _apply_detail(self) -> None:
        """Zoomed out below `LOD_TEXT`, or while the wheel turns, one batch item draws
        every node and wire (`FlowScene.set_overview`); otherwise each item paints itself
        in full, from a device-coordinate pixmap cache (pans blit)."""
        overview = NodeItem.fast_paint or self.zoom() < LOD_TEXT
        self._scene.set_overview(overview)
        self._scene.set_item_caching(not overview)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self._set_fast_paint(True)
            self._settle.start()
            self.set_zoom(self.zoom() * 1.0015**delta)
        event.accept()

    def _set_fast_paint(self, fast: bool) -> None:
        """While the wheel turns, draw nodes without text and wires without antialiasing;
        full quality returns once the zoom has been still for a moment."""
        if NodeItem.fast_paint == fast:
            return
        NodeItem.fast_paint = edge_item.fast_paint[0] = fast
        self._apply_detail()
        if not fast:
            for item in self.items(self.viewport().rect()):
                item.update()

    def _on_settle_timeout(self) -> None:
        self._set_fast_paint(False)

    def frame_rect(self, rect: QRectF, max_zoom: float = 1.0) -> None:
        """Fit ``rect`` in the view, zooming in no further than ``max_zoom``."""
        if rect.isEmpty():
            return
        rect = rect.adjusted(-40.0, -40.0, 40.0, 40.0)
        view = self.viewport().rect()
        scale = min(view.width() / rect.width(), view.height() / rect.height())
        scale = max(MIN_ZOOM, min(max_zoom, scale))
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(rect.center())
        self._on_zoomed()

    def frame_all(self) -> None:
        self.frame_rect(self._scene.nodes_rect())

    def frame_selection(self) -> None:
        """Frame the selected nodes, or everything when nothing is selected."""
        ids = self._scene.selected_node_ids()
        self.frame_rect(self._scene.nodes_rect(ids) if ids else self._scene.nodes_rect())

    # -- background -------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        pal = style.palette()
        painter.fillRect(rect, style.color(pal.background))
        zoom = self.zoom()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if zoom * GRID_MINOR >= 8.0:
            self._draw_grid(painter, rect, GRID_MINOR, pal.grid_minor, skip=GRID_MAJOR)
        if zoom * GRID_MAJOR >= 8.0:
            self._draw_grid(painter, rect, GRID_MAJOR, pal.grid_major)

    @staticmethod
    def _draw_grid(
        painter: QPainter, rect: QRectF, step: int, hex_code: str, skip: int = 0
    ) -> None:
        left = int(math.floor(rect.left() / step) * step)
        top = int(math.floor(rect.top() / step) * step)
        lines = [
            QLineF(x, rect.top(), x, rect.bottom())
            for x in range(left, int(rect.right()) + 1, step)
            if not skip or x % skip
        ]
        lines += [
            QLineF(rect.left(), y, rect.right(), y)
            for y in range(top, int(rect.bottom()) + 1, step)
            if not skip or y % skip
        ]
        pen = QPen(style.color(hex_code), 0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawLines(lines)

    def _on_palette_changed(self) -> None:
        self.resetCachedContent()
        self.viewport().update()

    # -- panning ----------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self.pan_by(event.position() - self._pan_from)
            self._pan_from = event.position()
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan_by(self, delta: QPointF) -> None:
        """Move the content by ``delta`` viewport pixels."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() - round(delta.x()))
        v.setValue(v.value() - round(delta.y()))

    # -- keys -------------------------------------------------------------------------
    def focusNextPrevChild(self, next: bool) -> bool:
        return False  # Tab opens the search palette instead of moving the focus

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._handle_key(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        actions = {
            QKeySequence.StandardKey.Copy: self.copy_selection,
            QKeySequence.StandardKey.Paste: self.paste,
            QKeySequence.StandardKey.Undo: self.undo,
            QKeySequence.StandardKey.Redo: self.redo,
            QKeySequence.StandardKey.SelectAll: self.select_all,
        }
        for seq, action in actions.items():
            if event.matches(seq):
                action()
                return True
        if key == Qt.Key.Key_D and mods == Qt.KeyboardModifier.ControlModifier:
            self.duplicate_selection()
        elif key == Qt.Key.Key_Z and mods == (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        ):
            self.redo()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and plain:
            self.delete_selection()
        elif key == Qt.Key.Key_Space and plain and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        elif key == Qt.Key.Key_F and plain:
            self.frame_selection()
        elif key == Qt.Key.Key_Home and plain:
            self.frame_all()
        elif key == Qt.Key.Key_Tab and plain:
            self.open_search()
        elif key == Qt.Key.Key_Escape:
            self._scene.cancel_wire()
            self._scene.clearSelection()
        else:
            return key == Qt.Key.Key_Space and self._space
        return True

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._space:
            self._space = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    # -- edit actions (the window may bind its own QActions to these) -----------------
    def undo(self) -> None:
        self._scene.cancel_wire()
        self.document.undo()

    def redo(self) -> None:
        self.document.redo()

    def select_all(self) -> None:
        self._scene.select_nodes(list(self._scene.node_items))

    def delete_selection(self) -> None:
        self._scene.delete_selected()

    def copy_selection(self) -> str | None:
        """Put the selected nodes on the clipboard as fragment JSON; return the text."""
        ids = self._scene.selected_node_ids()
        if not ids:
            return None
        try:
            text = self.document.copy_fragment(ids)
        except FlowFormatError as exc:  # a node the file format cannot write
            self._scene.status_message.emit(f"Cannot copy: {exc}")
            return None
        QGuiApplication.clipboard().setText(text)
        self._scene.status_message.emit(f"Copied {len(ids)} node(s)")
        return text

    def paste(self) -> list[str]:
        """Paste the clipboard's fragment at the cursor (or offset when it is elsewhere)."""
        text = QGuiApplication.clipboard().text()
        cursor = self._cursor_scene_pos()
        at = (cursor.x(), cursor.y()) if cursor is not None else None
        try:
            ids = self.document.paste_fragment(text, at=at)
        except FlowFormatError as exc:  # a fragment the file format refuses
            self._scene.status_message.emit(f"Cannot paste: {exc}")
            return []
        if ids:
            self._scene.select_nodes(ids)
        return ids

    def duplicate_selection(self) -> list[str]:
        ids = self.document.duplicate(self._scene.selected_node_ids())
        if ids:
            self._scene.select_nodes(ids)
        return ids

    def auto_layout(self, selected_only: bool = False) -> None:
        """Lay out the selection (or everything) in layers, as one undo step."""
        ids = self._scene.selected_node_ids() if selected_only else None
        self.document.auto_layout(ids or None, size_of=self._scene.node_size)

    def add_frame_around_selection(self, label: str = "Frame") -> str | None:
        """Frame the selected nodes (the canvas menu's "Add Frame Around Selection")."""
        ids = self._scene.selected_node_ids()
        return self.document.add_frame(ids, label) if ids else None

    def _cursor_scene_pos(self) -> QPointF | None:
        from PySide6.QtGui import QCursor

        local = self.viewport().mapFromGlobal(QCursor.pos())
        if not self.viewport().rect().contains(local):
            return None
        return self.mapToScene(local)

    # -- search palette ---------------------------------------------------------------
    def set_node_catalog(self, provider: Catalog | None) -> None:
        """``provider()`` returns ``(ref, title, doc)`` for every node the palette offers."""
        self._catalog = provider

    def open_search(
        self, scene_pos: QPointF | None = None, insert_on: tuple[str, str] | None = None
    ) -> NodeSearchPopup | None:
        """Open the Tab palette; the chosen node is added at ``scene_pos`` (the cursor),
        or inserted into the wire ``insert_on`` (source, target)."""
        self._insert_on = insert_on
        if self._catalog is None:
            self._scene.status_message.emit("No node catalog: open the node library first")
            return None
        if scene_pos is None:
            scene_pos = self._cursor_scene_pos() or self.mapToScene(self.viewport().rect().center())
        entries: Iterable[CatalogEntry] = self._catalog()
        if self._popup is None:
            self._popup = NodeSearchPopup(self)
            self._popup.chosen.connect(self._on_popup_chosen)
        self._search_at = QPointF(scene_pos)
        global_pos = self.viewport().mapToGlobal(self.mapFromScene(scene_pos))
        self._popup.open_at(global_pos, entries)
        return self._popup

    def _on_popup_chosen(self, ref: str) -> None:
        at = self._search_at
        wire, self._insert_on = self._insert_on, None
        if wire is not None:
            node_id = self.document.insert_node_on_edge(ref, (at.x(), at.y()), *wire)
        else:
            node_id = self.document.add_node(ref, (at.x(), at.y()))
        self._scene.select_nodes([node_id])
        self.setFocus()

    # -- drops from the node library --------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME_NODE_REF):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(MIME_NODE_REF):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(MIME_NODE_REF):
            super().dropEvent(event)
            return
        ref = bytes(event.mimeData().data(MIME_NODE_REF).data()).decode().strip()
        pos = self.mapToScene(event.position().toPoint())
        node_id = self.document.add_node(ref, (pos.x(), pos.y()))
        self._scene.select_nodes([node_id])
        event.acceptProposedAction()
