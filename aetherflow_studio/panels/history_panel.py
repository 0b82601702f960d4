"""Run history of the session: every finished run, and two runs side by side.

Select two rows to compare them: a table of settings and results and their throughput
curves overlaid, so flipping one service's scope and running again shows what it did.
Runs that measured shared services add a "shared time" row: each shared service's share
of worker time (``db_pool 41%``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("run", "flow", "executor", "workers", "scopes", "input", "items", "failed",
           "items/s", "p50 ms", "p95 ms", "status")  # fmt: skip
COMPARE_COLORS = ("#4fc3f7", "#ffb74d")


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f}"


def _row(record: Any) -> list[str]:
    s = record.settings
    status = record.error or record.stats.get("stop_reason") or "done"
    return [str(record.number), record.flow_name, s.executor, str(s.workers),
            record.scope_text(), s.describe_input(), f"{record.items:,}", str(record.failed),
            f"{record.items_per_s:,.0f}", _ms(record.latency("p50")),
            _ms(record.latency("p95")), status]  # fmt: skip


class HistoryPanel(QWidget):
    """The session's runs; selecting two compares them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history_panel")
        self.records: list[Any] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.hint = QLabel("Select two runs to compare them.")
        self.compare = QTableWidget(0, 3)
        self.compare.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare.verticalHeader().setVisible(False)
        self.compare.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.plot = pg.PlotWidget(title="Throughput (items/s)")
        self.plot.addLegend(offset=(-4, 4))
        self.plot.setLabel("bottom", "s")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.curves = [self.plot.plot(pen=pg.mkPen(c, width=2)) for c in COMPARE_COLORS]
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.compare)
        bottom.addWidget(self.plot)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)

    def show_flow(self, key: str) -> None:
        """List only the runs of the flow with this key (`flow_key`); the others are kept
        and come back when their flow is open again."""
        self._flow_key = key
        for row, record in enumerate(self.records):
            self.table.setRowHidden(row, record.flow_key != key)
        self.table.clearSelection()
        hidden = sum(r.flow_key != key for r in self.records)
        other = f" ({hidden} run{'s' if hidden != 1 else ''} of other flows kept)" if hidden else ""
        self.hint.setText(f"Select two runs to compare them.{other}")

    def visible_records(self) -> list[Any]:
        return [r for row, r in enumerate(self.records) if not self.table.isRowHidden(row)]

    def add_record(self, record: Any) -> None:
        self.records.append(record)
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in enumerate(_row(record)):
            item = QTableWidgetItem(text)
            if col in (0, 3, 6, 7, 8, 9, 10):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, col, item)
        key = getattr(self, "_flow_key", None)
        self.table.setRowHidden(row, key is not None and record.flow_key != key)

    def select_runs(self, a: int, b: int) -> None:
        """Select the rows of runs at positions ``a`` and ``b`` (for tests and shortcuts)."""
        self.table.clearSelection()
        for row in (a, b):
            self.table.selectRow(row)

    def selected_records(self) -> list[Any]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.records[r] for r in rows]

    def _on_table_item_selection_changed(self) -> None:
        chosen = self.selected_records()[-2:]
        if len(chosen) == 2:
            self.show_comparison(chosen[0], chosen[1])
            self.hint.setText(f"Comparing run {chosen[0].number} and run {chosen[1].number}.")
        else:
            self.hint.setText("Select two runs to compare them.")

    def show_comparison(self, a: Any, b: Any) -> None:
        rows = [(name, ra, rb) for name, ra, rb in zip(COLUMNS, _row(a), _row(b), strict=True)]
        if a.settings.profile_shared or b.settings.profile_shared:
            rows.append(("shared time", a.shared_time_text(), b.shared_time_text()))
        if a.settings.check_races or b.settings.check_races:
            rows.append(("races", a.races_text(), b.races_text()))
        nodes_a = {n.node: n for n in a.node_stats}
        for n in b.node_stats:
            if n.node in nodes_a:
                rows.append((f"{n.node} p50 ms", _ms(nodes_a[n.node].p50), _ms(n.p50)))
        self.compare.setRowCount(len(rows))
        self.compare.setHorizontalHeaderLabels(["", f"run {a.number}", f"run {b.number}"])
        for r, values in enumerate(rows):
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c and values[1] != values[2]:
                    item.setBackground(pg.mkColor(255, 193, 7, 50))
                self.compare.setItem(r, c, item)
        legend = self.plot.plotItem.legend
        if legend is not None:
            legend.clear()
        for curve, record in zip(self.curves, (a, b), strict=True):
            curve.setData(np.asarray(record.series.t), np.asarray(record.series.rate))
            if legend is not None:
                legend.addItem(curve, f"run {record.number}: {record.scope_text()}")

    def comparison(self) -> list[list[str]]:
        """The comparison table as text rows (tests read it)."""
        return [[self.compare.item(r, c).text() for c in range(3)]
                for r in range(self.compare.rowCount())]  # fmt: skip
