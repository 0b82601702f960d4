"""Entry point of the bundled Studio (PyInstaller runs this script)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # A run "in a separate process" starts this executable again as its child: let
    # multiprocessing take over such a start before the Studio does.
    multiprocessing.freeze_support()
    from aetherflow_studio.app.main import main

    sys.exit(main(sys.argv[1:]))
