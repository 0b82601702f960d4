"""Shared helpers of the Studio's app and panel tests (no tests here).

Tests never touch the user's settings or recovery folder: both live in ``tmp_path``.
"""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

from aetherflow import Flow

from aetherflow_studio.app.settings import StudioSettings

NODE_MODULE = '''
from aetherflow import BaseFlowContext, node, providers


class Counter:
    def __init__(self):
        self.n = 0


class Ctx(BaseFlowContext):
    counter = providers.Singleton(Counter)


@node(outputs=["numbers"])
def numbers(count: int = 3):
    """Make a list of numbers."""
    return {"numbers": list(range(count))}


@node
def scale(numbers: list, factor: float = 2.0, counter=None):
    """Multiply every number by a factor."""
    return {"scaled": [n * factor for n in numbers]}


@node
def describe(scaled: list, prefix: str = "n", verbose: bool = False):
    """Describe the numbers."""
    return {"text": prefix + str(scaled)}
'''


def write_node_module(folder: Path) -> tuple[str, Path]:
    """A node module with a unique name (modules are cached per process)."""
    name = f"studio_test_nodes_{uuid.uuid4().hex[:8]}"
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(NODE_MODULE), encoding="utf-8")
    return name, path


def write_untrusted_flow(folder: Path) -> tuple[Path, str]:
    """A saved flow whose node module has never been imported in this process."""
    name, _ = write_node_module(folder)
    flow = Flow("third_party")
    a = flow.add(f"{name}:numbers", position=(0, 0))
    b = flow.add(f"{name}:scale", position=(250, 0), factor=3.0)
    flow.connect(f"{a}.numbers", f"{b}.numbers")
    path = folder / "third_party.aflow"
    flow.save(path)
    return path, name


def imported(module: str, folder: Path) -> bool:
    """Whether ``module`` was imported, plainly or as ``folder``'s own module."""
    import sys

    from aetherflow.refs import folder_prefix

    return module in sys.modules or f"{folder_prefix(str(folder))}.{module}" in sys.modules


def make_settings(tmp_path: Path) -> StudioSettings:
    return StudioSettings(tmp_path / "settings.ini")


EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"


def make_window(qtbot, tmp_path: Path, settings: StudioSettings | None = None, **options):
    """A main window on temporary settings and recovery folder; questions must be answered.

    Unanswered questions fail the test: tests replace ``ask_*`` with what the user says.
    """
    from aetherflow_studio.app.main_window import MainWindow

    def unexpected(*args):
        raise AssertionError(f"unexpected question: {args}")

    options.setdefault("entry_points", False)
    window = MainWindow(
        settings=settings or make_settings(tmp_path),
        recovery_dir=tmp_path / "recovery",
        **options,
    )
    window.ask_save = unexpected
    window.ask_trust = unexpected
    window.ask_recover = unexpected
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    return window


def force_close(window) -> None:
    """Close without questions (test teardown)."""
    window.ask_save = lambda _name: "discard"
    window.close()
