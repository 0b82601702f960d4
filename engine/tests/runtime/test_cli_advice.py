"""``aetherflow run --profile-shared`` in a subprocess: scope advice on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_advice import sleeper_flow

HERE = Path(__file__).resolve().parent
HEADING = "Scope advice (measured):"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "aetherflow", "run", *args],
        input=stdin, capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip


def items(n: int) -> str:
    return "".join(f"{i}\n" for i in range(n))


def advice_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert HEADING in lines, stderr
    return [line.strip() for line in lines[lines.index(HEADING) + 1 :]]


def test_profile_shared_prints_the_bottleneck_advice(tmp_path: Path) -> None:
    path = tmp_path / "sleepy.aflow"
    sleeper_flow().save(path)
    proc = cli(str(path), "-i", "-", "-w", "4", "--profile-shared", stdin=items(100))
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["done"] for line in proc.stdout.splitlines()] == list(range(100))
    (line,) = advice_lines(proc.stderr)
    assert line.startswith("sleeper: ") and "with 4 workers it is the bottleneck" in line


def test_isolated_has_no_advice_and_without_the_option_nothing_is_printed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sleepy.aflow"
    sleeper_flow().save(path)
    isolated = cli(str(path), "-i", "-", "--profile-shared", "--scope", "sleeper=isolated",
                   stdin=items(20))  # fmt: skip
    assert isolated.returncode == 0, isolated.stderr
    assert advice_lines(isolated.stderr) == ["no shared service was called in this run"]
    plain = cli(str(path), "-i", "-", stdin=items(20))
    assert plain.returncode == 0 and HEADING not in plain.stderr


def test_profile_shared_needs_the_thread_executor(tmp_path: Path) -> None:
    path = tmp_path / "sleepy.aflow"
    sleeper_flow().save(path)
    proc = cli(str(path), "-i", "-", "--profile-shared", "--executor", "dask", stdin="1\n")
    assert proc.returncode == 2 and "--profile-shared" in proc.stderr
