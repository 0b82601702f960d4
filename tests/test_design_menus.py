"""Designing through the Studio's menus: flow settings with a context class, a service's
card menu, the wire menu, a pasted generator, and two folders that each have a
``nodes.py`` (each flow runs its own), all through real menus and dialogs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from aetherflow import Flow
from design_support import (
    MYNODES,
    answer_dialog,
    choose_in_menu,
    print_failures,
    right_click,
    write_module,
)
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog
from test_app_support import force_close, make_window

from aetherflow_studio.app.flow_settings_dialog import FlowSettingsDialog

LEFT = Qt.MouseButton.LeftButton

CONTEXT_MODULE = (
    MYNODES
    + '''

from aetherflow import BaseFlowContext, providers


class CrawlContext(BaseFlowContext):
    """A context written in code: a shared pool."""

    pool = providers.Singleton(dict)
'''
)


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, examples=False)
    w.resize(1600, 1000)
    w.ask_save = lambda _name: "discard"  # pytest-qt may close it before this fixture does
    yield w
    force_close(w)


def add_library_file(window, path: Path) -> None:
    def fill(dialog: QFileDialog) -> None:
        dialog.selectFile(str(path))
        dialog.accept()

    answered = answer_dialog(QFileDialog, fill)
    menu = window.library.add_button.menu()
    next(a for a in menu.actions() if a.text() == "Add Python file…").trigger()
    assert answered


def menu_at(window, pos: QPoint, entry: str) -> list:
    seen = choose_in_menu(entry)
    right_click(window.view.viewport(), pos)
    assert seen, "no menu"
    return seen[0]


def node_point(window, node_id: str) -> QPoint:
    return window.view.mapFromScene(window.scene.node_items[node_id].sceneBoundingRect().center())


def build_chain(window, *names: str) -> None:
    for name in names:
        window.library.request_add(f"mynodes:{name}")
    window.auto_layout()


@print_failures
def test_flow_settings_pick_a_context_and_undo(qtbot, tmp_path, window) -> None:
    add_library_file(window, write_module(tmp_path / "p", text=CONTEXT_MODULE))
    doc = window.document

    def fill(d: FlowSettingsDialog) -> None:
        d.name.setText("with context")
        d.context.setCurrentIndex(d.context.findText("mynodes:CrawlContext"))
        d.accept()

    answered = answer_dialog(FlowSettingsDialog, fill)
    window.menus["flow"].actions()[0].trigger()  # Flow > Flow Settings…
    assert answered
    assert doc.flow.name == "with context" and doc.flow.context_ref == "mynodes:CrawlContext"
    assert "pool" in window.services.cards and not doc.flow.services["pool"].local
    assert window.actions["edit.undo"].text() == "&Undo Edit flow settings"
    window.actions["edit.undo"].trigger()
    assert doc.flow.name == "untitled" and doc.flow.context_ref is None
    assert "pool" not in window.services.cards
    window.actions["edit.redo"].trigger()
    assert doc.flow.context_ref == "mynodes:CrawlContext" and "pool" in window.services.cards


@print_failures
def test_service_card_menu_renames_and_removes_with_undo(qtbot, tmp_path, window) -> None:
    add_library_file(window, write_module(tmp_path / "p"))
    build_chain(window, "urls", "fetch")
    doc = window.document
    doc_services = doc.flow.services
    from aetherflow_studio.panels.service_dialog import ServiceDialog

    def fill(d: ServiceDialog) -> None:
        d.factory.setCurrentIndex(d.factory.findText("mynodes:Cache"))
        d.accept()

    answered = answer_dialog(ServiceDialog, fill)
    menu_at(window, node_point(window, "fetch"), "Declare a Service Named 'cache'…")
    assert answered and doc_services["cache"].factory == "mynodes:Cache"

    def rename(d: QInputDialog) -> None:
        d.setTextValue("memo")
        d.accept()

    answered = answer_dialog(QInputDialog, rename)
    seen = choose_in_menu("Rename…")
    window.services.cards["cache"].menu_button.click()
    assert seen and answered
    assert list(doc.flow.services) == ["memo"]
    assert window.actions["edit.undo"].text() == "&Undo Rename service cache to memo"
    port = next(p for p in window.scene.node_items["fetch"].inputs if p.name == "cache")
    assert port.service is None  # the input no longer matches a service

    seen = choose_in_menu("Remove")
    window.services.cards["memo"].menu_button.click()
    assert seen and not doc.flow.services
    window.actions["edit.undo"].trigger()
    window.actions["edit.undo"].trigger()
    assert list(doc.flow.services) == ["cache"]
    port = next(p for p in window.scene.node_items["fetch"].inputs if p.name == "cache")
    assert port.service == "isolated"


def drag_wire(window, source: str, target: str) -> None:
    from PySide6.QtTest import QTest

    (a_id, a_port), (b_id, b_port) = source.split("."), target.split(".")
    view, vp = window.view, window.view.viewport()
    a = view.mapFromScene(window.scene.node_items[a_id].output_pos(a_port))
    b = view.mapFromScene(window.scene.node_items[b_id].input_pos(b_port))
    QTest.mousePress(vp, LEFT, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(vp, (a + b) / 2)
    QTest.mouseMove(vp, b)
    QTest.mouseRelease(vp, LEFT, Qt.KeyboardModifier.NoModifier, b)
    assert (source, target) in window.scene.edge_items


def wire_point(window, key: tuple[str, str]) -> QPoint:
    item = window.scene.edge_items[key]
    return window.view.mapFromScene(item.mapToScene(item.path().pointAtPercent(0.5)))


@print_failures
def test_wire_menu_inserts_a_node_and_deletes_a_wire(qtbot, tmp_path, window) -> None:
    add_library_file(window, write_module(tmp_path / "p"))
    build_chain(window, "fetch", "count")
    doc = window.document
    drag_wire(window, "fetch.size", "count.units")
    entries = menu_at(window, wire_point(window, ("fetch.size", "count.units")), "Insert Node…")
    assert {"Watch value", "Delete Wire", "Insert Node…"} <= set(entries)
    popup = window.view._popup
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClicks(popup.edit, "measure")
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert sorted((e.source, e.target) for e in doc.flow.edges) == [
        ("fetch.size", "measure.size"),
        ("measure.units", "count.units"),
    ]
    assert window.actions["edit.undo"].text() == "&Undo Insert node"
    window.actions["edit.undo"].trigger()
    assert [(e.source, e.target) for e in doc.flow.edges] == [("fetch.size", "count.units")]
    assert "measure" not in doc.flow.nodes
    menu_at(window, wire_point(window, ("fetch.size", "count.units")), "Delete Wire")
    assert doc.flow.edges == [] and ("fetch.size", "count.units") not in window.scene.edge_items


@print_failures
def test_a_pasted_copy_of_the_source_is_a_problem(qtbot, tmp_path, window) -> None:
    add_library_file(window, write_module(tmp_path / "p"))
    build_chain(window, "urls", "fetch")
    doc = window.document
    window.scene.select_nodes(["urls"])
    window.actions["node.use_as_source"].trigger()
    assert doc.connect("urls.urls", "fetch.url") is None
    window.scene.select_nodes(["urls"])
    window.actions["edit.duplicate"].trigger()
    assert "urls_2" in doc.flow.nodes and doc.flow.source == "urls"
    qtbot.waitUntil(lambda: any(p.code == "generator-node" for p in window.problems.problems))
    found = [p for p in window.problems.problems if p.code == "generator-node"]
    assert found[0].where == "urls_2"
    assert "'urls_2' yields items: make it the source" in found[0].message


TWO_FOLDERS = {
    "a": """
        from aetherflow import node

        @node
        def who(i: int) -> dict:
            return {"who": "a"}
    """,
    "b": """
        from aetherflow import node

        @node
        def who(i: int, shout: bool = True) -> dict:
            raise ValueError("this is folder b's code")
    """,
}


def two_flows(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in TWO_FOLDERS.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "nodes.py").write_text(textwrap.dedent(text), "utf-8")
        flow = Flow(f"flow {name}")
        flow.add("nodes:who")
        paths[name] = folder / "flow.aflow"
        flow.save(paths[name])
    return paths


def run_in_studio(qtbot, window, items: int = 6):
    window.run_ui.panel.set_input("count", items)
    with qtbot.waitSignal(window.run_ui.controller.run_finished, timeout=30000) as done:
        window.actions["run.start"].trigger()
    return done.args[0]


@print_failures
def test_two_folders_with_a_nodes_py_each_run_their_own_code(qtbot, tmp_path, window) -> None:
    paths = two_flows(tmp_path)
    window.ask_trust = lambda path, refs: "file"
    assert window.files.open_path(paths["a"])
    assert window.document.flow.nodes["who"].input_names == ["i"]
    record = run_in_studio(qtbot, window)
    assert (record.items, record.failed) == (6, 0)

    assert window.files.open_path(paths["b"])
    assert window.document.flow.nodes["who"].input_names == ["i", "shout"]  # b's ports
    record = run_in_studio(qtbot, window)
    assert (record.items, record.failed) == (6, 6)
    errors = window.run_ui.errors
    row = errors.list.topLevelItem(0)
    seen = choose_in_menu("Copy Traceback")
    errors.row_menu(row).popup(errors.mapToGlobal(QPoint(5, 5)))
    qtbot.waitUntil(lambda: bool(seen))
    assert "this is folder b's code" in QGuiApplication.clipboard().text()

    assert window.files.open_path(paths["a"])  # and a is still a's
    record = run_in_studio(qtbot, window)
    assert record.failed == 0


class _UrlCatcher(QObject):
    """Stands in for the system's file opener (QDesktopServices hands it the URL)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toLocalFile())


