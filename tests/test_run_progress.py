"""The run controls' count box and progress line: the source's count wins over the box."""

from __future__ import annotations

from aetherflow import Flow, node
from test_run_support import open_flow, slow, window

__all__ = ["window"]


@node(outputs=["value"])
def fifty_values(count: int = 50):
    return [{"value": i} for i in range(count)]  # sized: the run can tell its length


@node(outputs=["value"])
def streamed_values(count: int = 50):
    yield from ({"value": i} for i in range(count))  # a generator: length unknown


def _source_flow(source, count: int = 50) -> Flow:
    flow = Flow("sourced")
    flow.add(source, "src", position=(0.0, 0.0), count=count)
    flow.add(slow, "slow", position=(260.0, 0.0), delay=0.06)  # ~1.5 s: seen live
    flow.connect("src.value", "slow.value")
    flow.set_source("src")
    return flow


def _status_during_run(qtbot, window, at_most: int, needle: str) -> str:
    ui = window.run_ui
    ui.panel.workers.setValue(2)
    ui.panel.set_input("source", at_most)
    assert ui.panel.count_label.text() == "At most" and ui.panel.count_label.isVisible()
    with qtbot.waitSignal(ui.controller.run_finished, timeout=30_000):
        window.actions["run.start"].trigger()
        qtbot.waitUntil(lambda: needle in ui.panel.status.text(), timeout=20_000)
        seen = ui.panel.status.text()
    return seen


def test_a_sized_source_shows_its_own_count_not_the_box(qtbot, window):
    open_flow(window, _source_flow(fifty_values))
    seen = _status_during_run(qtbot, window, 1000, " / 50 items")
    assert "1,000" not in seen


def test_the_box_says_when_it_caps_the_source(qtbot, window):
    open_flow(window, _source_flow(fifty_values))
    seen = _status_during_run(qtbot, window, 30, " / 30 items (At most caps the source's 50)")
    assert "1,000" not in seen


def test_a_generator_source_shows_no_made_up_total(qtbot, window):
    open_flow(window, _source_flow(streamed_values))
    seen = _status_during_run(qtbot, window, 1000, "items (source length unknown; At most 1,000)")
    assert " / 1,000" not in seen
    window.run_ui.panel.set_input("count", 10)
    assert window.run_ui.panel.count_label.text() == "Items"
