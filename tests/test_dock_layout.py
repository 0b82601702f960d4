"""The default dock layout, saved layouts winning over it, and the thread-state columns."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from test_run_support import window

from aetherflow_studio.panels.thread_state_panel import FADE_SECONDS, StateColumn, _tooltip

__all__ = ["window"]
Area = Qt.DockWidgetArea


def _laid_out(qtbot, w) -> None:
    qtbot.waitUntil(lambda: w._shown and w.docks["thread_state"].width() > 600)


def test_default_layout_gives_thread_state_the_bottom_row(qtbot, window):
    _laid_out(qtbot, window)
    docks = window.docks
    assert window.dockWidgetArea(docks["thread_state"]) == Area.BottomDockWidgetArea
    assert window.dockWidgetArea(docks["inspector"]) == Area.RightDockWidgetArea
    assert window.dockWidgetArea(docks["services"]) == Area.RightDockWidgetArea
    tabbed = set(window.tabifiedDockWidgets(docks["throughput"]))
    assert tabbed == {docks[n] for n in ("timeline", "problems", "errors", "trace", "history")}
    assert docks["thread_state"].width() > 1.5 * docks["throughput"].width()
    assert docks["throughput"].widget().isVisible()  # in front of its tabs


def test_saved_window_state_wins_over_the_default_layout(qtbot, window, tmp_path):
    from aetherflow_studio.app import dialogs
    from aetherflow_studio.app.main_window import MainWindow
    from aetherflow_studio.app.settings import StudioSettings

    _laid_out(qtbot, window)
    window.addDockWidget(Area.RightDockWidgetArea, window.docks["thread_state"])
    window.close()  # saves the window state
    again = MainWindow(settings=StudioSettings(tmp_path / "settings.ini"),
                       recovery_dir=tmp_path / "recovery", examples=False,
                       entry_points=False)  # fmt: skip
    again.ask_save = lambda _name: dialogs.DISCARD
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again._shown)
    qtbot.wait(50)  # let the first-shown hook run
    assert again.dockWidgetArea(again.docks["thread_state"]) == Area.RightDockWidgetArea
    again.run_ui.controller.shutdown()


def test_only_changed_values_are_tinted_and_the_tint_fades(qtbot):
    column = StateColumn("w0", "w0", "#4fc3f7")
    qtbot.addWidget(column)
    column.sync({"state": {"seen": 1, "size": 25}}, {})
    assert not column.fresh  # the first snapshot is not a change
    column.sync({"state": {"seen": 2, "size": 25}}, {})
    state = column.tree.topLevelItem(0)
    seen, size = state.child(0), state.child(1)
    assert [item for item, _t, _l in column.fresh.values()] == [seen]
    ((_item, since, _level),) = column.fresh.values()
    tint = QColor(255, 200, 0, 80)
    column.fade(since, tint)
    assert seen.background(1).color().alpha() == 80
    assert size.background(1).style() == Qt.BrushStyle.NoBrush
    column.fade(since + FADE_SECONDS / 2, tint)
    assert 0 < seen.background(1).color().alpha() < 80
    column.fade(since + FADE_SECONDS, tint)
    assert not column.fresh and seen.background(1).style() == Qt.BrushStyle.NoBrush
    assert _tooltip(seen) == "state.seen = 2"


def test_name_column_fits_the_names_shown(qtbot):
    column = StateColumn("w0", "w0", "#4fc3f7")
    qtbot.addWidget(column)
    column.sync({"batch_buffer": {"batches_flushed": 3}}, {})
    name = column.tree.topLevelItem(0).child(0).text(0)
    assert column.tree.columnWidth(0) > column.tree.fontMetrics().horizontalAdvance(name)
