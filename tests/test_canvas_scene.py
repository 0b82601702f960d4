"""FlowScene and FlowView: the item map follows the model through edits, undo and redo."""

from __future__ import annotations

import pytest
import studio_nodes as sn
from aetherflow import Flow, NodeSpec, PortSpec
from aetherflow.graph.model import OutputSpec
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtTest import QTest

from aetherflow_studio.canvas import MIME_NODE_REF, FlowScene, FlowView, set_palette
from aetherflow_studio.canvas.edge_item import EdgeItem
from aetherflow_studio.canvas.node_item import NodeItem
from aetherflow_studio.document import FlowDocument


def build_doc() -> FlowDocument:
    doc = FlowDocument(Flow("test", context=sn.StudioContext))
    doc.add_node(sn.load, (0, 0))
    doc.add_node(sn.clean, (300, 0))
    doc.add_node(sn.enrich, (600, 0))
    doc.connect("load.rows", "clean.rows")
    doc.undo_stack.clear()
    return doc


@pytest.fixture
def canvas(qtbot):
    doc = build_doc()
    scene = FlowScene(doc)
    view = FlowView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    view.resetTransform()
    view.centerOn(450, 60)
    return doc, scene, view


def in_sync(doc: FlowDocument, scene: FlowScene) -> bool:
    flow = doc.flow
    if set(scene.node_items) != set(flow.nodes):
        return False
    if set(scene.edge_items) != {(e.source, e.target) for e in flow.edges}:
        return False
    if set(scene.frame_items) != set(flow.groups):
        return False
    return all(
        (item.pos().x(), item.pos().y()) == flow.nodes[k].position
        for k, item in scene.node_items.items()
    )


def port_point(view: FlowView, item: NodeItem, kind: str, name: str) -> QPoint:
    pos = item.output_pos(name) if kind == "out" else item.input_pos(name)
    return view.mapFromScene(pos)


def test_scene_replays_existing_flow(canvas):
    doc, scene, _ = canvas
    assert in_sync(doc, scene)
    assert isinstance(scene.edge_items[("load.rows", "clean.rows")], EdgeItem)


def test_every_edit_undo_redo_keeps_the_scene_in_sync(canvas):
    doc, scene, view = canvas
    edits = [
        lambda: doc.add_node(sn.score, (900, 0)),
        lambda: doc.connect("clean.cleaned", "enrich.cleaned"),
        lambda: doc.move_nodes({"load": (10, 300), "clean": (320, 320)}),
        lambda: doc.set_constant("clean", "threshold", 0.7),
        lambda: doc.set_scope("db_pool", "isolated"),
        lambda: doc.add_frame(["load", "clean"], "Ingest"),
        lambda: doc.paste_fragment(doc.copy_fragment(["load", "clean"])),
        lambda: doc.auto_layout(size_of=scene.node_size),
        lambda: doc.remove_nodes(["clean"]),
    ]
    for edit in edits:
        edit()
        assert in_sync(doc, scene)
    for _ in edits:
        doc.undo()
        assert in_sync(doc, scene)
    for _ in edits:
        doc.redo()
        assert in_sync(doc, scene)
    view.grab()


def test_service_inputs_follow_the_scope(canvas):
    doc, scene, _ = canvas
    ports = {p.name: p for p in scene.node_items["enrich"].inputs}
    assert ports["db_pool"].service == "shared" and ports["cleaned"].service is None
    doc.set_scope("db_pool", "isolated")
    ports = {p.name: p for p in scene.node_items["enrich"].inputs}
    assert ports["db_pool"].service == "isolated"
    doc.undo()
    assert {p.name: p for p in scene.node_items["enrich"].inputs}["db_pool"].service == "shared"


def test_a_whole_drag_is_one_undo_step(canvas, qtbot):
    doc, scene, view = canvas
    item = scene.node_items["load"]
    start = view.mapFromScene(item.pos() + QPointF(60, 12))  # on the title bar
    count = doc.undo_stack.count()
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start
    )
    for step in range(1, 11):
        QTest.mouseMove(view.viewport(), start + QPoint(8 * step, 5 * step))
    edge = scene.edge_items[("load.rows", "clean.rows")]
    assert edge.boundingRect().contains(item.output_pos("rows"))  # the wire followed live
    assert doc.flow.nodes["load"].position == (0.0, 0.0)  # the model waits for the release
    end = start + QPoint(80, 50)
    QTest.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end
    )
    assert doc.undo_stack.count() == count + 1
    assert doc.undo_stack.undoText() == "Move node"
    assert doc.flow.nodes["load"].position == (80.0, 50.0)
    doc.undo()
    assert item.pos() == QPointF(0, 0) and in_sync(doc, scene)


