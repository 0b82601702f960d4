"""`NodeItem`: one node, painted directly (no widgets) with level of detail."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aetherflow import NodeSpec, ServiceSpec
from aetherflow.printable import printable
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen, QPicture, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem, QWidget

from . import style

if TYPE_CHECKING:
    from .scene import FlowScene

TITLE_H = 26.0
ROW_H = 20.0
PAD = 8.0
MIN_W = 170.0
PORT_R = 5.0
HIT_R = 10.0
OVERLAY_H = 18.0
STOPPED_H = 20.0  # the "stopped here" label above a node
BREAK_R = 5.0
LOD_TEXT = 0.5
LOD_LABELS = 0.6  # below: titles but no port labels (8.5 pt would be under 7 px)
CONST_MAX_W = 120.0  # px: a constant this wide shows in full; a longer one is elided
LOD_SHAPES = 0.25


@dataclass(frozen=True)
class PortView:
    """What the item needs to draw one input: plain data computed by the scene."""

    name: str
    type: str | None
    service: str | None = None  # the scope when the input is a service
    wired: bool = False
    constant: str | None = None


# Qt enum members looked up once: PySide6 resolves `QGraphicsItem.X.Y` through Python's
# enum machinery on every access, and item construction and moves touch these per node.
_POSITION_CHANGED = QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged
_NODE_FLAGS = (
    QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
    | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
    | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
)
_DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


class NodeItem(QGraphicsItem):
    """A node: title bar, data inputs left, service inputs as diamonds, outputs right."""

    fast_paint = False  # set by the view while a wheel zoom is in progress

    def __init__(self, spec: NodeSpec, services: dict[str, ServiceSpec], wired: set[str]) -> None:
        super().__init__()
        self.node_id = spec.id
        self.problems: list[str] = []
        self.overlay_text: str | None = None
        self.overlay_state = "idle"
        self.highlighted: set[str] = set()
        self.breakpoint = ""  # "", "always" or "conditional"
        self.is_source = False  # the flow's source node: a "source" badge in the title
        self._condition: str | None = None
        self.stopped_text: str | None = None  # workers stopped before this node
        self.output_hints: dict[str, str] = {}  # untyped output -> type of the input it feeds
        # The full-detail drawing, recorded once per (labels shown, selected) and replayed
        # by Qt at any zoom: one drawPicture call instead of ~40 Python-side draw calls.
        self._pictures: dict[tuple[bool, bool], QPicture] = {}
        self._pictures_palette: Any = None
        self.setFlags(_NODE_FLAGS)
        self.setCacheMode(_DEVICE_CACHE)
        self.refresh(spec, services, wired)
        self.setPos(QPointF(*spec.position))

    # -- data -------------------------------------------------------------------------
    def refresh(self, spec: NodeSpec, services: dict[str, ServiceSpec], wired: set[str]) -> None:
        """Take the node's current title, ports and constants from the model."""
        self.prepareGeometryChange()
        self.title = printable(spec.title)  # an id from a file may hold control characters
        self.subtitle = printable(spec.id) if spec.label else ""
        self.ref = spec.ref
        self.placeholder = spec.is_placeholder
        self.inputs = [_port_view(p.name, p.type, spec, services, wired) for p in spec.input_view]
        self.outputs = [(o.name, o.type) for o in spec.output_view]
        self._width, self._height = _measure(self)
        self._update_tooltip(spec.doc)
        self._pictures.clear()

    def _update_tooltip(self, doc: str = "") -> None:
        if doc:
            self._doc = doc
        lines = [f"<b>{self.title}</b> <i>{self.ref}</i>"]
        if getattr(self, "_doc", ""):
            lines.append(self._doc.splitlines()[0])
        lines += [f"<span style='color:#f0524f'>⚠ {p}</span>" for p in self.problems]
        if self.is_source:
            lines.append("source: its items feed the run")
        if self.breakpoint:
            cond = self._condition
            lines.append(f"● breakpoint when <code>{html.escape(cond)}</code>" if cond
                         else "● breakpoint")  # fmt: skip
        self.setToolTip("<br>".join(lines))

    def set_problems(self, problems: list[str]) -> None:
        self.problems = list(problems)
        self._update_tooltip()
        self.changed()

    def set_overlay(self, text: str | None, state: str) -> None:
        if (text, state) == (self.overlay_text, self.overlay_state):
            return
        self.prepareGeometryChange()
        self.overlay_text, self.overlay_state = text, state
        self.changed()

    def set_breakpoint(self, kind: str, condition: str | None = None) -> None:
        """Draw a breakpoint dot: ``kind`` "" (none), "always" or "conditional"."""
        if (kind, condition) != (self.breakpoint, self._condition):
            self.breakpoint, self._condition = kind, condition
            self._update_tooltip()
            self.changed()

    def set_source(self, is_source: bool) -> None:
        """Badge the node as the flow's source (its items feed the run)."""
        if is_source != self.is_source:
            self.is_source = is_source
            self.changed()

    def set_stopped(self, text: str | None) -> None:
        """Mark the node as where workers wait at a breakpoint (None: none wait)."""
        if text != self.stopped_text:
            self.prepareGeometryChange()
            self.stopped_text = text
            self.changed()

    def set_highlighted(self, ports: set[str]) -> None:
        if ports != self.highlighted:
            self.highlighted = ports
            self.changed()

    def changed(self) -> None:
        """Something drawn changed (problems, overlay, highlights, output hints): drop the
        recorded drawings and repaint."""
        self._pictures.clear()
        self.update()

    # -- geometry ---------------------------------------------------------------------
    def size(self) -> tuple[float, float]:
        return self._width, self._height

    def boundingRect(self) -> QRectF:
        extra = OVERLAY_H if self.overlay_text else 0.0
        top = STOPPED_H + 2.0 if self.stopped_text else 2.0
        return QRectF(-HIT_R, -top, self._width + 2 * HIT_R, self._height + top + 2.0 + extra)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(QRectF(-HIT_R, 0.0, self._width + 2 * HIT_R, self._height))
        return path

    def input_pos(self, name: str) -> QPointF:
        """Scene position of an input port (the node's left edge when unknown)."""
        i = next((k for k, p in enumerate(self.inputs) if p.name == name), None)
        y = _row_y(i) if i is not None else TITLE_H / 2
        return self.mapToScene(QPointF(0.0, y))

    def output_pos(self, name: str) -> QPointF:
        i = next((k for k, (n, _) in enumerate(self.outputs) if n == name), None)
        y = _row_y(i) if i is not None else TITLE_H / 2
        return self.mapToScene(QPointF(self._width, y))

    def output_type(self, name: str) -> str | None:
        return next((t for n, t in self.outputs if n == name), None)

    def port_at(self, pos: QPointF) -> tuple[str, str] | None:
        """``("in"|"out", name)`` of the port near ``pos`` (item coordinates), or None."""
        for i, p in enumerate(self.inputs):
            if _near(pos, QPointF(0.0, _row_y(i))):
                return "in", p.name
        for i, (name, _) in enumerate(self.outputs):
            if _near(pos, QPointF(self._width, _row_y(i))):
                return "out", name
        return None

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == _POSITION_CHANGED:
            scene = self.scene()
            if scene is not None:
                scene.node_item_moved(self)  # type: ignore[attr-defined]
        return super().itemChange(change, value)

    def mouseDoubleClickEvent(self, event: Any) -> None:
        scene: FlowScene | None = self.scene()  # type: ignore[assignment]
        if scene is not None:
            scene.node_activated.emit(self.node_id)
        super().mouseDoubleClickEvent(event)

    # -- painting ---------------------------------------------------------------------
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if lod < LOD_TEXT or NodeItem.fast_paint:  # the scene's overview usually draws these
            rect = QRectF(0.0, 0.0, self._width, self._height)
            self._paint_simple(painter, rect, self._border_color(selected), lod >= LOD_SHAPES)
            return
        pal = style.palette()
        if self._pictures_palette is not pal:
            self._pictures.clear()
            self._pictures_palette = pal
        key = (lod >= LOD_LABELS, selected)
        picture = self._pictures.get(key)
        if picture is None:
            picture = self._pictures[key] = QPicture()
            recorder = QPainter(picture)
            self._paint_full(recorder, selected, key[0])
            recorder.end()
        painter.drawPicture(0, 0, picture)
        if self.stopped_text:
            self._paint_stopped(painter)

    def _paint_full(self, painter: QPainter, selected: bool, labels: bool) -> None:
        rect = QRectF(0.0, 0.0, self._width, self._height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._paint_body(painter, rect, self._border_color(selected), selected)
        self._paint_ports(painter)
        self._paint_texts(painter, labels)

    def _paint_simple(self, painter: QPainter, rect: QRectF, border: Any, ports: bool) -> None:
        """Zoomed out: flat rectangles and square ports, no text, no antialiasing."""
        pal = style.palette()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(rect, style.color(pal.node_body))
        painter.fillRect(QRectF(0.0, 0.0, self._width, TITLE_H), border)
        if not ports:
            return
        s = PORT_R * 2
        for i, p in enumerate(self.inputs):
            fill = style.scope_color(p.service) if p.service else style.type_color(p.type)
            painter.fillRect(QRectF(-PORT_R, _row_y(i) - PORT_R, s, s), fill)
        for i, (name, type_name) in enumerate(self.outputs):
            fill = style.type_color(type_name or self.output_hints.get(name))
            painter.fillRect(QRectF(self._width - PORT_R, _row_y(i) - PORT_R, s, s), fill)

    def _border_color(self, selected: bool) -> Any:
        pal = style.palette()
        if self.stopped_text:
            return style.color(pal.stopped)
        if selected:
            return style.color(pal.selected)
        if self.overlay_state in ("running", "failed", "ok", "race"):
            return style.color(getattr(pal, self.overlay_state))
        if self.problems:
            return style.color(pal.problem)
        if self.placeholder:
            return style.color(pal.placeholder)
        return style.color(pal.node_border)

    def _paint_body(self, painter: QPainter, rect: QRectF, border: Any, selected: bool) -> None:
        pal = style.palette()
        body = QPainterPath()
        body.addRoundedRect(rect, 6.0, 6.0)
        painter.fillPath(body, style.color(pal.node_body))
        title = QPainterPath()
        title.addRect(QRectF(0, 0, self._width, TITLE_H))
        painter.fillPath(body.intersected(title), _title_brush(self.ref, self.placeholder))
        strong = selected or self.overlay_state != "idle"
        pen = QPen(border, 3.0 if self.stopped_text else 2.0 if strong else 1.2)
        if self.placeholder:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(body)

    def _paint_ports(self, painter: QPainter) -> None:
        pal = style.palette()
        for i, p in enumerate(self.inputs):
            center = QPointF(0.0, _row_y(i))
            if p.service is not None:
                _diamond(painter, center, style.scope_color(p.service), p.wired or True)
            else:
                _circle(painter, center, style.type_color(p.type), p.wired or bool(p.constant))
            if p.name in self.highlighted:
                painter.setPen(QPen(style.color(pal.highlight), 2.0))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(center, PORT_R + 4, PORT_R + 4)
        for i, (name, type_name) in enumerate(self.outputs):
            fill = style.type_color(type_name or self.output_hints.get(name))
            _circle(painter, QPointF(self._width, _row_y(i)), fill, True)
            if self.outputs[i][0] in self.highlighted:
                painter.setPen(QPen(style.color(pal.highlight), 2.0))
                painter.drawEllipse(QPointF(self._width, _row_y(i)), PORT_R + 4, PORT_R + 4)

    def _paint_texts(self, painter: QPainter, labels: bool = True) -> None:
        pal = style.palette()
        text, dim = style.color(pal.text), style.color(pal.text_dim)
        tm = style.metrics("title")
        painter.setFont(style.font("title"))
        painter.setPen(text)
        right = self._width - (28.0 if self.problems else 10.0)
        if self.is_source:
            right -= _source_badge(painter, QPointF(right, TITLE_H / 2)) + 4.0
            painter.setFont(style.font("title"))
            painter.setPen(text)
        left = 10.0 + (2 * BREAK_R + 6.0 if self.breakpoint else 0.0)
        if self.breakpoint:
            _breakpoint_dot(painter, QPointF(6.0 + BREAK_R, TITLE_H / 2), self.breakpoint)
        title_rect = QRectF(left, 0.0, right - left, TITLE_H)
        shown = tm.elidedText(self.title, Qt.TextElideMode.ElideRight, title_rect.width())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter, shown)
        if self.subtitle and tm.horizontalAdvance(shown) + 60 < title_rect.width():
            painter.setFont(style.font("small"))
            painter.setPen(dim)
            right_mid = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
            painter.drawText(title_rect, right_mid, self.subtitle)
        if self.problems:
            _problem_badge(painter, QPointF(self._width - 15.0, TITLE_H / 2))
        if labels:
            self._paint_port_labels(painter)
        if self.placeholder:
            painter.setFont(style.font("small"))
            painter.setPen(style.color(pal.placeholder))
            r = QRectF(10.0, self._height - 22.0, self._width - 20.0, 16.0)
            missing = style.metrics("small").elidedText(
                f"missing: {self.ref}", Qt.TextElideMode.ElideMiddle, r.width()
            )
            painter.drawText(r, Qt.AlignmentFlag.AlignVCenter, missing)
        if self.overlay_text:
            painter.setFont(style.font("small"))
            state = self.overlay_state if self.overlay_state != "idle" else "text_dim"
            painter.setPen(style.color(getattr(pal, state)))
            r = QRectF(2.0, self._height + 2.0, self._width - 4.0, OVERLAY_H - 4.0)
            painter.drawText(r, Qt.AlignmentFlag.AlignVCenter, self.overlay_text)

    def _paint_stopped(self, painter: QPainter) -> None:
        """An amber label above the node: which workers wait here (drawn live, not
        recorded: it changes with every step)."""
        pal = style.palette()
        sm = style.metrics("small")
        text = sm.elidedText(self.stopped_text or "", Qt.TextElideMode.ElideRight,
                             self._width - 30.0)  # fmt: skip
        rect = QRectF(0.0, -STOPPED_H - 1.0, sm.horizontalAdvance(text) + 28.0, STOPPED_H - 2.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.color(pal.stopped))
        painter.drawRoundedRect(rect, 5.0, 5.0)
        ink = style.color("#1e1f22")
        for x in (8.0, 12.0):  # a pause sign
            painter.fillRect(QRectF(x, rect.top() + 4.5, 2.5, rect.height() - 9.0), ink)
        painter.setFont(style.font("small"))
        painter.setPen(ink)
        painter.drawText(rect.adjusted(20.0, 0.0, -6.0, 0.0), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_port_labels(self, painter: QPainter) -> None:
        pal = style.palette()
        pm = style.metrics("port")
        painter.setFont(style.font("port"))
        half = self._width / 2
        for i, p in enumerate(self.inputs):
            y = _row_y(i)
            x = PORT_R + 7.0
            painter.setPen(style.color(pal.text))
            painter.drawText(QPointF(x, y + pm.ascent() / 2 - 1), p.name)
            x += pm.horizontalAdvance(p.name) + 6.0
            if p.service is not None:
                _scope_pill(painter, QPointF(x, y), p.service)
            elif p.constant is not None:
                painter.setPen(style.color(pal.text_dim))
                room = self._width - x - 8.0
                if i < len(self.outputs):  # leave the output's label on this row clear
                    room -= min(half, pm.horizontalAdvance(self.outputs[i][0]) + PORT_R + 14.0)
                const = pm.elidedText(f"= {p.constant}", Qt.TextElideMode.ElideRight, room)
                painter.drawText(QPointF(x, y + pm.ascent() / 2 - 1), const)
        painter.setPen(style.color(pal.text))
        for i, (name, _) in enumerate(self.outputs):
            w = pm.horizontalAdvance(name)
            painter.drawText(
                QPointF(self._width - PORT_R - 7.0 - w, _row_y(i) + pm.ascent() / 2 - 1), name
            )


# -- helpers -----------------------------------------------------------------------------
def row_y(i: int) -> float:
    """The y of port row ``i`` in item coordinates."""
    return TITLE_H + PAD + ROW_H * i + ROW_H / 2


_row_y = row_y


def _near(a: QPointF, b: QPointF) -> bool:
    return (a.x() - b.x()) ** 2 + (a.y() - b.y()) ** 2 <= HIT_R * HIT_R


def _port_view(
    name: str, type_name: str | None, spec: NodeSpec, services: dict[str, ServiceSpec], wired: set
) -> PortView:
    service = services.get(name)
    constant = None
    if name in spec.constants:
        constant = repr(spec.constants[name])
    scope = (service.scope or "service") if service is not None else None
    return PortView(name, type_name, scope, name in wired, constant)


def _measure(item: NodeItem) -> tuple[float, float]:
    rows = max(len(item.inputs), len(item.outputs), 1)
    height = TITLE_H + PAD + ROW_H * rows + PAD + (18.0 if item.placeholder else 0.0)
    widest_in = max((_input_width(p) for p in item.inputs), default=0.0)
    widest_out = max((style.text_width("port", n) for n, _ in item.outputs), default=0.0)
    width = max(
        MIN_W,
        style.text_width("title", item.title) + 48.0,
        widest_in + widest_out + 44.0,
        style.text_width("small", f"missing: {item.ref}") + 24.0 if item.placeholder else 0.0,
    )
    return min(round(width), 360.0), height


def _input_width(p: PortView) -> float:
    w = style.text_width("port", p.name)
    if p.service is not None:
        w += 8.0 + style.text_width("small", p.service) + 12.0
    elif p.constant is not None:  # short constants in full ("count = 200"), long ones elided
        w += 6.0 + min(CONST_MAX_W, style.text_width("port", f"= {p.constant}"))
    return w


def _title_brush(ref: str, placeholder: bool) -> QBrush:
    """Title bars take a muted tint of their module, so related nodes read as a family."""
    pal = style.palette()
    base = style.color(pal.node_title)
    if placeholder:
        return QBrush(base)
    module = ref.split(":", 1)[0]
    tint = style.type_color(module)
    mixed = base.toRgb()
    k = 0.22 if pal.name == "dark" else 0.16
    mixed.setRgbF(
        mixed.redF() * (1 - k) + tint.redF() * k,
        mixed.greenF() * (1 - k) + tint.greenF() * k,
        mixed.blueF() * (1 - k) + tint.blueF() * k,
    )
    return QBrush(mixed)


def _circle(painter: QPainter, center: QPointF, fill: Any, solid: bool) -> None:
    painter.setPen(QPen(fill, 1.6))
    painter.setBrush(fill if solid else style.color(style.palette().node_body))
    painter.drawEllipse(center, PORT_R, PORT_R)


def _diamond(painter: QPainter, center: QPointF, fill: Any, solid: bool) -> None:
    r = PORT_R + 1.5
    x, y = center.x(), center.y()
    poly = QPolygonF([QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)])
    painter.setPen(QPen(fill.darker(130), 1.0))
    painter.setBrush(fill if solid else Qt.BrushStyle.NoBrush)
    painter.drawPolygon(poly)


