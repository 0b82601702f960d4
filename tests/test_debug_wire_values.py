"""Values on wires: hover tooltips on wires and ports, and the watch badge."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from test_run_support import counting_flow, open_flow, window

__all__ = ["window"]  # the fixture

KEY = ("slow.slowed", "check.slowed")


def hover_tooltip(qtbot, window, scene_pos) -> str:
    """Hover the canvas at ``scene_pos`` the way Qt does (a ToolTip event) and return the
    tooltip shown."""
    view = window.view
    QToolTip.hideText()
    pos: QPoint = view.mapFromScene(scene_pos)
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)
    return QToolTip.text()


def test_hovering_a_wire_and_its_ports_shows_the_last_value_per_worker(qtbot, window):
    open_flow(window, counting_flow())
    scene = window.scene
    edge = scene.edge_items[KEY]
    middle = edge.path().pointAtPercent(0.5)
    assert "no value has passed yet" in hover_tooltip(qtbot, window, middle)
    scene.values.set({"slow.slowed": {"worker-1": 7, "worker-2": 7}})
    text = hover_tooltip(qtbot, window, middle)
    assert "slow.slowed → check.slowed" in text and "last value: 7  (all 2 workers)" in text
    scene.values.set({"slow.slowed": {"worker-1": 7, "worker-2": 12}})
    text = hover_tooltip(qtbot, window, middle)
    assert "worker-1: 7" in text and "worker-2: 12" in text
    target = scene.node_items["check"].input_pos("slowed")
    assert "check.slowed ← slow.slowed" in hover_tooltip(qtbot, window, target)
    source = scene.node_items["slow"].output_pos("slowed")
    assert "worker-2: 12" in hover_tooltip(qtbot, window, source)


def test_watching_a_wire_keeps_a_badge_with_its_value(qtbot, window):
    open_flow(window, counting_flow())
    scene = window.scene
    menu = scene.values.edge_menu(KEY)
    watch = next(a for a in menu.actions() if a.text() == "Watch value")
    assert not watch.isChecked()
    watch.trigger()
    edge = scene.edge_items[KEY]
    assert edge.watched and edge.badge == "…"
    scene.values.set({"slow.slowed": {"worker-1": 41}})
    assert edge.badge == "41"
    assert edge.boundingRect().contains(edge.path().pointAtPercent(0.5))
    scene.values.set({"slow.slowed": {"worker-1": 41, "worker-2": 3}})
    assert edge.badge == "41 (+1)"
    menu = scene.values.edge_menu(KEY)
    unwatch = next(a for a in menu.actions() if a.text() == "Watch value")
    assert unwatch.isChecked()
    unwatch.trigger()
    assert not edge.watched and edge.badge is None
