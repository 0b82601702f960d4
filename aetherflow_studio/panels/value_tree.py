"""Rendered values (the engine's `render` output: JSON-like plain data) as tree rows and
one-line summaries, for the trace view, the breakpoint view and wire tooltips."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTreeWidgetItem

from aetherflow_studio.widgets.rendered import mapping_summary, summary

__all__ = ["add_value_rows", "mapping_summary", "summary"]

MAX_CHILDREN = 200  # rows per container; the rest is one "…" row


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
