"""Frames on the canvas: drag by the title, rename in place, drop nodes in and out, delete."""

from __future__ import annotations

import pytest
import studio_nodes as sn
from aetherflow import Flow
from aetherflow.graph import events as ev
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from aetherflow_studio.canvas import FlowScene, FlowView
from aetherflow_studio.canvas.frame_item import FrameItem
from aetherflow_studio.document import FlowDocument

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def build_doc() -> FlowDocument:
    doc = FlowDocument(Flow("test", context=sn.StudioContext))
    doc.add_node(sn.load, (0, 0))
    doc.add_node(sn.clean, (300, 0))
    doc.add_node(sn.enrich, (700, 0))
    doc.connect("load.rows", "clean.rows")
    doc.add_frame(["load", "clean"], "Ingest")  # id "frame"
    doc.undo_stack.clear()
    return doc


def show(qtbot, doc: FlowDocument) -> tuple[FlowScene, FlowView]:
    scene = FlowScene(doc)
    view = FlowView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    view.resetTransform()
    view.centerOn(450, 60)
    return scene, view


@pytest.fixture
def canvas(qtbot):
    doc = build_doc()
    scene, view = show(qtbot, doc)
    return doc, scene, view


def positions(doc: FlowDocument) -> dict[str, tuple[float, float]]:
    return {k: n.position for k, n in doc.flow.nodes.items()}


def in_sync(doc: FlowDocument, scene: FlowScene) -> bool:
    return set(scene.frame_items) == set(doc.flow.groups) and all(
        (item.pos().x(), item.pos().y()) == doc.flow.nodes[k].position
        for k, item in scene.node_items.items()
    )


def title_point(view: FlowView, frame: FrameItem) -> QPoint:
    strip = frame.title_rect()
    return view.mapFromScene(QPointF(strip.left() + 40, strip.center().y()))


