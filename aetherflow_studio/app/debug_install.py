"""`install_debug_ui(window, ui)`: the run side of debugging in the main window.

Continue (F5 while a worker is stopped), Step (F10), Skip Item (Ctrl+F10) and Continue All
in the Debug menu and the main toolbar; the break mode ("other workers keep going" / "all
stop"); Trace Items and Record Values on Wires switches; the Trace panel. A stop marks the
node on the canvas and the worker's column in Thread State, and the Inspector shows the
inputs and the item's state (a `BreakView` above the node's ports). Replay from the Errors
and Trace panels runs through the run controller like any run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from aetherflow_studio.panels.break_view import BreakView
from aetherflow_studio.panels.throughput_panel import short_thread
from aetherflow_studio.panels.trace_panel import TracePanel
from aetherflow_studio.run_ui.debug_session import TRACE_DEFAULT, DebugSession, item_key

BREAK_MODES = (("worker", "Other workers keep going"), ("all", "All workers stop"))
ElideRight = Qt.TextElideMode.ElideRight


@dataclass
class DebugUI:
    """What `install_debug_ui` built (``window.run_ui.debug``)."""

    session: DebugSession
    trace: TracePanel
    toolbar: QToolBar
    break_mode: QComboBox
    status: QLabel
    actions: dict[str, QAction]
    errors_run: int = 0  # the run whose errors the Errors panel shows
    shown: tuple[str, str, int] | None = None  # the stop the canvas last selected


def install_debug_ui(window: Any, ui: Any) -> DebugUI:
    session = DebugSession(ui.controller, lambda: window.document, window)
    actions = _add_actions(window, session)
    toolbar, mode, status = _add_toolbar(window, actions, session)
    trace = TracePanel()
    # shown, not just visible: a dock behind another dock's tab still says isVisible()
    session.traces_wanted = lambda: trace.isVisible() and not trace.visibleRegion().isEmpty()
    window.add_dock(trace, "Trace", name="trace")
    debug = DebugUI(session, trace, toolbar, mode, status, actions)
    _connect(window, ui, debug)
    _update(window, ui, debug)
    return debug


def _add_actions(window: Any, session: DebugSession) -> dict[str, QAction]:
    add = window.add_action
    actions = {
        "debug.continue": add("debug.continue", "&Continue", session.resume, "F5", "debug"),
        "debug.step": add("debug.step", "&Step", session.step, "F10", "debug"),
        "debug.skip_item": add(
            "debug.skip_item", "S&kip Item", session.skip_item, "Ctrl+F10", "debug"
        ),
        "debug.continue_all": add(
            "debug.continue_all", "Continue &All", session.resume_all, None, "debug"
        ),
    }
    actions["debug.continue"].setToolTip("Let the stopped worker go on (F5)")
    actions["debug.step"].setToolTip("Run this node, stop before the item's next one (F10)")
    actions["debug.skip_item"].setToolTip("Abandon the stopped worker's item (Ctrl+F10)")
    window.menus["debug"].addSeparator()
    trace = add("debug.trace_items", f"&Trace Items (last {TRACE_DEFAULT} per worker)",
                None, None, "debug")  # fmt: skip
    trace.setCheckable(True)
    trace.toggled.connect(lambda on: setattr(session, "trace_items", TRACE_DEFAULT if on else 0))
    trace.setToolTip("Keep each item's path through the nodes (failed items always keep it)")
    values = add("debug.record_values", "Record &Values on Wires", None, None, "debug")
    values.setCheckable(True)
    values.setChecked(session.record_values)
    values.toggled.connect(lambda on: setattr(session, "record_values", on))
    values.setToolTip("Hover a wire or a port for the last value that passed (thread runs)")
    actions.update({"debug.trace_items": trace, "debug.record_values": values})
    window.menus["debug"].addSeparator()
    return actions


def _add_toolbar(window: Any, actions: dict[str, QAction],
                 session: DebugSession) -> tuple[QToolBar, QComboBox, QLabel]:  # fmt: skip
    """Continue, Step, Skip Item, the break mode and a stop line, in the main toolbar's
    row (the run toolbar's row is full)."""
    toolbar = window.toolbar
    for name in ("debug.continue", "debug.step", "debug.skip_item"):
        toolbar.addAction(actions[name])
    mode = QComboBox()
    mode.setObjectName("break_mode")
    for data, text in BREAK_MODES:
        mode.addItem(text, data)
    mode.setToolTip("When a worker stops at a breakpoint: do the other workers go on?")
    mode.currentIndexChanged.connect(lambda _i: session.set_break_mode(mode.currentData()))
    toolbar.addWidget(mode)
    status = QLabel("")
    status.setObjectName("debug_status")
    status.setMaximumWidth(360)  # never widens the window (the tooltip has it all)
    toolbar.addWidget(status)
    group = QActionGroup(window)  # the mode in the menu too, kept in step with the box
    for data, text in BREAK_MODES:
        action = window.add_action(f"debug.mode.{data}", text, None, None, "debug")
        action.setCheckable(True)
        action.setChecked(data == session.break_mode)
        group.addAction(action)
        action.triggered.connect(lambda _c=False, d=data: mode.setCurrentIndex(mode.findData(d)))
        mode.currentIndexChanged.connect(
            lambda _i, a=action, d=data: a.setChecked(mode.currentData() == d)
        )
    return toolbar, mode, status


def _connect(window: Any, ui: Any, debug: DebugUI) -> None:
    s, trace = debug.session, debug.trace
    s.stopped_changed.connect(lambda hits: _on_stopped(window, ui, debug, hits))
    s.wire_values_changed.connect(lambda values: window.scene.values.set(values))
    s.traces_changed.connect(trace.add_traces)
    s.replay_traced.connect(lambda key, run, t: _on_replay_traced(window, ui, debug, key, run, t))
    ui.controller.run_started.connect(
        lambda n: None if s.is_replay(n) else setattr(debug, "errors_run", n)
    )
    s.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
    trace.node_selection_requested.connect(window.select_node)
    trace.replay_requested.connect(s.replay)
    ui.errors.replay_requested.connect(lambda errors: _replay_errors(window, ui, debug, errors))
    ui.errors.trace_requested.connect(lambda error: _show_error_trace(window, ui, debug, error))
    ui.controller.state_changed.connect(lambda _state: _update(window, ui, debug))
    ui.panel.executor.currentIndexChanged.connect(lambda _i: _update(window, ui, debug))

    def on_document_changed(_doc: Any) -> None:
        s.document_changed()
        _connect_scene(window, debug)

    window.document_changed.connect(on_document_changed)
    _connect_scene(window, debug)


def _connect_scene(window: Any, debug: DebugUI) -> None:
    scene = window.scene
    if scene is not None:
        scene.selected_nodes_changed.connect(
            lambda ids: debug.trace.show_node(ids[0]) if len(ids) == 1 else None
        )


def _update(window: Any, ui: Any, debug: DebugUI) -> None:
    """Enable the actions for the current stop; say why breakpoints cannot work (Dask)."""
    s = debug.session
    stopped = s.handle is not None and s.current_worker is not None
    for name in ("debug.continue", "debug.step", "debug.skip_item"):
        debug.actions[name].setEnabled(stopped)
    debug.actions["debug.continue_all"].setEnabled(stopped and len(s.hits) > 1)
    executor = ui.panel.executor.currentData()
    reason = s.unavailable_reason(executor)
    debug.break_mode.setEnabled(not reason)
    debug.actions["debug.trace_items"].setEnabled(not reason)
    if reason:
        debug.status.setText("  Breakpoints: not on this executor")
        debug.status.setToolTip(reason)
    elif stopped:
        hit = next(h for h in s.hits if h.worker == s.current_worker)
        more = f" · {len(s.hits) - 1} more stopped" if len(s.hits) > 1 else ""
        text = f"  ‖ {short_thread(hit.worker)} before '{hit.node}' · item {hit.index}{more}"
        debug.status.setText(debug.status.fontMetrics().elidedText(text, ElideRight, 350))
        stopped = ", ".join(f"{h.worker} before {h.node} (item {h.index})" for h in s.hits)
        how = "Step (F10), Continue (F5) or Skip Item (Ctrl+F10) act on the Inspector's worker"
        debug.status.setToolTip(f"Stopped: {stopped}.\n{how}")
    else:
        debug.status.setText("")
        debug.status.setToolTip("")


def _on_stopped(window: Any, ui: Any, debug: DebugUI, hits: list[Any]) -> None:
    s = debug.session
    marks: dict[str, list[str]] = {}
    for hit in hits:
        marks.setdefault(hit.node, []).append(f"{short_thread(hit.worker)} · item {hit.index}")
    window.scene.set_stopped({node: ", ".join(texts) for node, texts in marks.items()})
    ui.thread_state.show_stopped(hits)
    current = next((h for h in hits if h.worker == s.current_worker), None)
    if current is None:
        debug.shown = None
        window.inspector.set_break_view(None, None)
    else:
        others = len(marks.get(current.node, ())) - 1
        buttons = [debug.actions[n] for n in ("debug.step", "debug.continue", "debug.skip_item")]
        workers = [h.worker for h in hits]

        def make_view() -> BreakView:
            view = BreakView(current, buttons, others, workers)
            view.worker_chosen.connect(lambda w: _choose_worker(window, ui, debug, w))
            return view

        window.inspector.set_break_view(current.node, make_view)
        stop = (current.worker, current.node, current.index)
        if stop == debug.shown:
            _update(window, ui, debug)
            return  # another worker's news: leave the user's selection alone
        debug.shown = stop
        window.select_node(current.node)
        window.docks["inspector"].show()
        window.docks["inspector"].raise_()
        window.docks["thread_state"].show()
        window.statusBar().showMessage(
            f"{current.worker} stopped at the breakpoint before '{current.node}' "
            f"(item {current.index})", 8000)  # fmt: skip
    _update(window, ui, debug)


def _choose_worker(window: Any, ui: Any, debug: DebugUI, worker: str) -> None:
    """Step/Continue/Skip act on ``worker`` now; the Inspector shows its stop."""
    debug.session.choose_worker(worker)
    _on_stopped(window, ui, debug, debug.session.hits)


def _replay_errors(window: Any, ui: Any, debug: DebugUI, errors: list[Any]) -> None:
    """Replay these failed items: their traces join the Trace panel, the replays' go beside."""
    run = debug.errors_run
    entries = []
    for e in errors:
        key = item_key(run, e.index)
        if e.trace is not None:
            original = debug.session.original_key(key)
            if original == key:
                debug.trace.add_traces(run, [e.trace.to_dict()])
        entries.append((key, e.item))
    if debug.session.replay(entries):
        window.statusBar().showMessage(f"Replaying {len(entries)} item(s)…", 5000)


def _show_error_trace(window: Any, ui: Any, debug: DebugUI, error: Any) -> None:
    run = debug.errors_run
    key = debug.session.original_key(item_key(run, error.index))
    if key not in debug.trace.entries:
        debug.trace.add_traces(run, [error.trace.to_dict()])
        key = item_key(run, error.index)
    debug.trace.select_item(key)
    window.docks["trace"].show()
    window.docks["trace"].raise_()


def _on_replay_traced(window: Any, ui: Any, debug: DebugUI, key: str, run: int, t: dict) -> None:
    debug.trace.set_replay(key, run, t)
    original_run, index = (int(part) for part in key.split(":"))
    if original_run == debug.errors_run:
        error = next((s["error"] for s in t["steps"] if s.get("error")), None)
        text = f"run {run}: failed again ({error})" if t["failed"] else f"run {run}: passed"
        ui.errors.set_replay_result(index, text, t["failed"])
    debug.trace.select_item(key)
    window.docks["trace"].show()
    window.docks["trace"].raise_()
    result = "failed again" if t["failed"] else "passed"
    window.statusBar().showMessage(
        f"Replay of item {index} (run {original_run}) in run {run}: {result}", 8000
    )
