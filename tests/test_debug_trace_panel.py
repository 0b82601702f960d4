"""The trace view, fed with trace dicts as the engine's `ItemTrace.to_dict()` gives them."""

from __future__ import annotations

import pytest


def _step(node, inputs, outputs=None, error=None, thread="worker-1"):
    return {"node": node, "thread": thread, "started": 0.0, "seconds": 0.002,
            "inputs": inputs, "outputs": outputs, "error": error, "attempt": 1}  # fmt: skip


def _trace(index, failed, steps, worker="worker-1"):
    return {"index": index, "worker": worker, "item": {"i": index}, "failed": failed,
            "steps": steps}  # fmt: skip


@pytest.fixture
def panel(qtbot):
    from aetherflow_studio.panels.trace_panel import TracePanel

    p = TracePanel()
    qtbot.addWidget(p)
    p.resize(900, 400)
    p.show()
    return p


def test_steps_show_inputs_and_outputs_and_select_nodes_both_ways(qtbot, panel):
    steps = [
        _step("take", {"i": 3}, {"value": 3}),
        _step("check", {"slowed": 3}, None, "ValueError: bad value 3"),
    ]
    failed = _trace(3, True, steps)
    panel.add_traces(1, [_trace(1, False, [_step("take", {"i": 1}, {"value": 1})]), failed])
    assert panel.items.topLevelItemCount() == 2
    assert "2 traced items · 1 failed" in panel.summary.text()
    panel.select_item("1:3")
    rows = panel.original.step_rows()
    assert [r.text(1) for r in rows] == ["take", "check"]
    assert "slowed=3" in rows[1].text(4) and "ValueError: bad value 3" in rows[1].text(4)
    assert rows[0].child(0).text(0) == "inputs" and rows[0].child(0).child(0).text(1) == "3"
    with qtbot.waitSignal(panel.node_selection_requested) as sig:
        panel.original.tree.setCurrentItem(rows[1])
    assert sig.args == ["check"]
    with qtbot.assertNotEmitted(panel.node_selection_requested):
        panel.show_node("take")  # the canvas selected it: no echo back
    assert panel.original.tree.currentItem() is rows[0]


def test_a_replay_is_shown_beside_the_original(qtbot, panel):
    panel.add_traces(1, [_trace(3, True, [_step("check", {"slowed": 3}, None, "ValueError: x")])])
    panel.select_item("1:3")
    assert not panel.replay.isVisible()
    panel.set_replay("1:3", 2, _trace(0, False, [_step("check", {"slowed": 3}, {"checked": 3})]))
    assert panel.replay.isVisible()
    assert panel.replay.title.text() == "Replay · run 2: passed"
    assert panel.replay.step_rows()[0].text(4).endswith("checked=3")
    assert panel.items.topLevelItem(0).text(4) == "run 2: ok"


def test_replay_item_from_the_menu_asks_with_the_trace(qtbot, panel):
    trace = _trace(5, True, [_step("check", {"slowed": 5}, None, "ValueError: y")])
    panel.add_traces(4, [trace])
    panel.items.topLevelItem(0).setSelected(True)
    action = next(a for a in panel.item_menu().actions() if a.text() == "Replay item")
    with qtbot.waitSignal(panel.replay_requested) as sig:
        action.trigger()
    assert sig.args == [[("4:5", {"i": 5})]]
