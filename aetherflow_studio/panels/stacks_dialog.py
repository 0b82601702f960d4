"""`StacksDialog`: where is each worker thread? Its live Python stack, one tab per thread.

For hangs and deadlocks (two items taking shared locks in opposite order, a node waiting
on a socket): the stacks come from `RunHandle.stacks`, read on the GUI thread, a
snapshot that costs the workers nothing. Refresh takes a new one. Innermost call last,
so each tab is scrolled to its end, where the node code in progress is.
"""

from __future__ import annotations

from aetherflow import RunHandle
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .throughput_panel import short_thread


class StacksDialog(QDialog):
    """Non-modal: shows ``handle.stacks()`` of one run; `set_handle` switches runs."""

    def __init__(self, handle: RunHandle | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stacks_dialog")
        self.setWindowTitle("Worker stacks")
        self.setModal(False)
        self.resize(760, 520)
        self.handle = handle
        self.views: dict[str, QPlainTextEdit] = {}
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setProperty("role", "muted")
        self.tabs = QTabWidget()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Take a new snapshot of every worker's stack")
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(row)
        self.refresh()

    def set_handle(self, handle: RunHandle | None) -> None:
        if handle is not self.handle:
            self.handle = handle
            self.tabs.clear()
            self.views.clear()
        self.refresh()

    def refresh(self) -> None:
        """Read every worker's stack now (on this thread; the workers are not involved)."""
        stacks: dict[str, str] = self.handle.stacks() if self.handle is not None else {}
        for name, text in stacks.items():
            view = self.views.get(name)
            if view is None:
                view = _stack_view()
                self.views[name] = view
                self.tabs.addTab(view, short_thread(name))
                self.tabs.setTabToolTip(self.tabs.count() - 1, name)
            shown = text if text.strip() else "(no Python frames)"
            if view.toPlainText() != shown:
                view.setPlainText(shown)
                view.moveCursor(QTextCursor.MoveOperation.End)  # innermost call last
        ended = sum(text == "finished" for text in stacks.values())
        self.note.setText(
            f"Python stacks of the run's {len(stacks)} worker threads, innermost call last"
            f"{f' ({ended} finished)' if ended else ''}. A snapshot: Refresh takes another."
        )


def _stack_view() -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return view
