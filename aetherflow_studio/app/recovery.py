"""Autosave and crash recovery of unsaved work.

While a document is dirty its flow is written every minute to a recovery folder as
``<key>.aflow`` with a sidecar ``<key>.json`` (original path, name, time) and a lock
``<key>.lock`` holding this process's id. On startup, entries whose lock names a process
that is no longer alive are left over from a crash and are offered back; a live process id
means another Studio instance owns them. A recovery file is deleted only once the user
saved or discarded the work, never right after recovering it (LMMS #2174 lost work that way).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aetherflow.graph.atomicfile import remove_stale_temps
from PySide6.QtCore import QObject, QStandardPaths, QTimer

RECOVERY_ENV = "AETHERFLOW_STUDIO_RECOVERY"
AUTOSAVE_MS = 60_000


def default_recovery_dir() -> Path:
    env = os.environ.get(RECOVERY_ENV)
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".aetherflow-studio") / "recovery"


def pid_alive(pid: int) -> bool:
    """True when a process with this id runs on this machine."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class RecoveryEntry:
    """Unsaved work left in the recovery folder."""

    key: str
    flow_file: Path
    original_path: str | None
    name: str
    saved_at: float

    @property
    def description(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        where = self.original_path or "never saved"
        return f"{self.name} ({where}), autosaved {when}"


class RecoveryStore:
    """The recovery folder: writes, lists and deletes recovery entries."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_recovery_dir()

    def paths(self, key: str) -> tuple[Path, Path, Path]:
        """The ``.aflow``, sidecar and lock paths of ``key``."""
        return (
            self.folder / f"{key}.aflow",
            self.folder / f"{key}.json",
            self.folder / f"{key}.lock",
        )

    def new_key(self) -> str:
        return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:8]

    def lock(self, key: str) -> None:
        """Mark ``key`` as owned by this process."""
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_json(self.paths(key)[2], {"pid": os.getpid(), "host": socket.gethostname()})

    def write(self, key: str, flow: Any, original_path: str | None) -> None:
        """Save ``flow`` (a `Flow`) under ``key`` with its sidecar and this process's lock."""
        flow_file, sidecar, _ = self.paths(key)
        self.lock(key)
        flow.save(flow_file)
        _write_json(
            sidecar,
            {"original_path": original_path, "name": flow.name, "saved_at": time.time()},
        )

    def discard(self, key: str) -> None:
        """Delete every file of ``key``: the user saved or discarded the work (with the
        temporary files of autosaves that were killed part-way)."""
        for path in self.paths(key):
            remove_stale_temps(str(path))
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            with contextlib.suppress(FileNotFoundError):
                path.with_suffix(path.suffix + ".tmp").unlink()  # `_write_json`'s

    def is_stale(self, key: str) -> bool:
        """True when no live process owns ``key`` (its lock is missing or names a dead pid)."""
        lock = _read_json(self.paths(key)[2])
        if lock is None:
            return True
        if lock.get("host") not in (None, socket.gethostname()):
            return False  # another machine's instance (a shared home folder): not ours to judge
        pid = lock.get("pid")
        return not (isinstance(pid, int) and pid_alive(pid))

    def stale_entries(self) -> list[RecoveryEntry]:
        """Work left by crashed instances, newest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for sidecar in self.folder.glob("*.json"):
            key = sidecar.stem
            flow_file = self.paths(key)[0]
            data = _read_json(sidecar)
            if data is None or not flow_file.exists() or not self.is_stale(key):
                continue
            original = data.get("original_path")
            found.append(
                RecoveryEntry(
                    key,
                    flow_file,
                    original if isinstance(original, str) else None,
                    str(data.get("name") or key),
                    float(data.get("saved_at") or 0.0),
                )
            )
        return sorted(found, key=lambda e: e.saved_at, reverse=True)


class Autosaver(QObject):
    """Writes one document's flow to the recovery store every ``interval_ms`` while dirty.

    ``document`` needs ``flow``, ``path`` and ``is_dirty``; the window calls `watch` when it
    switches documents and `discard` once the work is saved or thrown away.
    """

    def __init__(
        self, store: RecoveryStore, interval_ms: int = AUTOSAVE_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.key: str | None = None
        self._document: Any = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.autosave)
        self.last_error: str | None = None

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def watch(self, document: Any, key: str | None = None) -> None:
        """Follow ``document``; ``key`` adopts a recovered entry (kept until saved/discarded)."""
        self._document = document
        self.key = key
        if key is not None:
            self.store.lock(key)
        self.on_dirty_changed(bool(document is not None and document.is_dirty))

    def on_dirty_changed(self, dirty: bool) -> None:
        if dirty:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()

    def autosave(self) -> bool:
        """Write the recovery file now if the document is dirty; True when written."""
        doc = self._document
        if doc is None or not doc.is_dirty:
            return False
        if self.key is None:
            self.key = self.store.new_key()
        try:
            self.store.write(self.key, doc.flow, doc.path)
        except Exception as exc:  # a full disk must not take the editor down
            self.last_error = f"{type(exc).__name__}: {exc}"
            return False
        self.last_error = None
        return True

    def discard(self) -> None:
        """The work is saved or thrown away: delete its recovery files."""
        self._timer.stop()
        if self.key is not None:
            self.store.discard(self.key)
            self.key = None
