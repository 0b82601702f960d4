"""The Timeline panel draws what the workers did: a slow node's colour fills the lanes."""

from __future__ import annotations

import pyqtgraph as pg
from aetherflow.telemetry.timeline import lane_shares
from test_run_support import counting_flow, open_flow, run_and_wait, window

from aetherflow_studio.panels.timeline_panel import IDLE_COLOR, ROWS_PER_LANE, node_color

__all__ = ["window"]


def _rgb(color: str) -> tuple[int, int, int]:
    c = pg.mkColor(color)
    return (c.red(), c.green(), c.blue())


def test_lanes_show_the_slow_node_as_much_as_it_costs(qtbot, window):
    open_flow(window, counting_flow(delay=0.004))  # take (fast) -> slow (4 ms) -> check
    dock = window.docks["timeline"]
    dock.show()
    dock.raise_()
    run_and_wait(qtbot, window, count=300, workers=3)
    panel = window.run_ui.timeline
    qtbot.waitUntil(lambda: panel.image.image is not None, timeout=5000)
    sampler = window.run_ui.controller.frame.timeline
    rgba = panel.image.image  # (bins, rows, 4): what the user sees
    order = sampler.node_ids
    slow, check = _rgb(node_color(order.index("slow"))), _rgb(node_color(order.index("check")))
    idle = _rgb(IDLE_COLOR)
    snap = window.run_ui.controller.frame.snapshot
    stats, elapsed = {n.node: n for n in snap.nodes}, snap.elapsed
    drawn_slow = 0.0
    for lane in range(3):
        drawn = [tuple(int(v) for v in px) for px in rgba[:, lane * ROWS_PER_LANE, :3]]
        in_slow = sum(px == slow for px in drawn) / len(drawn)
        drawn_slow += in_slow
        # the fast nodes are a sliver; the rest is slow or idle (held between items)
        assert sum(px == check for px in drawn) / len(drawn) < 0.05, lane
        assert sum(px in (slow, idle) for px in drawn) / len(drawn) > 0.9, lane
        # the drawing agrees with the sampler's own shares
        assert abs(in_slow - lane_shares(sampler, lane).get("slow", 0.0)) < 0.1, lane
    # and with the latency figures: lanes x share of slow = calls x mean latency / elapsed
    expected = stats["slow"].count * stats["slow"].mean / elapsed
    assert abs(drawn_slow - expected) / expected < 0.25, (drawn_slow, expected)
    assert "idle" in panel.legend.text() and IDLE_COLOR in panel.legend.text()
