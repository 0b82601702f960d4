"""Where the Studio's resources (example flows, icons) are: the source tree or the bundle.

In the source tree (and an editable install) they sit in ``resources/`` at the repository
root. In the PyInstaller bundle they are data files under ``sys._MEIPASS/resources``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The folder holding ``examples/`` and ``icons/``."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def examples_dir() -> Path:
    """The example flows (``*.aflow``) and their node modules (``*_nodes.py``)."""
    return resources_dir() / "examples"


def icon_path() -> Path:
    """The application icon (PNG; an SVG of the same name sits next to it)."""
    return resources_dir() / "icons" / "aetherflow.png"
