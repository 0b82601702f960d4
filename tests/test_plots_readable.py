"""Live plots read at the default window sizes: nothing before data, units on the axes, no
legend inside a plot, at most three labels on a y axis. Each panel is rendered to PNG."""

from __future__ import annotations

import pytest
from test_run_support import counting_flow, open_flow, run_and_wait, window

__all__ = ["window"]


def _labels(plot, side: str) -> str:
    axis = plot.getAxis(side)
    return f"{axis.labelText} {axis.labelUnits}".strip()


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)], ids=["1600x1000", "1280x800"])
def test_throughput_and_timeline_read_at_the_default_sizes(qtbot, window, tmp_path, size):
    window.resize(*size)
    panel = window.run_ui.throughput
    dock = window.docks["throughput"]
    dock.show()
    dock.raise_()
    qtbot.waitUntil(panel.isVisible)
    assert panel.placeholder.isVisible() and not panel.graphics.isVisible()  # no data yet
    panel.grab().save(str(tmp_path / "throughput-before.png"))
    open_flow(window, counting_flow(delay=0.002))
    run_and_wait(qtbot, window, count=600, workers=4)
    assert panel.graphics.isVisible() and not panel.placeholder.isVisible()
    for plot in (panel.rate_plot, panel.error_plot, panel.latency_plot):
        assert plot.legend is None  # legends live in the label row above the plots
        ticks = plot.getAxis("left")._tickLevels
        assert ticks is not None and len(ticks[0]) <= 3
    assert _labels(panel.rate_plot, "left") == "items/s"
    assert _labels(panel.error_plot, "bottom") == "time since the run started s"
    assert _labels(panel.latency_plot, "left") == "ms"
    assert "w0" in panel.thread_legend.text() and "p95" in panel.thread_legend.text()
    assert panel.grab().save(str(tmp_path / "throughput.png"))
    timeline = window.run_ui.timeline
    window.docks["timeline"].show()
    window.docks["timeline"].raise_()
    qtbot.waitUntil(timeline.isVisible)
    assert _labels(timeline.plot.getPlotItem(), "bottom") == "time since the run started s"
    assert timeline.grab().save(str(tmp_path / "timeline.png"))
    window.files.new_flow(ask=False)  # another flow: back to the placeholder
    assert panel.placeholder.isVisible()
