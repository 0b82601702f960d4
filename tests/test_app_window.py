"""The main window: build a flow through the UI, save, reopen; prompts; title; actions."""

from __future__ import annotations

import json
import shutil

import pytest
from aetherflow import Flow
from PySide6.QtCore import Qt
from test_app_support import EXAMPLES, force_close, make_settings, make_window

from aetherflow_studio.app import main as app_main
from aetherflow_studio.widgets.value_editors import TextEditor


@pytest.fixture
def etl_copy(tmp_path):
    """The ETL example flow, copied away from its node module (found through the library)."""
    target = tmp_path / "flows" / "etl.aflow"
    target.parent.mkdir()
    shutil.copy(EXAMPLES / "etl_pipeline.aflow", target)
    return target


def test_build_through_the_ui_save_reopen_compare(qtbot, tmp_path, etl_copy) -> None:
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda path, refs: "file"
    assert window.files.open_path(etl_copy)
    doc = window.document
    assert doc.trusted and all(s.node is not None for s in doc.flow.nodes.values())
    assert window.windowTitle() == "etl.aflow — AetherFlow Studio"

    # add a node from the library (a double-click on its item)
    item = window.library.entry_items()["etl_pipeline_nodes:validate"]
    window.library.tree.itemDoubleClicked.emit(item, 0)
    added = "validate_2"
    assert added in doc.flow.nodes
    assert window.windowTitle() == "etl.aflow* — AetherFlow Studio"
    assert window.actions["edit.undo"].text() == "&Undo Add node"

    # connect through the document
    assert doc.connect("extract.record", f"{added}.record") is None

    # set a constant through the inspector's editor
    window.scene.select_nodes(["transform"])
    assert window.inspector.node_id == "transform"
    editor = window.inspector.constant_editors["target"]
    assert isinstance(editor, TextEditor)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "USD")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert doc.flow.nodes["transform"].constants["target"] == "USD"

    # switch a scope through the services panel
    qtbot.mouseClick(
        window.services.cards["batch_buffer"].switch.buttons["shared"], Qt.MouseButton.LeftButton
    )
    assert doc.flow.services["batch_buffer"].scope == "shared"
    assert window.actions["edit.undo"].text().startswith("&Undo Switch batch_buffer")

    expected = doc.flow.to_dict()
    window.actions["file.save"].trigger()
    assert not doc.is_dirty
    assert window.windowTitle() == "etl.aflow — AetherFlow Studio"
    saved = etl_copy.read_text()
    assert "trust" not in saved.lower()

    assert window.files.open_path(etl_copy)  # clean: no question
    assert window.document is not doc
    assert window.document.flow.to_dict() == expected
    assert Flow.load(etl_copy).to_dict() == expected
    force_close(window)


def test_untitled_flow_save_as_and_recent_files(qtbot, tmp_path, monkeypatch) -> None:
    window = make_window(qtbot, tmp_path)
    window.library.request_add("etl_pipeline_nodes:extract")
    window.library.request_add("etl_pipeline_nodes:validate")
    doc = window.document
    assert list(doc.flow.nodes) == ["extract", "validate"]
    assert doc.connect("extract.record", "validate.record") is None
    target = tmp_path / "mine.aflow"
    monkeypatch.setattr(
        "aetherflow_studio.app.files.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(tmp_path / "mine"), ""),
    )
    window.actions["file.save"].trigger()  # no path yet: Save As
    assert target.exists() and not doc.is_dirty
    assert doc.flow.name == "mine"  # an untitled flow takes its first file's name
    assert Flow.load(target).name == "mine"
    assert window.settings.recent_files() == [str(target.resolve())]
    window.menus["file.recent"].aboutToShow.emit()
    names = [a.text() for a in window.menus["file.recent"].actions()]
    assert "mine.aflow" in names
    # a file saved from a trusted document reopens without a question
    window.files.new_flow()
    assert window.files.open_path(target)
    assert window.document.trusted
    force_close(window)


