"""File > Export: the open flow as a standalone script that runs without the .aflow."""

from __future__ import annotations

import json
import subprocess
import sys

from test_app_support import EXAMPLES, force_close, make_window


def test_export_writes_a_script_that_prints_the_same_results(qtbot, tmp_path) -> None:
    window = make_window(qtbot, tmp_path)
    assert window.files.open_path(EXAMPLES / "realtime_counter.aflow")
    assert window.document.trusted  # a bundled example
    for node_id, constant in (("normalize", "ingest_ms"), ("count_view", "store_ms"),
                              ("views", "count")):  # fmt: skip
        window.document.set_constant(node_id, constant, 60 if constant == "count" else 0.0)
    script = tmp_path / "counter.py"
    assert window.actions["file.export"].text().startswith("&Export")
    assert window.files.export_to(script)
    out = subprocess.run(
        [sys.executable, str(script), "--workers", "1"],  # one worker: a deterministic order
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    expected = window.document.flow.copy().run(workers=1).results
    assert len(lines) == len(expected) == 60
    assert [r["result"] for r in lines] == [r["result"] for r in expected]
    force_close(window)  # the edited constants are not saved


def test_export_failure_is_reported_not_raised(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AETHERFLOW_STUDIO_NO_DIALOGS", "1")
    window = make_window(qtbot, tmp_path)
    assert window.files.open_path(EXAMPLES / "realtime_counter.aflow")
    assert not window.files.export_to(tmp_path / "missing" / "x.py")
    assert "No such file" in (window.files.last_error or "")
