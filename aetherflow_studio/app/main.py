"""``aetherflow-studio [FLOW]``: start the Studio (optionally on a flow file)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from aetherflow import __version__

from aetherflow_studio.library.resources import examples_dir, icon_path

from . import qt_probe

EXAMPLES_DIR = examples_dir()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aetherflow-studio",
        description="Design flows of plain Python functions and run them on worker threads.",
    )
    parser.add_argument("flow", nargs="?", help="a .aflow file to open")
    parser.add_argument("--version", action="version", version=f"AetherFlow Studio {__version__}")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the window offscreen on FLOW (or a bundled example) and exit 0 if it works",
    )
    parser.add_argument("--settings", help="an ini file to use instead of the user's settings")
    parser.add_argument(
        "--run", action="store_true", help="start a run of FLOW as soon as the window is open"
    )
    parser.add_argument(qt_probe.PROBE_FLAG, action="store_true", help=argparse.SUPPRESS)
    return parser


def bundled_example() -> Path | None:
    """The first example flow shipped in resources/examples, if any."""
    preferred = EXAMPLES_DIR / "etl_pipeline.aflow"
    if preferred.exists():
        return preferred
    return next(iter(sorted(EXAMPLES_DIR.glob("*.aflow"))), None)


def smoke_test(flow: str | None, settings_path: str | None) -> int:
    """Open the window offscreen on a flow, check it drew, close it. Exit status 0 when fine."""
    import tempfile

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("AETHERFLOW_STUDIO_NO_DIALOGS", "1")  # report, never wait for a click
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow
    from .settings import StudioSettings

    app = QApplication.instance() or QApplication(["aetherflow-studio"])
    with tempfile.TemporaryDirectory(prefix="aetherflow-smoke-") as tmp:
        settings = StudioSettings(settings_path or Path(tmp) / "settings.ini")
        window = MainWindow(settings=settings, recovery_dir=Path(tmp) / "recovery")
        from .start_page import install as install_start_page

        install_start_page(window).show()  # opening the flow below brings the canvas back
        example = bundled_example()
        target = flow or (str(example) if example else None)
        # Our own examples are imported; a file given on the command line is only drawn.
        answer = "file" if flow is None else "no"
        window.ask_trust = lambda _path, _refs: answer  # type: ignore[assignment]
        if target and not window.files.open_path(target, ask=False):
            print(f"smoke test: cannot open {target}: {window.files.last_error}", file=sys.stderr)
            return 1
        window.show()
        app.processEvents()
        from aetherflow_studio.run_ui.smoke import run_to_end

        if target and run_to_end(app, window):  # run the flow to the end
            window.document.undo_stack.setClean()
            window.close()
            _dispose(app, window)
            return 1
        nodes = len(window.document.flow.nodes)
        window.document.undo_stack.setClean()
        window.close()
        print(f"smoke test: ok ({target or 'empty flow'}, {nodes} nodes)")
        _dispose(app, window)
    return 0


def _dispose(app: Any, window: Any) -> None:
    """Delete the window while the application still exists: left to interpreter exit,
    the order in which Qt objects are destroyed is arbitrary and can crash."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()


def main(argv: list[str] | None = None, probed: bool = False) -> int:
    """Run the Studio; returns the process exit status.

    Unless ``probed`` (the caller checked already), Qt is first tried in a subprocess, so a
    display Qt cannot open gives a clear message and exit status 2 instead of Qt's abort.
    """
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.qt_probe:
        from PySide6.QtWidgets import QApplication

        QApplication([])
        return 0
    if args.smoke_test:
        return smoke_test(args.flow, args.settings)
    reason = None if probed else qt_probe.check()
    if reason is not None:
        print(qt_probe.explain(reason, args.flow), file=sys.stderr)
        return 2
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow
    from .settings import StudioSettings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("AetherFlow")
    app.setApplicationName("Studio")
    app.setApplicationDisplayName("AetherFlow Studio")
    app.setWindowIcon(QIcon(str(icon_path())))
    window = MainWindow(settings=StudioSettings(args.settings))
    window.show()
    open_first(window, args.flow)
    if args.run and window.run_ui is not None:
        window.run_ui.start_when_ready()
    return int(app.exec())


def open_first(window: Any, flow: str | None) -> None:
    """What a new window shows: recovered work, else ``flow``, else the start page."""
    from . import start_page

    window.start_page = start_page.install(window)
    if window.files.offer_recovery():
        return
    if flow and window.files.open_path(flow, ask=False):
        return
    window.start_page.show()


if __name__ == "__main__":
    sys.exit(main())
