"""A save killed part-way leaves its temporary file; the next save of that file removes it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from aetherflow import Flow
from aetherflow.graph.atomicfile import atomic_write, stale_temps

KILLED_SAVE = textwrap.dedent(
    """
    import os, signal, sys
    from aetherflow.graph import atomicfile
    def killed(*args):  # the process dies after writing, before the rename
        os.kill(os.getpid(), signal.SIGKILL)
    atomicfile.os.replace = killed
    atomicfile.atomic_write(sys.argv[1], b"x" * 100_000)
    """
)


def _killed_save(path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], timeout=60)
    assert proc.returncode == -9


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_the_next_save_removes_temp_files_of_killed_saves(tmp_path: Path) -> None:
    target = tmp_path / "flow.aflow"
    Flow("f").save(target)
    other = tmp_path / "other.aflow"
    for _ in range(3):
        _killed_save(target)
    _killed_save(other)
    left = _temps(tmp_path)
    assert len(left) == 4 and all(n.startswith((".flow.aflow.", ".other.aflow.")) for n in left)
    assert len(stale_temps(str(target))) == 3
    Flow("f").save(target)  # a successful save of the same target
    assert _temps(tmp_path) == [n for n in left if n.startswith(".other.aflow.")]
    assert Flow.load(target).name == "f"


def test_a_save_in_progress_is_not_taken_for_a_stale_one(tmp_path: Path) -> None:
    target = tmp_path / "flow.aflow"
    read, write = os.pipe()
    # a save that holds its temp file open (and locked) while we save the same target
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(
            """
            import os, sys
            from aetherflow.graph import atomicfile
            def wait(*args):
                os.write(int(sys.argv[2]), b"1")
                sys.stdin.read()
            atomicfile.os.fsync = wait
            atomicfile.atomic_write(sys.argv[1], b"slow")
            """
        ), str(target), str(write)],
        stdin=subprocess.PIPE, pass_fds=(write,),
    )  # fmt: skip
    assert os.read(read, 1) == b"1"  # it is mid-save
    atomic_write(str(target), b"fast")
    assert len(_temps(tmp_path)) == 1  # the live save's temp file survived
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=60) == 0
    assert target.read_bytes() == b"slow" and _temps(tmp_path) == []
