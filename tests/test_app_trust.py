"""Opening a file never imports code; trust is asked once and kept in settings only."""

from __future__ import annotations

from test_app_support import (
    force_close,
    imported,
    make_settings,
    make_window,
    write_untrusted_flow,
)

from aetherflow_studio.app.settings import StudioSettings
from aetherflow_studio.app.trust import TrustStore


def test_untrusted_file_asks_and_dont_import_keeps_placeholders(qtbot, tmp_path) -> None:
    path, module = write_untrusted_flow(tmp_path)
    before = path.read_text()
    window = make_window(qtbot, tmp_path)
    asked = []
    window.ask_trust = lambda p, refs: asked.append((p, refs)) or "no"
    assert window.files.open_path(path)
    assert len(asked) == 1 and asked[0][0] == str(path)
    assert not imported(module, tmp_path)  # nothing was imported
    doc = window.document
    assert not doc.trusted
    assert all(s.node is None for s in doc.flow.nodes.values())
    assert window.actions["file.trust"].isEnabled()
    assert window.settings.trusted_paths("files") == []
    # placeholders keep their data and are saved back unchanged
    doc.set_label("scale", "Scale")
    window.files.save()
    doc.set_label("scale", None)
    window.files.save()
    assert path.read_text() == before
    # refused for this session: reopening does not ask again
    assert window.files.open_path(path)
    assert len(asked) == 1
    force_close(window)


def test_trust_file_is_stored_and_not_asked_again(qtbot, tmp_path) -> None:
    path, module = write_untrusted_flow(tmp_path)
    before = path.read_bytes()
    settings = make_settings(tmp_path)
    window = make_window(qtbot, tmp_path, settings=settings)
    asked = []
    window.ask_trust = lambda p, refs: asked.append(p) or "file"
    assert window.files.open_path(path)
    assert asked == [str(path)]
    assert imported(module, tmp_path)
    doc = window.document
    assert doc.trusted and all(s.node is not None for s in doc.flow.nodes.values())
    assert str(path.resolve()) in settings.trusted_paths("files")
    assert path.read_bytes() == before  # trust is never written into the file
    assert "trust" not in path.read_text().lower()
    force_close(window)

    # a new session (same settings file) does not ask
    again = make_window(qtbot, tmp_path, settings=StudioSettings(tmp_path / "settings.ini"))
    assert again.files.open_path(path)  # ask_trust would fail the test
    assert again.document.trusted
    force_close(again)


def test_trust_folder_covers_files_below(qtbot, tmp_path) -> None:
    path, _module = write_untrusted_flow(tmp_path)
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda p, refs: "folder"
    assert window.files.open_path(path)
    assert window.settings.trusted_paths("folders") == [str(tmp_path.resolve())]
    store = TrustStore(window.settings)
    assert store.is_trusted(tmp_path / "sub" / "other.aflow")
    assert not store.is_trusted(tmp_path.parent / "elsewhere.aflow")
    force_close(window)


def test_trust_later_from_the_file_menu(qtbot, tmp_path) -> None:
    path, module = write_untrusted_flow(tmp_path)
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda p, refs: "no"
    window.files.open_path(path)
    assert not imported(module, tmp_path)
    window.ask_trust = lambda p, refs: "file"
    window.actions["file.trust"].trigger()
    assert window.document.trusted and imported(module, tmp_path)
    assert not window.actions["file.trust"].isEnabled()
    force_close(window)


def test_trust_store_paths_are_resolved(tmp_path) -> None:
    store = TrustStore(StudioSettings(tmp_path / "s.ini"))
    (tmp_path / "a").mkdir()
    store.trust_file(tmp_path / "a" / ".." / "f.aflow")
    assert store.trusted_files() == [str((tmp_path / "f.aflow").resolve())]
    assert store.is_trusted(tmp_path / "f.aflow")
    store.revoke(tmp_path / "f.aflow")
    assert not store.is_trusted(tmp_path / "f.aflow")


def test_the_bundled_examples_are_trusted_without_asking(tmp_path):
    from aetherflow_studio.app.settings import StudioSettings
    from aetherflow_studio.app.trust import TrustStore
    from aetherflow_studio.library.resources import examples_dir

    store = TrustStore(StudioSettings(tmp_path / "s.ini"))
    assert store.is_trusted(examples_dir() / "etl_pipeline.aflow")
    assert not store.is_trusted(tmp_path / "etl_pipeline.aflow")
    assert store.trusted_files() == []  # nothing written to the settings


def test_enter_in_the_trust_dialog_is_dont_import_and_says_what_each_choice_does(
    qtbot, tmp_path
) -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from aetherflow_studio.app import dialogs
    from aetherflow_studio.app.trust import TrustAnswer

    path, module = write_untrusted_flow(tmp_path)
    window = make_window(qtbot, tmp_path)
    seen: dict[str, str] = {}

    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press_enter)
            return
        seen["default"] = box.defaultButton().text()
        seen["text"] = box.informativeText()
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, press_enter)
    answer = dialogs.ask_trust(window, str(path), [f"{module}:numbers"])
    assert answer is TrustAnswer.DONT_IMPORT
    assert seen["default"] == "Don't import"
    for choice in ("Trust this file</b>: import", "Trust the folder</b>: the same",
                   "Don't import</b> (Enter): nothing is imported"):  # fmt: skip
        assert choice in seen["text"]
    force_close(window)


def test_after_dont_import_a_banner_offers_trust(qtbot, tmp_path) -> None:
    path, module = write_untrusted_flow(tmp_path)
    window = make_window(qtbot, tmp_path)
    window.show()
    window.ask_trust = lambda p, refs: "no"
    assert window.files.open_path(path)
    banner = window.trust_banner
    qtbot.waitUntil(banner.isVisible)
    assert "Code not imported" in banner.label.text()
    window.ask_trust = lambda p, refs: "file"
    banner.button.click()
    assert window.document.trusted and imported(module, tmp_path)
    qtbot.waitUntil(lambda: not banner.isVisible())
    window.files.new_flow(ask=False)  # a new flow needs no trust: no banner
    assert not banner.isVisible()
    force_close(window)
