"""Breakpoints on nodes: F9, the node's right-click menu, the condition, the red dot."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from test_run_support import counting_flow, open_flow, window

__all__ = ["window"]  # the fixture


def _menu_action(window, node_id: str, text: str):
    menu = window.scene.node_menu(node_id)
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def test_f9_toggles_a_breakpoint_on_the_selected_node_and_draws_the_dot(qtbot, window):
    doc = open_flow(window, counting_flow())
    window.select_node("slow")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F9)
    assert "slow" in doc.breakpoints and doc.breakpoints.condition("slow") is None
    item = window.scene.node_items["slow"]
    assert item.breakpoint == "always"
    assert "breakpoint" in item.toolTip()
    assert not doc.is_dirty and not doc.undo_stack.canUndo()  # session state, not an edit
    qtbot.keyClick(window.view, Qt.Key.Key_F9)
    assert "slow" not in doc.breakpoints and item.breakpoint == ""


def test_breakpoints_are_not_saved_in_the_flow_file(qtbot, window, tmp_path):
    doc = open_flow(window, counting_flow())
    window.select_node("check")
    window.actions["debug.toggle_breakpoint"].trigger()
    path = doc.save(tmp_path / "counting.aflow")
    assert "breakpoint" not in Path(path).read_text(encoding="utf-8")
    assert "check" in doc.breakpoints  # saving keeps them for the session


def test_node_menu_sets_a_condition_and_refuses_a_bad_one(qtbot, window):
    doc = open_flow(window, counting_flow())
    window.select_node("slow")
    asked = []
    window.ask_breakpoint_condition = lambda node, cur: asked.append((node, cur)) or "value > 2"
    _menu_action(window, "slow", "Edit Breakpoint Condition…").trigger()
    assert asked == [("slow", None)]
    assert doc.breakpoints.condition("slow") == "value > 2"
    item = window.scene.node_items["slow"]
    assert item.breakpoint == "conditional" and "value &gt; 2" in item.toolTip()
    window.ask_breakpoint_condition = lambda node, cur: "value >"
    _menu_action(window, "slow", "Edit Breakpoint Condition…").trigger()
    assert doc.breakpoints.condition("slow") == "value > 2"  # nothing lost
    message = window.statusBar().currentMessage()
    assert "'slow'" in message and "'value >'" in message and "not a Python expression" in message
    _menu_action(window, "slow", "Toggle Breakpoint").trigger()
    assert "slow" not in doc.breakpoints and item.breakpoint == ""


def test_deleting_a_node_removes_its_breakpoint(qtbot, window):
    doc = open_flow(window, counting_flow())
    doc.breakpoints.set("check", "checked == 1")
    window.select_node("check")
    window.actions["edit.delete"].trigger()
    assert "check" not in doc.flow.nodes and "check" not in doc.breakpoints


def test_a_bad_condition_is_refused_by_the_model():
    from aetherflow_studio.document.breakpoints import Breakpoints

    breakpoints = Breakpoints()
    with pytest.raises(ValueError, match=r"breakpoint on 'parse'.*not a Python expression"):
        breakpoints.set("parse", "x ==")
    assert "parse" not in breakpoints
