"""Which flow files may import their nodes' code: trust kept in user settings, never in files.

A flow file names its nodes as ``module:qualname``; importing them runs the modules' code.
As in Blender's "Trusted Source" and VS Code's Restricted Mode, nothing is imported until the
user trusts the file or a folder above it. A file can never declare itself trusted (VS Code
#120462): the answer lives in the user's settings only.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path

from aetherflow_studio.library.resources import examples_dir

from .settings import StudioSettings


class TrustAnswer(enum.Enum):
    """The user's answer to "import this flow's code?"."""

    TRUST_FILE = "file"
    TRUST_FOLDER = "folder"
    DONT_IMPORT = "no"


def _resolved(path: str | os.PathLike[str]) -> str:
    return str(Path(path).expanduser().resolve())


class TrustStore:
    """Trusted files and folders, stored as resolved absolute paths in the settings.

    A folder trusts every file below it, subfolders included. Refusals ("Don't import")
    are remembered for this session only, so the user is not asked again on every reopen
    but can still change their mind later.
    """

    def __init__(self, settings: StudioSettings) -> None:
        self._settings = settings
        self._refused: set[str] = set()

    def trusted_files(self) -> list[str]:
        return self._settings.trusted_paths("files")

    def trusted_folders(self) -> list[str]:
        return self._settings.trusted_paths("folders")

    def is_trusted(self, path: str | os.PathLike[str]) -> bool:
        """Trusted by the user, or one of the examples that ship with the Studio (the node
        library imports their modules at startup anyway)."""
        full = Path(_resolved(path))
        if full.is_relative_to(examples_dir().resolve()):
            return True
        if str(full) in self.trusted_files():
            return True
        return any(full.is_relative_to(folder) for folder in self.trusted_folders())

    def was_refused(self, path: str | os.PathLike[str]) -> bool:
        return _resolved(path) in self._refused

    def trust_file(self, path: str | os.PathLike[str]) -> None:
        full = _resolved(path)
        self._refused.discard(full)
        self._settings.set_trusted_paths("files", [*self.trusted_files(), full])

    def trust_folder(self, folder: str | os.PathLike[str]) -> None:
        full = _resolved(folder)
        self._refused = {p for p in self._refused if not Path(p).is_relative_to(full)}
        self._settings.set_trusted_paths("folders", [*self.trusted_folders(), full])

    def refuse(self, path: str | os.PathLike[str]) -> None:
        self._refused.add(_resolved(path))

    def revoke(self, path: str | os.PathLike[str]) -> None:
        """Forget trust given to exactly this file or folder."""
        full = _resolved(path)
        for kind in ("files", "folders"):
            paths = self._settings.trusted_paths(kind)
            self._settings.set_trusted_paths(kind, [p for p in paths if p != full])

    def apply(self, path: str | os.PathLike[str], answer: TrustAnswer) -> bool:
        """Record ``answer`` for the file at ``path``; return True when it is now trusted."""
        if answer is TrustAnswer.TRUST_FILE:
            self.trust_file(path)
        elif answer is TrustAnswer.TRUST_FOLDER:
            self.trust_folder(Path(_resolved(path)).parent)
        else:
            self.refuse(path)
        return self.is_trusted(path)
