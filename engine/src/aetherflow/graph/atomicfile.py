"""Atomic file replacement: readers see the old file or the new one, whole, never a mix.

Like Qt's ``QSaveFile``: write a temporary file ``.NAME.XXXXXXXX.tmp`` in the same folder,
flush, fsync, then rename it over the target; on failure the temporary file is removed and
the target is untouched. A save that is killed part-way cannot remove its temporary file,
so every successful save of a target also removes that target's stale temporary files:
those no live save holds a lock on (POSIX ``flock``; elsewhere, those over an hour old).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
import time

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tmp"
_RANDOM_CHARS = 8  # the part `tempfile.mkstemp` makes up
STALE_AGE = 3600.0  # without flock: a temporary file this old (s) is from a dead save


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, whole."""
    target = os.path.realpath(path)  # write through a symlink, not over it
    folder = os.path.dirname(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            if fcntl is not None:  # held until the rename: a live save is never "stale"
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            if fcntl is not None:
                os.fchmod(f.fileno(), mode)
                os.replace(tmp, target)
        if fcntl is None:  # Windows renames no open file
            os.chmod(tmp, mode)
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)
    remove_stale_temps(target)


def _temp_prefix(target: str) -> str:
    return f".{os.path.basename(target)}."


def stale_temps(path: str) -> list[str]:
    """Temporary files left by saves of ``path`` that died before their rename."""
    target = os.path.realpath(path)
    folder, prefix = os.path.dirname(target), _temp_prefix(target)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for name in names:
        middle = name[len(prefix) : -len(TEMP_SUFFIX)]
        if (
            name.startswith(prefix)
            and name.endswith(TEMP_SUFFIX)
            and len(middle) == _RANDOM_CHARS
            and "." not in middle
        ):
            full = os.path.join(folder, name)
            if not _in_use(full):
                found.append(full)
    return sorted(found)


def remove_stale_temps(path: str) -> int:
    """Remove `stale_temps` of ``path``; return how many were removed."""
    removed = 0
    for tmp in stale_temps(path):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
            removed += 1
    return removed


def _in_use(tmp: str) -> bool:
    """True when a live save may still be writing ``tmp``."""
    if fcntl is None:
        with contextlib.suppress(OSError):
            return time.time() - os.stat(tmp).st_mtime < STALE_AGE
        return True
    try:
        fd = os.open(tmp, os.O_RDONLY)
    except OSError:
        return True  # gone already, or not ours to read: leave it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True  # a save holds it
    finally:
        os.close(fd)
    return False


def _fsync_dir(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_umask_lock = threading.Lock()


def _umask() -> int:
    """The process umask (read without changing it where /proc allows)."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii", errors="replace") as f,
    ):
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _umask_lock:
        old = os.umask(0o022)
        os.umask(old)
    return old
