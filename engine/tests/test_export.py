"""`export_script` and ``aetherflow export``: a standalone script that builds the same
flow with the public API and prints the same results as ``aetherflow run``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aetherflow import Flow, export_script
from aetherflow.errors import FlowError

HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = HERE.parents[1] / "resources" / "examples"
NODES_DIR = HERE / "dask"  # dask_nodes.py: plain nodes, no Dask needed to import it

if str(NODES_DIR) not in sys.path:
    sys.path.insert(0, str(NODES_DIR))

import dask_nodes as dn  # noqa: E402


def square_add() -> Flow:
    flow = Flow("square_add", context=dn.CountingContext, description='Squares, "plus" one.')
    flow.add(dn.square, label="Square it")
    flow.add(dn.add, offset=1)
    flow.add(dn.fails_on, bad=3)
    flow.set_constant("fails_on", "id", {"nested": [1, 2.5, None, True, "s"]})  # add()'s name
    flow.connect("square.y", "add.y")
    flow.add_group("frame", ["square", "add"], id="main", label="Main")
    flow.set_scope("pool", "isolated")
    flow.search_paths = [str(NODES_DIR)]
    return flow


def run_script(path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(path), *args], input=stdin, capture_output=True, text=True,
        timeout=120, cwd=path.parent,
    )  # fmt: skip


def lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_script_rebuilds_the_same_flow(tmp_path: Path) -> None:
    flow = square_add()
    text = export_script(flow)
    compile(text, "script.py", "exec")
    assert "from dask_nodes import CountingContext, add, fails_on, square" in text
    assert "flow.add(square, id='square', label='Square it')" in text
    assert "flow.set_constant('fails_on', 'id', {'nested': [1, 2.5, None, True, 's']})" in text
    assert "flow.set_scope('pool', 'isolated')" in text
    assert "flow.set_scope('state'" not in text  # declared scopes are not repeated
    namespace: dict[str, Any] = {"__name__": "exported"}
    exec(text, namespace)
    rebuilt = namespace["build_flow"]()
    assert rebuilt.to_dict() == flow.to_dict()


def test_exported_script_prints_what_flow_run_returns(tmp_path: Path) -> None:
    flow = square_add()
    script = tmp_path / "square_add.py"
    script.write_text(export_script(flow, str(script)))
    items = list(range(6))
    out = run_script(script, "--workers", "2", stdin="".join(f"{i}\n" for i in items))
    report = flow.run(items, workers=2)
    assert out.returncode == 1  # item 3 fails
    got = lines(out.stdout)
    assert [g for g in got if "__error__" not in g] == [r for r in report.results if r]
    assert got[3] == {"__error__": {
        "index": 3, "node": "fails_on", "type": "ValueError", "message": "bad item 3",
        "item": 3,
    }}  # fmt: skip
    assert "item 3 at node fails_on: ValueError: bad item 3" in out.stderr


def without_threads(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_threads(v) for k, v in value.items() if not k.startswith("thread")}
    if isinstance(value, list):
        return [without_threads(v) for v in value]
    return value


def test_cli_export_of_an_example_runs_like_aetherflow_run(tmp_path: Path) -> None:
    aflow = EXAMPLES_DIR / "etl_pipeline.aflow"
    script = tmp_path / "etl.py"
    done = subprocess.run(
        [sys.executable, "-m", "aetherflow", "export", str(aflow), "-o", str(script)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    exported = run_script(script, "--workers", "2", "--limit", "30")  # the source node runs
    ran = subprocess.run(
        [sys.executable, "-m", "aetherflow", "run", str(aflow), "--workers", "2",
         "--limit", "30"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert exported.returncode == ran.returncode == 0, exported.stderr + ran.stderr
    assert len(lines(exported.stdout)) == 30
    assert without_threads(lines(exported.stdout)) == without_threads(lines(ran.stdout))


def test_cli_export_to_stdout_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aetherflow.cli import main

    assert main(["export", str(EXAMPLES_DIR / "map_reduce.aflow")]) == 0
    assert "def build_flow() -> Flow:" in capsys.readouterr().out
    assert main(["export", str(tmp_path / "missing.aflow")]) == 2
    assert "aetherflow export:" in capsys.readouterr().err


def test_unexportable_flows_say_why() -> None:
    flow = Flow("bad")
    flow.add(lambda x: x, id="anon")
    with pytest.raises(FlowError, match=r"node 'anon'.*not importable"):
        export_script(flow)
    flow = Flow("bad")
    flow.add(dn.square, id="sq", factor=object())
    with pytest.raises(FlowError, match="constant 'factor' of node 'sq'"):
        export_script(flow)


def test_script_written_beside_the_flow_finds_its_nodes_relative_to_itself(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    examples = Path(__file__).resolve().parents[2] / "resources" / "examples"
    project = tmp_path / "project"
    shutil.copytree(examples, project / "flows", ignore=shutil.ignore_patterns("__pycache__"))
    script = project / "scripts" / "counter.py"
    script.parent.mkdir()
    from aetherflow.cli import main

    assert (
        main(["export", str(project / "flows" / "realtime_counter.aflow"), "-o", str(script)]) == 0
    )
    text = script.read_text()
    assert "os.path.join(HERE, '../flows')" in text
    moved = tmp_path / "moved"
    shutil.move(project, moved)  # the script and the flows move together
    out = subprocess.run(
        [sys.executable, str(moved / "scripts" / "counter.py"), "--limit", "40"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert len(out.stdout.splitlines()) == 40


def test_export_to_a_missing_folder_is_a_clear_error(tmp_path: Path, capsys) -> None:
    from aetherflow.cli import main

    examples = Path(__file__).resolve().parents[2] / "resources" / "examples"
    code = main(
        ["export", str(examples / "realtime_counter.aflow"), "-o", str(tmp_path / "no" / "x.py")]
    )
    assert code == 2
    assert "cannot write" in capsys.readouterr().err


def test_script_never_holds_an_absolute_path_of_the_exporting_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = Flow.load(EXAMPLES_DIR / "realtime_counter.aflow")
    flow.search_paths = [str(EXAMPLES_DIR), str(tmp_path / "elsewhere")]  # the second holds none
    for script_path in (str(tmp_path / "out" / "counter.py"), None):
        monkeypatch.chdir(tmp_path)  # without a script path, the script's folder is the cwd
        text = export_script(flow, script_path)
        paths_line = next(ln for ln in text.splitlines() if ln.startswith("SEARCH_PATHS"))
        assert f"'{EXAMPLES_DIR}" not in text and f"'{tmp_path}" not in text
        assert "'/" not in paths_line
        assert "elsewhere" not in paths_line
        assert "os.path.join(HERE, " in paths_line
    script = tmp_path / "counter.py"
    script.write_text(export_script(flow))  # written where stdout would be redirected
    out = subprocess.run(
        [sys.executable, str(script), "--limit", "40"], capture_output=True, text=True,
        timeout=120, cwd="/", check=True,
    )  # fmt: skip
    assert len(out.stdout.splitlines()) == 40
