"""Canvas helpers for big flows: the minimap in the canvas's corner, Edit > Arrange (align,
distribute, snap the selection) and View > Snap to Grid / Minimap.

Each arrange action is one undo step named after it ("Align Left"), through
`FlowDocument.arrange_nodes`; the geometry is `aetherflow_studio.document.arrange`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject

from aetherflow_studio.canvas.minimap import Minimap
from aetherflow_studio.document import arrange

if TYPE_CHECKING:
    from .main_window import MainWindow

CORNER_GAP = 12  # px between the minimap and the canvas's bottom-right corner


def selected_boxes(window: MainWindow) -> dict[str, arrange.Box]:
    """``(x, y, width, height)`` of each selected node (its model position, drawn size)."""
    nodes = window.document.flow.nodes
    boxes = {}
    for node_id in window.selected_node_ids():
        x, y = nodes[node_id].position
        w, h = window.scene.node_size(nodes[node_id])
        boxes[node_id] = (x, y, w, h)
    return boxes


def align(window: MainWindow, how: str) -> None:
    boxes = selected_boxes(window)
    if len(boxes) >= 2:
        window.document.arrange_nodes(arrange.aligned(boxes, how), arrange.ALIGNMENTS[how])


def distribute(window: MainWindow, axis: str) -> None:
    boxes = selected_boxes(window)
    if len(boxes) >= 3:
        positions = arrange.distributed(boxes, axis)
        window.document.arrange_nodes(positions, arrange.DISTRIBUTIONS[axis])


def snap_selection(window: MainWindow) -> None:
    """The selected nodes (all when none is selected) onto the grid, one undo step."""
    nodes = window.document.flow.nodes
    ids = window.selected_node_ids() or list(nodes)
    positions = arrange.snapped({i: nodes[i].position for i in ids})
    window.document.arrange_nodes(positions, "Snap to Grid")


class _Corner(QObject):
    """Keeps the minimap in the canvas host's bottom-right corner."""

    def __init__(self, host: Any, minimap: Minimap) -> None:
        super().__init__(host)
        self._host, self._minimap = host, minimap
        host.installEventFilter(self)

    def place(self) -> None:
        host, m = self._host, self._minimap
        m.move(host.width() - m.width() - CORNER_GAP, host.height() - m.height() - CORNER_GAP)
        m.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self.place()
            self._minimap.update_visibility()
        return False


def install(window: MainWindow) -> Minimap:
    """Add the minimap and the arrange actions to ``window``; returns the minimap."""
    host = getattr(window, "canvas_host", None) or window.centralWidget()
    minimap = Minimap(host)
    corner = _Corner(host, minimap)

    def on_document_changed(document: Any) -> None:
        document.snap_to_grid = snap.isChecked()
        minimap.bind(window.view, document)
        corner.place()

    _arrange_menu(window)
    snap = window.add_action("view.snap_to_grid", "&Snap to Grid", menu="view")
    snap.setCheckable(True)
    snap.toggled.connect(lambda on: setattr(window.document, "snap_to_grid", on))
    show = window.add_action("view.minimap", "&Minimap", menu="view")
    show.setCheckable(True)
    show.setChecked(True)
    show.toggled.connect(minimap.set_enabled)
    window.document_changed.connect(on_document_changed)
    on_document_changed(window.document)
    return minimap


def _arrange_menu(window: MainWindow) -> None:
    menu = window.menus["edit"].addMenu("&Arrange")
    window.menus["edit.arrange"] = menu
    for how, text in arrange.ALIGNMENTS.items():
        window.add_action(f"edit.align.{how}", text, lambda h=how: align(window, h))
        menu.addAction(window.actions[f"edit.align.{how}"])
    menu.addSeparator()
    for axis, text in arrange.DISTRIBUTIONS.items():
        window.add_action(f"edit.distribute.{axis}", text, lambda a=axis: distribute(window, a))
        menu.addAction(window.actions[f"edit.distribute.{axis}"])
    menu.addSeparator()
    window.add_action("edit.snap_selection", "Snap Selection to &Grid",
                      lambda: snap_selection(window))  # fmt: skip
    menu.addAction(window.actions["edit.snap_selection"])
