"""The window's few needs from the canvas, in one place.

The canvas (`FlowScene`, `FlowView`) is written by another engineer. The window reaches it
only through these functions, so a change in the canvas's API is one edit here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from aetherflow_studio.canvas.scene import FlowScene
from aetherflow_studio.canvas.view import FlowView

if TYPE_CHECKING:
    from .main_window import MainWindow


def install(
    window: MainWindow, document: Any, catalog: Callable[[], list[Any]]
) -> tuple[FlowScene, FlowView]:
    """A scene and a view for ``document``, shown in the window's canvas host.

    A `FlowView` stays bound to the scene it was made with, so each document gets a new
    one; the host widget stays, so the docks keep their sizes when a file is opened.
    """
    scene = FlowScene(document)
    view = FlowView(scene)
    view.setObjectName("canvas")
    view.set_node_catalog(catalog)
    # The start page, when installed, moves the host into a stack and names it canvas_host.
    host = getattr(window, "canvas_host", None) or window.centralWidget()
    if host is None:
        host = QWidget(window)
        host.setObjectName("canvas_host")
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        window.setCentralWidget(host)
    layout = host.layout()
    # Only the previous view goes; banners above the canvas stay.
    for old in [layout.itemAt(i).widget() for i in range(layout.count())]:
        if isinstance(old, FlowView):
            layout.removeWidget(old)
            old.hide()
            old.deleteLater()
    layout.addWidget(view, 1)
    return scene, view


def selected_node_ids(scene: FlowScene | None) -> list[str]:
    return scene.selected_node_ids() if scene is not None else []


def select_nodes(scene: FlowScene | None, ids: Iterable[str]) -> None:
    if scene is not None:
        scene.select_nodes(list(ids))


def ensure_visible(view: Any, scene: FlowScene, node_id: str) -> None:
    item = scene.node_items.get(node_id)
    if item is not None:
        view.ensureVisible(item, 60, 60)


def view_center(view: Any) -> QPointF:
    if view is None:
        return QPointF(0.0, 0.0)
    return view.mapToScene(view.viewport().rect().center())


def frame_all(view: Any) -> None:
    if view is not None:
        view.frame_all()


def delete_selection(scene: FlowScene) -> None:
    """Delete the selected nodes, wires and frames in one undo step."""
    scene.delete_selected()


def auto_layout(scene: FlowScene, document: Any) -> None:
    document.auto_layout(size_of=scene.node_size)
