"""The Studio with async nodes and node policies: the run panel's "In flight" control,
Thread State's items in flight and abandoned workers, the inspector's Run policy box."""

from __future__ import annotations

from aetherflow import Flow
from PySide6.QtCore import Qt
from test_run_support import BLOCKED, async_flow, open_flow, run_and_wait, stuck_on_3, window

__all__ = ["window"]


def _headers(window) -> list[str]:
    return [c.header.text() for c in window.run_ui.thread_state.thread_columns()]


def test_in_flight_control_keeps_items_in_flight_and_thread_state_shows_them(qtbot, window):
    open_flow(window, async_flow(delay=0.05))
    panel = window.run_ui.panel
    panel.concurrency.setFocus()
    panel.concurrency.lineEdit().selectAll()
    qtbot.keyClicks(panel.concurrency, "8")
    qtbot.keyClick(panel.concurrency, Qt.Key.Key_Return)
    window.run_ui.thread_state.show()
    panel.workers.setValue(1)
    panel.set_input("count", 400)
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=60_000) as done:
        window.actions["run.start"].trigger()
        qtbot.waitUntil(lambda: any("<b>8</b> in flight" in h for h in _headers(window)),
                        timeout=30_000)  # fmt: skip
    record = done.args[0]
    assert record.settings.concurrency == 8 and record.items == 400 and record.failed == 0


def test_in_flight_control_is_for_threads_only(qtbot, window):
    panel = window.run_ui.panel
    panel.executor.setCurrentIndex(panel.executor.findData("process"))
    assert not panel.concurrency.isEnabled()
    assert panel.settings().concurrency == 1
    panel.executor.setCurrentIndex(panel.executor.findData("thread"))
    assert panel.concurrency.isEnabled()


def test_a_worker_abandoned_by_a_timeout_shows_in_thread_state(qtbot, window):
    flow = Flow("stuck")
    flow.add(stuck_on_3, "stuck", position=(0.0, 0.0))
    open_flow(window, flow)
    window.run_ui.thread_state.show()
    BLOCKED.clear()
    try:
        record = run_and_wait(qtbot, window, count=20, workers=2)
        qtbot.waitUntil(lambda: any("abandoned" in h for h in _headers(window)), timeout=10_000)
    finally:
        BLOCKED.set()
    assert record.items == 20 and record.failed == 1
    assert sum("abandoned" in h for h in _headers(window)) == 1
    assert "1 worker abandoned (timeout)" in window.run_ui.panel.status.text()
    assert len(_headers(window)) == 3  # two workers and the one that replaced the stuck one


def test_run_policy_box_sets_a_timeout_as_one_undo_step(qtbot, window):
    doc = open_flow(window, async_flow())
    window.scene.select_nodes(["fetch"])
    box = window.inspector.policy_box
    assert box is not None and box.timeout.text() == "no limit"
    box.timeout.setFocus()
    box.timeout.lineEdit().selectAll()
    qtbot.keyClicks(box.timeout, "2.5")
    qtbot.keyClick(box.timeout, Qt.Key.Key_Return)
    assert doc.flow.nodes["fetch"].policy == {"timeout": 2.5}
    assert doc.undo_stack.undoText() == "Set timeout"
    box.retry_on.setFocus()
    qtbot.keyClicks(box.retry_on, "OSError, mymod:Flaky")
    qtbot.keyClick(box.retry_on, Qt.Key.Key_Return)
    assert doc.flow.nodes["fetch"].policy["retry_on"] == ["OSError", "mymod:Flaky"]
    window.actions["edit.undo"].trigger()
    window.actions["edit.undo"].trigger()
    assert doc.flow.nodes["fetch"].policy == {}
    assert window.inspector.policy_box.timeout.text() == "no limit"  # the box follows
    window.actions["edit.redo"].trigger()
    assert doc.flow.nodes["fetch"].policy == {"timeout": 2.5}
