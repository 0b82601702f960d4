"""`make run`'s launcher: with a display Qt cannot open, it says why and runs headless."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_unusable_display_falls_back_to_a_headless_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = ":54321"  # no X server there
    env["TMPDIR"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "aetherflow_studio.app.launch",
         str(ROOT / "resources" / "examples" / "realtime_counter.aflow")],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "The Studio cannot open the display" in proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 20
    assert all("page_views" in json.loads(line)["result"] for line in lines)
