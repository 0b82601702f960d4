"""Watching live runs with many failed items and in a separate process: the Trace panel
behind another tab, every worker's state in Thread State, Step keeping to its worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from test_run_support import counting_flow, open_flow, window

__all__ = ["window"]  # the fixture

HERE = str(Path(__file__).parent)  # the child process imports the nodes from here


def _start(window, count: int, workers: int, executor: str = "thread") -> None:
    ui = window.run_ui
    ui.panel.executor.setCurrentIndex(ui.panel.executor.findData(executor))
    ui.panel.workers.setValue(workers)
    ui.panel.set_input("count", count)
    window.actions["run.start"].trigger()


def test_the_trace_panel_behind_a_tab_fills_once_when_the_run_ends(qtbot, window):
    open_flow(window, counting_flow(delay=0.002, fail_every=5))
    window.docks["errors"].raise_()  # the user looks at Errors; Trace is a tab behind it
    trace, session = window.run_ui.debug.trace, window.run_ui.debug.session
    sent_live: list[int] = []
    session.traces_changed.connect(
        lambda _run, traces: window.run_ui.controller.running and sent_live.append(len(traces))
    )
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=60_000) as done:
        _start(window, count=1500, workers=2)  # about 1.5 s: the live reads come each second
    assert done.args[0].failed == 300
    assert sent_live == []  # nothing was read or drawn for a panel nobody saw
    assert len(trace.entries) == trace.items.topLevelItemCount() == 300
    # Shown during the next run, it follows it live; each item has one row, kept current.
    window.docks["trace"].raise_()
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=60_000) as done:
        _start(window, count=1500, workers=2)
    assert sent_live and trace.items.topLevelItemCount() == 600
    errors = window.run_ui.errors
    last = errors.list.topLevelItem(errors.list.topLevelItemCount() - 1)
    errors.list.setCurrentItem(last)
    key = f"{done.args[0].number}:{errors.errors()[-1].index}"
    assert trace.select_item(key) and trace.current_key() == key
    assert trace.original.title.text().startswith(f"Item {errors.errors()[-1].index} ")


def test_a_separate_process_shows_every_workers_isolated_state_while_it_runs(qtbot, window):
    flow = counting_flow(delay=0.002)
    flow.search_paths = [HERE]
    open_flow(window, flow)
    window.docks["thread_state"].show()
    controller, panel = window.run_ui.controller, window.run_ui.thread_state
    _start(window, count=1_000_000, workers=3, executor="process")

    def every_worker_shows_its_state() -> bool:
        columns = panel.thread_columns()
        return len(columns) == 3 and all("state" in c.service_names() for c in columns)

    qtbot.waitUntil(every_worker_shows_its_state, timeout=60_000)
    assert controller.running  # live, not only in the final frame
    with qtbot.waitSignal(controller.run_finished, timeout=30_000):
        window.actions["run.stop"].trigger()


def test_step_in_a_separate_process_keeps_the_inspector_on_the_stepped_worker(qtbot, window):
    flow = counting_flow(delay=0.002)
    flow.search_paths = [HERE]
    doc = open_flow(window, flow)
    doc.breakpoints.set("check", None)  # every worker stops there: three stopped at once
    session = window.run_ui.debug.session
    _start(window, count=100, workers=3, executor="process")
    qtbot.waitUntil(lambda: len(session.hits) == 3, timeout=60_000)
    worker = session.current_worker
    first = next(h.index for h in session.hits if h.worker == worker)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F10)  # Step: `check` is the item's last node
    again = lambda: [h.index for h in session.hits if h.worker == worker]  # noqa: E731
    qtbot.waitUntil(lambda: again() not in ([], [first]), timeout=20_000)
    assert session.current_worker == worker  # another worker stopped meanwhile does not take over
    assert worker in window.inspector.break_view.title.text()
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=30_000):
        window.actions["run.stop"].trigger()


def test_a_live_panel_behind_another_tab_draws_nothing_until_its_tab_is_chosen(qtbot, window):
    open_flow(window, counting_flow(delay=0.001))
    ui = window.run_ui
    window.docks["throughput"].raise_()  # the default layout: Timeline is a tab behind it
    assert ui.throughput.is_shown() and not ui.timeline.is_shown()
    _start(window, count=1_000_000, workers=2)
    qtbot.waitUntil(lambda: ui.throughput.draws > 3, timeout=30_000)
    assert ui.timeline.draws == 0  # Qt says it is visible; it is behind a tab
    window.docks["timeline"].raise_()
    qtbot.waitUntil(lambda: ui.timeline.draws > 0, timeout=10_000)
    seen = ui.throughput.draws
    qtbot.wait(300)
    assert ui.throughput.draws == seen  # now Throughput is the hidden tab
    with qtbot.waitSignal(ui.controller.run_finished, timeout=30_000):
        window.actions["run.stop"].trigger()
