"""Per-thread state: one column per worker with its isolated services as a tree.

Shared services are shown once, in a first column marked shared. Trees are updated in
place (items reused by key) when a new services snapshot arrives (~4 Hz), within a budget
of items per column. Only the rows whose value changed since the previous snapshot get a
subtle tint (the theme's ``changed`` colour) that fades out over `FADE_SECONDS`; a change
inside a collapsed branch tints the collapsed row. The name column is sized to the names
shown, values elide only when long (hover for the full path and value), and columns share
the width equally down to a readable minimum, below which the row scrolls sideways. A
search box filters every column; the Stacks button next to it shows where each worker
thread is (its live Python stack, `StacksDialog`), for hangs and deadlocks.
"""

from __future__ import annotations

import time
from typing import Any

from aetherflow import RunHandle
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QBrush, QColor, QHelpEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aetherflow_studio.canvas import theme

from .live_panel import LivePanel
from .stacks_dialog import StacksDialog
from .throughput_panel import short_thread, thread_color

FADE_SECONDS = 1.0
FADE_STEPS = 8  # tint levels: a row's brush is reset only when its level changes
MAX_ITEMS = 600  # tree items updated per column and snapshot
SHARED = "__shared__"
INDENT = 14
NAME_MIN, NAME_MAX = 64, 180  # px of the name column
VALUE_MIN = 104  # px of the value column before the row scrolls sideways
NODE_CHARS = 22  # a longer node name is elided in the column header


IDLE_HINT = "Run the flow to see each worker thread's isolated services."
DASK_HINT = "A Dask run's workers are processes of its cluster: no state shown here."


