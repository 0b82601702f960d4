"""Big flows read: a file without positions is laid out on open, the minimap navigates,
and selections can be aligned, distributed and snapped (one undo step each)."""

from __future__ import annotations

import itertools
import random

from aetherflow import Flow
from PySide6.QtCore import QPoint, QPointF, Qt
from test_app_support import force_close, make_window
from test_run_support import slow

from aetherflow_studio.document.arrange import GRID


def _unplaced_flow(n: int, seed: int = 3) -> Flow:
    """A DAG of ``n`` nodes whose wires reach up to 20 nodes back, all at (0, 0)."""
    rng = random.Random(seed)
    flow = Flow("big")
    ids = [flow.add(slow, f"n{i}") for i in range(n)]
    for i in range(1, n):
        flow.connect(f"{ids[rng.randrange(max(0, i - 20), i)]}.slowed", f"{ids[i]}.value")
    return flow


def test_a_big_flow_without_positions_is_laid_out_on_open(qtbot, tmp_path):
    path = tmp_path / "big.aflow"
    _unplaced_flow(300).save(path)
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda _p, _r: "no"
    assert window.files.open_path(path)
    flow = window.document.flow
    positions = {i: s.position for i, s in flow.nodes.items()}
    assert len(set(positions.values())) == 300  # no pile
    assert all(positions[a][0] < positions[b][0] for a, b in flow.graph().edges())
    height = window.scene.node_size(next(iter(flow.nodes.values())))[1]
    columns: dict[float, list[float]] = {}
    for x, y in positions.values():
        columns.setdefault(x, []).append(y)
    for ys in columns.values():  # nodes of a column never overlap
        ys.sort()
        assert all(b - a >= height for a, b in itertools.pairwise(ys))
    assert window.document.undo_stack.count() == 0 and not window.document.is_dirty
    force_close(window)


def test_the_minimap_moves_the_view_where_it_is_clicked_and_dragged(qtbot, tmp_path):
    path = tmp_path / "big.aflow"
    _unplaced_flow(300).save(path)
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda _p, _r: "no"
    window.resize(1600, 1000)
    window.show()
    assert window.files.open_path(path)
    minimap = window.minimap
    qtbot.waitUntil(minimap.isVisible)
    window.view.set_zoom(1.0)
    host = minimap.parentWidget()
    assert host.rect().contains(minimap.geometry())  # in the canvas's corner
    for at in (QPoint(20, 20), QPoint(minimap.width() - 20, minimap.height() - 20)):
        qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=at)
        target = minimap.to_scene(QPointF(at))
        center = window.view.mapToScene(window.view.viewport().rect().center())
        assert abs(center.x() - target.x()) < 60 and abs(center.y() - target.y()) < 60
    start, end = QPoint(30, 30), QPoint(120, 90)
    qtbot.mousePress(minimap, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(minimap, end)
    qtbot.mouseRelease(minimap, Qt.MouseButton.LeftButton, pos=end)
    center = window.view.mapToScene(window.view.viewport().rect().center())
    assert abs(center.x() - minimap.to_scene(QPointF(end)).x()) < 60
    window.actions["view.minimap"].trigger()  # View > Minimap hides it
    assert not minimap.isVisible()
    window.actions["view.minimap"].trigger()
    assert minimap.isVisible()
    window.files.new_flow(ask=False)  # an empty (or small) flow fits: no map over it
    assert not window.minimap.isVisible()
    force_close(window)


def _three_nodes(window):
    doc = window.document
    ids = [window.add_node(slow, QPointF(x, y)) for x, y in ((0, 0), (300, 47), (1000, 133))]
    window.scene.select_nodes(ids)
    return doc, ids


def test_align_distribute_and_snap_are_one_undo_step_each(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    doc, ids = _three_nodes(window)
    nodes = doc.flow.nodes
    before = {i: nodes[i].position for i in ids}
    window.actions["edit.align.top"].trigger()
    assert {nodes[i].position[1] for i in ids} == {0.0}
    assert doc.undo_stack.undoText() == "Align Top"
    doc.undo_stack.undo()
    assert {i: nodes[i].position for i in ids} == before
    window.actions["edit.distribute.horizontal"].trigger()
    assert doc.undo_stack.undoText() == "Distribute Horizontally"
    w = window.scene.node_size(nodes[ids[0]])[0]
    xs = sorted(nodes[i].position[0] for i in ids)
    assert xs[0] == 0 and xs[2] == 1000 and abs((xs[1] - xs[0] - w) - (xs[2] - xs[1] - w)) < 1e-6
    window.actions["edit.snap_selection"].trigger()
    assert all(v % GRID == 0 for i in ids for v in nodes[i].position)
    assert doc.undo_stack.undoText() == "Snap to Grid"
    window.actions["view.snap_to_grid"].trigger()  # drags end on the grid from now on
    doc.move_nodes({ids[0]: (13.0, 29.0)})
    assert nodes[ids[0]].position == (20.0, 20.0)
    assert window.scene.node_items[ids[0]].pos() == QPointF(20.0, 20.0)  # the scene follows
    force_close(window)
