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


def test_the_studio_itself_explains_a_display_qt_cannot_open(tmp_path):
    """``aetherflow-studio`` gives the launcher's message and exit status 2, not Qt's abort."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = ":54321"  # no X server there
    flow = str(ROOT / "resources" / "examples" / "realtime_counter.aflow")
    proc = subprocess.run(
        [sys.executable, "-m", "aetherflow_studio.app.main", flow],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "The Studio cannot open the display" in proc.stderr
    assert f"aetherflow run {flow}" in proc.stderr
    assert "sudo apt install" in proc.stderr


def test_the_message_names_the_missing_library_and_its_package():
    from aetherflow_studio.app import qt_probe

    qt_output = (
        "qt.qpa.plugin: From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt "
        'xcb platform plugin.\nqt.qpa.plugin: Could not load the Qt platform plugin "xcb"\n'
    )
    reason = qt_probe.reason_from(qt_output)
    assert reason.startswith("From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed")
    assert qt_probe.install_hint(None, reason).endswith("sudo apt install libxcb-cursor0")
    hint = qt_probe.install_hint("libxkbcommon-x11.so.0", "Could not load")
    assert hint.endswith("sudo apt install libxkbcommon-x11-0")


def test_run_flag_starts_a_run_once_the_window_shows(qtbot, tmp_path):
    """``make run`` passes ``--run``: the first thing a newcomer sees is a live run."""
    from aetherflow_studio.app.main_window import MainWindow
    from aetherflow_studio.app.settings import StudioSettings

    window = MainWindow(settings=StudioSettings(tmp_path / "s.ini"),
                        recovery_dir=tmp_path / "recovery", entry_points=False)  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    flow = ROOT / "resources" / "examples" / "realtime_counter.aflow"
    assert window.files.open_path(flow, ask=False)
    controller = window.run_ui.controller
    with qtbot.waitSignal(controller.run_started, timeout=10_000):
        window.run_ui.start_when_ready(delay_ms=10)
    controller.shutdown()
    window.document.undo_stack.setClean()
    window.close()
