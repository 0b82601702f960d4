"""`Minimap`: the whole flow in a corner of the canvas, with the visible part framed.

It shows itself only while the flow does not fit in the view (a small flow needs no map,
and the map would cover its nodes).

Click or drag in it to move the view there; the wheel over it zooms the view. It draws
every node as a small box (one ``drawRects`` call per colour) scaled to fit, and the
view's visible rectangle on top. The boxes are rebuilt only when the flow changed; a pan
or zoom repaints the frame alone.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QWidget

MARGIN = 6  # px inside the minimap around the flow
SIZE = (220, 150)


class Minimap(QWidget):
    """An overview of a `FlowView`'s scene that navigates it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("minimap")
        self.setFixedSize(*SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Minimap: click or drag to move the view; wheel to zoom")
        self.view: Any = None
        self.enabled = True  # View > Minimap; shown only while the flow overflows the view
        self._boxes: list[QRectF] = []
        self._world = QRectF()
        self._stale = True
        self._rebuild = QTimer(self)
        self._rebuild.setSingleShot(True)
        self._rebuild.setInterval(100)
        self._rebuild.timeout.connect(self._on_rebuild_timeout)

    # -- binding ----------------------------------------------------------------------
    def bind(self, view: Any, document: Any) -> None:
        """Follow ``view`` (a `FlowView`) and redraw when ``document``'s model changes."""
        self.view = view
        self._stale = True
        view.horizontalScrollBar().valueChanged.connect(self._on_view_moved)
        view.verticalScrollBar().valueChanged.connect(self._on_view_moved)
        view.zoom_changed.connect(self._on_view_moved)
        document.model_changed.connect(self._on_document_model_changed)
        self.update_visibility()
        self.update()

    def _on_view_moved(self, *_args: Any) -> None:
        self.update_visibility()
        self.update()

    def needed(self) -> bool:
        """The flow does not fit in the view: there is somewhere to navigate to."""
        if self.view is None or not self.view.scene().node_items:
            return False
        if self._stale:
            self._refresh()
        return not self.visible_scene_rect().contains(self._world)

    def update_visibility(self) -> None:
        self.setVisible(self.enabled and self.needed())

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.update_visibility()

    def _on_document_model_changed(self, _event: Any) -> None:
        self._stale = True
        self._rebuild.start()  # debounced: a drag of 50 nodes is 50 events

    def _on_rebuild_timeout(self) -> None:
        self._refresh()
        self.update_visibility()
        self.update()

    # -- geometry ---------------------------------------------------------------------
    def _refresh(self) -> None:
        scene = self.view.scene()
        self._boxes = [item.sceneBoundingRect() for item in scene.node_items.values()]
        self._world = scene.nodes_rect() if self._boxes else QRectF()
        self._stale = False

    def _scale(self) -> tuple[float, QPointF]:
        """Scene-to-minimap scale and the offset of the world's top-left corner."""
        if self._stale and self.view is not None:
            self._refresh()
        w, h = self.width() - 2 * MARGIN, self.height() - 2 * MARGIN
        world = self._world
        scale = min(w / max(world.width(), 1.0), h / max(world.height(), 1.0))
        drawn_w, drawn_h = world.width() * scale, world.height() * scale
        offset = QPointF(MARGIN + (w - drawn_w) / 2, MARGIN + (h - drawn_h) / 2)
        return scale, offset

    def to_scene(self, point: QPointF) -> QPointF:
        """The scene point under a minimap point."""
        scale, offset = self._scale()
        return QPointF(
            self._world.left() + (point.x() - offset.x()) / scale,
            self._world.top() + (point.y() - offset.y()) / scale,
        )

    def to_map(self, rect: QRectF) -> QRectF:
        scale, offset = self._scale()
        return QRectF(
            offset.x() + (rect.left() - self._world.left()) * scale,
            offset.y() + (rect.top() - self._world.top()) * scale,
            rect.width() * scale,
            rect.height() * scale,
        )

    def visible_scene_rect(self) -> QRectF:
        view = self.view
        return view.mapToScene(view.viewport().rect()).boundingRect()

    # -- painting and input -----------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if self.view is None:
            return
        if self._stale:
            self._refresh()
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(20, 22, 26, 215))
        painter.setPen(QPen(QColor(90, 96, 104), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if self._boxes:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(120, 160, 200))
            painter.drawRects([self.to_map(r) for r in self._boxes])
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(255, 214, 102), 1.5))
            painter.drawRect(self.to_map(self.visible_scene_rect()).intersected(
                QRectF(self.rect()).adjusted(1, 1, -1, -1)))  # fmt: skip
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._center_on(event.position())
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._center_on(event.position())
            event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.view is not None:
            factor = 1.25 if event.angleDelta().y() > 0 else 0.8
            self.view.set_zoom(self.view.zoom() * factor)
        event.accept()

    def _center_on(self, point: QPointF) -> None:
        if self.view is None:
            return
        target = self.to_scene(point)  # refreshes the boxes first when stale
        if self._boxes:
            self.view.centerOn(target)
            self.update()
