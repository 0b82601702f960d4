"""Render the Studio screenshots of the docs (offscreen, fresh settings, first-start layout).

- ``docs/images/studio-main.png``: 1600x1000, the ETL example open, "transform" selected.
- ``docs/images/studio-running.png``: 1600x1000, the ETL example mid-run on 4 workers.
- ``docs/images/big-flow.png``: 1600x1000, a 1,000-node flow opened without positions (laid
  out on open), zoomed to 50 % with the minimap.
- ``docs/images/design-*.png``: the flow of getting-started.md designed from a blank canvas
  (``docs/examples/crawl``; it also writes ``docs/examples/crawl/crawl.aflow``): the
  window, the node menu, the Add Service and Flow Settings dialogs, the finished run.

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


CRAWL = ROOT / "docs" / "examples" / "crawl"


def _design(window) -> None:
    """What the getting-started walkthrough does, step by step (its result is the file)."""
    from PySide6.QtCore import QPointF

    window.library.add_source(str(CRAWL / "mynodes.py"))
    entries = {e.name: e for e in window.library.catalog_entries()}
    for i, name in enumerate(("urls", "fetch", "measure", "count")):
        window.add_node(entries[name].node, QPointF(260.0 * i, 0.0))
    doc = window.document
    for source, target in (("urls.urls", "fetch.url"), ("fetch.size", "measure.size"),
                           ("measure.units", "count.units")):  # fmt: skip
        doc.connect(source, target)
    doc.set_source("urls")
    doc.set_constant("urls", "n", 20)
    window.auto_layout()


def _declare(window) -> None:
    from aetherflow_studio.document.design_commands import FlowSettings

    doc = window.document
    doc.add_service("cache", "mynodes:Cache", "isolated")
    doc.add_service("counter", "mynodes:Counter", "shared", {"start": 0})
    doc.set_flow_settings(FlowSettings(
        "crawl", "Counts pages: one shared, locked counter; a cache per worker thread.",
        None, None, "urls", {"kind": "source", "count": 0},
    ))  # fmt: skip


def render_design(app, tmp: Path, out: Path) -> None:
    from aetherflow_studio.app.flow_settings_dialog import FlowSettingsDialog
    from aetherflow_studio.app.main_window import MainWindow
    from aetherflow_studio.app.settings import StudioSettings
    from aetherflow_studio.document.design_commands import settings_of
    from aetherflow_studio.panels.service_dialog import ServiceDialog, ServiceValues

    root = tmp / "design"
    window = MainWindow(settings=StudioSettings(root / "settings.ini"), recovery_dir=root / "r",
                        examples=False)  # fmt: skip
    window.resize(1600, 1000)
    window.show()
    _spin(app, 0.3)
    _design(window)
    window.select_node("fetch")
    menu = window.scene.node_menu("fetch")
    menu.popup(window.mapToGlobal(window.rect().center()))
    _spin(app, 0.3)
    menu.grab().save(str(out / "design-node-menu.png"))
    menu.hide()
    _declare(window)
    window.document.save(str(CRAWL / "crawl.aflow"))
    window.select_node("fetch")
    _spin(app, 0.5)
    window.grab().save(str(out / "design-canvas.png"))
    factories = window.services.factories()
    counter = ServiceValues("counter", "mynodes:Counter", "shared", {"start": 0})
    dialog = ServiceDialog(window, "Add Service", factories, counter)
    dialog.show()
    _spin(app, 0.3)
    dialog.grab().save(str(out / "design-add-service.png"))
    dialog.close()
    contexts = [(c.ref, c.cls) for c in window.library.catalog.classes(contexts=True)]
    sources = [(n, n == "urls") for n in window.document.flow.nodes]
    settings = FlowSettingsDialog(window, settings_of(window.document.flow), contexts, sources)
    settings.show()
    _spin(app, 0.3)
    settings.grab().save(str(out / "design-flow-settings.png"))
    settings.close()
    ui = window.run_ui
    ui.panel.workers.setValue(4)
    window.actions["run.start"].trigger()
    deadline = time.monotonic() + 20
    while ui.controller.state != "idle" or ui.controller.number == 0:
        _spin(app, 0.05)
        if time.monotonic() > deadline:
            break
    _spin(app, 0.5)
    window.docks["thread_state"].raise_()
    _spin(app, 0.3)
    window.grab().save(str(out / "design-run.png"))
    _close(window)


def render_big(app, tmp: Path, out: Path) -> None:
    import random

    from aetherflow import Flow, node

    from aetherflow_studio.app.main_window import MainWindow
    from aetherflow_studio.app.settings import StudioSettings

    @node(outputs=["out"])
    def step(value: int = 0) -> dict:
        return {"out": value}

    rng = random.Random(3)
    flow = Flow("big")
    ids = [flow.add(step, f"n{i}") for i in range(1000)]
    for i in range(1, 1000):
        flow.connect(f"{ids[rng.randrange(max(0, i - 20), i)]}.out", f"{ids[i]}.value")
    path = tmp / "big.aflow"
    flow.save(path)  # every node at (0, 0): laid out when it opens
    window = MainWindow(settings=StudioSettings(tmp / "big.ini"), recovery_dir=tmp / "rb")
    window.ask_trust = lambda _path, _refs: "no"  # type: ignore[assignment]
    window.resize(1600, 1000)
    window.show()
    window.files.open_path(str(path), ask=False)
    _spin(app, 0.5)
    window.view.set_zoom(0.5)
    _spin(app, 0.5)
    window.grab().save(str(out / "big-flow.png"))
    _close(window)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    parser.add_argument("--seconds", type=float, default=2.5, help="run time before the grab")
    parser.add_argument("--only", choices=("main", "running", "design", "big"))
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
        if opts.only in (None, "big"):
            render_big(app, Path(tmp), out)
        if opts.only in (None, "design"):
            render_design(app, Path(tmp), out)
    print(f"rendered into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
