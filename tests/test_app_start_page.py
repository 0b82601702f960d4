"""The start page: what the Studio shows when it starts without a file."""

from __future__ import annotations

import shutil

from aetherflow import Flow
from PySide6.QtCore import Qt
from test_app_support import EXAMPLES, force_close, make_settings, make_window

from aetherflow_studio.app import main as app_main
from aetherflow_studio.app.start_page import find_examples

FOUR = ["etl_pipeline", "realtime_counter", "connection_pool", "map_reduce"]


def test_examples_are_read_from_their_files_without_importing() -> None:
    examples = find_examples(EXAMPLES)
    assert [e.name for e in examples] == FOUR
    etl = examples[0]
    assert etl.description.startswith("ETL of 600 generated order lines")
    assert etl.scopes == {"batch_buffer": "isolated"}
    assert find_examples(EXAMPLES)[2].scopes == {
        "user_state": "isolated",
        "db_pool": "shared",
        "cache": "shared",
    }


def test_no_file_shows_the_start_page_with_the_examples(qtbot, tmp_path) -> None:
    window = make_window(qtbot, tmp_path)
    app_main.open_first(window, None)
    page = window.start_page
    assert page.visible and page.page.isVisible()
    assert list(page.page.cards) == FOUR
    assert "no locks" in page.page.cards["etl_pipeline"].example.description
    assert not window.view.isVisible()
    force_close(window)


def test_clicking_an_example_opens_it_on_the_canvas(qtbot, tmp_path) -> None:
    window = make_window(qtbot, tmp_path)
    app_main.open_first(window, None)
    card = window.start_page.page.cards["map_reduce"]
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)  # no trust question: ours
    assert not window.start_page.visible
    assert window.view.isVisible()
    assert window.document.path.endswith("map_reduce.aflow")
    assert window.document.trusted
    assert len(window.scene.node_items) == len(window.document.flow.nodes) == 5
    force_close(window)


def test_new_flow_and_view_menu(qtbot, tmp_path) -> None:
    window = make_window(qtbot, tmp_path)
    app_main.open_first(window, None)
    qtbot.mouseClick(window.start_page.page.new_button, Qt.MouseButton.LeftButton)
    assert not window.start_page.visible and window.view.isVisible()
    assert window.document.flow.nodes == {}
    window.actions["view.start_page"].trigger()
    assert window.start_page.visible
    force_close(window)


def test_recent_files_are_listed_and_open(qtbot, tmp_path) -> None:
    settings = make_settings(tmp_path)
    flows = []
    for name in ("first", "second"):
        path = tmp_path / f"{name}.aflow"
        Flow(name).save(path)
        settings.add_recent_file(path)
        flows.append(str(path.resolve()))
    window = make_window(qtbot, tmp_path, settings=settings)
    app_main.open_first(window, None)
    page = window.start_page.page
    assert page.recent_paths() == flows[::-1]  # most recent first
    page.recent.itemClicked.emit(page.recent.item(1))
    assert window.document.path == flows[0]
    assert not window.start_page.visible
    force_close(window)


def test_a_file_given_skips_the_start_page(qtbot, tmp_path) -> None:
    target = tmp_path / "etl.aflow"
    shutil.copy(EXAMPLES / "etl_pipeline.aflow", target)
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda _path, _refs: "no"
    app_main.open_first(window, str(target))
    assert not window.start_page.visible
    assert window.document.path == str(target)
    force_close(window)