def drag(view: FlowView, start: QPoint, delta: QPoint, steps: int = 8) -> None:
    """Press at ``start``, move there in steps and release (a real mouse drag)."""
    vp = view.viewport()
    QTest.mousePress(vp, LEFT, NO_MOD, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(vp, start + delta * i / steps)
    QTest.mouseRelease(vp, LEFT, NO_MOD, start + delta)


def node_title_point(view: FlowView, scene: FlowScene, node_id: str) -> QPoint:
    return view.mapFromScene(scene.node_items[node_id].pos() + QPointF(60, 12))


def test_dragging_the_title_moves_the_frame_with_its_nodes_as_one_step(canvas):
    doc, scene, view = canvas
    frame = scene.frame_items["frame"]
    before, rect_before = positions(doc), frame.frame_rect()
    count = doc.undo_stack.count()
    start = title_point(view, frame)
    vp = view.viewport()
    QTest.mousePress(vp, LEFT, NO_MOD, start)
    for i in range(1, 9):
        QTest.mouseMove(vp, start + QPoint(10 * i, 5 * i))
    # live: the members, their wire and the frame follow; the model waits for the release
    assert scene.node_items["load"].pos() == QPointF(80, 40)
    assert scene.node_items["enrich"].pos() == QPointF(700, 0)
    assert frame.frame_rect() == rect_before.translated(80, 40)
    edge = scene.edge_items[("load.rows", "clean.rows")]
    assert edge.boundingRect().contains(scene.node_items["load"].output_pos("rows"))
    assert positions(doc) == before
    QTest.mouseRelease(vp, LEFT, NO_MOD, start + QPoint(80, 40))

    assert doc.undo_stack.count() == count + 1
    assert doc.undo_stack.undoText() == "Move frame 'Ingest'"
    assert doc.flow.nodes["load"].position == (80.0, 40.0)
    assert doc.flow.nodes["clean"].position == (380.0, 40.0)
    assert doc.flow.nodes["enrich"].position == (700.0, 0.0)
    assert doc.flow.groups["frame"].members == ["load", "clean"]  # no regrouping on a frame drag
    assert in_sync(doc, scene)
    doc.undo()
    assert positions(doc) == before and in_sync(doc, scene)
    assert frame.frame_rect() == rect_before
    doc.redo()
    assert doc.flow.nodes["clean"].position == (380.0, 40.0) and in_sync(doc, scene)


def test_a_click_on_the_title_selects_the_frame_and_pushes_nothing(canvas):
    doc, scene, view = canvas
    frame = scene.frame_items["frame"]
    QTest.mouseClick(view.viewport(), LEFT, NO_MOD, title_point(view, frame))
    assert frame.isSelected()
    assert doc.undo_stack.count() == 0


def test_control_groups_move_the_same_way(qtbot):
    flow = sn.load.then(sn.clean.repeat(3)).to_flow().copy()
    doc = FlowDocument(flow)
    scene, view = show(qtbot, doc)
    ((gid, frame),) = scene.frame_items.items()
    before = positions(doc)
    view.centerOn(frame.frame_rect().center())
    drag(view, title_point(view, frame), QPoint(40, 60))
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == f"Move frame '{doc.frame_name(gid)}'"
    x, y = before["clean"]
    assert doc.flow.nodes["clean"].position == (x + 40, y + 60)
    assert doc.flow.nodes["load"].position == before["load"]
    doc.undo()
    assert positions(doc) == before and in_sync(doc, scene)


def test_nested_frames_move_with_their_parent(canvas):
    doc, scene, _ = canvas
    inner = doc.add_frame(["clean"], "Inner")
    outer = doc.add_frame(["frame", "enrich"], "Outer")
    assert set(doc.frame_node_ids(outer)) == {"load", "clean", "enrich"}
    doc.move_frame(outer, (10, 20))
    assert doc.undo_stack.undoText() == "Move frame 'Outer'"
    assert doc.flow.nodes["clean"].position == (310.0, 20.0)
    inner_rect = scene.frame_items[inner].frame_rect()
    assert inner_rect.contains(scene.node_items["clean"].sceneBoundingRect().center())
    doc.undo()
    assert doc.flow.nodes["clean"].position == (300.0, 0.0) and in_sync(doc, scene)


def test_double_click_renames_in_place_undoably(canvas):
    doc, scene, view = canvas
    frame = scene.frame_items["frame"]
    QTest.mouseDClick(view.viewport(), LEFT, NO_MOD, title_point(view, frame))
    editor = scene._title_editor
    assert editor is not None and editor.isVisible() and editor.text() == "Ingest"
    QTest.keyClicks(editor, "Sources")  # the text starts selected: typing replaces it
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert not editor.open
    assert doc.flow.groups["frame"].label == "Sources"
    assert doc.undo_stack.undoText() == "Rename frame"
    assert frame.title == "Sources"
    assert doc.undo_stack.count() == 1  # the double-click's presses moved nothing
    doc.undo()
    assert doc.flow.groups["frame"].label == "Ingest" and frame.title == "Ingest"
    doc.redo()
    assert frame.title == "Sources"


def test_escape_cancels_the_rename(canvas):
    doc, scene, _ = canvas
    editor = scene.edit_frame_title("frame")
    QTest.keyClicks(editor, "Nope")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.open
    assert doc.flow.groups["frame"].label == "Ingest"
    assert doc.undo_stack.count() == 0


def test_set_frame_label_emits_one_group_changed_and_skips_no_ops(canvas):
    doc, _, _ = canvas
    seen = []
    doc.model_changed.connect(seen.append)
    doc.set_frame_label("frame", "  Ingest ")  # the same label once stripped
    assert seen == [] and doc.undo_stack.count() == 0
    doc.set_frame_label("frame", "Load")
    assert seen == [ev.GroupChanged("frame")]
    doc.set_frame_label("frame", "")
    assert doc.flow.groups["frame"].label is None
    assert doc.frame_name("frame") == "frame"
    with pytest.raises(KeyError):
        doc.set_frame_label("nope", "x")


def test_a_node_dropped_into_a_frame_joins_it_in_the_same_step(canvas):
    doc, scene, view = canvas
    frame = scene.frame_items["frame"]
    drag(view, node_title_point(view, scene, "enrich"), QPoint(-550, 10))
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Move node into 'Ingest'"
    assert doc.flow.groups["frame"].members == ["load", "clean", "enrich"]
    assert doc.flow.nodes["enrich"].position == (150.0, 10.0)
    assert frame.frame_rect().contains(scene.node_items["enrich"].sceneBoundingRect())
    doc.undo()
    assert doc.flow.groups["frame"].members == ["load", "clean"]
    assert doc.flow.nodes["enrich"].position == (700.0, 0.0) and in_sync(doc, scene)
    assert not frame.frame_rect().intersects(scene.node_items["enrich"].sceneBoundingRect())
    doc.redo()
    assert "enrich" in doc.flow.groups["frame"].members and in_sync(doc, scene)


def test_a_member_dragged_out_leaves_and_a_small_move_stays(canvas):
    doc, scene, view = canvas
    frame = scene.frame_items["frame"]
    drag(view, node_title_point(view, scene, "clean"), QPoint(30, 10))  # still inside
    assert doc.undo_stack.undoText() == "Move node"
    assert doc.flow.groups["frame"].members == ["load", "clean"]
    drag(view, node_title_point(view, scene, "clean"), QPoint(0, 300))
    assert doc.undo_stack.undoText() == "Move node out of 'Ingest'"
    assert doc.flow.groups["frame"].members == ["load"]
    # the frame snaps back around what is left
    assert not frame.frame_rect().intersects(scene.node_items["clean"].sceneBoundingRect())
    doc.undo()
    assert doc.flow.groups["frame"].members == ["load", "clean"] and in_sync(doc, scene)
    assert frame.frame_rect().contains(scene.node_items["clean"].sceneBoundingRect())


def test_moving_between_frames_and_into_a_nested_frame(canvas):
    doc, _, _ = canvas
    other = doc.add_frame(["enrich"], "Enrich")
    # a node from Ingest dropped onto the other frame moves over in one step
    doc.move_nodes({"clean": (700.0, 200.0)}, join={"clean": other}, leave={"clean": ["frame"]})
    assert doc.undo_stack.undoText() == "Move node into 'Enrich'"
    assert doc.flow.groups[other].members == ["enrich", "clean"]
    assert doc.flow.groups["frame"].members == ["load"]
    doc.undo()
    assert doc.flow.groups["frame"].members == ["load", "clean"]
    assert doc.flow.groups[other].members == ["enrich"]
    # joining a frame takes the node out of other frames, but never empties one
    doc.move_nodes({}, join={"enrich": "frame"})
    assert doc.flow.groups[other].members == ["enrich"]
    assert doc.flow.groups["frame"].members == ["load", "clean", "enrich"]
    # control groups keep their members
    rid = doc.flow.add_group("repeat", ["load"], times=2)
    doc.move_nodes({}, leave={"load": [rid]})
    assert doc.flow.groups[rid].members == ["load"]


def test_scene_regrouping_picks_the_innermost_frame(canvas):
    doc, scene, _ = canvas
    inner = doc.add_frame(["clean"], "Inner")
    doc.flow.set_group_members("frame", ["load", inner])  # Ingest holds load and Inner
    scene.node_items["enrich"].setPos(320, 10)  # centre inside Inner, inside Ingest
    scene.commit_moves()
    assert doc.undo_stack.undoText() == "Move node into 'Inner'"
    assert doc.flow.groups[inner].members == ["clean", "enrich"]
    assert doc.flow.groups["frame"].members == ["load", inner]
    # from there, out of Inner but still inside Ingest: it moves up to Ingest
    scene.node_items["enrich"].setPos(20, 10)
    scene.commit_moves()
    assert doc.undo_stack.undoText() == "Move node into 'Ingest'"
    assert doc.flow.groups[inner].members == ["clean"]
    assert doc.flow.groups["frame"].members == ["load", inner, "enrich"]


def test_delete_key_removes_a_selected_frame_and_keeps_its_nodes(canvas):
    doc, scene, view = canvas
    frame = scene.frame_items["frame"]
    QTest.mouseClick(view.viewport(), LEFT, NO_MOD, title_point(view, frame))
    assert scene.selectedItems() == [frame]
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert "frame" not in doc.flow.groups and "frame" not in scene.frame_items
    assert set(doc.flow.nodes) == {"load", "clean", "enrich"}
    assert doc.undo_stack.undoText() == "Delete frame"
    doc.undo()
    assert doc.flow.groups["frame"].members == ["load", "clean"]
    assert in_sync(doc, scene)


def test_context_menu_renames_and_removes(canvas):
    doc, scene, view = canvas
    shown: list[list[str]] = []

    def close_menu() -> None:
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            shown.append([a.text() for a in menu.actions()])
            menu.close()
        else:
            QTimer.singleShot(50, close_menu)

    frame = scene.frame_items["frame"]
    # on the title strip, and on the frame's body (between nodes), the same menu
    rect = frame.frame_rect()
    body = view.mapFromScene(QPointF(rect.left() + 6, rect.bottom() - 6))
    for point in (title_point(view, frame), body):
        event = QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)
        )
        QTimer.singleShot(50, close_menu)  # the menu runs its own loop until closed
        QApplication.sendEvent(view.viewport(), event)
    assert shown == [["Rename…", "Remove frame (keep nodes)"]] * 2
    assert frame.isSelected()

    menu = scene.frame_menu("frame")
    rename, remove = menu.actions()
    rename.trigger()
    editor = scene._title_editor
    assert editor is not None and editor.open
    editor.setText("Renamed")
    editor.finish(True)
    assert doc.flow.groups["frame"].label == "Renamed"
    remove.trigger()
    assert "frame" not in doc.flow.groups and len(doc.flow.nodes) == 3
    doc.undo()
    assert doc.flow.groups["frame"].label == "Renamed"


def test_render_a_frame(canvas, tmp_path):
    _, scene, view = canvas
    scene.frame_items["frame"].setSelected(True)
    image = view.grab()
    assert not image.isNull()
    image.save(str(tmp_path / "frame.png"))