def _summary(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("__type__")
        n = len(value) - (1 if kind else 0)
        return f"{kind} ({n})" if kind else f"{{{n}}}"
    if isinstance(value, list):
        return f"[{len(value)}]"
    return repr(value) if isinstance(value, str) else str(value)


class StateTree(QTreeWidget):
    """A services tree whose tooltips show an item's full path and value (computed when
    asked, so a refresh never pays for them)."""

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            item = self.itemAt(event.pos())
            if item is None:
                QToolTip.hideText()
                return True
            QToolTip.showText(event.globalPos(), _tooltip(item), self.viewport())
            return True
        return super().viewportEvent(event)


def _tooltip(item: QTreeWidgetItem) -> str:
    path = []
    node: QTreeWidgetItem | None = item
    while node is not None:
        path.append(node.text(0))
        node = node.parent()
    name = ".".join(reversed(path))
    value = item.text(1)
    return f"{name} = {value}" if len(name) + len(value) < 60 else f"{name}\n= {value}"


class StateColumn(QFrame):
    """One thread (or the shared services): a header and a tree."""

    def __init__(self, key: str, title: str, color: str) -> None:
        super().__init__()
        self.key = key
        self.setObjectName("state_column")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.header = QLabel(title)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setStyleSheet(f"border-top: 3px solid {color}; padding: 3px;")
        self._color = color
        self.tree = StateTree()
        scope = "shared" if key == SHARED else "isolated"
        self.tree.setHeaderLabels([f"{scope} services", "value"])
        self.tree.setIndentation(INDENT)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.itemExpanded.connect(self._on_tree_item_expanded)
        self._name_width = 0
        self._names_changed = False
        self._set_name_width(NAME_MIN)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.empty = QLabel(
            "No shared services used by this flow."
            if key == SHARED
            else "No isolated services used by this flow: this thread keeps no state of its own."
        )
        self.empty.setWordWrap(True)
        self.empty.setProperty("role", "muted")
        self.empty.setContentsMargins(6, 6, 6, 6)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # In place of the tree, it takes the room below the header.
        self.empty.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.empty.hide()
        layout.addWidget(self.header)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree)
        self.source: Any = None  # the snapshot last rendered (compared by identity)
        self.fresh: dict[int, tuple[QTreeWidgetItem, float, int]] = {}  # item, since, level
        self._budget = 0
        self._now = 0.0

    def set_stopped(self, hit: Any) -> None:
        """Mark the column: its worker waits at a breakpoint (None: it runs again)."""
        color = "#ffd43b" if hit is not None else self._color
        self.setStyleSheet(
            "QFrame#state_column { border: 2px solid #ffd43b; }" if hit is not None else ""
        )
        self.header.setStyleSheet(f"border-top: 3px solid {color}; padding: 3px;")
        if hit is not None:
            self.set_header(
                f"<b>{short_thread(hit.worker)}</b>&nbsp;&nbsp;<span style='color:#ffd43b'>"
                f"‖ stopped</span> before <b>{hit.node}</b><br>item {hit.index} · services "
                "as of the stop",
                f"{hit.worker} stopped at a breakpoint before {hit.node} (item {hit.index})",
            )

    def set_header(self, html: str, tip: str = "") -> None:
        if self.header.text() != html:
            self.header.setText(html)
            self.header.setToolTip(tip)

    def service_names(self) -> list[str]:
        return [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())]

    def sync(self, services: dict[str, Any], labels: dict[str, str]) -> None:
        """Update the tree to ``services`` (rendered data), marking changed values."""
        self._budget, self._now = MAX_ITEMS, time.monotonic()
        self.empty.setVisible(not services)
        self.tree.setVisible(bool(services))
        first = self.tree.topLevelItemCount() == 0
        root = self.tree.invisibleRootItem()
        self._sync_children(root, [(labels.get(k, k), v) for k, v in services.items()], first)
        if first:
            for i in range(self.tree.topLevelItemCount()):
                self.tree.topLevelItem(i).setExpanded(True)
        if self._names_changed:
            self._names_changed = False
            self._fit_names()

    def _on_tree_item_expanded(self, _item: QTreeWidgetItem) -> None:
        self._fit_names()

    def _fit_names(self) -> None:
        """Size the name column to the names shown (top level and expanded children)."""
        fm = self.tree.fontMetrics()
        widest = 0
        root = self.tree.invisibleRootItem()
        for i in range(root.childCount()):
            top = root.child(i)
            widest = max(widest, fm.horizontalAdvance(top.text(0)) + INDENT)
            if top.isExpanded():
                for k in range(min(top.childCount(), 40)):
                    name = top.child(k).text(0)
                    widest = max(widest, fm.horizontalAdvance(name) + 2 * INDENT)
        self._set_name_width(min(NAME_MAX, max(NAME_MIN, widest + 18)))

    def _set_name_width(self, width: int) -> None:
        if width != self._name_width:
            self._name_width = width
            self.tree.setColumnWidth(0, width)
            self.setMinimumWidth(width + VALUE_MIN + 8)

    def _sync_children(self, parent: QTreeWidgetItem, entries: list[tuple[Any, Any]],
                       first: bool) -> None:  # fmt: skip
        for i, (key, value) in enumerate(entries):
            if self._budget <= 0:
                break
            self._budget -= 1
            child = parent.child(i)
            name = str(key)
            if child is None or child.text(0) != name:
                child = QTreeWidgetItem([name, ""])
                parent.insertChild(i, child)
                self._names_changed = True
            self._sync_item(child, value, first)
        while parent.childCount() > len(entries):
            parent.takeChild(parent.childCount() - 1)

    def _sync_item(self, item: QTreeWidgetItem, value: Any, first: bool) -> None:
        text = _summary(value)
        if item.text(1) != text:
            item.setText(1, text)
            if not first:
                self._mark(item)
        if isinstance(value, dict):
            entries = [(k, v) for k, v in value.items() if k != "__type__"]
            self._sync_children(item, entries, first)
        elif isinstance(value, list):
            self._sync_children(item, list(enumerate(value)), first)
        elif item.childCount():
            item.takeChildren()

    def _mark(self, item: QTreeWidgetItem) -> None:
        """Tint ``item`` or, when it sits in a collapsed branch, the collapsed row shown."""
        shown, parent = item, item.parent()
        while parent is not None:
            if not parent.isExpanded():
                shown = parent
            parent = parent.parent()
        self.fresh[id(shown)] = (shown, self._now, -1)

    def fade(self, now: float, color: QColor) -> None:
        """Step each fresh row's tint down to nothing over `FADE_SECONDS`."""
        alpha = color.alpha()
        for key, (item, since, level) in list(self.fresh.items()):
            age = (now - since) / FADE_SECONDS
            step = FADE_STEPS - int(age * FADE_STEPS) if age < 1.0 else 0
            if step == level:
                continue
            if step <= 0:
                brush = QBrush()
                del self.fresh[key]
            else:
                tint = QColor(color)
                tint.setAlpha(alpha * step // FADE_STEPS)
                brush = QBrush(tint)
                self.fresh[key] = (item, since, step)
            item.setBackground(1, brush)  # the value cell: names stay calm

    def apply_filter(self, text: str) -> None:
        text = text.lower()
        root = self.tree.invisibleRootItem()
        for i in range(root.childCount()):
            _filter(root.child(i), text)


def _filter(item: QTreeWidgetItem, text: str) -> bool:
    """Show ``item`` when it or a descendant matches; returns whether it is shown."""
    own = not text or text in item.text(0).lower() or text in item.text(1).lower()
    any_child = False
    for i in range(item.childCount()):
        any_child = _filter(item.child(i), "" if own else text) or any_child
    shown = own or any_child
    item.setHidden(not shown)
    if text and any_child:
        item.setExpanded(True)
    return shown


class ThreadStatePanel(LivePanel):
    """Every worker's isolated services, side by side, refreshed live."""

    wants_services = True

    def __init__(self, controller: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.setObjectName("thread_state_panel")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter state (name or value)…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.stacks_button = QPushButton("Stacks")
        self.stacks_button.setToolTip(
            "Where is each thread? Every worker's live Python stack (for hangs and deadlocks)"
        )
        self.stacks_button.clicked.connect(self.show_stacks)
        self.stacks_dialog: StacksDialog | None = None
        self.columns: dict[str, StateColumn] = {}
        self.stopped: dict[str, Any] = {}  # worker -> its BreakHit (shows hit.isolated)
        self._frames = 0
        self._turn = 0  # the position of the worker whose tree is synced next
        self._row = QWidget()
        self._row_layout = QHBoxLayout(self._row)
        self._row_layout.setContentsMargins(0, 0, 0, 0)
        self._row_layout.setSpacing(4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # trees scroll
        scroll.setWidget(self._row)
        self.hint = QLabel(IDLE_HINT)
        self.hint.setStyleSheet("color: gray; padding: 6px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.stacks_button)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(scroll, 1)
        if controller is not None:
            controller.state_changed.connect(self._on_controller_state_changed)
        self._update_stacks_button()

    def _live_handle(self) -> RunHandle | None:
        """The controller's run while it runs, when it has worker state (not Dask)."""
        handle = self.controller.handle if self.controller is not None else None
        if handle is None or not handle.supports_worker_state or handle.done:
            return None
        return handle

    def _update_stacks_button(self) -> None:
        self.stacks_button.setEnabled(self._live_handle() is not None)

    def _on_controller_state_changed(self, _state: str) -> None:
        self._update_stacks_button()

    def show_stacks(self) -> None:
        """Open (or raise) the non-modal stacks dialog on the live run."""
        handle = self._live_handle()
        if handle is None:
            return
        if self.stacks_dialog is None:
            self.stacks_dialog = StacksDialog(handle, self)
        else:
            self.stacks_dialog.set_handle(handle)
        self.stacks_dialog.show()
        self.stacks_dialog.raise_()
        self.stacks_dialog.activateWindow()

    def show_stopped(self, hits: list[Any]) -> None:
        """Mark the columns of workers stopped at a breakpoint and show each one's isolated
        services as they were when it stopped (``hit.isolated``)."""
        was, self.stopped = self.stopped, {h.worker: h for h in hits}
        for worker in set(was) | set(self.stopped):
            column = self.columns.get(worker)
            hit = self.stopped.get(worker)
            if column is None and hit is not None:
                column = self._column(worker, thread_color(len(self.thread_columns())))
            if column is None:
                continue
            column.set_stopped(hit)
            if hit is not None and hit is not was.get(worker):
                column.source = hit
                column.sync(hit.isolated, {})
        if set(was) - set(self.stopped) and self._frame is not None:
            self.draw_frame(self._frame)  # the workers that went on: their live state again

    def run_changed(self, frame: Any) -> None:
        self.stopped = {}
        for column in self.columns.values():
            column.setParent(None)
            column.deleteLater()
        self.columns.clear()

    def clear_view(self) -> None:
        self.run_changed(None)
        self.hint.setText(IDLE_HINT)
        self.hint.setVisible(True)

    def thread_columns(self) -> list[StateColumn]:
        return [c for k, c in self.columns.items() if k != SHARED]

    def draw_frame(self, frame: Any) -> None:
        snap = frame.snapshot
        if snap is None:
            return
        dask = snap.extra.get("executor") == "dask"  # its workers are other processes
        self.hint.setText(DASK_HINT if dask else IDLE_HINT)
        self.hint.setVisible(dask)
        self._frames += 1
        if frame.shared:
            self._draw_shared(frame.shared)
        headers = frame.final or self._frames % 3 == 1  # ~10 Hz is plenty for counters
        for i, t in enumerate(snap.threads):
            column = self._column(t.name, thread_color(i))
            if headers and t.name not in self.stopped:
                where = f" in {t.current_node}" if t.busy and t.current_node else ""
                column.set_header(_thread_header(t, snap.state), f"{t.name}{where}")
        self._sync_trees(frame, snap.threads)
        now = time.monotonic()
        color: QColor | None = None
        for column in self.columns.values():
            if column.fresh:
                color = color or QColor(theme.colors(theme.current())["changed"])
                column.fade(now, color)

    def _sync_trees(self, frame: Any, threads: Any) -> None:
        """Sync the trees of the workers that posted new services: all of them in a final
        frame, else one per frame (spreads the work, keeps the GUI live), the workers in
        turn: a run in a separate process brings new copies of every worker's services
        in each frame, so the first worker would always be the one."""
        n = len(threads)
        for i in sorted(range(n), key=lambda i: (i - self._turn) % n):
            t = threads[i]
            if t.name in self.stopped:
                continue  # it shows the services as they were when it stopped
            column = self.columns[t.name]
            services = frame.services.get(t.name)
            if services is None or services is column.source:
                continue
            column.source = services
            column.sync(services.services, {})
            if self.search.text():
                column.apply_filter(self.search.text())
            if not frame.final:
                self._turn = i + 1
                return

    def _draw_shared(self, shared: dict[str, Any]) -> None:
        column = self._column(SHARED, "#bdbdbd")
        column.set_header("<b>shared</b> · one instance for every thread")
        if shared is not column.source:
            column.source = shared
            column.sync(shared, {})

    def _column(self, key: str, color: str) -> StateColumn:
        column = self.columns.get(key)
        if column is None:
            column = StateColumn(key, short_thread(key), color)
            index = 0 if key == SHARED else self._row_layout.count()
            self._row_layout.insertWidget(index, column)
            self.columns[key] = column
        return column

    def _on_search_text_changed(self, text: str) -> None:
        for column in self.columns.values():
            column.apply_filter(text)


def _thread_header(t: Any, run_state: str) -> str:
    """Two lines: the thread and what it does now; its items and rate."""
    muted = theme.colors(theme.current())["muted"]
    if t.abandoned:  # a sync node overran its timeout: a fresh worker took over
        where = "stuck" if t.alive else "ended"
        status = f"<span style='color:#e57373'>✖ abandoned</span> ({where})"
    elif not t.alive:
        status = f"<span style='color:{muted}'>● finished</span>"
    elif t.busy and t.in_flight > 1:
        status = f"<span style='color:#66bb6a'>● busy</span> · <b>{t.in_flight}</b> in flight"
    elif t.busy and t.current_node:
        node = t.current_node
        node = node if len(node) <= NODE_CHARS else node[: NODE_CHARS - 1] + "…"
        status = f"<span style='color:#66bb6a'>● busy</span> in <b>{node}</b>"
    elif t.busy:
        status = "<span style='color:#66bb6a'>● busy</span>"
    else:
        word = "paused" if run_state == "paused" else "idle"
        status = f"<span style='color:{muted}'>○ {word}</span>"
    failed = f" · <span style='color:#e57373'>{t.failed:,} failed</span>" if t.failed else ""
    return (f"<b>{short_thread(t.name)}</b>&nbsp;&nbsp;{status}<br>"
            f"{t.items:,} items · {t.items_per_s:,.0f} items/s{failed}")  # fmt: skip
