"""`make run`: the Studio when there is a display, else the same flow headless.

"A display" means one Qt can really open: a desktop without the X11 libraries Qt's xcb
plugin needs would otherwise abort the interpreter (Qt calls qFatal), so a subprocess
tries first and, if it fails, the user is told why and the flow runs headless.
"""

from __future__ import annotations

import os
import subprocess
import sys

_PROBE = "from PySide6.QtWidgets import QApplication; QApplication([])"
X11_HINT = (
    "On Debian/Ubuntu the usual fix is: sudo apt install libxcb-cursor0 libxcb-icccm4 "
    "libxcb-keysyms1 libxkbcommon-x11-0"
)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM") in ("offscreen", "minimal"):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def qt_can_start() -> tuple[bool, str]:
    """Whether Qt opens the display, tried in a subprocess; the reason when it cannot."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        return False, "opening the display timed out"
    if proc.returncode == 0:
        return True, ""
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    return False, lines[0] if lines else f"exit code {proc.returncode}"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if has_display():
        ok, reason = qt_can_start()
        if ok:
            from .main import main as studio_main

            return int(studio_main(args))
        print(f"The Studio cannot open the display: {reason}", file=sys.stderr)
        if sys.platform.startswith("linux"):
            print(X11_HINT, file=sys.stderr)
    print("Running the flow headless with `aetherflow run` instead.", file=sys.stderr)
    from aetherflow.cli import main as cli_main

    return cli_main(["run", *args[:1], "--limit", "20"])


if __name__ == "__main__":
    sys.exit(main())
