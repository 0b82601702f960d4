"""Nodes, flows and a window fixture for the run tests (no tests here)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from aetherflow import BaseFlowContext, Flow, node, providers

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"


class CountingContext(BaseFlowContext):
    """``state`` is isolated (one dict per worker); ``tally`` is shared and locked."""

    tally = providers.Singleton(lambda: {"lock": threading.Lock(), "n": 0})


@node
def take(i: int, state, tally) -> dict:
    state["seen"] = state.get("seen", 0) + 1
    with tally["lock"]:
        tally["n"] += 1
    return {"value": i}


@node
def slow(value: int, delay: float = 0.0) -> dict:
    if delay:
        time.sleep(delay)
    return {"slowed": value}


@node
def check(slowed: int, fail_every: int = 0) -> dict:
    if fail_every and slowed % fail_every == 3:
        raise ValueError(f"bad value {slowed}")
    return {"checked": slowed}


def counting_flow(delay: float = 0.0, fail_every: int = 0) -> Flow:
    flow = Flow("counting", context=CountingContext)
    flow.add(take, "take", position=(0.0, 0.0))
    flow.add(slow, "slow", position=(260.0, 0.0), delay=delay)
    flow.add(check, "check", position=(520.0, 0.0), fail_every=fail_every)
    flow.connect("take.value", "slow.value")
    flow.connect("slow.slowed", "check.slowed")
    return flow


def open_flow(window, flow: Flow):
    from aetherflow_studio.document import FlowDocument

    window.set_document(FlowDocument(flow, trusted=True))
    return window.document


@pytest.fixture
def window(qtbot, tmp_path):
    from aetherflow_studio.app import dialogs
    from aetherflow_studio.app.main_window import MainWindow
    from aetherflow_studio.app.settings import StudioSettings

    w = MainWindow(settings=StudioSettings(tmp_path / "settings.ini"),
                   recovery_dir=tmp_path / "recovery", examples=False,
                   entry_points=False)  # fmt: skip
    w.ask_trust = lambda _path, _refs: "file"
    w.ask_save = lambda _name: dialogs.DISCARD  # never a modal question in tests
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    yield w
    w.run_ui.controller.shutdown()


def run_and_wait(qtbot, window, kind="count", count=200, workers=4, timeout=30_000):
    ui = window.run_ui
    ui.panel.workers.setValue(workers)
    ui.panel.set_input(kind, count)
    with qtbot.waitSignal(ui.controller.run_finished, timeout=timeout) as blocker:
        window.actions["run.start"].trigger()
    return blocker.args[0]


@node
async def fetch_later(i: int, delay: float = 0.02) -> dict:
    import asyncio

    await asyncio.sleep(delay)
    return {"value": i}


def async_flow(delay: float = 0.02) -> Flow:
    flow = Flow("fetching")
    flow.add(fetch_later, "fetch", position=(0.0, 0.0), delay=delay)
    flow.add(slow, "slow", position=(260.0, 0.0))
    flow.connect("fetch.value", "slow.value")
    return flow


BLOCKED = threading.Event()


@node(timeout=0.3)
def stuck_on_3(i: int) -> dict:
    if i == 3:
        BLOCKED.wait(30)
    return {"value": i}