def test_wire_drag_connects_and_highlights(canvas, qtbot):
    doc, scene, view = canvas
    src, dst = scene.node_items["clean"], scene.node_items["enrich"]
    a = port_point(view, src, "out", "cleaned")
    b = port_point(view, dst, "in", "cleaned")
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(view.viewport(), (a + b) / 2)
    assert "cleaned" in dst.highlighted and "db_pool" in dst.highlighted
    assert not scene.node_items["load"].highlighted  # upstream: a cycle
    QTest.mouseMove(view.viewport(), b)
    QTest.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b
    )
    assert ("clean.cleaned", "enrich.cleaned") in scene.edge_items
    assert doc.undo_stack.undoText() == "Connect"
    assert not dst.highlighted
    assert src.pos() == QPointF(300, 0)  # pressing a port does not move the node


def test_refused_wire_reports_the_reason(canvas, qtbot):
    doc, scene, view = canvas
    a = port_point(view, scene.node_items["clean"], "out", "cleaned")
    b = port_point(view, scene.node_items["load"], "in", "path")
    before = list(doc.flow.edges)
    with qtbot.waitSignal(scene.status_message) as blocker:
        QTest.mousePress(
            view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a
        )
        QTest.mouseMove(view.viewport(), b)
        QTest.mouseRelease(
            view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b
        )
    assert "cycle" in blocker.args[0]
    assert doc.flow.edges == before and set(scene.edge_items) == {("load.rows", "clean.rows")}


def test_reverse_wire_from_an_input(canvas):
    _doc, scene, view = canvas
    a = port_point(view, scene.node_items["enrich"], "in", "cleaned")
    b = port_point(view, scene.node_items["clean"], "out", "cleaned")
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(view.viewport(), b)
    QTest.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b
    )
    assert ("clean.cleaned", "enrich.cleaned") in scene.edge_items


def test_delete_key_removes_selection_in_one_step(canvas):
    doc, scene, view = canvas
    scene.select_nodes(["load", "clean"])
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert set(doc.flow.nodes) == {"enrich"} and set(scene.node_items) == {"enrich"}
    assert doc.undo_stack.undoText() == "Delete 2 nodes"
    QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert in_sync(doc, scene) and len(scene.edge_items) == 1
    QTest.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert set(scene.node_items) == {"enrich"}


def test_selected_edge_is_deleted(canvas):
    doc, scene, view = canvas
    scene.edge_items[("load.rows", "clean.rows")].setSelected(True)
    view.delete_selection()
    assert doc.flow.edges == [] and not scene.edge_items
    assert doc.undo_stack.undoText() == "Delete connection"


