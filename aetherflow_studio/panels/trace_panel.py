"""The trace view: traced items of the runs, and one item's path through the nodes.

Fed with plain data: trace dicts as `ItemTrace.to_dict()` gives them (``index``, ``worker``,
``item``, ``failed``, ``steps``: each ``node``, ``thread``, ``started``, ``seconds``,
``inputs``, ``outputs``, ``error``, ``attempt``). Selecting a step selects its node on the
canvas; selecting a node on the canvas selects its step. A replayed item's trace is shown
beside the original.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .throughput_panel import short_thread
from .value_tree import add_value_rows, mapping_summary, summary

NODE_ROLE = Qt.ItemDataRole.UserRole
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
FAILED = QColor("#e57373")


@dataclass
class TracedItem:
    """One row of the items list: a run's item trace and, once replayed, the replay's."""

    key: str  # "run:index"
    run: int
    trace: dict[str, Any]
    replay: dict[str, Any] | None = None
    replay_run: int = 0


def trace_key(run: int, trace: dict[str, Any]) -> str:
    return f"{run}:{trace['index']}"


class StepsView(QWidget):
    """One item's steps: node, thread, time, inputs and outputs (expand a step for its
    values as trees)."""

    step_selected = Signal(str)  # the node of the selected step

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = QLabel(title)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["step", "node", "thread", "ms", "inputs → outputs"])
        self.tree.setUniformRowHeights(True)
        self.tree.setColumnWidth(0, 70)
        self.tree.setColumnWidth(1, 110)
        self.tree.setColumnWidth(2, 90)
        self.tree.setColumnWidth(3, 55)
        self.tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)

    def show_trace(self, trace: dict[str, Any] | None, title: str) -> None:
        self.title.setText(title)
        self.tree.clear()
        if trace is None:
            return
        for i, step in enumerate(trace.get("steps", ())):
            self.tree.addTopLevelItem(_step_row(i + 1, step))

    def step_rows(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def select_node(self, node_id: str) -> bool:
        """Select the first step at ``node_id`` (without echoing it back)."""
        for row in self.step_rows():
            if row.data(0, NODE_ROLE) == node_id:
                if self.tree.currentItem() is not row:
                    self.tree.blockSignals(True)
                    self.tree.setCurrentItem(row)
                    self.tree.blockSignals(False)
                self.tree.scrollToItem(row)
                return True
        self.tree.blockSignals(True)
        self.tree.setCurrentItem(None)  # type: ignore[arg-type]
        self.tree.blockSignals(False)
        return False

    def _on_tree_current_item_changed(self, current: QTreeWidgetItem | None, _prev: Any) -> None:
        while current is not None and current.parent() is not None:
            current = current.parent()
        if current is not None:
            self.step_selected.emit(current.data(0, NODE_ROLE))


def _step_row(number: int, step: dict[str, Any]) -> QTreeWidgetItem:
    error = step.get("error")
    flow = mapping_summary(step.get("inputs"), 60)
    flow += f" → {error}" if error else f" → {mapping_summary(step.get('outputs'), 60)}"
    attempt = step.get("attempt", 1)
    label = f"{number}" + (f" (try {attempt})" if attempt and attempt > 1 else "")
    seconds = step.get("seconds") or 0.0
    thread = step.get("thread", "")
    row = QTreeWidgetItem([label, step["node"], short_thread(thread), f"{seconds * 1e3:.2f}", flow])
    row.setToolTip(2, thread)
    row.setData(0, NODE_ROLE, step["node"])
    row.setToolTip(4, flow)
    add_value_rows(row, "inputs", step.get("inputs") or {})
    if step.get("outputs") is not None:
        add_value_rows(row, "outputs", step["outputs"])
    if error:
        bad = QTreeWidgetItem(["error", str(error)])
        bad.setForeground(1, QBrush(FAILED))
        row.addChild(bad)
        for col in range(5):
            row.setForeground(col, QBrush(FAILED))
    return row


class TracePanel(QWidget):
    """Traced items (failed ones always, the last K per worker when tracing is on) and
    the selected item's steps, with its replay beside it.

    Signals
    -------
    node_selection_requested(str)
        A step was selected: select its node on the canvas.
    replay_requested(list)
        "Replay item" on traced items: ``[(key, item input), ...]``.
    """

    node_selection_requested = Signal(str)
    replay_requested = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trace_panel")
        self.entries: dict[str, TracedItem] = {}
        self._rows: dict[str, QTreeWidgetItem] = {}  # key -> its row in the items list
        self.summary = QLabel("No traced items. Failed items are always traced; Debug > "
                              "Trace Items keeps the last items of each worker too.")  # fmt: skip
        self.summary.setWordWrap(True)
        self.summary.setProperty("role", "muted")
        self.items = QTreeWidget()
        self.items.setHeaderLabels(["item", "worker", "steps", "result", "replay"])
        self.items.setRootIsDecorated(False)
        self.items.setUniformRowHeights(True)
        self.items.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.items.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.items.customContextMenuRequested.connect(self._on_items_context_menu_requested)
        self.items.currentItemChanged.connect(self._on_items_current_item_changed)
        self.original = StepsView("Select a traced item.")
        self.replay = StepsView("Replay")
        self.replay.setVisible(False)
        for view in (self.original, self.replay):
            view.step_selected.connect(self._on_view_step_selected)
        steps = QSplitter(Qt.Orientation.Horizontal)
        steps.addWidget(self.original)
        steps.addWidget(self.replay)
        split = QSplitter(Qt.Orientation.Vertical)  # fits a tabbed dock beside Thread State
        split.addWidget(self.items)
        split.addWidget(steps)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setSizes([120, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    # -- data -------------------------------------------------------------------------
    def add_traces(self, run: int, traces: list[dict[str, Any]]) -> None:
        """Add (or update) the item traces of run ``run``."""
        for trace in traces:
            key = trace_key(run, trace)
            entry = self.entries.get(key)
            if entry is None:
                self.entries[key] = entry = TracedItem(key, run, trace)
                self._rows[key] = row = self._item_row(entry)
                self.items.addTopLevelItem(row)
            elif entry.trace != trace:  # a live run sends all its traces again each time
                entry.trace = trace
                self._refresh_row(key)
        self._update_summary()
        if self.items.currentItem() is None and self.items.topLevelItemCount():
            self.items.setCurrentItem(self.items.topLevelItem(0))

    def set_replay(self, key: str, run: int, trace: dict[str, Any]) -> None:
        """The trace of item ``key`` replayed in run ``run``: shown beside the original."""
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.replay, entry.replay_run = trace, run
        self._refresh_row(key)
        if self.current_key() == key:
            self._show(entry)

    def clear(self) -> None:
        self.entries.clear()
        self._rows.clear()
        self.items.clear()
        self._show(None)
        self._update_summary()

    def current_key(self) -> str | None:
        row = self.items.currentItem()
        return row.data(0, KEY_ROLE) if row is not None else None

    def select_item(self, key: str) -> bool:
        row = self._row(key)
        if row is not None:
            self.items.setCurrentItem(row)
            self.items.scrollToItem(row)
        return row is not None

    def show_node(self, node_id: str) -> None:
        """The canvas selected ``node_id``: select its step in the shown trace(s)."""
        self.original.select_node(node_id)
        if self.replay.isVisible():
            self.replay.select_node(node_id)

    # -- rows -------------------------------------------------------------------------
    def _item_row(self, entry: TracedItem) -> QTreeWidgetItem:
        row = QTreeWidgetItem()
        row.setData(0, KEY_ROLE, entry.key)
        self._fill_row(row, entry)
        return row

    def _fill_row(self, row: QTreeWidgetItem, entry: TracedItem) -> None:
        t = entry.trace
        replay = ""
        if entry.replay is not None:
            replay = f"run {entry.replay_run}: {'failed' if entry.replay['failed'] else 'ok'}"
        result = "failed" if t["failed"] else "ok"
        steps = str(len(t.get("steps", ())))
        worker = short_thread(t.get("worker", ""))
        texts = [f"{t['index']} (run {entry.run})", worker, steps, result, replay]
        for col, text in enumerate(texts):
            row.setText(col, text)
        row.setToolTip(0, f"input: {summary(t.get('item'), 400)}")
        row.setToolTip(1, t.get("worker", ""))
        row.setForeground(3, QBrush(FAILED) if t["failed"] else QBrush())

    def _row(self, key: str) -> QTreeWidgetItem | None:
        return self._rows.get(key)

    def _refresh_row(self, key: str) -> None:
        row = self._row(key)
        if row is not None:
            self._fill_row(row, self.entries[key])

    def _update_summary(self) -> None:
        n = len(self.entries)
        failed = sum(1 for e in self.entries.values() if e.trace["failed"])
        if n:
            self.summary.setText(f"{n} traced item{'s' if n != 1 else ''} · {failed} failed")

    def _show(self, entry: TracedItem | None) -> None:
        if entry is None:
            self.original.show_trace(None, "Select a traced item.")
            self.replay.setVisible(False)
            return
        t = entry.trace
        title = f"Item {t['index']} · run {entry.run} · {short_thread(t.get('worker', '?'))}"
        self.original.show_trace(t, title)
        self.original.title.setToolTip(f"input: {summary(t.get('item'), 400)}")
        self.replay.setVisible(entry.replay is not None)
        if entry.replay is not None:
            result = "failed again" if entry.replay["failed"] else "passed"
            self.replay.show_trace(entry.replay, f"Replay · run {entry.replay_run}: {result}")

    # -- handlers ---------------------------------------------------------------------
    def _on_items_current_item_changed(self, current: QTreeWidgetItem | None, _p: Any) -> None:
        key = current.data(0, KEY_ROLE) if current is not None else None
        self._show(self.entries.get(key) if key else None)

    def _on_view_step_selected(self, node_id: str) -> None:
        self.node_selection_requested.emit(node_id)

    def item_menu(self) -> QMenu:
        """The right-click menu of the selected traced items."""
        keys = [r.data(0, KEY_ROLE) for r in self.items.selectedItems()]
        chosen = [(k, self.entries[k].trace.get("item")) for k in keys if k in self.entries]
        menu = QMenu(self)
        n = len(chosen)
        replay = menu.addAction("Replay item" if n == 1 else f"Replay {n} items",
                                lambda: self.replay_requested.emit(chosen))  # fmt: skip
        replay.setEnabled(bool(chosen))
        replay.setToolTip("Run the item alone, with the same scopes and breakpoints, traced")
        return menu

    def _on_items_context_menu_requested(self, pos: QPoint) -> None:
        self.item_menu().exec(self.items.viewport().mapToGlobal(pos))
