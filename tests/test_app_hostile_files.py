"""Files that try to fool the Studio: control characters in ids, code that must not run
before the user trusts it, temp files left by a killed save."""

from __future__ import annotations

import os
import subprocess
import sys

import studio_nodes
from aetherflow import Flow
from test_app_support import force_close, make_window

EVIL = "fake\nline\x1b[31m\x00"


def test_control_characters_in_ids_show_escaped_in_the_problems_panel(qtbot, tmp_path) -> None:
    flow = Flow("hostile")
    flow.add(studio_nodes.clean, id=EVIL, position=(0, 0))  # 'rows' unwired: a flow input
    path = tmp_path / "hostile.aflow"
    flow.save(path)
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda _path, _refs: "no"
    with qtbot.waitSignal(window.validation.problems_found, timeout=5000):
        assert window.files.open_path(path)
    qtbot.waitUntil(lambda: window.problems.count() > 0, timeout=5000)
    tree = window.problems.tree
    texts = [tree.topLevelItem(i).text(c) for i in range(tree.topLevelItemCount()) for c in (1, 2)]
    assert any("fake\\nline\\x1b[31m\\x00" in t for t in texts), texts
    assert not any(ch in t for t in texts for ch in "\n\x1b\x00")
    assert window.scene.node_items[EVIL].title == "fake\\nline\\x1b[31m\\x00"  # canvas
    force_close(window)


MARKING_MODULE = """
import os
from aetherflow import node

open(os.environ["IMPORT_MARKER"], "w").write("imported")


@node
def passthrough(x: int = 1) -> dict:
    return {"y": x}
"""


def _marking_flow(folder, name: str = "marking_nodes"):
    """A flow whose node module leaves a marker file when it is imported."""
    (folder / f"{name}.py").write_text(MARKING_MODULE)
    flow = Flow("marking")
    flow.add(f"{name}:passthrough", id="passthrough", position=(0, 0))
    path = folder / "marking.aflow"
    flow.save(path)
    return path


def test_smoke_test_of_an_untrusted_file_draws_it_and_runs_nothing(tmp_path) -> None:
    path = _marking_flow(tmp_path)
    marker = tmp_path / "imported.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IMPORT_MARKER": str(marker)}
    proc = subprocess.run(
        [sys.executable, "-m", "aetherflow_studio.app.main", "--smoke-test", str(path)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not marker.exists()  # nothing imported, nothing run
    assert "not trusted: drawn, not run" in proc.stdout
    assert "1 nodes drawn" in proc.stdout and "smoke test: ok" in proc.stdout


def test_an_untitled_recovery_entry_waits_for_trust(qtbot, tmp_path, monkeypatch) -> None:
    from test_app_recovery import crash

    from aetherflow_studio.app.recovery import RecoveryStore

    monkeypatch.setenv("IMPORT_MARKER", str(tmp_path / "imported.txt"))
    monkeypatch.syspath_prepend(str(tmp_path))  # importable, if anything dared to import it
    flow = Flow.load(_marking_flow(tmp_path, "recovered_nodes"))
    store = RecoveryStore(tmp_path / "recovery")
    key = store.new_key()
    store.write(key, flow, None)  # unsaved work of a session that then crashed
    crash(store, key)
    window = make_window(qtbot, tmp_path)
    try:
        _recover_untrusted(window, store, key, tmp_path)
    finally:
        force_close(window)


def _recover_untrusted(window, store, key, tmp_path) -> None:
    window.ask_recover = lambda entry: "recover"
    asked = []
    window.ask_trust = lambda path, refs: asked.append((path, refs)) or "no"
    assert window.files.offer_recovery()
    assert asked == [(str(store.paths(key)[0]), ["recovered_nodes:passthrough"])]
    assert not (tmp_path / "imported.txt").exists() and "recovered_nodes" not in sys.modules
    doc = window.document
    assert not doc.trusted and list(doc.flow.nodes) == ["passthrough"]  # drawn
    assert "passthrough" in window.scene.node_items
    window.ask_trust = lambda path, refs: "file"  # File > Trust and Import Code…
    window.actions["file.trust"].trigger()
    assert doc.trusted and (tmp_path / "imported.txt").exists()


def test_killed_saves_leave_no_temp_files_and_recovery_offers_none(qtbot, tmp_path) -> None:
    from aetherflow.graph.atomicfile import stale_temps
    from test_app_recovery import crashed_session

    store, key = crashed_session(qtbot, tmp_path)
    flow_file = store.paths(key)[0]
    leftover = flow_file.parent / f".{flow_file.name}.abcd1234.tmp"  # a killed autosave's
    leftover.write_text("{half a file")
    assert stale_temps(str(flow_file)) == [str(leftover)]
    window = make_window(qtbot, tmp_path, autosave_ms=30)
    offered = []
    window.ask_recover = lambda entry: offered.append(entry) or "recover"
    window.ask_trust = lambda path, refs: "file"
    assert window.files.offer_recovery()
    assert [e.key for e in offered] == [key]  # the temp file is no user file
    window.library.request_add("etl_pipeline_nodes:extract")  # edit: the next autosave
    qtbot.waitUntil(lambda: not leftover.exists(), timeout=5000)
    force_close(window)


def test_control_characters_in_a_failing_nodes_id_show_escaped_in_the_errors_panel(
    qtbot, tmp_path
) -> None:
    from aetherflow import node
    from test_run_support import open_flow

    @node
    def explode(i: int) -> dict:
        raise ValueError(f"item {i}\x1b[2J")

    flow = Flow("exploding")
    flow.add(explode, id=EVIL, position=(0, 0))
    window = make_window(qtbot, tmp_path)
    open_flow(window, flow)
    ui = window.run_ui
    ui.panel.set_input("count", 3)
    with qtbot.waitSignal(ui.controller.run_finished, timeout=30_000):
        window.actions["run.start"].trigger()
    qtbot.waitUntil(lambda: ui.errors.list.topLevelItemCount() == 3, timeout=10_000)
    rows = [ui.errors.list.topLevelItem(i) for i in range(3)]
    texts = [row.text(c) for row in rows for c in range(4)]
    assert rows[0].text(1) == "fake\\nline\\x1b[31m\\x00" and "\\x1b[2J" in rows[0].text(3)
    assert not any(ch in t for t in texts for ch in "\n\x1b\x00")
    head = ui.errors.traceback.toPlainText().split("\n\n", 1)[0]
    assert "node fake\\nline\\x1b[31m\\x00" in head and "\x1b" not in head
    assert "\x1b" not in ui.panel.status.text()
    force_close(window)
