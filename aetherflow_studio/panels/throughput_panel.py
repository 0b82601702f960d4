"""Live throughput: items/s overall and per thread, node latency p50/p95, errors over time.

Curves are created once per run and refreshed with ``setData`` from the controller's poll
(GUI thread), with clip-to-view and peak downsampling; nothing draws while hidden.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .live_panel import LivePanel

THREAD_COLORS = ("#4fc3f7", "#ffb74d", "#81c784", "#ba68c8", "#e57373", "#fff176", "#4db6ac",
                 "#f06292", "#9575cd", "#a1887f")  # fmt: skip
TOTAL_COLOR = "#eeeeee"


def thread_color(i: int) -> str:
    return THREAD_COLORS[i % len(THREAD_COLORS)]


def short_thread(name: str) -> str:
    """``aetherflow-1f2-w3`` -> ``w3``."""
    return name.rsplit("-", 1)[-1]


class ThroughputPanel(LivePanel):
    """Three stacked plots sharing the time axis (seconds since the run started)."""

    def __init__(self, controller: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.setObjectName("throughput_panel")
        self.graphics = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.rate_plot = self._plot(0, "items/s", "Throughput")
        self.rate_plot.addLegend(offset=(-4, 4), labelTextSize="8pt", colCount=5)
        self.latency_plot = self.graphics.addPlot(row=1, col=0, title="Node latency (ms)")
        self.latency_plot.showGrid(y=True, alpha=0.2)
        self.latency_plot.addLegend(offset=(-4, 4), labelTextSize="8pt")
        self.error_plot = self._plot(2, "failed", "Errors")
        self.error_plot.setXLink(self.rate_plot)
        self.total_curve = self.rate_plot.plot(pen=pg.mkPen(TOTAL_COLOR, width=2), name="all")
        self.thread_curves: dict[str, pg.PlotDataItem] = {}
        self.error_curve = self.error_plot.plot(pen=pg.mkPen("#e57373", width=2),
                                                fillLevel=0, brush=(229, 115, 115, 60))  # fmt: skip
        self.p50_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush="#4fc3f7", name="p50")
        self.p95_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush="#ffb74d", name="p95")
        self.latency_plot.addItem(self.p50_bars)
        self.latency_plot.addItem(self.p95_bars)
        self._node_ids: tuple[str, ...] = ()
        self._ranges: dict[int, tuple[float, float]] = {}
        self._frames = 0
        self._failed_drawn = -1
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)
        self.graphics.ci.layout.setRowStretchFactor(2, 1)

    def _plot(self, row: int, units: str, title: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0, title=title)
        plot.setLabel("left", units)
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        plot.disableAutoRange()  # ranges move in steps (`_fit`): axes repaint rarely
        plot.setMouseEnabled(x=False, y=False)
        return plot

    def _fit(self, plot: pg.PlotItem, x_end: float, y_max: float) -> None:
        """Grow the view in steps (x by 10 s, y by powers of two): repainting the axes and
        grid every frame would cost more GUI time than the curves themselves."""
        x = 10.0 * (int(x_end / 10.0) + 1)
        y = 2.0 ** np.ceil(np.log2(max(y_max, 1.0) * 1.05))
        if self._ranges.get(id(plot)) != (x, y):
            self._ranges[id(plot)] = (x, y)
            plot.setRange(xRange=(0, x), yRange=(0, y), padding=0)

    def run_changed(self, frame: Any) -> None:
        self._ranges.clear()
        self._failed_drawn = -1
        for curve in self.thread_curves.values():
            self.rate_plot.removeItem(curve)
        self.thread_curves.clear()
        legend = self.rate_plot.legend
        if legend is not None:
            legend.clear()
            legend.addItem(self.total_curve, "all")

    def clear_view(self) -> None:
        self.run_changed(None)
        for curve in (self.total_curve, self.error_curve):
            curve.setData([], [])
        self._node_ids = ()
        self.p50_bars.setOpts(x=[], height=[])
        self.p95_bars.setOpts(x=[], height=[])
        self.latency_plot.getAxis("bottom").setTicks([[]])

    def draw_frame(self, frame: Any) -> None:
        series = frame.series
        t = np.asarray(series.t)
        if not len(t):
            return
        rate = np.asarray(series.rate)
        self.total_curve.setData(t, rate, skipFiniteCheck=True)
        top = float(rate.max())
        for i, (name, values) in enumerate(series.threads.items()):
            curve = self.thread_curves.get(name)
            if curve is None:
                curve = self.rate_plot.plot(pen=pg.mkPen(thread_color(i), width=1),
                                            name=short_thread(name))  # fmt: skip
                self.thread_curves[name] = curve
            curve.setData(t[-len(values) :], np.asarray(values), skipFiniteCheck=True)
        self._fit(self.rate_plot, float(t[-1]), top)
        failed = series.failed[-1]
        if failed != self._failed_drawn or frame.final:
            self._failed_drawn = failed
            self.error_curve.setData(t, np.asarray(series.failed, dtype=float))
        self._fit(self.error_plot, float(t[-1]), float(failed))
        self._frames += 1
        if frame.snapshot is not None and (frame.final or self._frames % 8 == 1):
            self._draw_latency(frame.snapshot.nodes)  # ~4 Hz: percentiles move slowly

    def _draw_latency(self, nodes: tuple[Any, ...]) -> None:
        ids = tuple(n.node for n in nodes)
        x = np.arange(len(nodes), dtype=float)
        self.p50_bars.setOpts(x=x - 0.2, height=[n.p50 * 1e3 for n in nodes])
        self.p95_bars.setOpts(x=x + 0.2, height=[n.p95 * 1e3 for n in nodes])
        if ids != self._node_ids:
            self._node_ids = ids
            self.latency_plot.getAxis("bottom").setTicks([list(enumerate(ids))])
            self.latency_plot.setXRange(-0.6, len(ids) - 0.4, padding=0)
            legend = self.latency_plot.legend
            if legend is not None and not legend.items:
                legend.addItem(self.p50_bars, "p50")
                legend.addItem(self.p95_bars, "p95")
