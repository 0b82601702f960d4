"""Run controls: Run, Pause/Resume, Stop, workers, input, on-error policy, executor, the
"Measure shared services" switch, and a status line (items, items/s, errors) with the
"edits apply to the next run" banner."""

from __future__ import annotations

import html
import importlib.util
import re
from typing import Any

from aetherflow.printable import printable
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aetherflow_studio.run_ui.inputs import LOCAL_EXECUTORS, RunSettings

from .live_panel import LivePanel

INPUTS = (("source", "Source node"), ("count", "Generated {i}"), ("file", "File (.jsonl/.csv)"),
          ("module", "module:attr"))  # fmt: skip
EXECUTORS = (("thread", "Threads"), ("process", "Threads in a separate process"),
             ("dask-local", "Dask (local)"), ("dask-address", "Dask (address)"))  # fmt: skip
EXECUTOR_TIPS = {
    "thread": "Worker threads in the Studio's own process (they share its GIL)",
    "process": "Worker threads in a child process: the Studio never slows them down, "
    "Stop always ends the run (a hung node included), and a node that crashes the "
    "interpreter does not take the Studio with it. Items must be picklable.",
    "dask-local": "A Dask cluster started on this machine for the run",
    "dask-address": "A running Dask scheduler",
}
PROFILE_TIP = ("Times every call into shared services to advise on their scope; the services "
               "are wrapped in a proxy while measuring")  # fmt: skip
COUNT_TIPS = {
    True: "The most items to take from the source node (0: all it gives); progress shows "
    "the source's own count when it can tell, and says when this caps it",
    False: "How many items {i: 0}, {i: 1}, ... to generate",
}
PROFILE_NEEDS_THREADS = "Measuring shared services needs worker threads on this machine"
CONCURRENCY_TIP = (
    "Items each worker keeps in flight at await points, for flows with async "
    "nodes (threads only). They share the worker's isolated services and "
    "interleave at each await; 1 runs one item at a time per worker."
)
RACES_TIP = (
    "Watches the shared services' writes under a hostile thread schedule and "
    "reports writes from several threads without the service's lock (slower)"
)
RACES_NEED_THREADS = "The race check watches worker threads: it needs the Threads executor"


def dask_available() -> bool:
    find = importlib.util.find_spec
    return find("distributed") is not None and find("aetherflow.runtime.dask_executor") is not None


