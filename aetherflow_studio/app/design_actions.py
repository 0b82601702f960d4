"""Designing a flow from the window: the Flow menu (Flow Settings…, Add Service…), the
node actions of the canvas's right-click menu (Rename…, Use as Source, Duplicate,
Delete, Open Source File, Reveal in Library, Declare a Service Named …), and the canvas
and wire menus.

Node actions act on the canvas's selection (a right-click selects the node first), so
the same actions serve the menu bar, shortcuts and the node menu; other features append
theirs to ``scene.node_actions`` or ``scene.node_menu_builders``. Questions are window
attributes (``ask_flow_settings``, ``ask_node_label``) like the window's other questions.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu

from .flow_settings_dialog import ask_flow_settings

if TYPE_CHECKING:
    from .main_window import MainWindow

NODE_MENU_ACTIONS = ("node.rename", "node.use_as_source", "edit.duplicate", "edit.delete",
                     "node.open_source", "node.reveal")  # fmt: skip


def install(window: MainWindow) -> None:
    """Add the Flow menu and the design actions; give each new scene its menus."""
    bar = window.menuBar()
    menu = window.menus["flow"] = QMenu("F&low", bar)
    view = window.menus.get("view")
    bar.insertMenu(view.menuAction(), menu) if view is not None else bar.addMenu(menu)
    window.add_action("flow.settings", "Flow &Settings…", lambda: edit_flow_settings(window),
                      menu="flow")  # fmt: skip
    window.add_action("flow.add_service", "Add &Service…", lambda: add_service(window),
                      menu="flow")  # fmt: skip
    window.add_action("flow.run_item", "Run &Item…", lambda: run_item(window), menu="flow")
    window.add_action("node.rename", "&Rename…", lambda: rename_node(window), "F2")
    source = window.add_action(
        "node.use_as_source", "Use as &Source", lambda: toggle_source(window)
    )
    source.setCheckable(True)
    source.setToolTip("Its items feed runs that get no other input")
    window.add_action("node.open_source", "Open Source &File", lambda: open_source(window))
    window.add_action("node.reveal", "Reveal in &Library", lambda: reveal_in_library(window))
    window.ask_flow_settings = lambda current, contexts, sources: ask_flow_settings(
        window, current, contexts, sources
    )
    window.ask_node_label = lambda node_id, current: _ask_label(window, node_id, current)
    window.services.factories = lambda: [
        (c.ref, c.doc) for c in window.library.catalog.classes(contexts=False)
    ]
    window.library.sources_changed.connect(lambda _s: sync_search_paths(window))
    window.inspector.declare_service_requested.connect(lambda name: add_service(window, name))
    window.document_changed.connect(lambda _doc: _give_scene_menus(window))
    _give_scene_menus(window)


def _ask_label(window: MainWindow, node_id: str, current: str) -> str | None:
    text, ok = QInputDialog.getText(window, "Rename node", f"Title of node '{node_id}':",
                                    QLineEdit.EchoMode.Normal, current)  # fmt: skip
    return text if ok else None


def _give_scene_menus(window: MainWindow) -> None:
    scene = window.scene
    if scene is None:
        return
    actions: list[QAction] = [window.actions[name] for name in NODE_MENU_ACTIONS]
    if any(a in scene.node_actions for a in actions):
        return
    separator = QAction(scene)
    separator.setSeparator(True)
    scene.node_actions[:0] = [*actions, separator]
    scene.node_menu_builders.append(lambda menu, node_id: _node_menu_extras(window, menu, node_id))
    scene.canvas_menu_builders.append(lambda menu, pos: _canvas_menu(window, menu, pos))
    scene.edge_menu_builders.append(lambda menu, key: _edge_menu(window, menu, key))
    sync_search_paths(window)


def sync_search_paths(window: MainWindow) -> None:
    """Let the document resolve nodes of every module the library holds (by path)."""
    flow = window.document.flow
    for folder in window.library.catalog.search_paths():
        if folder not in flow.search_paths:
            flow.search_paths.append(folder)


# -- flow -----------------------------------------------------------------------------
def edit_flow_settings(window: MainWindow) -> bool:
    from aetherflow_studio.document.design_commands import settings_of

    doc = window.document
    contexts = [(c.ref, c.cls) for c in window.library.catalog.classes(contexts=True)]
    nodes = doc.flow.nodes
    sources = sorted(((i, _is_generator(s)) for i, s in nodes.items()), key=lambda t: not t[1])
    answer = window.ask_flow_settings(settings_of(doc.flow), contexts, sources)
    if answer is None:
        return False
    doc.set_flow_settings(answer)
    window._update_title()
    return True


def run_item(window: MainWindow) -> Any:
    """Open the Run Item dialog (not modal: edit, run again, compare)."""
    from .run_item_dialog import RunItemDialog

    doc = window.document
    if not doc.trusted:
        window.statusBar().showMessage("Running an item imports the flow's code: trust it first")
        return None
    old = getattr(window, "run_item_dialog", None)
    if old is not None:
        old.close()
        old.deleteLater()
    dialog = window.run_item_dialog = RunItemDialog(window, doc.flow)
    dialog.show()
    return dialog


def add_service(window: MainWindow, name: str = "") -> bool:
    window.docks["services"].show()
    window.docks["services"].raise_()
    return window.services.add_service(name)


# -- nodes ----------------------------------------------------------------------------
def _one_node(window: MainWindow, what: str) -> str | None:
    ids = window.selected_node_ids()
    if len(ids) != 1:
        window.statusBar().showMessage(f"Select one node to {what}", 5000)
        return None
    return ids[0]


def _is_generator(spec: Any) -> bool:
    return spec.node is not None and spec.node.is_generator


def rename_node(window: MainWindow) -> None:
    node_id = _one_node(window, "rename it")
    if node_id is None:
        return
    spec = window.document.flow.nodes[node_id]
    answer = window.ask_node_label(node_id, spec.title)
    if answer is not None:
        window.document.set_label(node_id, answer.strip() or None)


def toggle_source(window: MainWindow) -> None:
    node_id = _one_node(window, "make it the source")
    if node_id is None:
        return
    doc = window.document
    if doc.flow.source == node_id:
        doc.set_source(None)
        window.statusBar().showMessage(f"'{node_id}' is no longer the source", 5000)
        return
    spec = doc.flow.nodes[node_id]
    doc.set_source(node_id)
    note = "" if _is_generator(spec) or spec.node is None else " (it does not yield items)"
    window.statusBar().showMessage(f"'{node_id}' is the source: its items feed runs{note}", 5000)


def source_file(spec: Any) -> str | None:
    """The file that defines a resolved node's function, when there is one."""
    if spec.node is None:
        return None
    try:
        return inspect.getsourcefile(spec.node.func)
    except TypeError:
        return None


