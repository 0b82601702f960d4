"""The engine never loads Qt: checked in a fresh interpreter."""

import subprocess
import sys


def test_import_aetherflow_loads_no_qt_and_no_studio():
    code = (
        "import sys, aetherflow, aetherflow.cli, aetherflow.runtime.program\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph', 'aetherflow_studio', 'PyQt5', 'PyQt6')]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
