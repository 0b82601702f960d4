"""Live throughput: items/s overall and per thread, node latency p50/p95, errors over time.

Curves are created once per run and refreshed with ``setData`` from the controller's poll
(GUI thread), with clip-to-view and peak downsampling; nothing draws while hidden.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .live_panel import LivePanel

THREAD_COLORS = ("#4fc3f7", "#ffb74d", "#81c784", "#ba68c8", "#e57373", "#fff176", "#4db6ac",
                 "#f06292", "#9575cd", "#a1887f")  # fmt: skip
TOTAL_COLOR = "#eeeeee"
P50_COLOR, P95_COLOR = "#4fc3f7", "#ffb74d"
LATENCY_LEGEND = (f"&nbsp;&nbsp;&nbsp;&nbsp;latency: <span style='color:{P50_COLOR}'>■</span> p50 "
                  f"<span style='color:{P95_COLOR}'>■</span> p95")  # fmt: skip


def thread_color(i: int) -> str:
    return THREAD_COLORS[i % len(THREAD_COLORS)]


def short_thread(name: str) -> str:
    """``aetherflow-1f2-w3`` -> ``w3``."""
    return name.rsplit("-", 1)[-1]


class ThroughputPanel(LivePanel):
    """Throughput and errors over time (one time axis, in seconds) and node latency.

    Legends are rows of coloured labels above the plots, never inside them (a legend in a
    plot a few hundred pixels tall covers the curves and the ticks); each y axis shows at
    most three values; nothing is drawn before the first run's data arrives.
    """

    def __init__(self, controller: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.setObjectName("throughput_panel")
        self.graphics = pg.GraphicsLayoutWidget()
        self.placeholder = QLabel("Run the flow to see its throughput, node latency and errors.")
        self.placeholder.setStyleSheet("color: gray; padding: 6px;")
        self.thread_legend = QLabel()
        self.thread_legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.thread_legend)
        layout.addWidget(self.graphics, 1)
        self.rate_plot = self._plot(0, "items/s")
        self.error_plot = self._plot(1, "failed")
        self.error_plot.setXLink(self.rate_plot)
        self.error_plot.setLabel("bottom", "time since the run started", units="s")
        self.rate_plot.getAxis("bottom").setStyle(showValues=False)  # shared with errors
        self.latency_plot = self.graphics.addPlot(row=2, col=0)
        self.latency_plot.setLabel("left", "ms")
        self.latency_plot.showGrid(y=True, alpha=0.2)
        self.latency_plot.setMouseEnabled(x=False, y=False)
        self.latency_plot.hideButtons()
        self.total_curve = self.rate_plot.plot(pen=pg.mkPen(TOTAL_COLOR, width=2))
        self.thread_curves: dict[str, pg.PlotDataItem] = {}
        self.error_curve = self.error_plot.plot(pen=pg.mkPen("#e57373", width=2),
                                                fillLevel=0, brush=(229, 115, 115, 60))  # fmt: skip
        self.p50_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=P50_COLOR)
        self.p95_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=P95_COLOR)
        self.latency_plot.addItem(self.p50_bars)
        self.latency_plot.addItem(self.p95_bars)
        self._node_ids: tuple[str, ...] = ()
        self._ranges: dict[int, tuple[float, float]] = {}
        self._frames = 0
        self._failed_drawn = -1
        self._legend_for: tuple[str, ...] = ()
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.graphics.ci.layout.setRowStretchFactor(2, 2)
        self._show_plots(False)

    def _show_plots(self, shown: bool) -> None:
        """Plots only once there is data; before, a line saying what will be here."""
        self.placeholder.setVisible(not shown)
        self.graphics.setVisible(shown)
        self.thread_legend.setVisible(shown)

    def _plot(self, row: int, units: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0)
        plot.setLabel("left", units)
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        plot.disableAutoRange()  # ranges move in steps (`_fit`): axes repaint rarely
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.getAxis("left").setWidth(48)  # the plots' y axes line up
        return plot

    def _fit(self, plot: pg.PlotItem, x_end: float, y_max: float) -> None:
        """Grow the view in steps (x by 10 s, y by powers of two): repainting the axes and
        grid every frame would cost more GUI time than the curves themselves. The y axis
        shows 0, half and the top only, so its labels never overlap in a short plot."""
        x = 10.0 * (int(x_end / 10.0) + 1)
        y = 2.0 ** np.ceil(np.log2(max(y_max, 1.0) * 1.05))
        if self._ranges.get(id(plot)) != (x, y):
            self._ranges[id(plot)] = (x, y)
            plot.setRange(xRange=(0, x), yRange=(0, y), padding=0)
            plot.getAxis("left").setTicks([[(v, f"{v:,.0f}") for v in (0.0, y / 2, y)], []])

    def run_changed(self, frame: Any) -> None:
        self._ranges.clear()
        self._failed_drawn = -1
        for curve in self.thread_curves.values():
            self.rate_plot.removeItem(curve)
        self.thread_curves.clear()
        self._legend_for = ()

    def clear_view(self) -> None:
        self.run_changed(None)
        self._show_plots(False)
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
        if not self.graphics.isVisible():
            self._show_plots(True)
        rate = np.asarray(series.rate)
        self.total_curve.setData(t, rate, skipFiniteCheck=True)
        top = float(rate.max())
        for i, (name, values) in enumerate(series.threads.items()):
            curve = self.thread_curves.get(name)
            if curve is None:
                curve = self.rate_plot.plot(pen=pg.mkPen(thread_color(i), width=1))
                self.thread_curves[name] = curve
            curve.setData(t[-len(values) :], np.asarray(values), skipFiniteCheck=True)
        self._fit(self.rate_plot, float(t[-1]), top)
        self._update_thread_legend(tuple(series.threads))
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
            self.latency_plot.getAxis("bottom").setTicks([node_ticks(ids, self.width())])
            self.latency_plot.setXRange(-0.6, len(ids) - 0.4, padding=0)
        top = max([n.p95 * 1e3 for n in nodes] + [0.001])
        self.latency_plot.setYRange(0, top * 1.1, padding=0)
        self.latency_plot.getAxis("left").setTicks([[(v, f"{v:.3g}") for v in (0, top / 2, top)],
                                                    []])  # fmt: skip

    def _update_thread_legend(self, names: tuple[str, ...]) -> None:
        if names == self._legend_for:
            return
        self._legend_for = names
        chips = [f"<span style='color:{TOTAL_COLOR}'>━</span> all"]
        chips += [f"<span style='color:{thread_color(i)}'>━</span> {short_thread(n)}"
                  for i, n in enumerate(names)]  # fmt: skip
        self.thread_legend.setText("items/s: " + "&nbsp;&nbsp;".join(chips) + LATENCY_LEGEND)


def node_ticks(ids: tuple[str, ...], width: int) -> list[tuple[int, str]]:
    """Node names under the latency bars, shortened, and only every k-th one when they
    would not fit side by side (about 70 px a name)."""
    room = max(1, width // 70)
    step = max(1, -(-len(ids) // room))
    return [(i, n if len(n) <= 10 else n[:9] + "…") for i, n in enumerate(ids) if i % step == 0]
