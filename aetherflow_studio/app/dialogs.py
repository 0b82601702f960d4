"""The questions the Studio asks: save changes, trust code, recover work.

Each is a plain function the window stores as an attribute (``ask_save``, ``ask_trust``,
``ask_recover``), so tests replace it with a lambda instead of clicking a modal box.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from .recovery import RecoveryEntry
from .trust import TrustAnswer

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
RECOVER, LATER = "recover", "later"


def ask_save(parent: QWidget | None, name: str) -> str:
    """Save / Discard / Cancel before unsaved changes of ``name`` are lost."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Save the changes to “{name}”?")
    box.setInformativeText("Your changes will be lost if you don't save them.")
    save = box.addButton("Save", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Don't Save", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return SAVE if clicked is save else DISCARD if clicked is discard else CANCEL


def ask_trust(parent: QWidget | None, path: str, refs: list[str]) -> TrustAnswer:
    """Ask before importing the node modules a flow file names."""
    modules = sorted({r.split(":", 1)[0] for r in refs})
    shown = ", ".join(modules[:8]) + (" …" if len(modules) > 8 else "")
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Trust this flow's code?")
    box.setText(f"“{html.escape(Path(path).name)}” uses Python code from: {html.escape(shown)}")
    folder = html.escape(str(Path(path).resolve().parent))
    box.setInformativeText(
        "Importing runs that code with your permissions. The graph is shown either way."
        "<ul>"
        "<li><b>Trust this file</b>: import its code now and whenever you open this file "
        "again (remembered in your settings, never in the file).</li>"
        f"<li><b>Trust the folder</b>: the same for every flow file in {folder} and below."
        "</li>"
        "<li><b>Don't import</b> (Enter): nothing is imported; the nodes stay placeholders "
        "that keep their data but cannot run. A banner over the canvas offers "
        "<b>Trust…</b> later, as does File &gt; Trust and Import Code…</li>"
        "</ul>"
    )
    box.setTextFormat(Qt.TextFormat.RichText)
    trust_file = box.addButton("Trust this file", QMessageBox.ButtonRole.AcceptRole)
    trust_folder = box.addButton("Trust the folder", QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton("Don't import", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    clicked = box.clickedButton()
    if clicked is trust_file:
        return TrustAnswer.TRUST_FILE
    if clicked is trust_folder:
        return TrustAnswer.TRUST_FOLDER
    return TrustAnswer.DONT_IMPORT


def ask_recover(parent: QWidget | None, entry: RecoveryEntry) -> str:
    """Recover / Discard / Later for work a crashed session left behind."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Recover unsaved work?")
    box.setText("Recover unsaved work?")
    box.setInformativeText(
        f"The Studio closed without saving {entry.description}.\n\n"
        "Recovered work stays in the recovery folder until you save or discard it."
    )
    recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    later = box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recover)
    box.setEscapeButton(later)
    box.exec()
    clicked = box.clickedButton()
    return RECOVER if clicked is recover else DISCARD if clicked is discard else LATER
