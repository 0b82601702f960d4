"""Rendered values (the engine's `render` output: JSON-like plain data) as tree rows and
one-line summaries, for the trace view, the breakpoint view and wire tooltips."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTreeWidgetItem

MAX_CHILDREN = 200  # rows per container; the rest is one "…" row
SUMMARY_CHARS = 80


def summary(value: Any, limit: int = SUMMARY_CHARS) -> str:
    """A one-line text for a rendered value (containers show their first entries)."""
    text = _short(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: Any, depth: int = 0) -> str:
    if isinstance(value, dict):
        kind = value.get("__type__")
        entries = [(k, v) for k, v in value.items() if k != "__type__"]
        if depth > 0:
            return f"{kind}(…)" if kind else f"{{…{len(entries)}}}"
        inner = ", ".join(f"{k}: {_short(v, depth + 1)}" for k, v in entries[:6])
        more = ", …" if len(entries) > 6 else ""
        return f"{kind}({inner}{more})" if kind else f"{{{inner}{more}}}"
    if isinstance(value, list):
        if depth > 0:
            return f"[…{len(value)}]"
        inner = ", ".join(_short(v, depth + 1) for v in value[:6])
        return f"[{inner}{', …' if len(value) > 6 else ''}]"
    return repr(value) if isinstance(value, str) else str(value)


def mapping_summary(values: dict[str, Any] | None, limit: int = SUMMARY_CHARS) -> str:
    """``a=1, b='x'`` for a node's inputs or outputs (empty text for None)."""
    if not values:
        return ""
    text = ", ".join(f"{k}={summary(v, 30)}" for k, v in values.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def add_value_rows(parent: QTreeWidgetItem, name: str, value: Any) -> QTreeWidgetItem:
    """A row ``name | summary`` under ``parent`` with the value's entries as children."""
    row = QTreeWidgetItem([name, summary(value)])
    row.setToolTip(1, summary(value, 2000))
    parent.addChild(row)
    if isinstance(value, dict):
        entries = [(str(k), v) for k, v in value.items() if k != "__type__"]
    elif isinstance(value, list):
        entries = [(f"[{i}]", v) for i, v in enumerate(value)]
    else:
        return row
    for key, child in entries[:MAX_CHILDREN]:
        add_value_rows(row, key, child)
    if len(entries) > MAX_CHILDREN:
        row.addChild(QTreeWidgetItem(["…", f"{len(entries) - MAX_CHILDREN} more"]))
    return row
