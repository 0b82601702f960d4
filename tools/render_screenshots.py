"""Render the Studio screenshots of the docs (offscreen, fresh settings, first-start layout).

- ``docs/images/studio-main.png``: 1600x1000, the ETL example open, "transform" selected.
- ``docs/images/studio-running.png``: 1600x1000, the ETL example mid-run on 4 workers.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/render_screenshots.py [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = Path("resources") / "examples" / "etl_pipeline.aflow"  # relative: the status bar


def _open_window(app, tmp: Path, size: tuple[int, int]):
    from aetherflow_studio.app.main_window import MainWindow
    from aetherflow_studio.app.settings import StudioSettings

    window = MainWindow(settings=StudioSettings(tmp / "settings.ini"), recovery_dir=tmp / "rec")
    window.ask_trust = lambda _path, _refs: "file"  # type: ignore[assignment]
    window.resize(*size)
    window.show()
    window.files.open_path(str(EXAMPLE), ask=False)
    _spin(app, 0.3)
    window.frame_all()
    return window


def _spin(app, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)


def _close(window) -> None:
    window.run_ui.controller.shutdown()
    window.document.undo_stack.setClean()
    window.close()


def render_main(app, tmp: Path, out: Path) -> None:
    window = _open_window(app, tmp / "main", (1600, 1000))
    window.select_node("transform")
    _spin(app, 0.3)
    window.grab().save(str(out / "studio-main.png"))
    _close(window)


def render_running(app, tmp: Path, out: Path, seconds: float) -> None:
    window = _open_window(app, tmp / "running", (1600, 1000))
    window.document.set_constant("orders", "count", 20_000)  # long enough to grab it mid-run
    window.select_node("extract")
    ui = window.run_ui
    ui.panel.workers.setValue(4)
    ui.panel.set_input("source", 0)
    window.actions["run.start"].trigger()
    _spin(app, seconds)
    window.grab().save(str(out / "studio-running.png"))
    _close(window)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    parser.add_argument("--seconds", type=float, default=2.5, help="run time before the grab")
    parser.add_argument("--only", choices=("main", "running"))
    opts = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["aetherflow-studio"])
    out = Path(opts.out).resolve()
    os.chdir(ROOT)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aetherflow-shots-") as tmp:
        if opts.only in (None, "main"):
            render_main(app, Path(tmp), out)
        if opts.only in (None, "running"):
            render_running(app, Path(tmp), out, opts.seconds)
    print(f"rendered into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
