"""Make the bundled examples importable: their node modules are top-level modules that
live in ``resources/examples`` (a flow file's own folder is searched when it is loaded;
code-built flows and the builder script need the folder on ``sys.path``)."""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "resources" / "examples"

if str(EXAMPLES_DIR) not in sys.path:
    sys.path.insert(0, str(EXAMPLES_DIR))
