"""`OverviewItem`: the whole flow drawn by one item, for zoomed-out views.

Below `LOD_TEXT` (and while the wheel turns) nodes are flat boxes and wires thin aliased
lines; painting 2,500 such items one Python ``paint()`` call each costs 20-30 ms a frame.
The scene then marks its node and edge items ``ItemHasNoContents`` (Qt skips their
``paint`` but they keep their selection and still answer hit tests and rubber bands) and
shows this item instead: a handful of ``drawRects``/``drawPath`` calls, one per colour.
The batches are rebuilt lazily, on the first paint after the scene reports a change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from . import style
from .node_item import LOD_SHAPES, PORT_R, TITLE_H, row_y

if TYPE_CHECKING:
    from .scene import FlowScene

_WORLD = QRectF(-100_000.0, -100_000.0, 200_000.0, 200_000.0)


class OverviewItem(QGraphicsItem):
    """Every node (body, title band, square ports) and wire of a scene, in batches."""

    def __init__(self, scene: FlowScene) -> None:
        super().__init__()
        self._flow_scene = scene
        self._dirty = self._ports_dirty = True
        self._bodies: list[QRectF] = []
        self._titles: list[tuple[QColor, list[QRectF]]] = []
        self._ports: list[tuple[QColor, list[QRectF]]] = []
        self._wires: list[tuple[QPen, QPainterPath]] = []
        self.setZValue(-1.0)  # with the wires, under the interactive items
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setVisible(False)

    def invalidate(self) -> None:
        """The flow or its look changed: rebuild the batches before the next paint."""
        self._dirty = self._ports_dirty = True
        if self.isVisible():
            self.update()

    def boundingRect(self) -> QRectF:
        return _WORLD  # the whole scene: it is only shown when most of it is in view

    def _rebuild(self) -> None:
        pal = style.palette()
        scene = self._flow_scene
        bodies: list[QRectF] = []
        titles: _Batches = _Batches()
        for item in scene.node_items.values():
            p = item.pos()
            x, y = p.x(), p.y()
            w, h = item.size()
            bodies.append(QRectF(x, y, w, h))
            titles.add(item._border_color(item.isSelected()), QRectF(x, y, w, TITLE_H))
        wires: dict[tuple[int, bool], tuple[QColor, QPainterPath]] = {}
        for edge in scene.edge_items.values():
            selected = edge.isSelected()
            if selected:
                color = style.color(pal.selected)
            elif edge.type_name:
                color = style.type_color(edge.type_name)
            else:
                color = style.color(pal.edge)
            key = (color.rgba(), selected)
            if key not in wires:
                wires[key] = (color, QPainterPath())
            wires[key][1].addPath(edge.path())
        self._bodies, self._titles = bodies, titles.items()
        self._wires = []
        for (_, selected), (color, path) in sorted(wires.items(), key=lambda kv: kv[0][1]):
            pen = QPen(color, 2.0 if selected else 1.0)  # selected wires drawn last, on top
            pen.setCosmetic(True)
            self._wires.append((pen, path))
        self._dirty = False

    def _rebuild_ports(self) -> None:
        """Square ports: only drawn from `LOD_SHAPES` up, so only built when needed."""
        ports = _Batches()
        s = PORT_R * 2
        for item in self._flow_scene.node_items.values():
            p = item.pos()
            x, y = p.x(), p.y()
            right = x + item.size()[0] - PORT_R
            for i, port in enumerate(item.inputs):
                fill = (
                    style.scope_color(port.service) if port.service else style.type_color(port.type)
                )
                ports.add(fill, QRectF(x - PORT_R, y + row_y(i) - PORT_R, s, s))
            for i, (name, type_name) in enumerate(item.outputs):
                fill = style.type_color(type_name or item.output_hints.get(name))
                ports.add(fill, QRectF(right, y + row_y(i) - PORT_R, s, s))
        self._ports = ports.items()
        self._ports_dirty = False

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self._dirty:
            self._rebuild()
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen, path in self._wires:
            painter.setPen(pen)
            painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.color(style.palette().node_body))
        painter.drawRects(self._bodies)
        for color, rects in self._titles:
            painter.setBrush(color)
            painter.drawRects(rects)
        if lod >= LOD_SHAPES:
            if self._ports_dirty:
                self._rebuild_ports()
            for color, rects in self._ports:
                painter.setBrush(color)
                painter.drawRects(rects)


class _Batches:
    """Rectangles grouped by fill colour (QColor is not hashable: keyed by its rgba)."""

    def __init__(self) -> None:
        self._by_rgba: dict[int, tuple[QColor, list[QRectF]]] = {}

    def add(self, color: QColor, rect: QRectF) -> None:
        key = color.rgba()
        entry = self._by_rgba.get(key)
        if entry is None:
            entry = self._by_rgba[key] = (color, [])
        entry[1].append(rect)

    def items(self) -> list[tuple[QColor, list[QRectF]]]:
        return list(self._by_rgba.values())
