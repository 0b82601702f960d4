"""`EdgeItem`: a wire from an output port to an input port; `WireItem` while dragging."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem, QWidget

from . import style

fast_paint = [False]  # set by the view while a wheel zoom is in progress


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A cubic bezier that leaves ``start`` to the right and enters ``end`` from the left."""
    dx = max(abs(end.x() - start.x()) * 0.5, 40.0)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsItem):
    """One edge of the flow; selectable, drawn in its source port's colour."""

    def __init__(self, source: str, target: str, type_name: str | None = None) -> None:
        super().__init__()
        self.source, self.target = source, target
        self.type_name = type_name
        self._path = QPainterPath()
        self._rect = QRectF()
        self._shape: QPainterPath | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1.0)

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.target

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.prepareGeometryChange()
        self._path = wire_path(start, end)
        self._rect = self._path.controlPointRect().adjusted(-4.0, -4.0, 4.0, 4.0)
        self._shape = None

    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        if self._shape is None:  # built lazily: only hit tests need it
            stroker = QPainterPathStroker()
            stroker.setWidth(10.0)
            self._shape = stroker.createStroke(self._path)
        return self._shape

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        pal = style.palette()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        base = style.type_color(self.type_name) if self.type_name else style.color(pal.edge)
        pen = QPen(style.color(pal.selected) if selected else base, 3.0 if selected else 2.0)
        if fast_paint[0]:
            lod = 0.0
        if lod < 0.5:  # zoomed out: thin, aliased lines are far cheaper and look the same
            pen.setCosmetic(True)
            pen.setWidthF(1.0 if not selected else 2.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= 0.5)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)


class WireItem(EdgeItem):
    """The temporary wire under the cursor while connecting; dashed when it cannot land."""

    def __init__(self) -> None:
        super().__init__("", "")
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self.setZValue(10.0)
        self.ok = True

    def paint(self, painter: QPainter, option: Any, widget: QWidget | None = None) -> None:
        pal = style.palette()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(style.color(pal.highlight if self.ok else pal.refused), 2.0)
        pen.setStyle(Qt.PenStyle.SolidLine if self.ok else Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawPath(self._path)
