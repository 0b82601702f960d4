"""Breakpoint actions: Toggle Breakpoint (F9), Edit Breakpoint Condition…, Remove All
Breakpoints, in the Debug menu and in a node's right-click menu.

They act on the canvas's selected nodes and edit ``document.breakpoints`` (session state,
see `aetherflow_studio.document.breakpoints`). The condition question is the window's
``ask_breakpoint_condition`` attribute, so tests answer it without a modal dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from aetherflow_studio.document.breakpoints import condition_problem

if TYPE_CHECKING:
    from .main_window import MainWindow

NODE_MENU_ACTIONS = ("debug.toggle_breakpoint", "debug.edit_condition")


def ask_condition(parent: QWidget | None, node_id: str, current: str | None) -> str | None:
    """The condition for ``node_id``'s breakpoint: the text (blank: always stop), or None
    when the user cancels."""
    text, ok = QInputDialog.getText(
        parent,
        "Breakpoint condition",
        f"Stop at '{node_id}' when this Python expression over its inputs is true\n"
        "(blank: every time; evaluated in the run, which needs a trusted flow):",
        QLineEdit.EchoMode.Normal,
        current or "",
    )
    return text if ok else None


def install(window: MainWindow) -> None:
    """Add the breakpoint actions and the Debug menu; give each new scene its node menu."""
    bar = window.menuBar()
    menu = window.menus.get("debug")
    if menu is None:
        menu = window.menus["debug"] = bar.addMenu("&Debug")
        help_menu = window.menus.get("help")
        if help_menu is not None:  # Debug before Help
            bar.insertMenu(help_menu.menuAction(), menu)
    window.ask_breakpoint_condition = lambda node_id, current: ask_condition(
        window, node_id, current
    )
    toggle = window.add_action("debug.toggle_breakpoint", "Toggle &Breakpoint",
                               lambda: toggle_breakpoints(window), "F9", menu="debug")  # fmt: skip
    toggle.setToolTip("Stop a run's worker before the selected node (F9)")
    edit = window.add_action("debug.edit_condition", "Edit Breakpoint &Condition…",
                             lambda: edit_condition(window), menu="debug")  # fmt: skip
    edit.setToolTip("Stop only when an expression over the node's inputs holds")
    window.add_action("debug.clear_breakpoints", "Remove &All Breakpoints",
                      lambda: window.document.breakpoints.clear(), menu="debug")  # fmt: skip
    menu.addSeparator()
    window.document_changed.connect(lambda _doc: _give_scene_menu(window))
    _give_scene_menu(window)


def _give_scene_menu(window: MainWindow) -> None:
    scene = window.scene
    if scene is None:
        return
    actions: list[QAction] = [window.actions[name] for name in NODE_MENU_ACTIONS]
    scene.node_actions.extend(a for a in actions if a not in scene.node_actions)


def toggle_breakpoints(window: MainWindow) -> None:
    """F9: the selected nodes all get a breakpoint, or all lose theirs when every one of
    them has one."""
    ids = window.selected_node_ids()
    if not ids:
        window.statusBar().showMessage("Select a node to toggle its breakpoint", 5000)
        return
    breakpoints = window.document.breakpoints
    if all(i in breakpoints for i in ids):
        for node_id in ids:
            breakpoints.remove(node_id)
        window.statusBar().showMessage(f"Breakpoint removed: {', '.join(ids)}", 5000)
        return
    for node_id in ids:
        if node_id not in breakpoints:
            breakpoints.set(node_id)
    window.statusBar().showMessage(f"Breakpoint set: {', '.join(ids)}", 5000)


def edit_condition(window: MainWindow) -> None:
    """Ask for the selected node's condition; a bad expression is refused with a message
    naming the node and the expression, and the breakpoint stays as it was."""
    ids = window.selected_node_ids()
    if len(ids) != 1:
        window.statusBar().showMessage("Select one node to edit its breakpoint condition", 5000)
        return
    node_id = ids[0]
    breakpoints = window.document.breakpoints
    answer: Any = window.ask_breakpoint_condition(node_id, breakpoints.condition(node_id))
    if answer is None:
        return
    problem = condition_problem(answer.strip()) if answer.strip() else None
    if problem is not None:
        window.statusBar().showMessage(
            f"Breakpoint condition of '{node_id}' not changed: {answer.strip()!r} is {problem}",
            10000,
        )
        return
    breakpoints.set(node_id, answer)
    shown = answer.strip() or "always"
    window.statusBar().showMessage(f"Breakpoint on '{node_id}': stop when {shown}", 5000)