class RunPanel(LivePanel):
    """The run controls in one row and, below them, the run's status line (it lives in
    a toolbar; the status has a line of its own so a long one, and the banner of a live
    run, never push each other or the controls out of a narrow window)."""

    def __init__(self, controller: Any, actions: dict[str, QAction],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(controller, parent)
        self.setObjectName("run_panel")
        rows = QVBoxLayout(self)
        rows.setContentsMargins(4, 0, 4, 0)
        rows.setSpacing(1)
        layout = QHBoxLayout()
        status_row = QHBoxLayout()
        rows.addLayout(layout)
        rows.addLayout(status_row)
        self.run_action = actions["run.start"]
        # " of other.aflow" while the status line shows a run of a flow that is not open
        self.flow_note = ""
        self._record: Any = None
        for name in ("run.start", "run.pause", "run.stop"):
            button = QToolButton()
            button.setDefaultAction(actions[name])
            layout.addWidget(button)
        self.workers = QSpinBox()
        self.workers.setRange(1, 256)
        self.workers.setValue(controller.settings.workers)
        self.workers.setToolTip("Worker threads (Dask: workers)")
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("run_concurrency")
        self.concurrency.setRange(1, 10_000)
        self.concurrency.setValue(controller.settings.concurrency)
        self.concurrency.setToolTip(CONCURRENCY_TIP)
        self.concurrency.setPrefix("in flight ")  # its own label: the toolbar is full
        self.input_kind = _combo(INPUTS)
        self.count = QSpinBox()
        self.count.setRange(0, 100_000_000)
        self.count.setValue(controller.settings.count)
        self.count.setObjectName("run_count")
        self.count_label = QLabel("Items")
        self.count_label.setBuddy(self.count)
        self.path = QLineEdit()
        self.path.setPlaceholderText("items.jsonl or .csv")
        browse = QAction("…", self)
        browse.triggered.connect(self._on_browse_triggered)
        self.path.addAction(browse, QLineEdit.ActionPosition.TrailingPosition)
        self.target = QLineEdit()
        self.target.setPlaceholderText("module:attr")
        self.on_error = _combo((("continue", "continue"), ("stop", "stop")))
        self.on_error.setToolTip("On a failed item: go on, or stop handing out items")
        self.executor = _combo(EXECUTORS)
        if not dask_available():
            for kind in ("dask-local", "dask-address"):
                item = self.executor.model().item(self.executor.findData(kind))
                item.setEnabled(False)
                item.setToolTip("Dask is not installed: threads only")
        self.address = QLineEdit()
        self.address.setPlaceholderText("tcp://host:8786")
        self.profile_shared = QCheckBox("Measure shared services")
        self.profile_shared.setObjectName("profile_shared")
        self.profile_shared.setChecked(controller.settings.profile_shared)
        self.profile_shared.setToolTip(PROFILE_TIP)
        self.check_races = QCheckBox("Check races")
        self.check_races.setObjectName("check_races")
        self.check_races.setChecked(controller.settings.check_races)
        self.check_races.setToolTip(RACES_TIP)
        self.status = QLabel("Ready.")
        self.status.setObjectName("run_status")
        # Long status lines must not widen the window: the label takes what is left (the
        # full text is in its tooltip).
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setMinimumWidth(100)
        self._compact()
        self.banner = QLabel("Running: edits apply to the next run")
        self.banner.setStyleSheet("background:#5d4037; color:#ffe0b2; padding:2px 6px;"
                                  "border-radius:3px;")  # fmt: skip
        self.banner.setVisible(False)
        # the status row is as tall with the banner as without (the toolbar's height is fixed)
        self.status.setMinimumHeight(self.banner.sizeHint().height())
        for label, w in (("Workers", self.workers), ("", self.concurrency),
                         ("Input", self.input_kind),
                         (self.count_label, self.count),
                         ("", self.path), ("", self.target), ("On error", self.on_error),
                         ("Executor", self.executor), ("", self.address)):  # fmt: skip
            if label:
                layout.addWidget(label if isinstance(label, QLabel) else QLabel(label))
            layout.addWidget(w)
        layout.addWidget(self.profile_shared)
        layout.addWidget(self.check_races)
        layout.addStretch(1)
        status_row.addWidget(self.banner)
        status_row.addWidget(self.status, 1)
        self.input_kind.currentIndexChanged.connect(lambda _i: self._sync_fields())
        self.executor.currentIndexChanged.connect(lambda _i: self._sync_fields())
        controller.state_changed.connect(self._on_controller_state_changed)
        controller.run_finished.connect(self._on_controller_run_finished)
        controller.run_failed.connect(self._on_controller_run_failed)
        self._sync_fields()

    def _compact(self) -> None:
        """Fit the row in a 1280 px window: combos size to a short text (their popups
        still show the whole entries) and the number boxes to their digits."""
        for combo in (self.executor, self.input_kind):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(9)
        self.count.setMaximumWidth(90)
        self.workers.setMaximumWidth(64)
        self.concurrency.setMaximumWidth(96)

    def wants_frames(self) -> bool:
        return False  # the status line alone never keeps the poll running

    def settings(self) -> RunSettings:
        """The run settings the controls show now."""
        base = self.controller.settings
        return RunSettings(
            workers=self.workers.value(), input_kind=self.input_kind.currentData(),
            count=self.count.value(), path=self.path.text(), target=self.target.text(),
            on_error=self.on_error.currentData(), executor=self.executor.currentData(),
            address=self.address.text(), scopes=dict(base.scopes),
            profile_shared=self.profile_shared.isChecked()
            and self.executor.currentData() in LOCAL_EXECUTORS,
            check_races=self.check_races.isChecked() and self.executor.currentData() == "thread",
            concurrency=self.concurrency.value() if self.executor.currentData() == "thread" else 1,
        )  # fmt: skip

    def set_input(self, kind: str, count: int | None = None) -> None:
        self.input_kind.setCurrentIndex(self.input_kind.findData(kind))
        if count is not None:
            self.count.setValue(count)

    def _sync_fields(self) -> None:
        kind = self.input_kind.currentData()
        self.count.setVisible(kind in ("source", "count"))
        self.count_label.setVisible(kind in ("source", "count"))
        source = kind == "source"
        self.count_label.setText("At most" if source else "Items")
        self.count.setSpecialValueText("all" if source else "")
        self.count.setToolTip(COUNT_TIPS[source])
        self.path.setVisible(kind == "file")
        self.target.setVisible(kind == "module")
        self.address.setVisible(self.executor.currentData() == "dask-address")
        threads = self.executor.currentData() in LOCAL_EXECUTORS
        self.executor.setToolTip(EXECUTOR_TIPS.get(self.executor.currentData(), ""))
        self.profile_shared.setEnabled(threads and self.controller.state == "idle")
        self.profile_shared.setToolTip(PROFILE_TIP if threads else PROFILE_NEEDS_THREADS)
        races = self.executor.currentData() == "thread"  # it watches this process's threads
        self.check_races.setEnabled(races and self.controller.state == "idle")
        self.concurrency.setEnabled(races and self.controller.state == "idle")
        self.check_races.setToolTip(RACES_TIP if races else RACES_NEED_THREADS)

    def _on_browse_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Input items", "",
                                              "Items (*.jsonl *.ndjson *.csv)")  # fmt: skip
        if path:
            self.path.setText(path)

    def draw_frame(self, frame: Any) -> None:
        snap = frame.snapshot
        if snap is None:
            return
        total, note = progress_total(snap)
        errors = ""
        if snap.failed:
            errors = f" · <span style='color:#e57373'>{snap.failed:,} errors</span>"
        run = f"Run {frame.number}{self.flow_note} {snap.state}"
        self._set_status(f"{run}: {snap.items:,}{total} items{note} · "
                         f"{snap.items_per_s:,.0f} items/s{errors}")  # fmt: skip

    def update_frame(self, frame: Any) -> None:
        self._frame = frame
        self.draw_frame(frame)  # the status line is cheap: always current

    def _on_controller_state_changed(self, state: str) -> None:
        live = state != "idle"
        self.banner.setVisible(live)
        for w in (self.workers, self.input_kind, self.count, self.path, self.target,
                  self.on_error, self.executor, self.address):  # fmt: skip
            w.setEnabled(not live)
        self.profile_shared.setEnabled(not live and self.executor.currentData() in LOCAL_EXECUTORS)
        self.check_races.setEnabled(not live and self.executor.currentData() == "thread")
        self.concurrency.setEnabled(not live and self.executor.currentData() == "thread")
        if state == "starting":
            self._set_status("Starting…")

    def set_flow_note(self, note: str) -> None:
        """Name the flow of the run shown (" of other.aflow"), or "" for the open flow."""
        if note == self.flow_note:
            return
        self.flow_note = note
        if self.controller.running and self._frame is not None:
            self.draw_frame(self._frame)
        elif self._record is not None and self.status.text() != "Ready.":
            self._on_controller_run_finished(self._record)

    def _on_controller_run_finished(self, record: Any) -> None:
        self._record = record
        if record.error:
            error = html.escape(printable(record.error))  # the label shows rich text
            self._set_status(f"Run {record.number}{self.flow_note} failed: {error}")
            return
        st = record.stats
        how = "stopped" if st.get("stop_reason") else "finished"
        abandoned = st.get("abandoned_threads") or 0
        stuck = (
            f" · {abandoned} worker{'s' * (abandoned > 1)} abandoned (timeout)" if abandoned else ""
        )
        self._set_status(
            f"Run {record.number}{self.flow_note} {how}: {record.items:,} items in "
            f"{record.elapsed:.2f} s · "
            f"{record.items_per_s:,.0f} items/s · {record.failed:,} errors{stuck}"
        )

    def _on_controller_run_failed(self, message: str) -> None:
        self._set_status(html.escape(printable(message.splitlines()[0] if message else "")))
        self.status.setToolTip(printable(message))

    def clear_view(self) -> None:
        self._record = None
        self._set_status("Ready.")

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip(re.sub("<[^>]+>", "", text))  # the whole line, when elided


def progress_total(snap: Any) -> tuple[str, str]:
    """What follows the item count: `` / total`` when known, and a note when the At most
    box caps the source (or when the source cannot tell its length)."""
    if snap.total is not None:
        capped = snap.limit is not None and (snap.input_total or 0) > snap.limit
        note = f" (At most caps the source's {snap.input_total:,})" if capped else ""
        return f" / {snap.total:,}", note
    if snap.limit is not None:
        return "", f" (source length unknown; At most {snap.limit:,})"
    return "", ""


def _combo(entries: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox()
    for data, text in entries:
        combo.addItem(text, data)
    return combo
