"""Timeline: one lane per worker thread, coloured by the node it was running, over time.

Drawn from the engine's `TimelineSampler` (spans sampled at up to ~1 kHz). Idle time
(between items, waiting for work) is drawn grey; time the sampler could not see (it was
starved of the GIL for long) stays blank rather than being credited to a node. The visible
range is rasterised into one image (a column per screen pixel at most), so the cost per
frame is bounded by the spans in view, not by the run's length. Scroll or drag to zoom
and pan (pyqtgraph ViewBox); "Follow" keeps the last N seconds in view.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from .live_panel import LivePanel
from .throughput_panel import short_thread

NODE_COLORS = ("#42a5f5", "#ffa726", "#66bb6a", "#ab47bc", "#ef5350", "#26c6da", "#d4e157",
               "#ec407a", "#8d6e63", "#78909c", "#ffee58", "#5c6bc0")  # fmt: skip
ROWS_PER_LANE = 5  # the last row of each lane stays empty: a gap between lanes
MAX_BINS = 1600


def node_color(i: int) -> str:
    return NODE_COLORS[i % len(NODE_COLORS)]


IDLE_COLOR = "#4a5058"


def _lut(n_nodes: int) -> np.ndarray:
    """Colour of each image value: 0 nothing known (transparent), 1 idle, 2 + i node i."""
    lut = np.zeros((n_nodes + 2, 4), dtype=np.uint8)
    for i, color in enumerate([IDLE_COLOR, *(node_color(k) for k in range(n_nodes))]):
        c = pg.mkColor(color)
        lut[i + 1] = (c.red(), c.green(), c.blue(), 235)
    return lut


class TimelinePanel(LivePanel):
    """Per-thread lanes of the nodes each thread ran."""

    wants_timeline = True

    def __init__(self, controller: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.setObjectName("timeline_panel")
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "time since the run started", units="s")
        self.plot.showGrid(x=True, alpha=0.25)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.hideButtons()
        self.view = self.plot.getViewBox()
        self.view.invertY(True)
        self.view.sigRangeChangedManually.connect(self._on_view_range_changed_manually)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        self.follow = QCheckBox("Follow")
        self.follow.setChecked(True)
        self.follow.toggled.connect(lambda _on: self._redraw())
        self.window = QSpinBox()
        self.window.setRange(1, 600)
        self.window.setValue(10)
        self.window.setSuffix(" s")
        self.window.setToolTip("Seconds shown while following")
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.follow)
        bar.addWidget(self.window)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        self._lut = _lut(0)
        self._ticks: list[tuple[float, str]] = []
        self._legend_for: tuple[str, ...] = ()
        self._frames = 0

    def run_changed(self, frame: Any) -> None:
        self.follow.setChecked(True)

    def clear_view(self) -> None:
        self.image.clear()
        self.legend.setText("")
        self._legend_for = ()
        self._ticks = []
        self.plot.getAxis("left").setTicks(None)

    def _on_view_range_changed_manually(self, *_args: Any) -> None:
        self.follow.setChecked(False)  # the user zoomed or panned: stop following

    def _redraw(self) -> None:
        if self._frame is not None and self.isVisible():
            self._draw(self._frame)

    def draw_frame(self, frame: Any) -> None:
        sampler = frame.timeline
        if sampler is None:
            self.legend.setText("No timeline for this run (thread executor only).")
            return
        self._frames += 1
        if not frame.final and self._frames % 2 == 0:
            return  # ~15 Hz: a lane moves by a few pixels per frame anyway
        lanes = len(sampler.names)
        if not lanes:  # a run in another process that has not sent its workers yet
            return
        self._update_legend(sampler.node_ids)
        now = sampler.now() if not frame.final else _last_time(sampler)
        if self.follow.isChecked():
            x1 = max(now, 1e-3)
            x0 = max(0.0, x1 - self.window.value())
            self.view.setRange(xRange=(x0, x1), yRange=(-0.5, lanes - 0.5), padding=0)
        else:
            (x0, x1), _ = self.view.viewRange()
            x0 = max(0.0, x0)
        if x1 <= x0:
            return
        self._draw_lanes(sampler, frame.snapshot, lanes, x0, x1)

    def _draw_lanes(self, sampler: Any, snap: Any, lanes: int, x0: float, x1: float) -> None:
        bins = int(min(MAX_BINS, max(50, self.view.width() or 400)))
        dt = (x1 - x0) / bins
        img = np.zeros((bins, lanes * ROWS_PER_LANE), dtype=np.uint16)
        centers = x0 + (np.arange(bins) + 0.5) * dt
        for lane in range(lanes):
            spans = sampler.spans(lane, since=x0)
            if not spans:
                continue
            a = np.asarray(spans)
            k = np.searchsorted(a[:, 0], centers, side="right") - 1  # last span started
            inside = (k >= 0) & (centers <= a[np.clip(k, 0, None), 1] + dt)
            # spans hold the node index, IDLE (-1) between items: shifted to the LUT's 1, 2+i
            column = np.where(inside, a[np.clip(k, 0, None), 2] + 2, 0).astype(np.uint16)
            r = lane * ROWS_PER_LANE
            img[:, r : r + ROWS_PER_LANE - 1] = column[:, None]
        self.image.setImage(self._lut[img], autoLevels=False)
        self.image.setRect(QRectF(x0, -0.5, x1 - x0, lanes))
        self._update_ticks(sampler, snap, lanes)

    def _update_ticks(self, sampler: Any, snap: Any, lanes: int) -> None:
        current = {t.name: t.current_node for t in snap.threads} if snap is not None else {}
        ticks = []
        for lane, name in enumerate(sampler.names):
            node = current.get(name)
            ticks.append((lane - 0.1, f"{short_thread(name)} {node or '·'}"))
        if ticks != self._ticks:
            self._ticks = ticks
            self.plot.getAxis("left").setTicks([ticks])

    def _update_legend(self, node_ids: list[str]) -> None:
        ids = tuple(node_ids)
        if ids == self._legend_for:
            return
        self._legend_for = ids
        self._lut = _lut(len(ids))
        chips = [f"<span style='color:{node_color(i)}'>■</span> {n}" for i, n in enumerate(ids)]
        chips.append(f"<span style='color:{IDLE_COLOR}'>■</span> idle (between items)")
        self.legend.setText("&nbsp;&nbsp;".join(chips))


def _last_time(sampler: Any) -> float:
    last = 0.0
    for lane in range(len(sampler.names)):
        spans = sampler.spans(lane, since=0.0)
        if spans:
            last = max(last, spans[-1][1])
    return last or sampler.now()
