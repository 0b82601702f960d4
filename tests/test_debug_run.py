"""Debugging real runs in the window: a breakpoint hit (F9, the node menu, the condition),
the Inspector and Thread State at the stop, Step and Continue; replay of failed items from
the Errors panel; the trace view and the canvas selecting each other; wire values."""

from __future__ import annotations

from design_support import answer_dialog, choose_in_menu, right_click
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QInputDialog
from test_debug_wire_values import hover_tooltip
from test_run_support import counting_flow, open_flow, run_and_wait, window

__all__ = ["window"]  # the fixture


def _node_point(window, node_id: str) -> QPoint:
    return window.view.mapFromScene(window.scene.node_items[node_id].sceneBoundingRect().center())


def _right_click_row(errors, row) -> None:
    rect = errors.list.visualItemRect(row)
    right_click(errors.list.viewport(), rect.center())


def _start(window, count: int, workers: int = 2) -> None:
    ui = window.run_ui
    ui.panel.workers.setValue(workers)
    ui.panel.set_input("count", count)
    window.actions["run.start"].trigger()


def test_a_conditional_breakpoint_stops_one_worker_then_step_and_continue(qtbot, window):
    doc = open_flow(window, counting_flow(delay=0.001))
    debug = window.run_ui.debug
    window.select_node("slow")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F9)
    assert window.scene.node_items["slow"].breakpoint == "always"

    def fill(dialog: QInputDialog) -> None:
        dialog.setTextValue("value == 3")
        dialog.accept()

    answered = answer_dialog(QInputDialog, fill)
    seen = choose_in_menu("Edit Breakpoint Condition…")
    right_click(window.view.viewport(), _node_point(window, "slow"))  # the node's menu
    assert seen and answered
    assert doc.breakpoints.mapping() == {"slow": "value == 3"}
    assert window.scene.node_items["slow"].breakpoint == "conditional"
    _start(window, count=200)
    session = debug.session
    qtbot.waitUntil(lambda: bool(session.hits), timeout=20_000)
    (hit,) = session.hits
    assert (hit.node, hit.index) == ("slow", 3)
    # The canvas marks the node, Thread State the worker's column, the Inspector the inputs.
    short = hit.worker.rsplit("-", 1)[-1]  # "aetherflow-3931-w1" is shown as "w1"
    assert window.scene.node_items["slow"].stopped_text == f"{short} · item 3"
    assert window.scene.selected_node_ids() == ["slow"]
    column = window.run_ui.thread_state.columns[hit.worker]
    assert "stopped" in column.header.text() and "slow" in column.header.text()
    assert "state" in column.service_names()  # its isolated services as of the stop
    view = window.inspector.break_view
    assert view is not None and hit.worker in view.title.text()
    assert view.input_texts() == {"value": "3", "delay": "0.001"}
    state = view.state.invisibleRootItem()
    assert "value" in [state.child(i).text(0) for i in range(state.childCount())]
    # Other workers keep going (the default): the other worker finishes its items.
    handle = window.run_ui.controller.handle
    others = lambda: [t for t in handle.snapshot().threads if t.name != hit.worker]  # noqa: E731
    qtbot.waitUntil(lambda: all(not t.alive and t.items for t in others()), timeout=20_000)
    assert session.hits and session.hits[0].node == "slow"
    # Step (F10): run `slow`, stop before the item's next node.
    window.activateWindow()  # back from the condition dialog (offscreen does not do it)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: bool(session.hits) and session.hits[0].node == "check", timeout=20_000)
    assert window.scene.node_items["check"].stopped_text is not None
    assert window.scene.node_items["slow"].stopped_text is None
    assert window.inspector.break_view.input_texts()["slowed"] == "3"
    # Continue (F5): the run ends with every item done.
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=20_000) as done:
        qtbot.keyClick(window.view, Qt.Key.Key_F5)
    assert done.args[0].items == 200 and done.args[0].failed == 0
    assert window.inspector.break_view is None
    assert all(i.stopped_text is None for i in window.scene.node_items.values())
    assert not window.actions["debug.step"].isEnabled()


def test_all_stop_mode_holds_the_other_workers(qtbot, window):
    doc = open_flow(window, counting_flow(delay=0.01))
    debug = window.run_ui.debug
    debug.break_mode.setCurrentIndex(debug.break_mode.findData("all"))
    assert window.actions["debug.mode.all"].isChecked()
    doc.breakpoints.set("check", "slowed == 2")
    _start(window, count=40, workers=3)
    qtbot.waitUntil(lambda: bool(debug.session.hits), timeout=20_000)
    handle = window.run_ui.controller.handle
    qtbot.waitUntil(lambda: len(handle.held()) == 2, timeout=20_000)
    items = handle.snapshot().items
    assert items < 40
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=30_000) as done:
        window.actions["debug.continue"].trigger()
    assert done.args[0].items == 40


