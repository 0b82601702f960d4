"""The race check in the Studio: the run controls' "Check races" box, the finding on the
shared service's card with its explanation, the nodes marked on the canvas, and the
one-click A/B run with the scope flipped, compared in the Run History."""

from __future__ import annotations

import threading

from aetherflow import BaseFlowContext, Flow, node, providers
from PySide6.QtCore import Qt
from test_run_support import open_flow, window

__all__ = ["window"]  # the fixture


class Tally:
    """A counter whose `add` forgets the lock it has."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    def add(self) -> int:
        self.count += 1
        return self.count


class LockedTally(Tally):
    def add(self) -> int:
        with self.lock:
            self.count += 1
            return self.count


class TallyContext(BaseFlowContext):
    tally = providers.Singleton(Tally)
    locked = providers.Singleton(LockedTally)


@node
def count_it(i: int, tally) -> dict:
    return {"n": tally.add()}


@node
def count_safely(i: int, locked) -> dict:
    return {"m": locked.add()}


def tally_flow() -> Flow:
    flow = Flow("tally", context=TallyContext)
    flow.add(count_it, "count_it", position=(0.0, 0.0))
    flow.add(count_safely, "count_safely", position=(260.0, 0.0))
    return flow


def check_and_run(qtbot, window, count: int = 2000, workers: int = 8):
    ui = window.run_ui
    box = ui.panel.check_races
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()
    ui.panel.workers.setValue(workers)
    ui.panel.set_input("count", count)
    with qtbot.waitSignal(ui.controller.run_finished, timeout=60_000) as blocker:
        window.actions["run.start"].trigger()
    return blocker.args[0]


def test_the_box_is_off_by_default_and_needs_threads(qtbot, window):
    panel = window.run_ui.panel
    assert not panel.check_races.isChecked()
    assert panel.check_races.text() == "Check races"
    assert panel.settings().check_races is False
    panel.check_races.setChecked(True)
    assert panel.settings().check_races is True
    for other in ("dask-local", "process"):  # it watches threads of this process only
        index = panel.executor.findData(other)
        if index < 0:
            continue
        panel.executor.setCurrentIndex(index)
        assert not panel.check_races.isEnabled()
        assert "Threads" in panel.check_races.toolTip()
        assert panel.settings().check_races is False


def test_a_finding_marks_the_card_and_the_node_and_explains(qtbot, window):
    open_flow(window, tally_flow())
    record = check_and_run(qtbot, window)
    assert record.error is None and record.settings.check_races
    assert [(f.service, f.attribute) for f in record.races] == [("tally", "count")]
    marks = window.run_ui.races
    badge = marks.badges["tally"]
    card = window.services.cards["tally"]
    assert badge.parent() is card and badge.isVisible()
    assert badge.title.text() == f"⚠ Race found in run {record.number}"
    text = badge.explanation.text()
    assert text.startswith("Add a lock around the writes to count at test_run_races.py:")
    assert text.endswith("or make tally isolated if threads need not share it.")
    assert "border: 2px solid" in card.styleSheet()
    assert "locked" not in marks.badges  # the locked service has no finding
    assert window.services.cards["locked"].styleSheet() == ""
    item = window.scene.node_items["count_it"]
    assert item.overlay_state == "race" and "race: tally.count" in item.overlay_text
    assert window.scene.node_items["count_safely"].overlay_state == "ok"
    # the services panel rebuilds its cards on a model change: the mark stays
    old_card = card
    window.services.request_scope("tally", "isolated")
    assert window.services.cards["tally"] is not old_card
    assert marks.badges["tally"].parent() is window.services.cards["tally"]
    window.document.undo()
    assert window.document.flow.scope_map()["tally"] == "shared"


def test_the_ab_button_runs_the_flipped_scope_and_compares(qtbot, window):
    doc = open_flow(window, tally_flow())
    check = check_and_run(qtbot, window)
    marks = window.run_ui.races
    button = marks.badges["tally"].ab_button
    assert button.text() == "A/B run: shared vs isolated"
    with qtbot.waitSignal(marks.ab_finished, timeout=120_000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    first, second = blocker.args
    assert (first.scopes["tally"], second.scopes["tally"]) == ("shared", "isolated")
    for r in (first, second):
        assert r.error is None and not r.settings.check_races
        assert r.items == check.items == 2000
        assert r.settings.workers == 8
    assert doc.flow.scope_map()["tally"] == "shared"  # the document is not edited
    history = window.run_ui.history
    assert history.selected_records() == [first, second]
    rows = {r[0]: r[1:] for r in history.comparison()}
    assert rows["scopes"][0] != rows["scopes"][1]
    assert "tally" in rows["scopes"][1].split(";")[0]  # "isolated: ..., tally; shared: ..."
    assert "tally" in rows["scopes"][0].split(";")[1]
    assert float(rows["items/s"][0].replace(",", "")) > 0
    assert float(rows["items/s"][1].replace(",", "")) > 0
    assert history.hint.text() == f"Comparing run {first.number} and run {second.number}."
    history.select_runs(0, 1)  # the check run beside the first A/B run
    rows = {r[0]: r[1:] for r in history.comparison()}
    assert rows["races"] == ["1: tally.count", "-"]
