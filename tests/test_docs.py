"""The docs cannot rot: links resolve, shown commands run, complete code examples run.

Every command in a ``sh``/``bash``/``console``/``shell`` block of README.md and docs/*.md
is either run here (``aetherflow ...``, ``aetherflow-studio ...``, ``python -c ...``) or
listed in `RUN_ELSEWHERE` with where it runs. Python blocks of the pages in `PY_PAGES` are
executed unless an HTML comment starting with ``<!-- fragment`` precedes them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PY_PAGES = {"README.md", "concepts.md", "debugging.md", "getting-started.md"}
SHELL = {"sh", "bash", "console", "shell"}
HOME_INSTALL = "installs into the user's home: a manual step, shown in docs/packaging.md"
RUN_ELSEWHERE = {
    "make run": "test_make_run_without_display runs its command headless",
    "make test": ".ci/run runs it",
    "make bundle": ".ci/run runs it",
    "make bundle-smoke": ".ci/run runs it",
    "python3 -m venv .venv": "`make setup` runs the same (the Makefile's stamp target)",
    ".venv/bin/pip install -e './engine[dask]' -e '.[dev]'": "`make setup` runs the same",
    "mkdir -p ~/.local/opt ~/.local/bin ~/.local/share/applications "
    "~/.local/share/icons/hicolor/scalable/apps ~/.local/share/icons/hicolor/256x256/apps": (
        HOME_INSTALL
    ),
    "cp -r build/dist/aetherflow-studio ~/.local/opt/": HOME_INSTALL,
    "ln -sf ~/.local/opt/aetherflow-studio/aetherflow-studio ~/.local/bin/aetherflow-studio": (
        HOME_INSTALL
    ),
    "install -m 644 packaging/aetherflow-studio.desktop ~/.local/share/applications/": (
        HOME_INSTALL
    ),
    "install -m 644 resources/icons/aetherflow.svg ~/.local/share/icons/hicolor/scalable/apps/": (
        HOME_INSTALL
    ),
    "install -m 644 resources/icons/aetherflow.png ~/.local/share/icons/hicolor/256x256/apps/": (
        HOME_INSTALL
    ),
    "update-desktop-database ~/.local/share/applications": HOME_INSTALL,
}
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.M | re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _rel(page: Path) -> str:
    return str(page.relative_to(ROOT))


def code_blocks(page: Path) -> list[tuple[str, str, bool]]:
    """(language, code, is_fragment) of each fenced block."""
    text = page.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip().splitlines()
        fragment = bool(before) and before[-1].strip().startswith("<!-- fragment")
        blocks.append((match.group(1).lower(), match.group(2), fragment))
    return blocks


def shell_commands(page: Path) -> list[str]:
    commands = []
    for lang, code, _fragment in code_blocks(page):
        if lang not in SHELL:
            continue
        for line in code.splitlines():
            line = line.strip().removeprefix("$ ")
            line = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()  # a trailing comment
            if line and not line.startswith("#"):
                commands.append(" ".join(line.split()))
    return commands


def slugs(page: Path) -> set[str]:
    """GitHub's anchors for the headings of ``page`` (code blocks left out)."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    found = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


ALL_COMMANDS = sorted({(c, _rel(p)) for p in PAGES for c in shell_commands(p)})
RUN_HERE = [(c, page) for c, page in ALL_COMMANDS if c not in RUN_ELSEWHERE]


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_relative_links_resolve(page: Path) -> None:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{_rel(page)}: broken link {target}"
        if anchor and file.suffix == ".md":
            assert anchor in slugs(file), f"{_rel(page)}: no heading for #{anchor} in {target}"


def test_every_command_is_run_or_accounted_for() -> None:
    runnable = ("aetherflow ", "aetherflow-studio ", "python -c ")
    for command, page in RUN_HERE:
        assert command.startswith(runnable), (
            f"{page}: `{command}` is neither run by tests/test_docs.py nor listed in "
            "RUN_ELSEWHERE with where it runs"
        )
    shown = {c for c, _page in ALL_COMMANDS}
    stale = [c for c in RUN_ELSEWHERE if c not in shown]
    assert not stale, f"RUN_ELSEWHERE lists commands no page shows any more: {stale}"


def _argv(command: str) -> list[str]:
    words = shlex.split(command)
    if words[0] == "aetherflow":
        return [sys.executable, "-m", "aetherflow", *words[1:]]
    if words[0] == "aetherflow-studio":
        return [sys.executable, "-m", "aetherflow_studio.app.main", *words[1:]]
    assert words[0] == "python", command
    return [sys.executable, *words[1:]]


@pytest.mark.parametrize(("command", "page"), RUN_HERE, ids=[c for c, _p in RUN_HERE])
def test_shown_command_runs(command: str, page: str) -> None:
    out = subprocess.run(_argv(command), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"{page}: `{command}` exited {out.returncode}:\n{out.stderr}"
    if command.startswith("aetherflow run "):
        lines = out.stdout.splitlines()
        assert lines and all(isinstance(json.loads(line), dict) for line in lines)


def test_make_run_without_display(tmp_path: Path) -> None:
    """`make run` with no display runs the example headless (its recipe, without make)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    flow = "resources/examples/etl_pipeline.aflow"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/python -m aetherflow_studio.app.launch $(EXAMPLE)" in makefile
    assert f"EXAMPLE ?= {flow}" in makefile
    out = subprocess.run(
        [sys.executable, "-m", "aetherflow_studio.app.launch", flow],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    results = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(results) == 20 and all(r["result"]["status"] for r in results)


PY_BLOCKS = [
    (page.name, i, code)
    for page in PAGES
    if page.name in PY_PAGES
    for i, (lang, code, fragment) in enumerate(code_blocks(page))
    if lang == "python" and not fragment
]


@pytest.mark.parametrize(
    ("page", "index", "code"), PY_BLOCKS, ids=[f"{p}[{i}]" for p, i, _c in PY_BLOCKS]
)
def test_python_example_runs(page: str, index: int, code: str, tmp_path: Path) -> None:
    script = tmp_path / "example.py"  # a file: `@node` reads return statements from source
    script.write_text(code, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, f"{page} block {index} failed:\n{out.stderr}"
