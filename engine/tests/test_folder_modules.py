"""Node modules are imported per flow folder: two folders that each have a ``nodes.py``
(and a ``helpers.py`` it imports) never run each other's code in one process."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from aetherflow import Flow
from aetherflow.refs import forget_folder_module, resolve_ref


def write_folder(folder: Path, who: str) -> Path:
    folder.mkdir()
    (folder / "helpers.py").write_text(f"WHO = {who!r}\n", "utf-8")
    (folder / "nodes.py").write_text(
        textwrap.dedent("""
            import helpers
            from aetherflow import node

            class Memo:
                def __init__(self):
                    self.who = helpers.WHO

            @node
            def who(x: int, memo: Memo) -> dict:
                return {"who": helpers.WHO, "memo": memo.who, "x": x}
        """),
        "utf-8",
    )
    flow = Flow(who)
    flow.add("nodes:who")
    flow.add_service("memo", "nodes:Memo", "shared")
    flow.save(folder / "flow.aflow")
    return folder / "flow.aflow"


@pytest.fixture
def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    return write_folder(tmp_path / "a", "a"), write_folder(tmp_path / "b", "b")


def test_each_flow_runs_its_own_folders_modules(two_folders: tuple[Path, Path]) -> None:
    a, b = two_folders
    first = Flow.load(a).run([{"x": 1}], workers=1).results
    second = Flow.load(b).run([{"x": 2}], workers=1).results
    assert first == [{"who": "a", "memo": "a", "x": 1}]
    assert second == [{"who": "b", "memo": "b", "x": 2}]
    assert "nodes" not in sys.modules and "helpers" not in sys.modules  # plain names untouched


def test_a_folders_module_is_imported_once_and_can_be_forgotten(tmp_path: Path) -> None:
    path = write_folder(tmp_path / "a", "a")
    folder = str(path.parent)
    one = resolve_ref("nodes:who", [folder])
    assert resolve_ref("nodes:who", [folder]) is one
    (path.parent / "helpers.py").write_text("WHO = 'edited'\n", "utf-8")
    forget_folder_module("nodes", folder)
    forget_folder_module("helpers", folder)
    again = resolve_ref("nodes:who", [folder])
    assert again is not one
    assert again.func(1, type("M", (), {"who": "m"})())["who"] == "edited"


def test_plain_imports_keep_working_beside_folder_ones(tmp_path: Path, monkeypatch) -> None:
    path = write_folder(tmp_path / "a", "a")
    monkeypatch.syspath_prepend(str(path.parent))
    import nodes  # the user's own script imports it the ordinary way

    try:
        assert resolve_ref("nodes:who", [str(path.parent)]) is nodes.who  # the same module
    finally:
        sys.modules.pop("nodes", None)
        sys.modules.pop("helpers", None)
