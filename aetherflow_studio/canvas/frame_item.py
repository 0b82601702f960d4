"""`FrameItem`: a comment frame, or a control group (repeat, branch, parallel), behind nodes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aetherflow import GroupSpec
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QKeyEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QLineEdit,
    QStyle,
    QStyleOptionGraphicsItem,
    QWidget,
)

from . import style

if TYPE_CHECKING:
    from .scene import FlowScene

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


def frame_rect_around(content: QRectF) -> QRectF:
    """The frame drawn around ``content`` (the scene rect of its members)."""
    if content.isNull():
        return QRectF()
    return content.adjusted(-MARGIN, -MARGIN - TITLE_H, MARGIN, MARGIN)


class FrameItem(QGraphicsItem):
    """Drawn behind its members; selectable by its title strip only, so a rubber band
    can start inside it.

    Dragging the title moves the members (the scene pushes one "Move frame" on release),
    a double-click edits the label in place, a right-click opens the frame's menu.
    """

    def __init__(self, group: GroupSpec, depth: int = 0) -> None:
        super().__init__()
        self.group_id = group.id
        self.kind = group.kind
        self.title = frame_title(group)
        self._rect = QRectF()
        self._press: QPointF | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.set_depth(depth)

    def set_depth(self, depth: int) -> None:
        self.setZValue(-100.0 + depth)

    def update_group(self, group: GroupSpec) -> None:
        self.kind, self.title = group.kind, frame_title(group)
        self.update()

    def set_content_rect(self, content: QRectF) -> None:
        """Fit around ``content`` (the scene rect of its members)."""
        rect = frame_rect_around(content)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def frame_rect(self) -> QRectF:
        """The drawn frame (scene coordinates; the item stays at the origin)."""
        return QRectF(self._rect)

    def title_rect(self) -> QRectF:
        return QRectF(self._rect.left(), self._rect.top(), self._rect.width(), TITLE_H)

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2.0, -2.0, 2.0, 2.0)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.title_rect())
        return path

    # -- gestures (the scene turns them into document edits) ---------------------------
    def _scene(self) -> FlowScene | None:
        return self.scene()  # type: ignore[return-value]

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mousePressEvent(event)  # selects the frame
        scene = self._scene()
        if event.button() == Qt.MouseButton.LeftButton and scene is not None:
            self._press = event.scenePos()
            scene.begin_frame_drag(self.group_id)
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        scene = self._scene()
        if self._press is not None and scene is not None:
            scene.drag_frame(self.group_id, event.scenePos() - self._press)
            event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        scene = self._scene()
        if self._press is not None and event.button() == Qt.MouseButton.LeftButton:
            self._press = None
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            if scene is not None:
                scene.end_frame_drag(self.group_id)
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        scene = self._scene()
        if scene is not None and event.button() == Qt.MouseButton.LeftButton:
            scene.edit_frame_title(self.group_id)
            event.accept()

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        scene = self._scene()
        if scene is None:
            event.ignore()
            return
        self.setSelected(True)
        scene.frame_menu(self.group_id).exec(event.screenPos())
        event.accept()

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


class FrameTitleEditor(QLineEdit):
    """Edits a frame's label in place: Enter or clicking away commits, Escape cancels."""

    def __init__(self, parent: QWidget, text: str, commit: Callable[[str], Any]) -> None:
        super().__init__(text, parent)
        self._commit: Callable[[str], Any] | None = commit
        self.setPlaceholderText("Frame label")
        self.selectAll()
        self.editingFinished.connect(lambda: self.finish(True))

    def finish(self, accept: bool) -> None:
        """Close the editor, committing its text when ``accept``; later calls do nothing."""
        commit, self._commit = self._commit, None
        if commit is None:
            return
        self.hide()
        self.deleteLater()
        if accept:
            commit(self.text())

    @property
    def open(self) -> bool:
        return self._commit is not None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.finish(False)
            event.accept()
            return
        super().keyPressEvent(event)
