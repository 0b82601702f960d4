"""From a blank canvas to a saved flow that runs headless, through the Studio's real
actions, menus and dialogs: a user module with a generator source, three nodes, a shared
locked counter and an isolated cache declared in the flow itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from design_support import (
    answer_dialog,
    choose_in_menu,
    print_failures,
    right_click,
    write_module,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from test_app_support import force_close, make_window

from aetherflow_studio.app.flow_settings_dialog import FlowSettingsDialog
from aetherflow_studio.panels.service_dialog import ServiceDialog

LEFT, NO_MOD = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


def pick_file(path: Path):
    def fill(dialog: QFileDialog) -> None:
        dialog.selectFile(str(path))
        dialog.accept()

    return answer_dialog(QFileDialog, fill)


def node_point(window, node_id: str) -> QPoint:
    item = window.scene.node_items[node_id]
    return window.view.mapFromScene(item.sceneBoundingRect().center())


def wire(window, source: str, target: str) -> None:
    """Drag from an output port to an input port on the canvas."""
    (a_id, a_port), (b_id, b_port) = source.split("."), target.split(".")
    view = window.view
    a = view.mapFromScene(window.scene.node_items[a_id].output_pos(a_port))
    b = view.mapFromScene(window.scene.node_items[b_id].input_pos(b_port))
    vp = view.viewport()
    QTest.mousePress(vp, LEFT, NO_MOD, a)
    QTest.mouseMove(vp, (a + b) / 2)
    QTest.mouseMove(vp, b)
    QTest.mouseRelease(vp, LEFT, NO_MOD, b)
    assert (source, target) in window.scene.edge_items, window.statusBar().currentMessage()


def node_menu(window, node_id: str, entry: str) -> list:
    seen = choose_in_menu(entry)
    right_click(window.view.viewport(), node_point(window, node_id))
    assert seen, f"no menu for {node_id}"
    return seen[0]


def canvas_menu(window, pos: QPoint, entry: str) -> list:
    seen = choose_in_menu(entry)
    right_click(window.view.viewport(), pos)
    assert seen, "no canvas menu"
    return seen[0]


def add_service(window, qtbot, name: str, factory: str, scope: str, constants: str = "") -> None:
    def fill(d: ServiceDialog) -> None:
        if name:
            d.name.setText(name)
        d.factory.setEditText(factory)
        d.scope.setCurrentIndex(d.scope.findData(scope))
        d.constants.setPlainText(constants)
        d.accept()

    answered = answer_dialog(ServiceDialog, fill)
    qtbot.mouseClick(window.services.add_button, LEFT)
    assert answered


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, examples=False)
    w.resize(1600, 1000)
    w.ask_save = lambda _name: "discard"  # pytest-qt may close it before this fixture does
    yield w
    force_close(w)


@print_failures
def test_design_a_flow_from_a_blank_canvas_and_run_it_headless(qtbot, tmp_path, window) -> None:
    project = tmp_path / "project"
    module = write_module(project)
    window.actions["file.new"].trigger()
    doc = window.document
    assert not doc.flow.nodes

    # the user's module joins the library through its "+" menu
    picked = pick_file(module)
    add_menu = window.library.add_button.menu()
    next(a for a in add_menu.actions() if a.text() == "Add Python file…").trigger()
    assert picked and "mynodes:urls" in window.library.entry_items()

    # four nodes, each added where the canvas was right-clicked, then laid out
    for i, name in enumerate(("urls", "fetch", "measure", "count")):
        canvas_menu(window, QPoint(60 + 40 * i, 60 + 160 * i), "Add Node Here…")
        popup = window.view._popup
        qtbot.waitUntil(popup.isVisible)
        qtbot.keyClicks(popup.edit, name)
        qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
        assert name in doc.flow.nodes and doc.flow.nodes[name].ref == f"mynodes:{name}"
    canvas_menu(window, QPoint(5, 5), "Auto-layout")
    wire(window, "urls.urls", "fetch.url")
    wire(window, "fetch.size", "measure.size")
    wire(window, "measure.units", "count.units")

    # the generator becomes the source: a badge on the node, the run controls say so
    entries = node_menu(window, "urls", "Use as Source")
    assert {"Rename…", "Duplicate", "Delete", "Open Source File"} <= set(entries)
    assert doc.flow.source == "urls" and window.scene.node_items["urls"].is_source
    assert window.run_ui.panel.input_kind.itemText(0) == "Source: urls"

    # cache: declared from the node input that nothing fills
    prefilled = []

    def declare_cache(d: ServiceDialog) -> None:
        prefilled.append(d.name.text())
        d.factory.setCurrentIndex(d.factory.findText("mynodes:Cache"))
        d.scope.setCurrentIndex(d.scope.findData("isolated"))
        d.accept()

    answered = answer_dialog(ServiceDialog, declare_cache)
    node_menu(window, "fetch", "Declare a Service Named 'cache'…")
    assert answered and prefilled == ["cache"]
    assert doc.flow.services["cache"].factory == "mynodes:Cache"
    port = next(p for p in window.scene.node_items["fetch"].inputs if p.name == "cache")
    assert port.service == "isolated"  # a service port at once

    # counter: the Services panel's Add Service…, shared, with a constructor constant
    add_service(window, qtbot, "counter", "mynodes:Counter", "shared", '{"start": 0}')
    counter = doc.flow.services["counter"]
    assert (counter.scope, counter.constants, counter.local) == ("shared", {"start": 0}, True)
    assert window.actions["edit.undo"].text() == "&Undo Add service counter"

    # flip the counter's scope on its card, undo, redo, and back
    card = window.services.cards["counter"]
    qtbot.mouseClick(card.switch.buttons["isolated"], LEFT)
    assert doc.flow.services["counter"].scope == "isolated"
    window.actions["edit.undo"].trigger()
    assert doc.flow.services["counter"].scope == "shared"
    assert window.services.cards["counter"].switch.choice() == "shared"
    window.actions["edit.redo"].trigger()
    assert doc.flow.services["counter"].scope == "isolated"
    count_port = next(p for p in window.scene.node_items["count"].inputs if p.name == "counter")
    assert count_port.service == "isolated"
    seen = choose_in_menu("Shared")  # the card's ⋯ menu
    window.services.cards["counter"].menu_button.click()
    assert seen and doc.flow.services["counter"].scope == "shared"

    # a constant through the inspector: measure in units of 2
    qtbot.mouseClick(window.view.viewport(), LEFT, NO_MOD, node_point(window, "measure"))
    assert window.inspector.node_id == "measure"
    seen = choose_in_menu("unit")
    window.inspector.add_constant_button.click()
    editor = window.inspector.constant_editors["unit"]
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "2")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert doc.flow.nodes["measure"].constants == {"unit": 2}

    # Flow > Flow Settings…: the name the file will carry
    def settings(d: FlowSettingsDialog) -> None:
        d.name.setText("crawl")
        d.description.setPlainText("Counts pages; a shared counter and a cache per worker.")
        assert d.source.currentData() == "urls"
        d.accept()

    answered = answer_dialog(FlowSettingsDialog, settings)
    window.actions["flow.settings"].trigger()
    assert answered and doc.flow.name == "crawl"

    # File > Save: the Save As dialog, beside the module
    target = project / "crawl.aflow"
    picked = pick_file(target)
    window.actions["file.save"].trigger()
    assert picked and target.exists() and not doc.is_dirty
    saved = json.loads(target.read_text("utf-8"))
    assert saved["name"] == "crawl" and saved["source"] == "urls" and "context" not in saved
    assert [(s["name"], s["scope"], s["factory"]) for s in saved["services"]] == [
        ("cache", "isolated", "mynodes:Cache"),
        ("counter", "shared", "mynodes:Counter"),
    ]
    qtbot.waitUntil(lambda: window.problems_label.text() == "no problems")  # debounced

    # the Studio's own run, from the source, on 3 workers
    panel = window.run_ui.panel
    panel.workers.setValue(3)
    panel.set_input("source", 0)
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=30000) as done:
        window.actions["run.start"].trigger()
    record = done.args[0]
    assert (record.items, record.failed) == (8, 0)
    shared = window.run_ui.controller.frame.shared

    # the saved file, headless: same items, same shared count, same per-item values
    out = subprocess.run(
        [sys.executable, "-m", "aetherflow", "run", str(target), "--workers", "3"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ""},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == record.items
    assert sorted(r["seen"] for r in lines) == list(range(1, 9))
    assert shared["counter"]["value"] == max(r["seen"] for r in lines) == 8
