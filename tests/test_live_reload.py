"""Live reload: editing a library module on disk grows (or shrinks) its nodes' ports in
the open flow, without a restart; constants and wires that still fit stay."""

from __future__ import annotations

import pytest
from design_support import MYNODES, answer_dialog, print_failures, write_module
from PySide6.QtWidgets import QFileDialog
from test_app_support import force_close, make_window


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, examples=False)
    w.ask_save = lambda _name: "discard"
    yield w
    force_close(w)


@print_failures
def test_editing_the_module_on_disk_grows_the_node_a_port(qtbot, tmp_path, window) -> None:
    path = write_module(tmp_path / "p")

    def fill(dialog: QFileDialog) -> None:
        dialog.selectFile(str(path))
        dialog.accept()

    answer_dialog(QFileDialog, fill)
    menu = window.library.add_button.menu()
    next(a for a in menu.actions() if a.text() == "Add Python file…").trigger()
    assert str(path.resolve()) in window.live_reload.watched()
    for name in ("fetch", "measure"):
        window.library.request_add(f"mynodes:{name}")
    doc = window.document
    assert doc.connect("fetch.size", "measure.size") is None
    doc.set_constant("measure", "unit", 4)
    assert doc.flow.nodes["measure"].input_names == ["size", "unit"]

    # the user adds a parameter in their editor and saves
    old = "def measure(size: int, unit: int = 1) -> dict:"
    edited = MYNODES.replace(old, "def measure(size: int, unit: int = 1, offset: int = 0) -> dict:")
    assert edited != MYNODES
    path.write_text(edited, "utf-8")
    item = window.scene.node_items["measure"]
    qtbot.waitUntil(
        lambda: [p.name for p in item.inputs] == ["size", "unit", "offset"], timeout=10000
    )
    assert "Reloaded mynodes.py: measure +offset" in window.live_reload.last_message
    assert doc.flow.nodes["measure"].constants == {"unit": 4}  # kept
    assert [(e.source, e.target) for e in doc.flow.edges] == [("fetch.size", "measure.size")]
    assert doc.undo_stack.count() == 4  # two adds, a wire, a constant: a reload is no edit

    # a parameter removed: its constant stays, and the problems say so
    path.write_text(MYNODES.replace(old, "def measure(size: int) -> dict:"), "utf-8")
    qtbot.waitUntil(lambda: [p.name for p in item.inputs] == ["size"], timeout=10000)
    assert (
        "-offset" in window.live_reload.last_message and "-unit" in window.live_reload.last_message
    )
    qtbot.waitUntil(lambda: any(p.code == "unknown-constant" for p in window.problems.problems))
