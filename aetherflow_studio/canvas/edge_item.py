"""`EdgeItem`: a wire from an output port to an input port; `WireItem` while dragging."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem, QWidget

from . import style

fast_paint = [False]  # set by the view while a wheel zoom is in progress
BADGE_CHARS = 28  # a watched wire's value badge is elided past this
PIECE_LEN = 240.0  # scene units: long wires are stroked piece by piece, only where exposed
LOD_THIN = 0.75  # below this zoom a 2 px wire is under 1.5 device px: drawn as a 1 px line


_EDGE_FLAGS = (  # looked up once: each PySide6 enum access goes through Python's enum code
    QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
    | QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption
)


def _controls(start: QPointF, end: QPointF) -> tuple[QPointF, QPointF]:
    dx = max(abs(end.x() - start.x()) * 0.5, 40.0)
    return QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y())


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A cubic bezier that leaves ``start`` to the right and enters ``end`` from the left."""
    c1, c2 = _controls(start, end)
    path = QPainterPath(start)
    path.cubicTo(c1, c2, end)
    return path


def _split(start: QPointF, end: QPointF, pad: float) -> list[tuple[QRectF, QPainterPath]]:
    """The wire as consecutive pieces of about `PIECE_LEN`, each with its padded bounds.

    An antialiased 2 px stroke costs time along its whole length however little of it is
    on screen; a long wire through the view is mostly off it."""
    c1, c2 = _controls(start, end)
    pts = [(p.x(), p.y()) for p in (start, c1, c2, end)]
    length = sum(
        ((pts[k + 1][0] - pts[k][0]) ** 2 + (pts[k + 1][1] - pts[k][1]) ** 2) ** 0.5
        for k in range(3)
    )
    n = max(1, min(24, int(length / PIECE_LEN)))
    if n == 1:
        path = wire_path(start, end)
        return [(path.controlPointRect().adjusted(-pad, -pad, pad, pad), path)]
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts

    def at(t: float) -> tuple[float, float, float, float]:
        u = 1.0 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        da, db, dc = 3 * u * u, 6 * u * t, 3 * t * t
        return (
            a * x0 + b * x1 + c * x2 + d * x3,
            a * y0 + b * y1 + c * y2 + d * y3,
            da * (x1 - x0) + db * (x2 - x1) + dc * (x3 - x2),
            da * (y1 - y0) + db * (y2 - y1) + dc * (y3 - y2),
        )

    pieces = []
    h = 1.0 / n / 3.0
    px, py, pdx, pdy = at(0.0)
    for k in range(1, n + 1):
        qx, qy, qdx, qdy = at(k / n)
        path = QPainterPath(QPointF(px, py))
        path.cubicTo(
            QPointF(px + h * pdx, py + h * pdy),
            QPointF(qx - h * qdx, qy - h * qdy),
            QPointF(qx, qy),
        )
        pieces.append((path.controlPointRect().adjusted(-pad, -pad, pad, pad), path))
        px, py, pdx, pdy = qx, qy, qdx, qdy
    return pieces


class EdgeItem(QGraphicsItem):
    """One edge of the flow; selectable, drawn in its source port's colour."""

    def __init__(self, source: str, target: str, type_name: str | None = None) -> None:
        super().__init__()
        self.source, self.target = source, target
        self.type_name = type_name
        self._path = QPainterPath()
        self._rect = QRectF()
        self._shape: QPainterPath | None = None
        self._ends = (QPointF(), QPointF())
        self._pieces: list[tuple[QRectF, QPainterPath]] | None = None
        self.watched = False
        self.badge: str | None = None  # a watched wire's last value, drawn on it
        self._badge_rect = QRectF()
        self.setFlags(_EDGE_FLAGS)  # extended style option: paint gets the exposedRect
        self.setZValue(-1.0)

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.target

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.prepareGeometryChange()
        self._path = wire_path(start, end)
        self._rect = self._path.controlPointRect().adjusted(-4.0, -4.0, 4.0, 4.0)
        self._shape = None
        self._ends = (QPointF(start), QPointF(end))
        self._pieces = None  # split lazily, on the first full-detail paint
        self._place_badge()

    def set_watched(self, watched: bool) -> None:
        """Keep a value badge on the wire (its text comes from `set_badge`)."""
        if watched != self.watched:
            self.watched = watched
            self.set_badge("…" if watched else None)

    def set_badge(self, text: str | None) -> None:
        if text == self.badge:
            return
        self.prepareGeometryChange()
        self.badge = text
        self._place_badge()
        self.update()

    def _place_badge(self) -> None:
        if self.badge is None:
            self._badge_rect = QRectF()
            return
        sm = style.metrics("small")
        w = sm.horizontalAdvance(self.badge) + 12.0
        mid = self._path.pointAtPercent(0.5)
        self._badge_rect = QRectF(mid.x() - w / 2, mid.y() - 9.0, w, 18.0)

    def path(self) -> QPainterPath:
        """The wire's curve in scene coordinates."""
        return self._path

    def boundingRect(self) -> QRectF:
        return self._rect.united(self._badge_rect) if self.badge is not None else self._rect

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
        elif lod < LOD_THIN and not selected:  # a 1 px antialiased line: Qt's fast path
            pen.setCosmetic(True)
            pen.setWidthF(1.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= 0.5)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        exposed = option.exposedRect
        if lod < LOD_THIN or exposed.contains(self._rect):
            painter.drawPath(self._path)
        else:
            if self._pieces is None:
                self._pieces = _split(*self._ends, 4.0)
            for rect, piece in self._pieces:
                if rect.intersects(exposed):
                    painter.drawPath(piece)
        if self.badge is not None and lod >= 0.5:
            self._paint_badge(painter, base)

    def _paint_badge(self, painter: QPainter, color: Any) -> None:
        pal = style.palette()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(color, 1.2))
        painter.setBrush(style.color(pal.node_body))
        painter.drawRoundedRect(self._badge_rect, 9.0, 9.0)
        painter.setFont(style.font("small"))
        painter.setPen(style.color(pal.text))
        painter.drawText(self._badge_rect, Qt.AlignmentFlag.AlignCenter, self.badge or "")


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
