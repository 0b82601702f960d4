"""`make run`: the Studio when there is a display, else the same flow headless.

"A display" means one Qt can really open: a desktop without the X11 libraries Qt's xcb
plugin needs would otherwise abort the interpreter (Qt calls qFatal), so a subprocess
tries first (`qt_probe`) and, if it fails, the user is told why and the flow runs headless.
"""

from __future__ import annotations

import sys

from . import qt_probe


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    flow = next((a for a in args if not a.startswith("-")), None)
    if qt_probe.has_display():
        reason = qt_probe.check()
        if reason is None:
            from .main import main as studio_main

            return int(studio_main(args, probed=True))
        print(qt_probe.explain(reason, flow), file=sys.stderr)
    print("Running the flow headless with `aetherflow run` instead.", file=sys.stderr)
    from aetherflow.cli import main as cli_main

    return cli_main(["run", *([flow] if flow else []), "--limit", "20"])


if __name__ == "__main__":
    sys.exit(main())
