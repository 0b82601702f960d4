"""Per-thread state, history comparison and the timeline sampler."""

from __future__ import annotations

import itertools
import time

from aetherflow.telemetry.timeline import IDLE, TimelineSampler
from test_run_support import counting_flow, open_flow, run_and_wait, window

__all__ = ["window"]


def _top_value(column, label: str) -> str:
    tree = column.tree
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item.text(0) == label:
            return item.child(0).text(1) if item.childCount() else item.text(1)
    raise AssertionError(f"{label} not in {column.service_names()}")


def test_thread_state_shows_one_state_per_worker_and_shared_once(qtbot, window):
    open_flow(window, counting_flow(delay=0.001))
    record = run_and_wait(qtbot, window, count=400, workers=4)
    panel = window.run_ui.thread_state
    columns = panel.thread_columns()
    assert len(columns) == 4
    seen = [int(_top_value(c, "state")) for c in columns]
    assert sum(seen) == record.items == 400
    assert all(n > 0 for n in seen)
    shared = panel.columns["__shared__"]
    assert shared.service_names() == ["tally"]
    assert all("tally" not in c.service_names() for c in columns)
    assert "items" in columns[0].header.text()
    panel.search.setText("seen")
    state = columns[0].tree.topLevelItem(0)
    assert not state.isHidden() and not state.child(0).isHidden()


def test_history_compares_two_runs_with_different_scopes(qtbot, window):
    doc = open_flow(window, counting_flow())
    run_and_wait(qtbot, window, count=2000, workers=2)
    doc.set_scope("state", "shared")
    run_and_wait(qtbot, window, count=2000, workers=2)
    history = window.run_ui.history
    assert history.table.rowCount() == 2
    history.select_runs(0, 1)
    rows = {r[0]: r[1:] for r in history.comparison()}
    assert rows["run"] == ["1", "2"]
    assert "isolated: state" in rows["scopes"][0]
    assert "shared: state" in rows["scopes"][1]
    assert rows["items"] == ["2,000", "2,000"]
    x, _y = history.curves[1].getData()
    assert x is not None and len(x) > 0


def test_timeline_sampler_records_spans_per_thread():
    flow = counting_flow(delay=0.002)
    handle = flow.start(({"i": i} for i in range(150)), workers=3)
    sampler = TimelineSampler.for_handle(handle, hz=500).start()
    handle.wait()
    deadline = time.monotonic() + 5
    while sampler.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not sampler.running
    spans = [sampler.spans(i) for i in range(3)]
    nodes = {flow_node for lane in spans for _s, _e, flow_node in lane if flow_node != IDLE}
    assert sampler.node_ids[nodes.pop()] in ("take", "slow", "check")
    slow = sampler.node_ids.index("slow")
    assert all(any(n == slow for _s, _e, n in lane) for lane in spans)
    for lane in spans:
        assert all(s <= e for s, e, _n in lane)
        assert all(a[1] <= b[0] + 1e-9 for a, b in itertools.pairwise(lane))


def test_throughput_history_stays_bounded_over_a_long_run():
    from aetherflow_studio.run_ui.records import Series

    series = Series()
    for i in range(50_000):  # about 28 minutes of polls at 30 Hz
        series.add(i / 30, 100.0, i // 1000, {"w0": 50.0, "w1": 50.0})
    assert len(series.t) < Series.MAX_POINTS
    assert len(series.rate) == len(series.failed) == len(series.threads["w1"]) == len(series.t)
    assert series.t[0] == 0.0 and series.t[-1] > 1600  # the whole run, at a coarser step
