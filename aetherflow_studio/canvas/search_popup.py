"""`NodeSearchPopup`: the Tab palette, a frameless popup that filters the node catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

CatalogEntry = tuple[str, str, str]  # ref, title, doc
Catalog = Callable[[], Iterable[CatalogEntry]]


def fuzzy_score(query: str, text: str) -> float | None:
    """Rank ``text`` for ``query``: substrings first (earlier is better), then in-order
    subsequences (tighter is better); None when the letters are not all there in order."""
    q, t = query.lower().strip(), text.lower()
    if not q:
        return 0.0
    at = t.find(q)
    if at >= 0:
        return at / 1000.0
    pos, gaps = -1, 0
    for ch in q:
        nxt = t.find(ch, pos + 1)
        if nxt < 0:
            return None
        gaps += nxt - pos - 1 if pos >= 0 else 0
        pos = nxt
    return 1.0 + gaps / 100.0


class NodeSearchPopup(QFrame):
    """Type to filter; Enter or a click chooses; Escape closes.

    Signals
    -------
    chosen(str)
        The ``module:qualname`` of the chosen node.
    """

    chosen = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("nodeSearchPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Search nodes…")
        self.edit.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.resize(340, 320)
        self._entries: list[CatalogEntry] = []
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.edit.installEventFilter(self)
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.list.itemClicked.connect(self._on_list_item_activated)

    def open_at(self, global_pos: QPoint, entries: Iterable[CatalogEntry]) -> None:
        """Show the catalog at ``global_pos`` with an empty filter and the focus in the box."""
        self._entries = list(entries)
        self.edit.clear()
        self._on_edit_text_changed("")
        self.move(global_pos)
        self.show()
        self.edit.setFocus()

    def _on_edit_text_changed(self, text: str) -> None:
        ranked = []
        for ref, title, doc in self._entries:
            score = fuzzy_score(text, f"{title} {ref}")
            if score is not None:
                ranked.append((score, title.lower(), ref, title, doc))
        ranked.sort()
        self.list.clear()
        for _, _, ref, title, doc in ranked[:200]:
            item = QListWidgetItem(f"{title}    {ref}" if title != ref else ref)
            item.setData(Qt.ItemDataRole.UserRole, ref)
            if doc:
                item.setToolTip(doc)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        is_key = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
        if watched is self.edit and is_key and self._on_key(event):
            return True
        return super().eventFilter(watched, event)

    def _on_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
            self.list.setCurrentRow(row)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.list.currentItem()
            if item is not None:
                self._on_list_item_activated(item)
            return True
        if key == Qt.Key.Key_Escape:
            self.close()
            return True
        return False

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        ref = item.data(Qt.ItemDataRole.UserRole)
        self.close()
        self.chosen.emit(ref)
