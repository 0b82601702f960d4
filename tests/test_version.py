"""One version number: engine/src/aetherflow/VERSION, read by both pyproject files."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import aetherflow

import aetherflow_studio

ROOT = Path(__file__).resolve().parents[1]
VERSION_FILE = ROOT / "engine" / "src" / "aetherflow" / "VERSION"


def _version_line(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=60, check=True
    )
    return out.stdout.strip()


def test_the_version_file_is_the_one_source() -> None:
    version = VERSION_FILE.read_text(encoding="utf-8").strip()
    assert aetherflow.__version__ == aetherflow_studio.__version__ == version
    for pyproject in (ROOT / "pyproject.toml", ROOT / "engine" / "pyproject.toml"):
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        assert "version" not in project["project"], f"{pyproject} repeats the version"
        assert "version" in project["project"]["dynamic"]
        source = project["tool"]["setuptools"]["dynamic"]["version"]["file"]
        assert (pyproject.parent / source).resolve() == VERSION_FILE


def test_installed_metadata_agrees() -> None:
    # Editable installs record the version when installed: `make setup` reinstalls when
    # VERSION changes.
    assert importlib.metadata.version("aetherflow-engine") == aetherflow.__version__
    assert importlib.metadata.version("aetherflow-studio") == aetherflow.__version__


def test_both_commands_print_it() -> None:
    version = aetherflow.__version__
    assert _version_line("-m", "aetherflow", "--version") == f"aetherflow {version}"
    studio = _version_line("-m", "aetherflow_studio.app.main", "--version")
    assert studio == f"AetherFlow Studio {version}"