def test_dirty_prompt_on_close_new_and_open(qtbot, tmp_path, etl_copy) -> None:
    window = make_window(qtbot, tmp_path)
    window.library.request_add("etl_pipeline_nodes:extract")
    asked = []

    def answer(value):
        def ask(name):
            asked.append(name)
            return value

        return ask

    window.ask_save = answer("cancel")
    assert not window.close()
    assert not window.files.new_flow()
    assert not window.files.open_path(etl_copy)
    assert "extract" in window.document.flow.nodes
    assert asked == ["untitled"] * 3
    window.ask_save = answer("discard")
    assert window.files.new_flow()
    assert window.document.flow.nodes == {}
    window.library.request_add("etl_pipeline_nodes:extract")
    window.document.mark_saved(str(tmp_path / "x.aflow"))  # pretend it has a file
    window.library.request_add("etl_pipeline_nodes:load")
    window.ask_save = answer("save")
    assert window.close()
    assert (tmp_path / "x.aflow").exists()
    assert "load" in Flow.load(tmp_path / "x.aflow").nodes


def test_window_structure_and_extension_points(qtbot, tmp_path) -> None:
    from PySide6.QtWidgets import QLabel

    window = make_window(qtbot, tmp_path)
    assert set(window.docks) >= {"library", "inspector", "services", "problems"}
    for name in (
        "file.new",
        "file.open",
        "file.save",
        "file.save_as",
        "file.quit",
        "edit.undo",
        "edit.redo",
        "edit.cut",
        "edit.copy",
        "edit.paste",
        "edit.duplicate",
        "edit.delete",
        "edit.select_all",
        "view.frame_all",
        "view.auto_layout",
        "view.theme.dark",
        "view.theme.light",
        "help.about",
    ):
        assert name in window.actions, name
    dock = window.add_dock(QLabel("runs"), "Runs", name="runs")
    assert window.docks["runs"] is dock
    assert dock.toggleViewAction() in window.menus["view.panels"].actions()
    action = window.add_action("run.start", "Run", lambda: None, menu="run", toolbar=True)
    assert action in window.toolbar.actions() and window.actions["run.start"] is action
    seen = []
    window.document_changed.connect(seen.append)
    window.files.new_flow()
    assert seen == [window.document]
    force_close(window)


def test_undo_redo_edit_actions(qtbot, tmp_path) -> None:
    window = make_window(qtbot, tmp_path)
    window.library.request_add("etl_pipeline_nodes:extract")
    doc = window.document
    window.actions["edit.select_all"].trigger()
    window.actions["edit.duplicate"].trigger()
    assert len(doc.flow.nodes) == 2
    window.actions["edit.undo"].trigger()
    assert list(doc.flow.nodes) == ["extract"]
    window.actions["edit.redo"].trigger()
    assert len(doc.flow.nodes) == 2
    window.actions["edit.select_all"].trigger()
    window.actions["edit.delete"].trigger()
    assert doc.flow.nodes == {}
    window.actions["edit.undo"].trigger()
    assert len(doc.flow.nodes) == 2
    force_close(window)


def test_theme_and_window_state_are_remembered(qtbot, tmp_path) -> None:
    settings = make_settings(tmp_path)
    window = make_window(qtbot, tmp_path, settings=settings)
    assert settings.theme == "dark"
    window.actions["view.theme.light"].trigger()
    assert settings.theme == "light"
    window.resize(1000, 700)
    assert window.close()
    geometry, state = settings.window_state()
    assert geometry is not None and state is not None
    again = make_window(qtbot, tmp_path, settings=make_settings(tmp_path))
    assert again.settings.theme == "light"
    assert again.actions["view.theme.light"].isChecked()
    again.set_theme("dark")
    force_close(again)


