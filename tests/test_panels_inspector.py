"""The inspector edits constants and titles through the document (undoable)."""

from __future__ import annotations

import pytest
from aetherflow import Flow
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolButton
from test_app_support import write_node_module

from aetherflow_studio.document import FlowDocument
from aetherflow_studio.library.node_catalog import load_module
from aetherflow_studio.panels.inspector_panel import InspectorPanel
from aetherflow_studio.widgets.value_editors import (
    BoolEditor,
    FloatEditor,
    IntEditor,
    JsonEditor,
    TextEditor,
)


@pytest.fixture
def setup(qtbot, tmp_path):
    _, path = write_node_module(tmp_path)
    nodes = {e.name: e.node for e in load_module(str(path)).entries}
    doc = FlowDocument(Flow("t"), trusted=True)
    a = doc.add_node(nodes["numbers"], (0, 0), count=5)
    b = doc.add_node(nodes["scale"], (200, 0))
    c = doc.add_node(nodes["describe"], (400, 0), prefix="x", verbose=True)
    assert doc.connect(f"{a}.numbers", f"{b}.numbers") is None
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.set_document(doc)
    return doc, panel, (a, b, c)


def test_editors_fit_the_constant_types(setup) -> None:
    doc, panel, (a, _b, c) = setup
    panel.show_node(a)
    assert isinstance(panel.constant_editors["count"], IntEditor)
    panel.show_node(c)
    assert isinstance(panel.constant_editors["prefix"], TextEditor)
    assert isinstance(panel.constant_editors["verbose"], BoolEditor)
    doc.set_constant(c, "prefix", [1, 2])
    assert isinstance(panel.constant_editors["prefix"], JsonEditor)


def test_setting_a_constant_through_its_editor_is_one_undo_step(qtbot, setup) -> None:
    doc, panel, (a, _b, _c) = setup
    panel.show_node(a)
    editor = panel.constant_editors["count"]
    editor.setFocus()
    editor.lineEdit().selectAll()
    qtbot.keyClicks(editor, "12")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert doc.flow.nodes[a].constants["count"] == 12
    assert doc.undo_stack.undoText() == "Set constant"
    doc.undo()
    assert doc.flow.nodes[a].constants["count"] == 5
    assert panel.constant_editors["count"].value() == 5  # the panel follows the model


def test_add_and_clear_constant(setup) -> None:
    doc, panel, (_a, b, _c) = setup
    panel.show_node(b)
    assert "factor" not in doc.flow.nodes[b].constants
    panel.add_constant("factor")
    assert doc.flow.nodes[b].constants["factor"] == 2.0  # the parameter's default
    assert isinstance(panel.constant_editors["factor"], FloatEditor)
    # the wired input is not offered
    names = [a.text() for a in panel.add_constant_button.menu().actions()]
    assert "numbers" not in names and "counter" in names
    clear = [w for w in panel.widget().findChildren(QToolButton) if "'factor'" in w.toolTip()]
    clear[0].click()
    assert "factor" not in doc.flow.nodes[b].constants
    assert doc.undo_stack.undoText() == "Clear constant"


def test_title_edit_renames_through_document(qtbot, setup) -> None:
    doc, panel, (a, _b, _c) = setup
    panel.show_node(a)
    panel.title_edit.setFocus()
    qtbot.keyClicks(panel.title_edit, "Source")
    qtbot.keyClick(panel.title_edit, Qt.Key.Key_Return)
    assert doc.flow.nodes[a].label == "Source"
    doc.undo()
    assert doc.flow.nodes[a].label is None


def test_ports_show_wiring(setup) -> None:
    _doc, panel, (_a, b, _c) = setup
    panel.show_node(b)
    status = panel.widget().findChild(QLabel, "input_numbers")
    assert status is not None
    assert status.property("kind") == "edge"
    assert "numbers.numbers" in status.text()


def test_json_editor_refuses_invalid_text(qtbot) -> None:
    editor = JsonEditor([1])
    qtbot.addWidget(editor)
    committed = []
    editor.value_committed.connect(committed.append)
    editor.setText("[1, ")
    editor._on_text_edited(editor.text())
    editor.editingFinished.emit()
    assert committed == [] and editor.property("invalid") is True
    editor.setText('{"a": 2}')
    editor._on_text_edited(editor.text())
    editor.editingFinished.emit()
    assert committed == [{"a": 2}]


def test_deleted_node_empties_the_panel(setup) -> None:
    doc, panel, (a, _b, _c) = setup
    panel.show_node(a)
    doc.remove_nodes([a])
    assert panel.node_id is None and panel.title_edit is None
