"""Which flow the run panels describe: New, Open or switching flows never leaves them
showing another flow's run as if it were this one's.

- No run live: the panels are cleared (Thread State, Throughput, Timeline, Errors, the
  status line); the previous flow's runs stay in Run History, listed again when that flow
  is open again.
- A run live (it goes on with its copy of the flow it started from): the panels keep
  showing it, labelled with that flow's name in their titles and the status line, until
  it ends or its flow is open again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .records import flow_key

RUN_DOCKS = ("thread_state", "throughput", "timeline", "errors")


class RunScope:
    """Keeps the run panels of ``window`` (a `MainWindow`) in step with its open flow."""

    def __init__(self, window: Any, ui: Any) -> None:
        self.window = window
        self.ui = ui
        self.run_label = ""  # the name of the flow the shown run belongs to
        self._titles = {n: window.docks[n].windowTitle() for n in RUN_DOCKS if n in window.docks}
        ui.controller.run_started.connect(self._on_controller_run_started)
        ui.controller.run_finished.connect(self._on_controller_run_finished)
        window.document_changed.connect(self._on_window_document_changed)
        ui.history.show_flow(flow_key(window.document))

    @property
    def shows_other_flow(self) -> bool:
        """The panels show a run of a flow other than the open one."""
        key = self.ui.controller.run_flow_key
        return bool(key) and key != flow_key(self.window.document)

    def _on_controller_run_started(self, _number: int) -> None:
        self.run_label = _label(self.window.document)
        self._relabel()

    def _on_controller_run_finished(self, _record: Any) -> None:
        self._relabel()

    def _on_window_document_changed(self, document: Any) -> None:
        ui = self.ui
        ui.history.show_flow(flow_key(document))
        if self.shows_other_flow and not ui.controller.running:
            ui.controller.forget_run()
            for panel in (ui.thread_state, ui.throughput, ui.timeline, ui.panel):
                panel.clear()
            ui.errors.clear()
        self._relabel()

    def _relabel(self) -> None:
        other = self.shows_other_flow
        note = f" of {self.run_label}" if other else ""
        self.ui.panel.set_flow_note(note)
        self.ui.overlays.active = not other  # another flow's counts never go on this canvas
        for name, title in self._titles.items():
            self.window.docks[name].setWindowTitle(f"{title} — run{note}" if other else title)


def _label(document: Any) -> str:
    path = getattr(document, "path", None)
    if path:
        return Path(path).name
    return f"“{document.flow.name or 'untitled'}” (unsaved)"
