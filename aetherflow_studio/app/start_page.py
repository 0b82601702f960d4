"""The start page: what the Studio shows when it starts without a file.

The bundled examples (each with the description and scopes its file declares) and the recent
files, plus New and Open. It shares the window's central area with the canvas in a
`QStackedWidget`; any document the window installs (new, opened, recovered) brings the
canvas to the front. Example files are read as JSON only: showing them imports no code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aetherflow import __version__
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aetherflow_studio.library.resources import examples_dir, icon_path

if TYPE_CHECKING:
    from .main_window import MainWindow

# Every context has these; the start page lists the services an example itself declares.
BASE_SERVICES = {"state", "context", "shared_data"}
EXAMPLE_ORDER = ("etl_pipeline", "realtime_counter", "connection_pool", "map_reduce")

_STYLE = """
QWidget#start_page { background: palette(window); }
QFrame#example_card { border: 1px solid palette(mid); border-radius: 6px;
    background: palette(base); }
QFrame#example_card:hover { border-color: palette(highlight); }
QLabel#start_title { font-size: 22px; font-weight: 600; }
QLabel#start_heading { font-size: 14px; font-weight: 600; margin-top: 14px; }
QLabel#card_title { font-size: 13px; font-weight: 600; }
QListWidget#recent_files { border: 1px solid palette(mid); border-radius: 6px; }
"""


@dataclass(frozen=True)
class Example:
    """An example flow as its file describes it."""

    path: Path
    name: str
    description: str
    scopes: dict[str, str]


def read_example(path: Path) -> Example | None:
    """Name, description and own services' scopes of an ``.aflow`` file; None if unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    services = data.get("services") or []
    scopes = {
        s["name"]: s.get("scope", "")
        for s in services
        if isinstance(s, dict) and s.get("name") not in BASE_SERVICES
    }
    return Example(path, data.get("name") or path.stem, data.get("description") or "", scopes)


def find_examples(folder: Path | None = None) -> list[Example]:
    """The bundled examples, the four documented ones first."""
    folder = folder or examples_dir()
    files = sorted(folder.glob("*.aflow")) if folder.is_dir() else []
    rank = {name: i for i, name in enumerate(EXAMPLE_ORDER)}
    files.sort(key=lambda p: (rank.get(p.stem, len(rank)), p.stem))
    return [e for p in files if (e := read_example(p)) is not None]