def test_validation_problems_reach_scene_and_dock(qtbot, tmp_path) -> None:
    from aetherflow import Edge

    window = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.validation.problems_found, timeout=3000) as found:
        window.library.request_add("etl_pipeline_nodes:validate")  # 'record' is a flow input
    assert [p.severity for p in found.args[0]] == ["info"]
    assert window.problems.count() == 1
    assert window.scene.node_items["validate"].problems == []  # infos stay in the dock
    with qtbot.waitSignal(window.validation.problems_found, timeout=3000) as found:
        window.document.flow.insert_edge(Edge("validate.nope", "validate.record"))  # broken file
    errors = [p for p in found.args[0] if p.severity == "error"]
    assert errors and errors[0].where
    assert window.scene.node_items["validate"].problems
    assert "problem" in window.problems_label.text()
    window.problems.node_selection_requested.emit("validate")
    assert window.scene.selected_node_ids() == ["validate"]
    force_close(window)


def test_main_version_and_smoke_test(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        app_main.main(["--version"])
    assert exit_info.value.code == 0
    assert "AetherFlow Studio" in capsys.readouterr().out
    assert app_main.main(["--smoke-test"]) == 0
    assert "smoke test: ok" in capsys.readouterr().out


def test_settings_env_override(tmp_path, monkeypatch) -> None:
    from aetherflow_studio.app.settings import SETTINGS_ENV, StudioSettings

    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "env.ini"))
    settings = StudioSettings()
    settings.theme = "light"
    settings.sync()
    assert (tmp_path / "env.ini").exists()
    assert "light" in (tmp_path / "env.ini").read_text()
    data = json.dumps(settings.recent_files())
    assert data == "[]"


def test_canvas_shortcuts_only_act_on_the_canvas(qtbot, tmp_path) -> None:
    window = make_window(qtbot, tmp_path)
    window.activateWindow()
    window.library.request_add("etl_pipeline_nodes:extract")
    window.scene.select_nodes(["extract"])
    window.library.search.setFocus()
    qtbot.waitUntil(window.library.search.hasFocus)
    qtbot.keyClick(window.library.search, Qt.Key.Key_Delete)
    assert "extract" in window.document.flow.nodes
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.document.flow.nodes == {}
    assert window.actions["edit.delete"].shortcut().toString() == "Del"
    force_close(window)


def test_broken_file_is_refused_with_a_readable_message(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AETHERFLOW_STUDIO_NO_DIALOGS", "1")
    window = make_window(qtbot, tmp_path)
    before = window.document
    bad = tmp_path / "bad.aflow"
    bad.write_text('{"format": "aetherflow", "version": [99, 0]}')
    assert not window.files.open_path(bad)
    assert window.document is before
    assert window.files.last_error and "bad.aflow" in window.files.last_error
    assert window.settings.recent_files() == []
    force_close(window)


def test_nodes_double_clicked_in_the_library_one_after_another_do_not_stack(
    qtbot, tmp_path, etl_copy
) -> None:
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda path, refs: "file"
    assert window.files.open_path(etl_copy)
    try:
        _double_click_three_times(window)
    finally:
        force_close(window)


def _double_click_three_times(window) -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    tree = window.library.tree
    before = set(window.document.flow.nodes)
    first = window.library.entry_items()["etl_pipeline_nodes:validate"]
    tree.scrollToItem(first)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(first).center())  # fmt: skip
    QTest.qWait(QApplication.doubleClickInterval() + 50)
    for _ in range(3):
        item = window.library.entry_items()["etl_pipeline_nodes:validate"]
        tree.scrollToItem(item)
        point = tree.visualItemRect(item).center()
        QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=point)
        QTest.qWait(QApplication.doubleClickInterval() + 50)  # three double-clicks
    added = [n for n in window.document.flow.nodes if n not in before]
    assert len(added) == 3
    spots = {window.document.flow.nodes[n].position for n in added}
    assert len(spots) == 3  # each one visible, down and right of the one before
    xs = sorted(x for x, _ in spots)
    assert xs[1] - xs[0] >= 30 and xs[2] - xs[1] >= 30