def test_replay_a_failed_item_from_the_errors_panel_after_a_fix(qtbot, window):
    doc = open_flow(window, counting_flow(fail_every=5))
    record = run_and_wait(qtbot, window, count=10, workers=2)
    assert record.failed == 2  # items 3 and 8
    errors = window.run_ui.errors
    assert [e.item for e in errors.errors()] in ([{"i": 3}, {"i": 8}], [{"i": 8}, {"i": 3}])
    doc.set_constant("check", "fail_every", 0)  # the fix
    errors.list.clearSelection()
    first = errors.list.topLevelItem(0)
    first.setSelected(True)
    failed_index = first.data(0, Qt.ItemDataRole.UserRole).index
    trace = window.run_ui.debug.trace
    key = f"{record.number}:{failed_index}"
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=20_000):
        seen = choose_in_menu("Replay item")
        _right_click_row(errors, first)
        assert seen
    qtbot.waitUntil(lambda: trace.entries[key].replay is not None, timeout=10_000)
    entry = trace.entries[key]
    assert entry.trace["failed"] and not entry.replay["failed"]
    assert trace.current_key() == key and trace.replay.isVisible()
    steps = trace.replay.step_rows()
    assert [r.text(1) for r in steps] == ["take", "slow", "check"]
    assert "checked=" in steps[-1].text(4)
    original = trace.original.step_rows()
    assert "ValueError" in original[-1].text(4)
    # The Errors panel keeps the run's errors and says how the replay went.
    assert errors.list.topLevelItemCount() == 2
    assert first.text(4) == f"run {record.number + 1}: passed"
    # Replay failed items: both, after the fix both pass.
    errors.list.clearSelection()
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=20_000) as again:
        seen = choose_in_menu("Replay failed items (2)")
        _right_click_row(errors, first)
        assert seen
    assert again.args[0].items == 2 and again.args[0].failed == 0
    qtbot.waitUntil(
        lambda: all(e.replay_run == again.args[0].number for e in trace.entries.values()
                    if e.run == record.number and e.trace["failed"]),
        timeout=10_000,
    )  # fmt: skip


def test_the_trace_view_and_the_canvas_select_each_other(qtbot, window):
    open_flow(window, counting_flow())
    window.actions["debug.trace_items"].trigger()
    assert window.actions["debug.trace_items"].isChecked()
    record = run_and_wait(qtbot, window, count=4, workers=1)
    trace = window.run_ui.debug.trace
    qtbot.waitUntil(lambda: len(trace.entries) == 4, timeout=10_000)
    trace.select_item(f"{record.number}:2")
    rows = trace.original.step_rows()
    assert [r.text(1) for r in rows] == ["take", "slow", "check"]
    assert "i=2" in rows[0].text(4) and "value=2" in rows[0].text(4)
    trace.original.tree.setCurrentItem(rows[1])
    assert window.scene.selected_node_ids() == ["slow"]
    window.select_node("check")
    assert trace.original.tree.currentItem() is rows[2]


def test_hovering_a_wire_after_a_run_shows_the_last_value(qtbot, window):
    open_flow(window, counting_flow(delay=0.005))
    assert window.actions["debug.record_values"].isChecked()
    run_and_wait(qtbot, window, count=60, workers=1)
    edge = window.scene.edge_items[("slow.slowed", "check.slowed")]
    text = hover_tooltip(qtbot, window, edge.path().pointAtPercent(0.5))
    assert "last value: 59" in text


def test_breakpoints_say_they_need_threads_on_dask(qtbot, window):
    open_flow(window, counting_flow())
    ui = window.run_ui
    executor = ui.panel.executor
    executor.setCurrentIndex(executor.findData("dask-local"))
    assert "Breakpoints: not on this executor" in ui.debug.status.text()
    assert "cannot be stopped" in ui.debug.status.toolTip() and "Dask" in ui.debug.status.toolTip()
    assert not ui.debug.break_mode.isEnabled()
    executor.setCurrentIndex(executor.findData("thread"))
    assert ui.debug.status.text() == "" and ui.debug.break_mode.isEnabled()


def test_stop_and_closing_the_window_release_a_stopped_worker(qtbot, window):
    doc = open_flow(window, counting_flow(delay=0.001))
    doc.breakpoints.set("check")
    _start(window, count=50, workers=2)
    controller = window.run_ui.controller
    qtbot.waitUntil(lambda: len(window.run_ui.debug.session.hits) == 2, timeout=20_000)
    with qtbot.waitSignal(controller.run_finished, timeout=20_000) as done:
        window.actions["run.stop"].trigger()
    assert done.args[0].stats["stop_reason"]
    assert window.run_ui.debug.session.hits == []
    _start(window, count=50, workers=2)
    qtbot.waitUntil(lambda: bool(window.run_ui.debug.session.hits), timeout=20_000)
    window.close()  # the run ends with the window (no hang, no crash)
    qtbot.waitUntil(lambda: not controller.running, timeout=20_000)


def test_a_run_in_a_separate_process_lists_its_errors_and_shows_the_last_wire_value(qtbot, window):
    from pathlib import Path

    flow = counting_flow(fail_every=5)
    flow.search_paths = [str(Path(__file__).parent)]  # the child process imports the nodes
    open_flow(window, flow)
    executor = window.run_ui.panel.executor
    executor.setCurrentIndex(executor.findData("process"))
    assert window.actions["debug.record_values"].isChecked()
    record = run_and_wait(qtbot, window, count=60, workers=1, timeout=60_000)
    assert record.error is None and record.failed == 12
    errors = window.run_ui.errors
    assert errors.list.topLevelItemCount() == 12
    assert {e.item["i"] % 5 for e in errors.errors()} == {3}
    edge = window.scene.edge_items[("slow.slowed", "check.slowed")]
    text = hover_tooltip(qtbot, window, edge.path().pointAtPercent(0.5))
    assert "last value: 59" in text
