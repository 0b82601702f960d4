"""Measured scope advice in the Studio: the run controls' "Measure shared services" box,
the advice on the services' cards, and the "shared time" row of the run comparison."""

from __future__ import annotations

import threading
import time

from aetherflow import BaseFlowContext, Flow, node, providers
from test_run_support import open_flow, run_and_wait, window

__all__ = ["window"]  # the fixture


class LockedSleeper:
    """Shared, and every call holds its lock while it blocks (like a slow connection)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def query(self) -> None:
        with self.lock:
            time.sleep(0.002)


class SleeperContext(BaseFlowContext):
    sleeper = providers.Singleton(LockedSleeper)


@node
def lookup(i: int, sleeper) -> dict:
    sleeper.query()
    return {"found": i}


def sleeper_flow() -> Flow:
    flow = Flow("sleepy", context=SleeperContext)
    flow.add(lookup, "lookup", position=(0.0, 0.0))
    return flow


def test_the_checkbox_is_off_by_default_and_explains_itself(qtbot, window):
    box = window.run_ui.panel.profile_shared
    assert not box.isChecked()
    assert box.text() == "Measure shared services"
    assert box.toolTip().startswith("Times every call into shared services")
    assert window.run_ui.panel.settings().profile_shared is False


def test_advice_on_the_card_and_shared_time_in_the_comparison(qtbot, window):
    doc = open_flow(window, sleeper_flow())
    ui = window.run_ui
    ui.panel.profile_shared.setChecked(True)
    first = run_and_wait(qtbot, window, count=120, workers=4)
    assert first.error is None and first.settings.profile_shared
    (advice,) = first.advice
    assert (advice.service, advice.verdict) == ("sleeper", "bottleneck"), advice
    card = window.services.cards["sleeper"]
    assert not card.advice.isHidden()
    assert card.advice.text() == f"Measured in run {first.number}: {advice.text}"
    assert "with 4 workers it is the bottleneck" in card.advice.text()
    assert "#d08a1a" in card.advice.styleSheet()  # the warning colour

    window.services.request_scope("sleeper", "isolated")
    assert doc.flow.scope_map()["sleeper"] == "isolated"
    card = window.services.cards["sleeper"]  # rebuilt: the last advice is still shown
    assert card.advice.text().startswith(f"Measured in run {first.number}:")
    second = run_and_wait(qtbot, window, count=120, workers=4)
    assert second.error is None and second.advice == ()
    assert window.services.cards["sleeper"].advice.isHidden()  # measured: nothing shared

    history = ui.history
    history.select_runs(0, 1)
    rows = {r[0]: r[1:] for r in history.comparison()}
    assert rows["shared time"] == [advice.short, "none shared"]
    assert advice.short.startswith("sleeper ") and advice.short.endswith("%")
    assert rows["scopes"][1].startswith("isolated: sleeper")


def test_a_run_without_measuring_keeps_the_last_advice_and_no_shared_row(qtbot, window):
    open_flow(window, sleeper_flow())
    first = run_and_wait(qtbot, window, count=40, workers=2)
    assert first.advice == () and not first.settings.profile_shared
    assert window.services.cards["sleeper"].advice.isHidden()
    run_and_wait(qtbot, window, count=40, workers=2)
    window.run_ui.history.select_runs(0, 1)
    assert "shared time" not in {r[0] for r in window.run_ui.history.comparison()}
