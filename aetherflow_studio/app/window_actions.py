"""The main window's actions, menus and toolbar.

Actions are registered by name in ``window.actions`` (``"file.open"``, ``"edit.undo"``, ...)
and menus in ``window.menus`` (``"file"``, ``"edit"``, ``"view"``, ``"view.panels"``,
``"run"``, ``"help"``), so later features add theirs with `MainWindow.add_action`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolBar

if TYPE_CHECKING:
    from .main_window import MainWindow


def build_actions(window: MainWindow) -> None:
    f, k = window.files, QKeySequence.StandardKey
    window.add_action("file.new", "&New", lambda: f.new_flow(), k.New)
    window.add_action("file.open", "&Open…", f.open_dialog, k.Open)
    window.add_action("file.save", "&Save", f.save, k.Save)
    window.add_action("file.save_as", "Save &As…", f.save_as, k.SaveAs)
    window.add_action("file.export", "&Export as Python Script…", f.export_dialog)
    window.add_action("file.trust", "Trust and Import Code…", f.ask_and_resolve)
    window.add_action("file.quit", "&Quit", window.close, k.Quit)
    undo = window.undo_group.createUndoAction(window, "&Undo")
    undo.setShortcut(k.Undo)
    window.register_action("edit.undo", undo)
    redo = window.undo_group.createRedoAction(window, "&Redo")
    redo.setShortcut(k.Redo)
    window.register_action("edit.redo", redo)
    window.add_action("edit.cut", "Cu&t", window.cut, k.Cut)
    window.add_action("edit.copy", "&Copy", window.copy, k.Copy)
    window.add_action("edit.paste", "&Paste", window.paste, k.Paste)
    window.add_action("edit.duplicate", "D&uplicate", window.duplicate, "Ctrl+D")
    window.add_action("edit.delete", "&Delete", window.delete_selection, k.Delete)
    window.add_action("edit.select_all", "Select &All", window.select_all, k.SelectAll)
    window.add_action("view.frame_all", "&Frame All", window.frame_all, "Home")
    window.add_action("view.auto_layout", "&Auto-layout", window.auto_layout, "Ctrl+L")
    window.add_action("view.reset_layout", "&Reset Layout", lambda: window.window_state.reset())
    themes = QActionGroup(window)
    for theme in ("dark", "light"):
        action = window.add_action(
            f"view.theme.{theme}", theme.title(), lambda t=theme: window.set_theme(t)
        )
        action.setCheckable(True)
        themes.addAction(action)
    window.add_action("help.about", "&About AetherFlow Studio", window.about)
    for name in (
        "file.new",
        "file.open",
        "file.save",
        "edit.undo",
        "edit.redo",
        "view.frame_all",
        "view.auto_layout",
    ):
        window.actions[name].setToolTip(window.actions[name].text().replace("&", ""))


def build_menus(window: MainWindow) -> None:
    bar = window.menuBar()
    a = window.actions
    file_menu = window.menus["file"] = bar.addMenu("&File")
    file_menu.addActions([a["file.new"], a["file.open"]])
    window.menus["file.recent"] = file_menu.addMenu("Open &Recent")
    window.menus["file.recent"].aboutToShow.connect(lambda: fill_recent_menu(window))
    file_menu.addSeparator()
    file_menu.addActions([a["file.save"], a["file.save_as"], a["file.export"]])
    file_menu.addSeparator()
    file_menu.addActions([a["file.trust"]])
    file_menu.addSeparator()
    file_menu.addAction(a["file.quit"])
    edit = window.menus["edit"] = bar.addMenu("&Edit")
    edit.addActions([a["edit.undo"], a["edit.redo"]])
    edit.addSeparator()
    edit.addActions([a[f"edit.{n}"] for n in ("cut", "copy", "paste", "duplicate", "delete")])
    edit.addSeparator()
    edit.addAction(a["edit.select_all"])
    view = window.menus["view"] = bar.addMenu("&View")
    view.addActions([a["view.frame_all"], a["view.auto_layout"]])
    view.addSeparator()
    theme = window.menus["view.theme"] = view.addMenu("&Theme")
    theme.addActions([a["view.theme.dark"], a["view.theme.light"]])
    panels = window.menus["view.panels"] = view.addMenu("&Panels")
    panels.addActions([d.toggleViewAction() for d in window.docks.values()])
    view.addAction(a["view.reset_layout"])
    window.menus["run"] = bar.addMenu("&Run")  # filled by the run controller
    window.menus["run"].menuAction().setVisible(False)
    window.menus["help"] = bar.addMenu("&Help")
    window.menus["help"].addAction(a["help.about"])


def build_toolbar(window: MainWindow) -> None:
    window.toolbar = QToolBar("Main", window)
    window.toolbar.setObjectName("toolbar_main")
    window.toolbar.setMovable(False)
    window.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, window.toolbar)
    a = window.actions
    window.toolbar.addActions([a["file.new"], a["file.open"], a["file.save"]])
    window.toolbar.addSeparator()
    window.toolbar.addActions([a["edit.undo"], a["edit.redo"]])
    window.toolbar.addSeparator()
    window.toolbar.addActions([a["view.frame_all"], a["view.auto_layout"]])
    window.toolbar.addSeparator()


def fill_recent_menu(window: MainWindow) -> None:
    menu = window.menus["file.recent"]
    menu.clear()
    recent = window.settings.recent_files()
    for path in recent:
        action = menu.addAction(Path(path).name, lambda p=path: window.files.open_path(p))
        action.setToolTip(path)
        action.setStatusTip(path)
    if not recent:
        menu.addAction("No recent files").setEnabled(False)
    else:
        menu.addSeparator()
        menu.addAction("Clear list", window.settings.clear_recent_files)