def _scope_pill(painter: QPainter, left_mid: QPointF, scope: str) -> None:
    sm = style.metrics("small")
    w = sm.horizontalAdvance(scope) + 10.0
    rect = QRectF(left_mid.x(), left_mid.y() - 7.0, w, 14.0)
    c = style.scope_color(scope)
    fill = style.color(c.name(), 60)
    painter.setPen(QPen(c, 1.0))
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, 7.0, 7.0)
    painter.setFont(style.font("small"))
    painter.setPen(c.lighter(120) if style.palette().name == "dark" else c.darker(120))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, scope)
    painter.setFont(style.font("port"))


SOURCE_COLOR = "#3fae6a"


def _source_badge(painter: QPainter, right_mid: QPointF) -> float:
    """A green "source" pill ending at ``right_mid``; returns its width."""
    sm = style.metrics("small")
    w = sm.horizontalAdvance("source") + 12.0
    rect = QRectF(right_mid.x() - w, right_mid.y() - 8.0, w, 16.0)
    c = style.color(SOURCE_COLOR)
    painter.setPen(QPen(c, 1.0))
    painter.setBrush(style.color(SOURCE_COLOR, 70))
    painter.drawRoundedRect(rect, 8.0, 8.0)
    painter.setFont(style.font("small"))
    painter.setPen(c.lighter(140) if style.palette().name == "dark" else c.darker(140))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "source")
    return w


def _breakpoint_dot(painter: QPainter, center: QPointF, kind: str) -> None:
    """A red dot; a conditional breakpoint has a white bar across it (a "filter")."""
    painter.setPen(QPen(style.color("#ffffff"), 1.0))
    painter.setBrush(style.color(style.palette().breakpoint))
    painter.drawEllipse(center, BREAK_R, BREAK_R)
    if kind == "conditional":
        painter.setPen(QPen(style.color("#ffffff"), 1.6))
        x, y = center.x(), center.y()
        painter.drawLine(QPointF(x - 2.5, y - 1.2), QPointF(x + 2.5, y - 1.2))
        painter.drawLine(QPointF(x - 2.5, y + 1.2), QPointF(x + 2.5, y + 1.2))


def _problem_badge(painter: QPainter, center: QPointF) -> None:
    c = style.color(style.palette().problem)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(c)
    painter.drawEllipse(center, 7.0, 7.0)
    painter.setPen(QPen(style.color("#ffffff"), 2.0))
    painter.drawLine(QPointF(center.x(), center.y() - 3.5), QPointF(center.x(), center.y() + 1.0))
    painter.drawPoint(QPointF(center.x(), center.y() + 3.5))