def open_source(window: MainWindow) -> bool:
    """Open the selected node's source file in the system's editor for Python files."""
    node_id = _one_node(window, "open its source file")
    if node_id is None:
        return False
    path = source_file(window.document.flow.nodes[node_id])
    if path is None:
        window.statusBar().showMessage(
            f"'{node_id}' has no source file to open (trust the flow to import its code)", 8000
        )
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def reveal_in_library(window: MainWindow) -> bool:
    node_id = _one_node(window, "find it in the library")
    if node_id is None:
        return False
    ref = window.document.flow.nodes[node_id].ref
    item = window.library.entry_items().get(ref)
    if item is None:
        window.library.search.clear()
        item = window.library.entry_items().get(ref)
    if item is None:
        window.statusBar().showMessage(f"'{ref}' is not in the library: add its module", 8000)
        return False
    window.docks["library"].show()
    window.docks["library"].raise_()
    window.library.tree.setCurrentItem(item)
    window.library.tree.scrollToItem(item)
    return True


def undeclared_inputs(flow: Any, node_id: str) -> list[str]:
    """Inputs of a node that nothing fills: no wire, constant, service or node output."""
    spec = flow.nodes[node_id]
    wired = {e.target_port for e in flow.edges_into(node_id)}
    produced = {o.name for s in flow.nodes.values() for o in s.outputs}
    return [
        p.name
        for p in spec.inputs
        if p.required
        and p.name not in wired
        and p.name not in spec.constants
        and p.name not in flow.services
        and p.name not in produced
    ]


def _node_menu_extras(window: MainWindow, menu: QMenu, node_id: str) -> None:
    flow = window.document.flow
    spec = flow.nodes.get(node_id)
    if spec is None:
        return
    a = window.actions
    a["node.use_as_source"].setChecked(flow.source == node_id)
    a["node.use_as_source"].setEnabled(spec.node is None or spec.node.is_generator
                                       or flow.source == node_id)  # fmt: skip
    a["node.open_source"].setEnabled(source_file(spec) is not None)
    a["node.reveal"].setEnabled(window.library.catalog.find(spec.ref) is not None)
    names = undeclared_inputs(flow, node_id) if node_id != flow.source else []
    if names:
        menu.addSeparator()
    for name in names:
        menu.addAction(f"Declare a Service Named '{name}'…",
                       lambda n=name: add_service(window, n))  # fmt: skip


# -- canvas and wires -----------------------------------------------------------------
def _canvas_menu(window: MainWindow, menu: QMenu, pos: QPointF) -> None:
    view, doc = window.view, window.document
    menu.addAction("Add Node Here…", lambda: view.open_search(pos))
    paste = menu.addAction(
        "Paste Here",
        lambda: window.scene.select_nodes(
            doc.paste_fragment(QGuiApplication.clipboard().text(), at=(pos.x(), pos.y()))
        ),
    )
    paste.setEnabled(bool(QGuiApplication.clipboard().text().strip()))
    frame = menu.addAction("Add Frame Around Selection", view.add_frame_around_selection)
    frame.setEnabled(bool(window.selected_node_ids()))
    menu.addAction(window.actions["view.auto_layout"])
    menu.addSeparator()
    menu.addAction(window.actions["flow.settings"])
    menu.addAction(window.actions["flow.add_service"])


def _edge_menu(window: MainWindow, menu: QMenu, key: tuple[str, str]) -> None:
    doc, view = window.document, window.view
    menu.addAction("Delete Wire", lambda: doc.disconnect(*key))
    a, b = (
        window.scene.node_items[key[0].rsplit(".", 1)[0]],
        window.scene.node_items[key[1].rsplit(".", 1)[0]],
    )
    middle = (a.pos() + b.pos()) / 2 + QPointF(0, 80)
    menu.addAction("Insert Node…", lambda: view.open_search(middle, insert_on=key))
