"""`install_run_ui(window)`: the run controller, its actions, toolbar and panels, wired
into the main window through its extension points (``add_dock``, ``add_action``,
``menus["run"]``, ``document_changed``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QToolBar

from aetherflow_studio.app.race_marks import RaceMarks
from aetherflow_studio.panels.errors_panel import ErrorsPanel
from aetherflow_studio.panels.history_panel import HistoryPanel
from aetherflow_studio.panels.run_panel import RunPanel
from aetherflow_studio.panels.thread_state_panel import ThreadStatePanel
from aetherflow_studio.panels.throughput_panel import ThroughputPanel
from aetherflow_studio.panels.timeline_panel import TimelinePanel
from aetherflow_studio.run_ui import source_display
from aetherflow_studio.run_ui.overlays import RunOverlays
from aetherflow_studio.run_ui.run_controller import RunController
from aetherflow_studio.run_ui.run_scope import RunScope
from aetherflow_studio.widgets.scroll_row import ScrollRow

from .debug_install import install_debug_ui

Area = Qt.DockWidgetArea


@dataclass
class RunUI:
    """What `install_run_ui` built (``window.run_ui``)."""

    controller: RunController
    panel: RunPanel
    toolbar: QToolBar
    throughput: ThroughputPanel
    timeline: TimelinePanel
    thread_state: ThreadStatePanel
    errors: ErrorsPanel
    history: HistoryPanel
    overlays: RunOverlays
    races: RaceMarks
    scope: Any = None  # the RunScope: which flow the panels describe
    debug: Any = None  # the `DebugUI` (breakpoints, traces, replay)

    def run(self) -> int:
        """Start a run with the controls' settings and the breakpoints (the Run action)."""
        settings = self.panel.settings()
        if self.debug is not None:
            settings = self.debug.session.settings_for(settings)
        return self.controller.start(settings)

    def is_replay(self, number: int) -> bool:
        """Whether run ``number`` replays items of an earlier run."""
        return self.debug is not None and self.debug.session.is_replay(number)

    def start_when_ready(self, delay_ms: int = 400) -> None:
        """Trigger Run once the window has drawn its flow (``aetherflow-studio --run``):
        a newcomer's first sight is a live run."""
        action = self.panel.run_action

        def start() -> None:
            if action.isEnabled():
                action.trigger()

        QTimer.singleShot(delay_ms, start)


class _CloseWatcher(QObject):
    """Stops a live run when the window closes (workers are daemons; this is tidiness)."""

    def __init__(self, window: Any, controller: RunController) -> None:
        super().__init__(window)
        self._controller = controller
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self._controller.shutdown()
        return False


def install_run_ui(window: Any) -> RunUI:
    """Add run controls, live panels and canvas overlays to ``window`` (a `MainWindow`)."""
    controller = RunController(window.document, window)
    actions = _add_actions(window, controller)
    panel = RunPanel(controller, actions)
    toolbar = QToolBar("Run", window)
    toolbar.setObjectName("toolbar_run")
    toolbar.setMovable(False)
    toolbar.addWidget(ScrollRow(panel))  # a narrow window scrolls the row sideways
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    history = HistoryPanel()
    ui = RunUI(controller, panel, toolbar, ThroughputPanel(controller), TimelinePanel(controller),
               ThreadStatePanel(controller), ErrorsPanel(), history,
               RunOverlays(controller, lambda: window.scene),
               RaceMarks(window, controller, history))  # fmt: skip
    actions["run.start"].triggered.connect(lambda _c=False: ui.run())
    _add_docks(window, ui)
    _connect(window, ui)
    source_display.follow(window, panel)
    ui.debug = install_debug_ui(window, ui)
    _CloseWatcher(window, controller)
    ui.scope = RunScope(window, ui)
    window.run_ui = ui
    return ui


