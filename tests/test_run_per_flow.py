"""Run panels belong to a run of a flow: New/Open clear them or label them with the flow
they came from, and Run History keeps each flow's runs."""

from __future__ import annotations

from test_run_support import counting_flow, run_and_wait, window

__all__ = ["window"]


def _save(window, flow, path) -> None:
    from aetherflow_studio.document import FlowDocument

    flow.save(path)
    assert window.files.open_path(str(path), ask=False)
    window.files.resolve_if_trusted(ask=True)  # the fixture trusts: "file"
    assert isinstance(window.document, FlowDocument) and window.document.trusted


def test_open_another_flow_clears_the_panels_and_history_keeps_runs_per_flow(
    qtbot, window, tmp_path
):
    ui = window.run_ui
    _save(window, counting_flow(), tmp_path / "a.aflow")
    run_and_wait(qtbot, window, count=300, workers=2)
    window.docks["thread_state"].show()
    assert ui.thread_state.thread_columns()
    assert ui.panel.status.text().startswith("Run 1 finished")
    assert ui.history.visible_records()[0].number == 1

    window.files.new_flow(ask=False)  # File > New
    assert ui.thread_state.thread_columns() == []
    assert ui.thread_state.hint.isVisible()
    assert ui.panel.status.text() == "Ready."
    assert ui.errors.errors() == []
    assert ui.throughput.total_curve.getData()[0] is None
    assert ui.history.visible_records() == []
    assert "1 run of other flows kept" in ui.history.hint.text()
    assert ui.controller.frame is None

    _save(window, counting_flow(), tmp_path / "b.aflow")
    run_and_wait(qtbot, window, count=100, workers=2)
    assert [r.number for r in ui.history.visible_records()] == [2]
    assert window.files.open_path(str(tmp_path / "a.aflow"), ask=False)  # back to a
    assert [r.number for r in ui.history.visible_records()] == [1]
    assert len(ui.history.records) == 2


def test_a_live_run_keeps_its_panels_labelled_with_its_flow(qtbot, window, tmp_path):
    ui = window.run_ui
    _save(window, counting_flow(delay=0.01), tmp_path / "slow.aflow")
    ui.panel.workers.setValue(2)
    ui.panel.set_input("count", 400)  # ~2 s
    with qtbot.waitSignal(ui.controller.run_started, timeout=10_000):
        window.actions["run.start"].trigger()
    window.files.new_flow(ask=False)
    title = window.docks["thread_state"].windowTitle()
    assert title == "Thread State — run of slow.aflow"
    qtbot.waitUntil(lambda: "Run 1 of slow.aflow running" in ui.panel.status.text(), timeout=10_000)
    assert not ui.overlays.active  # its counts never go on the new flow's canvas
    with qtbot.waitSignal(ui.controller.run_finished, timeout=30_000):
        ui.controller.stop()
    assert "Run 1 of slow.aflow" in ui.panel.status.text()
    assert window.files.open_path(str(tmp_path / "slow.aflow"), ask=False)  # its flow again
    assert window.docks["thread_state"].windowTitle() == "Thread State"
    assert ui.overlays.active and ui.panel.status.text().startswith("Run 1 stopped")