@print_failures
def test_node_menu_renames_opens_the_source_and_reveals_it(qtbot, tmp_path, window) -> None:
    module = write_module(tmp_path / "p")
    add_library_file(window, module)
    build_chain(window, "fetch")
    doc = window.document

    def rename(d: QInputDialog) -> None:
        d.setTextValue("Fetch page")
        d.accept()

    answered = answer_dialog(QInputDialog, rename)
    menu_at(window, node_point(window, "fetch"), "Rename…")
    assert answered and doc.flow.nodes["fetch"].label == "Fetch page"
    assert window.actions["edit.undo"].text() == "&Undo Rename node"

    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        menu_at(window, node_point(window, "fetch"), "Open Source File")
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert catcher.urls == [str(module.resolve())]

    window.library.tree.setCurrentItem(None)
    menu_at(window, node_point(window, "fetch"), "Reveal in Library")
    assert window.library.tree.currentItem().text(0) == "fetch"


@print_failures
def test_canvas_menu_pastes_here_and_frames_the_selection(qtbot, tmp_path, window) -> None:
    add_library_file(window, write_module(tmp_path / "p"))
    build_chain(window, "fetch", "measure")
    doc = window.document
    window.scene.select_nodes(["fetch", "measure"])
    spot = QPoint(40, 40)
    menu_at(window, spot, "Add Frame Around Selection")
    frames = [g for g in doc.flow.groups.values() if g.kind == "frame"]
    assert len(frames) == 1 and sorted(frames[0].members) == ["fetch", "measure"]
    window.scene.select_nodes(["fetch"])
    window.actions["edit.copy"].trigger()
    menu_at(window, spot, "Paste Here")
    assert "fetch_2" in doc.flow.nodes
    x, y = doc.flow.nodes["fetch_2"].position
    at = window.view.mapToScene(spot)
    assert (round(x), round(y)) == (round(at.x()), round(at.y()))


@print_failures
def test_the_inspector_offers_to_declare_a_service_for_an_unfilled_input(qtbot, tmp_path, window):
    from PySide6.QtWidgets import QToolButton

    from aetherflow_studio.panels.service_dialog import ServiceDialog

    add_library_file(window, write_module(tmp_path / "p"))
    build_chain(window, "count")
    window.scene.select_nodes(["count"])
    button = window.inspector.findChild(QToolButton, "declare_counter")
    assert button is not None and window.inspector.findChild(QToolButton, "declare_units")

    def fill(d: ServiceDialog) -> None:
        assert d.name.text() == "counter"
        d.factory.setCurrentIndex(d.factory.findText("mynodes:Counter"))
        d.scope.setCurrentIndex(d.scope.findData("shared"))
        d.accept()

    answered = answer_dialog(ServiceDialog, fill)
    qtbot.mouseClick(button, LEFT)
    assert answered and window.document.flow.services["counter"].scope == "shared"
    qtbot.waitUntil(lambda: window.inspector.findChild(QToolButton, "declare_counter") is None)
