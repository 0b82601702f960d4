"""User settings of the Studio: recent files, theme, window state, trusted paths.

Everything lives in one `QSettings` (organisation "AetherFlow", application "Studio").
Tests and portable setups point it at an ini file instead: pass ``path`` or set the
``AETHERFLOW_STUDIO_SETTINGS`` environment variable, so the user's real settings are never
touched. Lists are stored as JSON text: QSettings' native lists come back as a plain string
when they hold one element in ini files, and as None when empty.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_ENV = "AETHERFLOW_STUDIO_SETTINGS"
MAX_RECENT = 10
THEMES = ("dark", "light")


class StudioSettings:
    """Typed access to the Studio's `QSettings`.

    Parameters
    ----------
    path
        An ini file to use instead of the platform's settings store. When None, the
        ``AETHERFLOW_STUDIO_SETTINGS`` environment variable is used if set.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        path = path if path is not None else os.environ.get(SETTINGS_ENV) or None
        if path is not None:
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings("AetherFlow", "Studio")

    # -- plain values -----------------------------------------------------------------
    def _get_json(self, key: str, default: Any) -> Any:
        raw = self.qsettings.value(key)
        if not isinstance(raw, str) or not raw:
            return default
        try:
            return json.loads(raw)
        except ValueError:
            return default

    def _set_json(self, key: str, value: Any) -> None:
        self.qsettings.setValue(key, json.dumps(value))

    def _get_paths(self, key: str) -> list[str]:
        value = self._get_json(key, [])
        return [str(p) for p in value if isinstance(p, str)] if isinstance(value, list) else []

    def sync(self) -> None:
        self.qsettings.sync()

    # -- theme ------------------------------------------------------------------------
    @property
    def theme(self) -> str:
        value = self.qsettings.value("ui/theme", "dark")
        return value if value in THEMES else "dark"

    @theme.setter
    def theme(self, value: str) -> None:
        if value not in THEMES:
            raise ValueError(f"unknown theme {value!r}: use one of {THEMES}")
        self.qsettings.setValue("ui/theme", value)

    # -- recent files -----------------------------------------------------------------
    def recent_files(self) -> list[str]:
        """Most recent first; files that no longer exist are left out."""
        return [p for p in self._get_paths("files/recent") if os.path.exists(p)]

    def add_recent_file(self, path: str | os.PathLike[str]) -> list[str]:
        full = str(Path(path).resolve())
        recent = [p for p in self._get_paths("files/recent") if p != full]
        recent.insert(0, full)
        self._set_json("files/recent", recent[:MAX_RECENT])
        return self.recent_files()

    def clear_recent_files(self) -> None:
        self._set_json("files/recent", [])

    # -- node library -----------------------------------------------------------------
    def library_modules(self) -> list[str]:
        """Module names and ``.py`` paths the user added to the node library."""
        return self._get_paths("library/modules")

    def set_library_modules(self, modules: list[str]) -> None:
        self._set_json("library/modules", list(dict.fromkeys(modules)))

    # -- window -----------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self.qsettings.value("window/geometry")
        state = self.qsettings.value("window/state")
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    # -- trust (used by TrustStore) ---------------------------------------------------
    def trusted_paths(self, kind: str) -> list[str]:
        return self._get_paths(f"trust/{kind}")

    def set_trusted_paths(self, kind: str, paths: list[str]) -> None:
        self._set_json(f"trust/{kind}", sorted(set(paths)))
