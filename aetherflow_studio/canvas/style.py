"""Canvas colours and fonts, in one place: a dark and a light palette.

`set_palette` switches the palette of every canvas; scenes repaint through
`on_palette_changed` listeners.
"""

from __future__ import annotations

import weakref
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from PySide6.QtGui import QColor, QFont, QFontMetricsF


@dataclass(frozen=True, eq=False)  # identity hash: the colour caches below key on it
class Palette:
    name: str
    background: str
    grid_minor: str
    grid_major: str
    node_body: str
    node_title: str
    node_border: str
    selected: str
    text: str
    text_dim: str
    port_untyped: str
    port_types: tuple[str, ...]
    shared: str
    isolated: str
    other_scope: str
    edge: str
    highlight: str
    refused: str
    placeholder: str
    problem: str
    frame: str
    repeat: str
    branch: str
    parallel: str
    running: str
    failed: str
    ok: str
    breakpoint: str = "#e5484d"
    stopped: str = "#ffd43b"  # a worker waits at a breakpoint before this node
    race: str = "#ff7a45"  # the race check found unlocked writes by this node


DARK = Palette(
    name="dark",
    background="#1e1f22",
    grid_minor="#26272b",
    grid_major="#303136",
    node_body="#2b2d31",
    node_title="#383a40",
    node_border="#45474e",
    selected="#f0b232",
    text="#e6e7ea",
    text_dim="#9a9ca3",
    port_untyped="#a6a9b0",
    port_types=("#5ec4ff", "#7ee081", "#f28fad", "#c79bff", "#ffb86c", "#5fe3c8", "#e8d56b"),
    shared="#f28c38",
    isolated="#2fc4b2",
    other_scope="#8b8e96",
    edge="#8b8e96",
    highlight="#ffffff",
    refused="#f0524f",
    placeholder="#d9a441",
    problem="#f0524f",
    frame="#6c8ebf",
    repeat="#b07ce8",
    branch="#e0a040",
    parallel="#42b883",
    running="#4aa3ff",
    failed="#f0524f",
    ok="#4cc38a",
)

LIGHT = Palette(
    name="light",
    background="#f4f5f7",
    grid_minor="#e8e9ed",
    grid_major="#d8dae0",
    node_body="#ffffff",
    node_title="#e9ebf0",
    node_border="#c3c6ce",
    selected="#d48806",
    text="#1f2328",
    text_dim="#636a75",
    port_untyped="#7a7f88",
    port_types=("#1f7fd1", "#2e9e46", "#c93c6b", "#7b4fd6", "#d2761e", "#11988a", "#a68b00"),
    shared="#d2691e",
    isolated="#0f9687",
    other_scope="#7a7f88",
    edge="#7a7f88",
    highlight="#1f2328",
    refused="#d12f2c",
    placeholder="#b7791f",
    problem="#d12f2c",
    frame="#4f74b0",
    repeat="#8a55cc",
    branch="#c27c0e",
    parallel="#2e9a6a",
    running="#1f7fd1",
    failed="#d12f2c",
    ok="#2e9e5b",
    breakpoint="#d42a30",
    stopped="#e0a800",
    race="#d4521c",
)

PALETTES = {"dark": DARK, "light": LIGHT}
_current: list[Palette] = [DARK]
_listeners: list[weakref.WeakMethod | Callable[[], object]] = []


def palette() -> Palette:
    """The palette in use."""
    return _current[0]


def set_palette(name: str) -> None:
    """Switch every canvas to the "dark" or "light" palette."""
    if name not in PALETTES:
        raise ValueError(f"unknown palette {name!r}: use one of {sorted(PALETTES)}")
    _current[0] = PALETTES[name]
    for ref in list(_listeners):
        fn = ref() if isinstance(ref, weakref.WeakMethod) else ref
        if fn is None:
            _listeners.remove(ref)
            continue
        try:
            fn()
        except RuntimeError:  # its Qt object was deleted while Python still held it
            _listeners.remove(ref)


def on_palette_changed(method: Callable[[], object]) -> None:
    """Call ``method()`` after each switch; bound methods are held weakly."""
    _listeners.append(weakref.WeakMethod(method) if hasattr(method, "__self__") else method)


@cache
def color(hex_code: str, alpha: int = 255) -> QColor:
    c = QColor(hex_code)
    c.setAlpha(alpha)
    return c


def type_color(type_name: str | None) -> QColor:
    """A stable colour per port type; untyped ports are neutral."""
    return _type_color(palette(), type_name)


@cache
def _type_color(pal: Palette, type_name: str | None) -> QColor:
    if not type_name:
        return color(pal.port_untyped)
    base = type_name.replace("typing.", "").split("[", 1)[0].strip()
    return color(pal.port_types[zlib.crc32(base.encode()) % len(pal.port_types)])


def scope_color(scope: str | None) -> QColor:
    return _scope_color(palette(), scope)


@cache
def _scope_color(pal: Palette, scope: str | None) -> QColor:
    return color({"shared": pal.shared, "isolated": pal.isolated}.get(scope or "", pal.other_scope))


@cache
def font(role: str) -> QFont:
    """Fonts by role: "title", "port", "small"."""
    f = QFont()
    size = {"title": 9.5, "port": 8.5, "small": 7.5}[role]
    f.setPointSizeF(size)
    if role == "title":
        f.setBold(True)
    return f


@cache
def metrics(role: str) -> QFontMetricsF:
    return QFontMetricsF(font(role))


_widths: dict[tuple[str, str], float] = {}


def text_width(role: str, text: str) -> float:
    """``metrics(role).horizontalAdvance(text)``, remembered: measuring text is the costly
    part of building a node item, and port names repeat across a flow's nodes."""
    key = (role, text)
    width = _widths.get(key)
    if width is None:
        if len(_widths) > 50_000:
            _widths.clear()
        width = _widths[key] = metrics(role).horizontalAdvance(text)
    return width
