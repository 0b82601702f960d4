"""Thread State's Stacks button: every worker's live Python stack, during a run."""

from __future__ import annotations

import threading

from aetherflow import Flow, node
from PySide6.QtCore import Qt
from test_run_support import open_flow, window

__all__ = ["window"]  # the fixture

RELEASE = threading.Event()


@node
def hold_until_released(i: int) -> dict:
    RELEASE.wait(30)  # bounded: a broken test fails instead of hanging the run
    return {"held": i}


def held_flow() -> Flow:
    flow = Flow("held")
    flow.add(hold_until_released, "hold", position=(0.0, 0.0))
    return flow


def test_stacks_dialog_shows_each_worker_in_the_node(qtbot, window):
    RELEASE.clear()
    open_flow(window, held_flow())
    ui, c = window.run_ui, window.run_ui.controller
    panel = ui.thread_state
    assert not panel.stacks_button.isEnabled()  # no run yet
    ui.panel.workers.setValue(2)
    ui.panel.set_input("count", 2)
    try:
        window.actions["run.start"].trigger()
        qtbot.waitUntil(lambda: panel.stacks_button.isEnabled(), timeout=10_000)
        stacks = c.handle.stacks
        qtbot.waitUntil(
            lambda: all("hold_until_released" in s for s in stacks().values()), timeout=10_000
        )
        qtbot.mouseClick(panel.stacks_button, Qt.MouseButton.LeftButton)
        dialog = panel.stacks_dialog
        assert dialog is not None and dialog.isVisible() and not dialog.isModal()
        names = [t.name for t in c.handle.threads]
        assert sorted(dialog.views) == sorted(names) and dialog.tabs.count() == 2
        for view in dialog.views.values():
            text = view.toPlainText()
            assert "in hold_until_released" in text
            assert "RELEASE.wait(30)" in text
            assert view.isReadOnly()
    finally:
        RELEASE.set()  # the run can end whatever failed above
    qtbot.waitUntil(lambda: not c.running, timeout=10_000)
    assert not panel.stacks_button.isEnabled()  # the run ended
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    assert {v.toPlainText() for v in dialog.views.values()} == {"finished"}
    dialog.close()
