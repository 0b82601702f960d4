"""`make run`: the Studio when there is a display, else the same flow headless."""

from __future__ import annotations

import os
import sys


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM") in ("offscreen", "minimal"):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if has_display():
        try:
            from .main import main as studio_main
        except ImportError:
            studio_main = None  # the Studio is not built yet
        if studio_main is not None:
            return int(studio_main(args))
    print("No display: running the flow headless with `aetherflow run`.", file=sys.stderr)
    from aetherflow.cli import main as cli_main

    return cli_main(["run", *args[:1], "--limit", "20"])


if __name__ == "__main__":
    sys.exit(main())
