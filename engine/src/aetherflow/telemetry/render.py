"""Render arbitrary Python objects as plain JSON-like data, safely.

Bounded depth and size; objects become their public attributes (or ``__slots__``); what
cannot be rendered falls back to a shortened ``repr``. Never raises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 4
MAX_ITEMS = 50
MAX_STR = 200


def _short(text: str, limit: int = MAX_STR) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def safe_repr(value: Any) -> str:
    """``repr(value)``, shortened; a placeholder when repr itself raises."""
    try:
        return _short(repr(value))
    except Exception as exc:  # a broken __repr__ must not break telemetry
        return f"<{type(value).__name__}: repr failed ({type(exc).__name__})>"


def render(value: Any, depth: int = MAX_DEPTH, max_items: int = MAX_ITEMS) -> Any:
    """``value`` as JSON-like data: dict (str keys), list, str, int, float, bool, None."""
    try:
        return _render(value, depth, max_items)
    except Exception:
        return safe_repr(value)


def _render(value: Any, depth: int, max_items: int) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return _short(value)
    if isinstance(value, bytes):
        return safe_repr(value)
    if depth <= 0:
        return safe_repr(value)
    if isinstance(value, Mapping):
        return _render_pairs(list(value.items()), depth, max_items)
    if isinstance(value, list | tuple | set | frozenset):
        seq = list(value)
        out = [_render(v, depth - 1, max_items) for v in seq[:max_items]]
        if len(seq) > max_items:
            out.append(f"... ({len(seq)} items)")
        return out
    attrs = _public_attributes(value)
    if attrs:
        rendered = _render_pairs(attrs, depth, max_items)
        return {"__type__": type(value).__qualname__, **rendered}
    return safe_repr(value)


def _render_pairs(pairs: list[tuple[Any, Any]], depth: int, max_items: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, v in pairs[:max_items]:
        out[key if isinstance(key, str) else safe_repr(key)] = _render(v, depth - 1, max_items)
    if len(pairs) > max_items:
        out["..."] = f"{len(pairs)} entries"
    return out


def _public_attributes(value: Any) -> list[tuple[str, Any]]:
    """Instance attributes not starting with ``_``, not callables (locks render as repr)."""
    names: list[str] = list(getattr(value, "__dict__", {}) or {})
    for cls in type(value).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    pairs = []
    for name in dict.fromkeys(names):
        if name.startswith("_"):
            continue
        try:
            attr = getattr(value, name)
        except Exception:
            continue
        if not callable(attr) or isinstance(attr, type):
            pairs.append((name, attr))
    return pairs
