"""File handling of the main window: New, Open, Save, Save As, trust, autosave and recovery.

Opening a file draws it without importing code. Code is imported only when the file (or a
folder above it) is trusted in the user's settings; the first time, the user is asked.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aetherflow import Flow, export_script
from aetherflow.graph.atomicfile import atomic_write
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from aetherflow_studio.document import FlowDocument
from aetherflow_studio.document.design_commands import settings_of
from aetherflow_studio.document.layout import place_unplaced

from . import dialogs
from .recovery import Autosaver, RecoveryEntry, RecoveryStore
from .trust import TrustAnswer

if TYPE_CHECKING:
    from .main_window import MainWindow

FILE_FILTER = "AetherFlow flows (*.aflow);;All files (*)"

UNTITLED = "untitled"  # the name of a new flow until the user gives it one


class FileController(QObject):
    """The window's file operations; every method returns whether it went through."""

    def __init__(self, window: MainWindow, store: RecoveryStore, autosave_ms: int) -> None:
        super().__init__(window)
        self.window = window
        self.autosaver = Autosaver(store, autosave_ms, self)
        self.last_error: str | None = None

    @property
    def document(self) -> Any:
        return self.window.document

    # -- new / open -------------------------------------------------------------------
    def new_flow(self, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        # An empty flow imports nothing by itself; its nodes come from the library, which
        # the user chose, so it starts trusted.
        flow = Flow(UNTITLED)
        flow.search_paths = self.window.library.catalog.search_paths()
        document = FlowDocument(flow, trusted=True)
        self._install(document)
        return True

    def open_dialog(self) -> bool:
        start = str(Path(self.document.path).parent) if self.document.path else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open flow", start, FILE_FILTER)
        return bool(path) and self.open_path(path)

    def open_path(self, path: str | os.PathLike[str], ask: bool = True) -> bool:
        """Open a ``.aflow`` file: draw it, then import its code if trusted (or allowed)."""
        if ask and not self.maybe_save():
            return False
        path = os.fspath(path)
        try:
            document = FlowDocument.from_file(path, trusted=False)
        except Exception as exc:  # FlowFormatError and OSError carry readable messages
            self._error("Cannot open flow", str(exc))
            return False
        placed = place_unplaced(document.flow)  # a file without positions: lay it out
        self._install(document)
        if placed:
            self.window.statusBar().showMessage(
                "The file has no node positions: laid out automatically (save to keep them)",
                8000,
            )
        self.window.settings.add_recent_file(path)
        self.resolve_if_trusted(ask=True)
        return True

    def _install(self, document: FlowDocument, recovery_key: str | None = None) -> None:
        self.autosaver.discard()  # the previous work was saved or discarded by now
        self.window.set_document(document)
        self.autosaver.watch(document, recovery_key)
        self.window.frame_all()
        # Again once the window's layout has settled: at startup the canvas is still small
        # here, and framing it then leaves the flow zoomed out too far to read.
        QTimer.singleShot(0, self.window.frame_all)

    # -- trust ------------------------------------------------------------------------
    def resolve_if_trusted(self, ask: bool = True) -> bool:
        """Import the flow's node code when its file is trusted; ask first if unknown.

        Returns True when the document is trusted (resolved) afterwards.
        """
        doc = self.document
        path = self.trust_path()
        if doc.trusted or not path:
            return bool(doc.trusted)
        trust = self.window.trust
        if not trust.is_trusted(path):
            unresolved = [s.ref for s in doc.flow.nodes.values() if s.node is None]
            if not unresolved and doc.flow.context_ref is None:
                return False  # nothing to import
            if not ask or trust.was_refused(path):
                return False
            answer = self.window.ask_trust(path, unresolved)
            if not trust.apply(path, TrustAnswer(answer)):
                self.window.statusBar().showMessage(
                    "Code not imported: nodes stay placeholders (File > Trust and Import Code…)",
                    8000,
                )
                self.window._update_title()
                return False
        self._resolve(doc)
        return True

    def ask_and_resolve(self) -> bool:
        """The File menu's "Trust and Import Code…": ask again even after a refusal."""
        doc = self.document
        path = self.trust_path()
        if not path or doc.trusted:
            return bool(doc.trusted)
        answer = self.window.ask_trust(path, [s.ref for s in doc.flow.nodes.values()])
        if not self.window.trust.apply(path, TrustAnswer(answer)):
            return False
        self._resolve(doc)
        return True

    def trust_path(self) -> str | None:
        """The file whose trust decides whether the document's code may be imported: its
        own file, or for recovered untitled work the recovery file it was read from."""
        if self.document.path:
            return str(self.document.path)
        key = self.autosaver.key
        if key is None:
            return None
        flow_file = self.autosaver.store.paths(key)[0]
        return str(flow_file) if flow_file.exists() else None

    def _resolve(self, doc: FlowDocument) -> None:
        flow = doc.flow
        folder = str(Path(doc.path).resolve().parent) if doc.path else None
        extra = [folder] if folder else []
        extra += self.window.library.catalog.search_paths()
        flow.search_paths = list(dict.fromkeys([*extra, *flow.search_paths]))
        failed = doc.set_trusted(True)
        self.window.validation.schedule()
        self.window._update_title()
        if failed:
            self.window.statusBar().showMessage(
                f"{len(failed)} node(s) could not be imported and stay placeholders: "
                + ", ".join(failed[:5]),
                10000,
            )

    # -- save -------------------------------------------------------------------------
    def save(self) -> bool:
        if not self.document.path:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        doc = self.document
        start = doc.path or f"{doc.flow.name or 'untitled'}.aflow"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save flow as", start, FILE_FILTER)
        if not path:
            return False
        if not Path(path).suffix:
            path += ".aflow"
        if not doc.path and doc.flow.name in ("", UNTITLED):
            # a flow nobody named is named after the file it is first saved to (undoable)
            doc.set_flow_settings(replace(settings_of(doc.flow), name=Path(path).stem))
        return self.save_to(path)

    def save_to(self, path: str | os.PathLike[str]) -> bool:
        """Write the document to ``path`` (atomic), then forget its recovery files."""
        doc = self.document
        try:
            doc.save(os.fspath(path))
        except Exception as exc:
            self._error("Cannot save flow", str(exc))
            return False
        if doc.trusted:
            # The user wrote this file from code they chose; reopening it should not ask.
            self.window.trust.trust_file(path)
        self.autosaver.discard()
        self.window.settings.add_recent_file(path)
        self.window._update_title()
        self.window.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    # -- export -----------------------------------------------------------------------
    def export_dialog(self) -> bool:
        """File > Export: the flow as a standalone Python script (`aetherflow export`)."""
        doc = self.document
        start = (
            str(Path(doc.path).with_suffix(".py")) if doc.path else f"{doc.flow.name or 'flow'}.py"
        )
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export as Python script", start, "Python scripts (*.py)"
        )
        return bool(path) and self.export_to(path)

    def export_to(self, path: str | os.PathLike[str]) -> bool:
        """Write the script that builds and runs this flow through the engine's API."""
        path = os.fspath(path)
        try:
            text = export_script(self.document.flow, path)
            atomic_write(path, text.encode("utf-8"))
            os.chmod(path, 0o755)
        except Exception as exc:  # FlowError (unexportable node or constant) or OSError
            self._error("Cannot export flow", str(exc))
            return False
        self.window.statusBar().showMessage(f"Exported {path}", 4000)
        return True

    def maybe_save(self) -> bool:
        """Before changes are lost: Save / Discard / Cancel. True when it is fine to go on."""
        doc = self.document
        if doc is None or not doc.is_dirty:
            return True
        answer = self.window.ask_save(self.window.document_name())
        if answer == dialogs.SAVE:
            return self.save()
        if answer == dialogs.DISCARD:
            self.autosaver.discard()
            return True
        return False

    def shutdown(self) -> None:
        """The window closes after the user saved or discarded: no recovery file remains."""
        self.autosaver.discard()

    # -- recovery ---------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """Offer work left by crashed sessions; True when one was recovered."""
        store = self.autosaver.store
        for entry in store.stale_entries():
            answer = self.window.ask_recover(entry)
            if answer == dialogs.RECOVER:
                return self.recover(entry)
            if answer == dialogs.DISCARD:
                store.discard(entry.key)
        return False

    def recover(self, entry: RecoveryEntry) -> bool:
        """Open a recovery entry as unsaved work; its files stay until saved or discarded."""
        try:
            flow = Flow.load(entry.flow_file)
        except Exception as exc:
            self._error("Cannot recover", str(exc))
            return False
        original = entry.original_path
        flow.path = original
        flow.search_paths = [str(Path(original).resolve().parent)] if original else []
        document = FlowDocument(flow, original, trusted=False)
        self._install(document, recovery_key=entry.key)
        document.undo_stack.resetClean()  # recovered work is unsaved work
        # Drawn first; its code is imported only once its file (for untitled work: the
        # recovery file) is trusted, as when opening any file.
        self.resolve_if_trusted(ask=True)
        self.window.statusBar().showMessage(f"Recovered {entry.description}", 8000)
        return True

    def _error(self, title: str, text: str) -> None:
        self.last_error = text
        if os.environ.get("AETHERFLOW_STUDIO_NO_DIALOGS"):
            return
        QMessageBox.warning(self.window, title, text)
