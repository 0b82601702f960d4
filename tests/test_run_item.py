"""Flow > Run Item…: one item, prefilled from the source's first item, run on one worker
off the GUI thread; its result (or its error) shows in the dialog."""

from __future__ import annotations

import json

import pytest
from aetherflow import Flow
from design_support import print_failures, write_module
from test_app_support import force_close, make_window


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, examples=False)
    w.ask_save = lambda _name: "discard"
    w.ask_trust = lambda path, refs: "file"
    yield w
    force_close(w)


def crawl_file(folder) -> str:
    write_module(folder)
    flow = Flow("crawl")
    for name in ("urls", "fetch", "measure", "count"):
        flow.add(f"mynodes:{name}")
    flow.connect("urls.urls", "fetch.url")
    flow.connect("fetch.size", "measure.size")
    flow.connect("measure.units", "count.units")
    flow.set_source("urls")
    flow.add_service("cache", "mynodes:Cache", "isolated")
    flow.add_service("counter", "mynodes:Counter", "shared")
    flow.save(folder / "crawl.aflow")
    return str(folder / "crawl.aflow")


@print_failures
def test_run_item_prefills_from_the_source_and_shows_the_result(qtbot, tmp_path, window):
    assert window.files.open_path(crawl_file(tmp_path / "p"))
    window.actions["flow.run_item"].trigger()
    dialog = window.run_item_dialog
    qtbot.waitUntil(lambda: "first item of the source" in dialog.status.text(), timeout=10000)
    assert json.loads(dialog.item.toPlainText()) == "https://example.test/page/0"
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=10000)
    result = json.loads(dialog.result.toPlainText())
    assert result["units"] == 270 and result["seen"] == 1

    dialog.item.setPlainText('"https://example.test/a-much-longer-page"')
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=10000)
    assert json.loads(dialog.result.toPlainText())["units"] == 390  # a fresh counter each run

    dialog.item.setPlainText("{not json")
    assert not dialog.run()
    assert "not JSON" in dialog.status.text()