def _add_actions(window: Any, controller: RunController) -> dict[str, Any]:
    run = window.add_action("run.start", "&Run", None, "F5", menu="run")
    pause = window.add_action("run.pause", "&Pause", controller.toggle_pause, "F6", menu="run")
    stop = window.add_action("run.stop", "&Stop", controller.stop, "Shift+F5", menu="run")
    run.setToolTip("Run the flow on worker threads (F5)")
    pause.setToolTip("Pause or resume the run (F6)")
    stop.setToolTip("Stop: items in flight finish, no new ones start (Shift+F5)")
    menu = window.menus.get("run")
    if menu is not None:
        menu.menuAction().setVisible(True)
    actions = {"run.start": run, "run.pause": pause, "run.stop": stop}
    _on_state(actions, "idle", controller)
    controller.state_changed.connect(lambda state: _on_state(actions, state, controller))
    return actions


def _on_state(actions: dict[str, Any], state: str, controller: Any) -> None:
    actions["run.start"].setEnabled(state == "idle")
    actions["run.pause"].setEnabled(state in ("running", "paused") and controller.can_pause)
    actions["run.pause"].setText("&Resume" if state == "paused" else "&Pause")
    actions["run.stop"].setEnabled(state in ("starting", "running", "paused"))


def _add_docks(window: Any, ui: RunUI) -> None:
    """Register the run panels as docks; where they go and how big they are is decided in
    one place, `aetherflow_studio.app.dock_layout` (unless saved window state restores)."""
    area = Area.BottomDockWidgetArea
    window.add_dock(ui.thread_state, "Thread State", area, "thread_state")
    window.add_dock(ui.throughput, "Throughput", area, "throughput")
    window.add_dock(ui.timeline, "Timeline", area, "timeline")
    window.add_dock(ui.errors, "Errors", area, "errors")
    window.add_dock(ui.history, "Run History", area, "history")


DASK_NOTE = (
    "On Dask, each worker builds its own services. Isolated is still one instance per "
    "thread. Shared becomes one instance per Dask worker, not one for the whole run: a "
    "shared counter counts what its worker saw. State that all workers must share (global "
    "counters, locks, consistent caches) needs an external service such as a database, "
    "Redis or a Dask actor."
)


def executor_note(executor: str) -> str:
    """What the services panel says about scopes under ``executor`` (empty for threads)."""
    return DASK_NOTE if executor.startswith("dask") else ""


def _connect(window: Any, ui: RunUI) -> None:
    c = ui.controller
    # A replay's items show their outcome on the replayed rows (`debug_install`), so a
    # replay keeps the errors of the run it replays.
    c.run_started.connect(lambda n: None if ui.is_replay(n) else ui.errors.clear())
    c.errors_added.connect(
        lambda e: None if ui.is_replay(c.number) else _show_errors(window, ui, e)
    )
    c.run_finished.connect(ui.history.add_record)
    c.run_finished.connect(lambda record: window.services.show_advice(record))
    c.run_failed.connect(lambda msg: window.statusBar().showMessage(msg.splitlines()[0], 8000))
    ui.errors.node_selection_requested.connect(window.select_node)
    executor = ui.panel.executor
    executor.currentIndexChanged.connect(
        lambda _i: window.services.set_executor_note(executor_note(executor.currentData()))
    )

    def on_document_changed(document: Any) -> None:
        c.set_document(document)
        ui.overlays.scene_replaced()
        _connect_scene(window, ui)

    window.document_changed.connect(on_document_changed)
    _connect_scene(window, ui)


def _show_errors(window: Any, ui: RunUI, errors: list[Any]) -> None:
    ui.errors.add_errors(errors)
    window.docks["errors"].raise_()


def _connect_scene(window: Any, ui: RunUI) -> None:
    scene = window.scene
    if scene is None or getattr(scene, "_run_ui_connected", False):
        return
    scene._run_ui_connected = True

    def on_node_activated(node_id: str) -> None:
        if ui.errors.show_node(node_id):
            dock = window.docks["errors"]
            dock.show()
            dock.raise_()

    scene.node_activated.connect(on_node_activated)
