"""Live reload of node code: when a library module's file changes on disk, the Studio
imports it again, re-reads its nodes' ports in the open (trusted) flow, and says what
changed. Constants and wires stay; validation shows those that no longer fit.

Each library module added by path is watched with a `QFileSystemWatcher`. Editors that
save by replacing the file drop the watch, so the path is watched again after each change.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aetherflow.refs import forget_folder_module, split_ref
from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

if TYPE_CHECKING:
    from .main_window import MainWindow

DEBOUNCE_MS = 150  # an editor's save may touch the file more than once


class LiveReload(QObject):
    """Watches the library's module files and reloads them into the window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_watcher_file_changed)
        self._pending: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.last_message = ""
        window.library.sources_changed.connect(lambda _s: self.watch_library())
        self.watch_library()

    def watched(self) -> list[str]:
        return self._watcher.files()

    def watch_library(self) -> None:
        for module in self._window.library.catalog.modules:
            if module.folder and module.source.endswith(".py"):
                path = str(Path(module.source).expanduser().resolve())
                if path not in self._watcher.files() and Path(path).is_file():
                    self._watcher.addPath(path)

    def _on_watcher_file_changed(self, path: str) -> None:
        self._pending.add(path)
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        paths, self._pending = sorted(self._pending), set()
        for path in paths:
            if Path(path).is_file() and path not in self._watcher.files():
                self._watcher.addPath(path)  # replaced by an atomic save
            self.reload(path)

    def reload(self, path: str) -> str:
        """Import ``path`` again, refresh the library and the open flow's nodes of it."""
        file = Path(path)
        module_name, folder = file.stem, str(file.parent)
        library = self._window.library
        sources = [m.source for m in library.catalog.modules if m.source.endswith(".py")]
        source = next((s for s in sources if Path(s).resolve() == file), None)
        if source is None:
            return ""
        forget_folder_module(module_name, folder)
        error = library.catalog.add(source).error
        library.refresh()
        if error:
            return self._say(f"Reloading {file.name} failed: {error}")
        doc = self._window.document
        if doc is None or not doc.trusted:
            return self._say(f"Reloaded {file.name} into the library (the flow is not trusted)")
        ids = [i for i, s in doc.flow.nodes.items() if _module_of(s.ref) == module_name]
        changes = doc.reload_nodes(ids)
        self._window.validation.schedule()
        return self._say(_describe(file.name, ids, changes))

    def _say(self, text: str) -> str:
        self.last_message = text
        self._window.statusBar().showMessage(text, 10000)
        return text


def _module_of(ref: str) -> str | None:
    try:
        return split_ref(ref)[0]
    except Exception:
        return None


def _describe(name: str, ids: list[str], changes: dict[str, Any]) -> str:
    if not changes:
        return f"Reloaded {name}: {len(ids)} node(s), ports unchanged"
    parts = []
    for node_id, (added, removed) in changes.items():
        bits = [f"+{p}" for p in added] + [f"-{p}" for p in removed]
        parts.append(f"{node_id} {' '.join(bits)}")
    return f"Reloaded {name}: " + "; ".join(parts)


def install(window: MainWindow) -> LiveReload:
    window.live_reload = LiveReload(window)
    return window.live_reload
