"""`FrameItem`: a comment frame, or a control group (repeat, branch, parallel), behind nodes."""

from __future__ import annotations

from aetherflow import GroupSpec
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem, QWidget

from . import style

TITLE_H = 24.0
MARGIN = 16.0


def frame_title(group: GroupSpec) -> str:
    """ "Label" for frames; the kind and its key parameter for control groups."""
    if group.kind == "frame":
        return group.label or group.id
    detail = ""
    if group.kind == "repeat":
        detail = f" \u00d7{group.params.get('times', '?')}"
    elif group.kind in ("branch", "parallel"):
        detail = f" · {len(group.params.get('cases', []))} cases"
    name = f"{group.kind}{detail}"
    return f"{name} — {group.label}" if group.label else name


class FrameItem(QGraphicsItem):
    """Drawn behind its members; selectable by its title strip only, so a rubber band
    can start inside it."""

    def __init__(self, group: GroupSpec, depth: int = 0) -> None:
        super().__init__()
        self.group_id = group.id
        self.kind = group.kind
        self.title = frame_title(group)
        self._rect = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.set_depth(depth)

    def set_depth(self, depth: int) -> None:
        self.setZValue(-100.0 + depth)

    def update_group(self, group: GroupSpec) -> None:
        self.kind, self.title = group.kind, frame_title(group)
        self.update()

    def set_content_rect(self, content: QRectF) -> None:
        """Fit around ``content`` (the scene rect of its members)."""
        rect = content.adjusted(-MARGIN, -MARGIN - TITLE_H, MARGIN, MARGIN)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2.0, -2.0, 2.0, 2.0)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(QRectF(self._rect.left(), self._rect.top(), self._rect.width(), TITLE_H))
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self._rect.isEmpty():
            return
        pal = style.palette()
        accent = style.color(getattr(pal, self.kind, pal.frame))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(style.color(pal.selected) if selected else accent, 2.0 if selected else 1.2)
        if self.kind != "frame":
            pen.setStyle(Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(style.color(accent.name(), 26))
        painter.drawRoundedRect(self._rect, 10.0, 10.0)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        strip = QRectF(self._rect.left(), self._rect.top(), self._rect.width(), TITLE_H)
        if lod < 0.3:
            return
        painter.setFont(style.font("title"))
        painter.setPen(accent.lighter(125) if pal.name == "dark" else accent.darker(125))
        text = style.metrics("title").elidedText(
            self.title, Qt.TextElideMode.ElideRight, strip.width() - 24.0
        )
        painter.drawText(strip.adjusted(12.0, 2.0, -12.0, 0.0), Qt.AlignmentFlag.AlignVCenter, text)