def test_copy_paste_between_two_documents_via_clipboard(canvas, qtbot):
    _doc, scene, view = canvas
    scene.select_nodes(["load", "clean"])
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert '"aetherflow-fragment"' in QGuiApplication.clipboard().text()
    other = FlowDocument(Flow("other"))
    other_scene = FlowScene(other)
    other_view = FlowView(other_scene)
    qtbot.addWidget(other_view)
    other_view.show()
    other_view.setFocus()
    QTest.keyClick(other_view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert set(other_scene.node_items) == {"load", "clean"}
    assert set(other_scene.edge_items) == {("load.rows", "clean.rows")}
    assert sorted(other_scene.selected_node_ids()) == ["clean", "load"]
    assert other.undo_stack.undoText() == "Paste 2 nodes"
    QTest.keyClick(other_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(other.flow.nodes) == 4 and in_sync(other, other_scene)


def test_placeholder_is_drawn_and_kept(canvas):
    doc, scene, view = canvas
    spec = NodeSpec(
        "geo",
        "my_plugins.geo:lookup",
        inputs=[PortSpec("city", "str")],
        outputs=[OutputSpec("coords")],
        error="module 'my_plugins' not found",
    )
    node_id = doc.add_node(spec, (0, 250))
    item = scene.node_items[node_id]
    assert item.placeholder and doc.flow.nodes[node_id].is_placeholder
    view.grab()
    doc.remove_nodes([node_id])
    doc.undo()
    assert scene.node_items[node_id].placeholder
    assert doc.flow.nodes[node_id].error == "module 'my_plugins' not found"


def test_problems_and_overlay(canvas):
    _doc, scene, view = canvas
    scene.set_problems("clean", ["input 'rows' is not wired"])
    item = scene.node_items["clean"]
    assert item.problems == ["input 'rows' is not wired"]
    assert "not wired" in item.toolTip()
    scene.set_node_overlay("clean", "12 items · 1.5 ms", "running")
    assert item.overlay_state == "running"
    assert item.boundingRect().height() > item.size()[1] + 10
    view.grab()
    scene.clear_problems()
    scene.set_node_overlay("clean", None, "idle")
    assert not item.problems and item.overlay_text is None
    with pytest.raises(ValueError):
        scene.set_node_overlay("clean", "x", "exploded")


def test_search_palette_adds_at_position(canvas, qtbot):
    doc, scene, view = canvas
    assert view.open_search() is None  # no catalog yet
    view.set_node_catalog(
        lambda: [
            ("studio_nodes:score", "score", "Score rows"),
            ("studio_nodes:report", "report", "Summarise"),
        ]
    )
    popup = view.open_search(QPointF(100, 400))
    assert popup is not None and popup.list.count() == 2
    QTest.keyClicks(popup.edit, "rprt")
    assert popup.list.count() == 1
    QTest.keyClick(popup.edit, Qt.Key.Key_Return)
    assert doc.flow.nodes["report"].position == (100.0, 400.0)
    assert scene.selected_node_ids() == ["report"]
    assert not popup.isVisible()


def test_drop_of_a_node_ref_adds_the_node(canvas):
    doc, scene, view = canvas
    mime = QMimeData()
    mime.setData(MIME_NODE_REF, b"studio_nodes:score")
    where = QPointF(200, 300)
    event = QDropEvent(
        where,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dropEvent(event)
    pos = view.mapToScene(where.toPoint())
    assert doc.flow.nodes["score"].position == (pos.x(), pos.y())
    assert "score" in scene.node_items


def test_zoom_pan_frame_and_level_of_detail(canvas):
    _doc, scene, view = canvas
    view.set_zoom(100)
    assert view.zoom() == pytest.approx(4.0)
    view.set_zoom(0.001)
    assert view.zoom() == pytest.approx(0.08)
    view.grab()  # simple shapes, no text
    view.frame_all()
    assert 0.08 <= view.zoom() <= 1.0
    rect = scene.nodes_rect()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(rect)
    before = view.mapToScene(QPoint(0, 0))
    view.pan_by(QPointF(50, 30))
    after = view.mapToScene(QPoint(0, 0))
    assert after.x() < before.x() and after.y() < before.y()
    scene.select_nodes(["enrich"])
    QTest.keyClick(view, Qt.Key.Key_F)
    assert (
        view.mapToScene(view.viewport().rect())
        .boundingRect()
        .contains(scene.node_items["enrich"].sceneBoundingRect())
    )


def test_middle_drag_pans(canvas):
    _, _, view = canvas
    before = view.mapToScene(QPoint(0, 0))
    start = QPoint(400, 300)
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, start
    )
    QTest.mouseMove(view.viewport(), start + QPoint(100, 40))
    QTest.mouseRelease(
        view.viewport(),
        Qt.MouseButton.MiddleButton,
        Qt.KeyboardModifier.NoModifier,
        start + QPoint(100, 40),
    )
    after = view.mapToScene(QPoint(0, 0))
    assert after.x() == pytest.approx(before.x() - 100, abs=1)


def test_palettes_switch(canvas):
    _, _, view = canvas
    set_palette("light")
    try:
        assert not view.grab().isNull()
    finally:
        set_palette("dark")
    with pytest.raises(ValueError):
        set_palette("neon")


def test_code_built_control_groups_are_frames(qtbot):
    flow = sn.load.then(sn.clean.repeat(3)).to_flow().copy()
    doc = FlowDocument(flow)
    scene = FlowScene(doc)
    (item,) = scene.frame_items.values()
    assert item.kind == "repeat" and "\u00d73" in item.title
    node_rect = scene.node_items["clean"].sceneBoundingRect()
    assert item.boundingRect().contains(node_rect.center())


def test_wheel_zooms_fast_then_settles_to_full_quality(canvas, qtbot):
    from PySide6.QtCore import QPoint as P
    from PySide6.QtGui import QWheelEvent

    from aetherflow_studio.canvas.node_item import NodeItem as Item

    _, _, view = canvas
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        centre,
        QPointF(view.viewport().mapToGlobal(centre.toPoint())),
        P(),
        P(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(event)
    assert view.zoom() < 1.0 and Item.fast_paint
    qtbot.waitUntil(lambda: not Item.fast_paint, timeout=2000)


def test_trusting_refreshes_ports_on_the_canvas(qtbot):
    doc = FlowDocument(Flow("t"))
    spec = NodeSpec("s", "studio_nodes:score", inputs=[PortSpec("enriched", "list")])
    doc.add_node(spec, (0, 0))
    scene = FlowScene(doc)
    assert [p.name for p in scene.node_items["s"].inputs] == ["enriched"]
    doc.set_trusted(True)
    assert [p.name for p in scene.node_items["s"].inputs] == ["enriched", "model"]


def test_zoomed_out_the_overview_draws_and_clicks_still_select(canvas):
    _doc, scene, view = canvas
    view.set_zoom(0.3)
    assert scene.overview_on
    item = scene.node_items["clean"]
    assert item.flags() & NodeItem.GraphicsItemFlag.ItemHasNoContents  # no per-item paint
    view.centerOn(item.sceneBoundingRect().center())
    center = view.mapFromScene(item.sceneBoundingRect().center())
    image = view.grab().toImage()  # what the overview paints
    body = image.pixelColor(center)
    empty = image.pixelColor(center + QPoint(0, 200))  # well below the nodes
    assert body != empty  # the node's box is drawn although the item paints nothing
    scene.clearSelection()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert scene.selected_node_ids() == ["clean"]
    view.set_zoom(1.0)
    assert not scene.overview_on
    assert not item.flags() & NodeItem.GraphicsItemFlag.ItemHasNoContents
