"""Autosave to the recovery folder; recovery after a crash; deletion only on save/discard."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from test_app_support import force_close, make_window

from aetherflow_studio.app.recovery import RecoveryStore, pid_alive


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def crash(store: RecoveryStore, key: str) -> None:
    """What a crash leaves: the recovery files with a lock naming a dead process."""
    lock = store.paths(key)[2]
    data = json.loads(lock.read_text())
    data["pid"] = dead_pid()
    lock.write_text(json.dumps(data))


def edit_and_wait_for_autosave(qtbot, window) -> RecoveryStore:
    window.library.request_add("etl_pipeline_nodes:extract")
    store = window.files.autosaver.store
    qtbot.waitUntil(lambda: window.files.autosaver.key is not None, timeout=3000)
    flow_file, sidecar, lock = store.paths(window.files.autosaver.key)
    qtbot.waitUntil(flow_file.exists, timeout=3000)
    assert json.loads(sidecar.read_text())["original_path"] is None
    assert json.loads(lock.read_text())["pid"] == os.getpid()
    return store


def crashed_session(qtbot, tmp_path) -> tuple[RecoveryStore, str]:
    """A window that autosaved unsaved work and then 'crashed' (its lock's PID is dead)."""
    crashed = make_window(qtbot, tmp_path, autosave_ms=30)
    store = edit_and_wait_for_autosave(qtbot, crashed)
    key = crashed.files.autosaver.key
    crashed.files.autosaver._timer.stop()
    crash(store, key)
    crashed.files.autosaver.key = None  # the crashed process is gone; it deletes nothing
    crashed.document.undo_stack.setClean()
    force_close(crashed)
    return store, key


def test_autosave_writes_recovery_files_while_dirty(qtbot, tmp_path) -> None:
    window = make_window(qtbot, tmp_path, autosave_ms=30)
    assert window.files.autosaver.interval_ms == 30
    store = edit_and_wait_for_autosave(qtbot, window)
    assert store.stale_entries() == []  # our own, live lock: not offered
    window.files.save_to(tmp_path / "saved.aflow")
    assert list(store.folder.iterdir()) == []  # saved: recovery files deleted
    force_close(window)


def test_crash_recovery_is_offered_and_kept_until_saved(qtbot, tmp_path) -> None:
    store, key = crashed_session(qtbot, tmp_path)
    assert store.paths(key)[0].exists()

    window = make_window(qtbot, tmp_path, autosave_ms=60_000)
    offered = []
    window.ask_recover = lambda entry: offered.append(entry) or "recover"
    asked = []
    window.ask_trust = lambda path, refs: asked.append(path) or "file"
    assert window.files.offer_recovery()
    assert asked == [str(store.paths(key)[0])]  # untitled work: its recovery file's trust
    assert [e.key for e in offered] == [key]
    assert "untitled" in offered[0].description
    doc = window.document
    assert list(doc.flow.nodes) == ["extract"]
    assert doc.is_dirty and window.windowTitle().startswith("untitled*")
    # recovering does not delete the recovery file (LMMS #2174); our pid now owns it
    assert store.paths(key)[0].exists()
    assert json.loads(store.paths(key)[2].read_text())["pid"] == os.getpid()
    assert store.stale_entries() == []
    window.files.save_to(tmp_path / "recovered.aflow")
    assert not store.paths(key)[0].exists() and not store.paths(key)[1].exists()
    force_close(window)


def test_discard_and_later(qtbot, tmp_path) -> None:
    store, key = crashed_session(qtbot, tmp_path)

    window = make_window(qtbot, tmp_path)
    window.ask_recover = lambda entry: "later"
    assert not window.files.offer_recovery()
    assert store.paths(key)[0].exists()
    window.ask_recover = lambda entry: "discard"
    assert not window.files.offer_recovery()
    assert not store.paths(key)[0].exists()
    assert store.stale_entries() == []
    force_close(window)


def test_recovered_work_discarded_on_close_is_deleted(qtbot, tmp_path) -> None:
    store, key = crashed_session(qtbot, tmp_path)

    window = make_window(qtbot, tmp_path)
    window.ask_recover = lambda entry: "recover"
    window.ask_trust = lambda path, refs: "file"
    assert window.files.offer_recovery()
    window.ask_save = lambda name: "cancel"
    assert not window.close()
    assert store.paths(key)[0].exists()  # cancelled: still recoverable
    window.ask_save = lambda name: "discard"
    assert window.close()
    assert not store.paths(key)[0].exists()


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(dead_pid())
    assert not pid_alive(0)
