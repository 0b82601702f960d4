"""Entry point of the bundled Studio (PyInstaller runs this script)."""

import sys

from aetherflow_studio.app.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
