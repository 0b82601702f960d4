"""The window keeps its shape: resize, quit, relaunch with the same settings; a squeezed
canvas is repaired; View > Reset Layout."""

from __future__ import annotations

from PySide6.QtCore import Qt

from aetherflow_studio.app import window_state

Area = Qt.DockWidgetArea


def _launch(qtbot, tmp_path, size=None):
    from aetherflow_studio.app import dialogs
    from aetherflow_studio.app.main_window import MainWindow
    from aetherflow_studio.app.settings import StudioSettings

    w = MainWindow(settings=StudioSettings(tmp_path / "settings.ini"),
                   recovery_dir=tmp_path / "recovery", examples=False,
                   entry_points=False)  # fmt: skip
    w.ask_save = lambda _name: dialogs.DISCARD
    qtbot.addWidget(w)
    if size:
        w.resize(*size)
    w.show()
    qtbot.waitUntil(lambda: w._shown and w.centralWidget().width() > 0)
    qtbot.wait(250)  # the first-shown hook, then the debounced check
    return w


def _quit(w) -> None:
    w.run_ui.controller.shutdown()
    w.close()


def test_resize_quit_relaunch_keeps_the_window_and_a_readable_canvas(qtbot, tmp_path):
    w = _launch(qtbot, tmp_path, (1600, 1000))
    w.resize(1280, 800)
    qtbot.waitUntil(lambda: w.width() == 1280)
    qtbot.wait(250)
    library = w.docks["library"].width()
    _quit(w)
    again = _launch(qtbot, tmp_path)  # no size given: the saved geometry
    # (the offscreen screen is 800x800: Qt keeps a restored window's frame on it)
    assert abs(again.width() - 1280) <= 30 and abs(again.height() - 800) <= 30
    width, height = window_state.canvas_share(again)
    assert width >= 1 / 3 and height >= 1 / 3, (width, height)
    assert abs(again.docks["library"].width() - library) <= 30  # as the user left it
    _quit(again)


def test_a_saved_layout_that_squeezes_the_canvas_is_repaired(qtbot, tmp_path):
    w = _launch(qtbot, tmp_path, (1600, 1000))
    w.resizeDocks([w.docks["library"]], [1100], Qt.Orientation.Horizontal)  # a drag too far
    qtbot.waitUntil(lambda: window_state.canvas_share(w)[0] < 1 / 3, timeout=3000)
    w.window_state.save()
    w.settings.sync()
    w.window_state.save = lambda: None  # quit with the squeezed layout saved as it was
    _quit(w)
    again = _launch(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window_state.canvas_share(again)[0] >= 1 / 3, timeout=3000)
    assert again.window_state.repairs >= 1
    assert again.dockWidgetArea(again.docks["library"]) == Area.LeftDockWidgetArea  # kept
    _quit(again)


def test_shrinking_the_window_never_leaves_a_sliver(qtbot, tmp_path):
    w = _launch(qtbot, tmp_path, (1600, 1000))
    w.resizeDocks([w.docks["library"]], [700], Qt.Orientation.Horizontal)
    qtbot.wait(100)
    w.resize(1000, 700)  # the docks keep their pixels; the canvas would take the rest
    qtbot.waitUntil(lambda: window_state.canvas_share(w)[0] >= 1 / 3, timeout=3000)
    _quit(w)


def test_view_reset_layout_puts_the_panels_back(qtbot, tmp_path):
    w = _launch(qtbot, tmp_path, (1600, 1000))
    w.addDockWidget(Area.RightDockWidgetArea, w.docks["thread_state"])
    w.docks["library"].hide()
    action = w.actions["view.reset_layout"]
    assert action in w.menus["view"].actions()
    action.trigger()
    qtbot.waitUntil(lambda: w.docks["library"].isVisible())
    assert w.dockWidgetArea(w.docks["thread_state"]) == Area.BottomDockWidgetArea
    assert min(window_state.canvas_share(w)) >= 1 / 3
    _quit(w)