class ExampleCard(QFrame):
    """One example: a click asks to open it."""

    clicked = Signal(str)

    def __init__(self, example: Example, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.example = example
        self.setObjectName("example_card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(str(example.path))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        title = QLabel(example.name)
        title.setObjectName("card_title")
        text = QLabel(example.description)
        text.setWordWrap(True)
        scopes = ", ".join(f"{name}: <b>{scope}</b>" for name, scope in example.scopes.items())
        footer = QLabel(f"Services — {scopes}" if scopes else "")
        footer.setWordWrap(True)
        footer.setEnabled(False)  # drawn in the palette's muted colour
        for label in (title, text, footer):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        layout.addStretch(1)

    def click(self) -> None:
        self.clicked.emit(str(self.example.path))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.click()
        super().mouseReleaseEvent(event)


class StartPage(QScrollArea):
    """Examples, recent files, New and Open; emits intents, opens nothing itself."""

    new_requested = Signal()
    open_requested = Signal()
    example_requested = Signal(str)
    recent_requested = Signal(str)

    def __init__(self, examples: list[Example], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_page")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet(_STYLE)
        column = QWidget()
        column.setMaximumWidth(980)
        self.layout_ = QVBoxLayout(column)
        self.layout_.setContentsMargins(32, 28, 32, 28)
        self._build_header()
        self.cards = self._build_examples(examples)
        self.recent = self._build_recent()
        self.layout_.addStretch(1)
        outer = QWidget()
        outer.setObjectName("start_page")
        row = QHBoxLayout(outer)
        row.addWidget(column, 1, Qt.AlignmentFlag.AlignHCenter)
        self.setWidget(outer)

    def _build_header(self) -> None:
        header = QHBoxLayout()
        icon = QLabel()
        pixmap = QPixmap(str(icon_path()))
        if not pixmap.isNull():
            icon.setPixmap(
                pixmap.scaled(
                    56,
                    56,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        title = QLabel(f"AetherFlow Studio <span style='font-size:13px'>{__version__}</span>")
        title.setObjectName("start_title")
        tagline = QLabel("Design, run and debug concurrent Python flows.")
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(tagline)
        header.addWidget(icon)
        header.addLayout(text, 1)
        self.new_button = QPushButton("New flow")
        self.open_button = QPushButton("Open…")
        self.new_button.clicked.connect(self.new_requested.emit)
        self.open_button.clicked.connect(self.open_requested.emit)
        header.addWidget(self.new_button)
        header.addWidget(self.open_button)
        self.layout_.addLayout(header)

    def _heading(self, text: str) -> None:
        label = QLabel(text)
        label.setObjectName("start_heading")
        self.layout_.addWidget(label)

    def _build_examples(self, examples: list[Example]) -> dict[str, ExampleCard]:
        self._heading("Examples")
        grid = QGridLayout()
        grid.setSpacing(12)
        cards = {}
        for i, example in enumerate(examples):
            card = ExampleCard(example)
            card.clicked.connect(self.example_requested.emit)
            grid.addWidget(card, i // 2, i % 2)
            cards[example.name] = card
        self.layout_.addLayout(grid)
        return cards

    def _build_recent(self) -> QListWidget:
        self._heading("Recent files")
        recent = QListWidget()
        recent.setObjectName("recent_files")
        recent.setMaximumHeight(220)
        recent.itemActivated.connect(self._on_recent_item_activated)
        recent.itemClicked.connect(self._on_recent_item_activated)
        self.layout_.addWidget(recent)
        return recent

    def set_recent_files(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}    {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        if not paths:
            empty = QListWidgetItem("No recent files yet: open an example or a .aflow file.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(empty)

    def recent_paths(self) -> list[str]:
        items = (self.recent.item(i) for i in range(self.recent.count()))
        return [p for item in items if (p := item.data(Qt.ItemDataRole.UserRole))]

    def _on_recent_item_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.recent_requested.emit(path)


class StartPageController:
    """Puts the start page and the canvas in one stack in the window's central area."""

    def __init__(self, window: MainWindow, examples: list[Example] | None = None) -> None:
        self.window = window
        self.page = StartPage(find_examples() if examples is None else examples)
        # The canvas host made by canvas_adapter keeps the view; it moves into the stack.
        host = window.takeCentralWidget()
        self.stack = QStackedWidget(window)
        self.stack.setObjectName("central_stack")
        self.stack.addWidget(self.page)
        self.stack.addWidget(host)
        window.canvas_host = host  # type: ignore[attr-defined]
        window.setCentralWidget(self.stack)
        self.stack.show()  # the window may be on screen already: show now, not when idle
        window.document_changed.connect(self._on_window_document_changed)
        self.page.new_requested.connect(lambda: window.files.new_flow())
        self.page.open_requested.connect(lambda: window.files.open_dialog())
        self.page.example_requested.connect(self._on_page_example_requested)
        self.page.recent_requested.connect(self._on_page_recent_requested)
        window.add_action("view.start_page", "&Start Page", self.show, menu="view")

    @property
    def visible(self) -> bool:
        return self.stack.currentWidget() is self.page

    def show(self) -> None:
        self.page.set_recent_files(self.window.settings.recent_files())
        self.stack.setCurrentWidget(self.page)

    def show_canvas(self) -> None:
        self.stack.setCurrentWidget(self.window.canvas_host)  # type: ignore[attr-defined]

    def _on_window_document_changed(self, _document: Any) -> None:
        self.show_canvas()

    def _on_page_example_requested(self, path: str) -> None:
        self.window.files.open_path(path)  # the bundled examples are trusted (TrustStore)

    def _on_page_recent_requested(self, path: str) -> None:
        self.window.files.open_path(path)


def install(window: MainWindow) -> StartPageController:
    """Add the start page to ``window`` (the canvas stays in front until `show` is called)."""
    controller = StartPageController(window)
    controller.show_canvas()
    return controller
