"""Runs from the UI: an example to the end, pause/resume/stop, failures on the canvas."""

from __future__ import annotations

import threading

from test_run_support import EXAMPLES, counting_flow, open_flow, run_and_wait, window

__all__ = ["window"]  # the fixture


def _engine_threads() -> list[threading.Thread]:
    # Fan-out pools of code-built compositions that other tests ran stay idle for reuse;
    # they are not part of any run.
    return [
        t
        for t in threading.enumerate()
        if t.name.startswith(("aetherflow-", "studio-run"))
        and not t.name.startswith("aetherflow-fanout")
    ]


def test_run_example_from_the_ui_shows_the_reports_counts(qtbot, window):
    assert window.files.open_path(str(EXAMPLES / "etl_pipeline.aflow"), ask=False)
    record = run_and_wait(qtbot, window, kind="source", count=24)  # At most 24 (~1 s)
    report = record.report
    assert report is not None and record.error is None
    items, failed = report.stats["items"], report.stats["failed"]
    assert items > 0 and items == report.succeeded + report.failed
    ui = window.run_ui
    assert f"{items:,} items" in ui.panel.status.text()
    assert f"{failed:,} errors" in ui.panel.status.text()
    snap = ui.controller.frame.snapshot
    assert (snap.items, snap.failed) == (items, failed)
    assert sum(t.items for t in snap.threads) == items
    assert ui.history.table.item(0, 6).text() == f"{items:,}"
    extract = next(n for n in snap.nodes if n.node == "extract")
    item = window.scene.node_items["extract"]
    assert item.overlay_text.startswith(f"{extract.count:,} x")
    assert item.overlay_state in ("ok", "failed")


def test_pause_resume_and_stop_leave_no_worker_threads(qtbot, window):
    open_flow(window, counting_flow(delay=0.002))
    ui, c = window.run_ui, window.run_ui.controller
    ui.panel.workers.setValue(3)
    ui.panel.set_input("count", 1_000_000)
    window.actions["run.start"].trigger()
    qtbot.waitUntil(lambda: c.frame is not None and c.frame.snapshot.items > 10, timeout=10_000)
    assert ui.panel.banner.isVisible()
    window.actions["run.pause"].trigger()
    assert c.state == "paused"
    qtbot.waitUntil(lambda: not any(t.busy for t in c.handle.snapshot().threads), timeout=5000)
    paused_at = c.handle.snapshot().items
    polls = c.polls
    qtbot.waitUntil(lambda: c.polls >= polls + 3, timeout=5000)
    assert c.handle.snapshot().items == paused_at
    window.actions["run.pause"].trigger()  # resume
    assert c.state == "running"
    qtbot.waitUntil(lambda: c.handle.snapshot().items > paused_at + 5, timeout=5000)
    with qtbot.waitSignal(c.run_finished, timeout=10_000) as blocker:
        window.actions["run.stop"].trigger()
    record = blocker.args[0]
    assert record.report.stats["stop_reason"] == "cancel"
    assert record.items < 1_000_000
    assert not ui.panel.banner.isVisible()
    qtbot.waitUntil(lambda: not _engine_threads(), timeout=5000)


def test_failing_node_turns_red_and_lists_its_errors(qtbot, window):
    open_flow(window, counting_flow(fail_every=10))
    record = run_and_wait(qtbot, window, count=100, workers=2)
    assert record.failed == 10
    scene = window.scene
    assert scene.node_items["check"].overlay_state == "failed"
    assert scene.node_items["take"].overlay_state == "ok"
    errors = window.run_ui.errors
    listed = errors.errors()
    assert [e.index for e in listed] == [3, 13, 23, 33, 43, 53, 63, 73, 83, 93]
    assert all(e.node == "check" for e in listed)
    errors.list.setCurrentItem(None)
    scene.node_activated.emit("check")  # what a double-click on the node sends
    assert window.docks["errors"].isVisible()
    text = errors.traceback.toPlainText()
    assert "item 3 · node check · ValueError: bad value 3" in text
    assert "Traceback (most recent call last)" in text


def test_a_run_uses_a_copy_of_the_flow(qtbot, window):
    doc = open_flow(window, counting_flow(delay=0.002))
    c = window.run_ui.controller
    window.run_ui.panel.set_input("count", 100_000)
    window.actions["run.start"].trigger()
    qtbot.waitUntil(lambda: c.state == "running", timeout=5000)
    doc.set_constant("slow", "delay", 0.5)  # applies to the next run only
    qtbot.waitUntil(lambda: c.frame is not None and c.frame.snapshot.items > 20, timeout=5000)
    with qtbot.waitSignal(c.run_finished, timeout=10_000):
        c.stop()
    assert doc.flow.nodes["slow"].constants["delay"] == 0.5


def test_dask_executor_runs_from_the_ui_and_the_services_panel_says_what_shared_means(
    qtbot, window
):
    from pathlib import Path

    from aetherflow_studio.app.run_install import DASK_NOTE

    flow = counting_flow(fail_every=10)
    flow.search_paths = [str(Path(__file__).parent)]  # Dask worker processes import the nodes
    open_flow(window, flow)
    ui, c = window.run_ui, window.run_ui.controller
    combo = ui.panel.executor
    combo.setCurrentIndex(combo.findData("dask-local"))
    assert window.services.executor_note.text() == DASK_NOTE
    pause_enabled: list[bool] = []
    c.state_changed.connect(
        lambda state: (
            pause_enabled.append(window.actions["run.pause"].isEnabled())
            if state == "running"
            else None
        )
    )
    record = run_and_wait(qtbot, window, count=40, workers=2, timeout=120_000)
    assert record.error is None
    assert record.items == 40 and record.failed == 4
    assert record.report.stats["executor"] == "dask"
    assert pause_enabled == [False]  # Dask runs can only be stopped
    # Thread State has no columns for Dask workers, and says why instead of staying blank.
    state = ui.thread_state
    assert state.thread_columns() == [] and "Dask" in state.hint.text()
    assert not state.hint.isHidden()
    combo.setCurrentIndex(combo.findData("thread"))
    assert window.services.executor_note.isHidden()


def test_a_run_in_a_separate_process_shows_live_state_and_stop_ends_a_hung_node(qtbot, window):
    from pathlib import Path

    flow = counting_flow(delay=0.002)
    flow.search_paths = [str(Path(__file__).parent)]  # the child process imports the nodes
    open_flow(window, flow)
    ui, c = window.run_ui, window.run_ui.controller
    combo = ui.panel.executor
    combo.setCurrentIndex(combo.findData("process"))
    assert "child process" in combo.toolTip()
    window.docks["thread_state"].show()
    ui.panel.workers.setValue(2)
    ui.panel.set_input("count", 1_000_000)
    window.actions["run.start"].trigger()
    qtbot.waitUntil(lambda: c.frame is not None and c.frame.snapshot.items > 50, timeout=60_000)
    snap = c.frame.snapshot
    assert len(snap.threads) == 2 and sum(t.items for t in snap.threads) > 0
    assert c.handle.pid != 0 and window.actions["run.pause"].isEnabled()
    window.document.set_constant("slow", "delay", 3600.0)  # applies to the next run
    with qtbot.waitSignal(c.run_finished, timeout=20_000) as blocker:
        window.actions["run.stop"].trigger()
    assert blocker.args[0].report.stats["stop_reason"] == "cancel"
    # A node that never returns: Stop still ends the run, by ending its process.
    window.actions["run.start"].trigger()
    qtbot.waitUntil(
        lambda: c.frame is not None and any(t.busy for t in c.frame.snapshot.threads),
        timeout=60_000,
    )
    c.handle._stop_grace = 0.5  # keep the test short; the default grace is a few seconds
    with qtbot.waitSignal(c.run_finished, timeout=20_000) as blocker:
        window.actions["run.stop"].trigger()
    report = blocker.args[0].report
    assert report.stop_reason == "cancel" and "was stopped" in report.errors[-1].message


def test_the_status_line_of_a_live_run_shows_beside_the_banner_in_a_1280_px_window(qtbot, window):
    open_flow(window, counting_flow(delay=0.002))
    window.resize(1280, 900)
    ui, c = window.run_ui, window.run_ui.controller
    ui.panel.set_input("count", 1_000_000)
    window.actions["run.start"].trigger()
    qtbot.waitUntil(lambda: c.frame is not None and c.frame.snapshot.items > 10, timeout=10_000)
    qtbot.waitUntil(lambda: "items/s" in ui.panel.status.text(), timeout=10_000)
    banner, status = ui.panel.banner, ui.panel.status
    assert banner.isVisible() and not banner.visibleRegion().isEmpty()
    shown = status.visibleRegion().boundingRect()
    assert shown.width() > 600  # the line has room of its own, not what the controls left
    assert shown.height() >= status.fontMetrics().height()
    with qtbot.waitSignal(c.run_finished, timeout=10_000):
        window.actions["run.stop"].trigger()
