"""`module:qualname` references: how flow files name code without containing it."""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
import threading
from collections.abc import Iterable
from typing import Any

from .errors import ReferenceResolutionError


def ref_of(obj: Any) -> str | None:
    """Return the ``module:qualname`` of a module-level object, or None if it has none."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or not qualname or "<locals>" in qualname or "<lambda>" in qualname:
        return None
    return f"{module}:{qualname}"


def split_ref(ref: str) -> tuple[str, str]:
    """Split ``module:qualname``; raise a clear error for anything else."""
    if not isinstance(ref, str) or ref.count(":") != 1:
        raise ReferenceResolutionError(str(ref), "expected 'module:qualname'")
    module, qualname = ref.split(":")
    if not module or not qualname:
        raise ReferenceResolutionError(ref, "expected 'module:qualname'")
    return module, qualname


_lock = threading.RLock()
FOLDER_PACKAGE = "aetherflow_folders"


def folder_prefix(folder: str) -> str:
    """The name under which ``folder``'s modules are kept in ``sys.modules``."""
    real = os.path.realpath(folder)
    return f"{FOLDER_PACKAGE}.f{hashlib.sha1(real.encode()).hexdigest()[:12]}"


def _local_names(folder: str) -> set[str]:
    """Top-level module names that ``folder`` provides (``x.py`` files and packages)."""
    names = set()
    with os.scandir(folder) as entries:
        for e in entries:
            if e.name.endswith(".py") and e.is_file():
                names.add(e.name[:-3])
            elif e.is_dir() and os.path.isfile(os.path.join(e.path, "__init__.py")):
                names.add(e.name)
    return {n for n in names if n.isidentifier()}


def in_folder(module_name: str, folder: str) -> bool:
    """True when ``folder`` holds the (top-level package of the) module."""
    base = os.path.join(folder, module_name.split(".")[0])
    return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))


def _from_folder(module: Any, folder: str) -> bool:
    file = getattr(module, "__file__", None)
    if not file:
        return False
    real = os.path.realpath(folder)
    return os.path.commonpath([os.path.realpath(file), real]) == real


def import_from_folder(module_name: str, folder: str) -> Any:
    """Import ``module_name`` from ``folder`` as that folder's own module.

    Two folders may each have a ``nodes.py``: each folder's modules are kept in
    ``sys.modules`` under a name of their own (`folder_prefix`), so neither ever runs
    the other's code. While the module runs its imports, the folder's other modules
    (``import helpers``) resolve to that folder's copies too; afterwards ``sys.modules``
    holds the plain names exactly as before. A module already imported under its plain
    name from this very folder (the folder is on ``sys.path``) is used as it is.
    """
    key = f"{folder_prefix(folder)}.{module_name}"
    module = sys.modules.get(key)
    if module is not None:
        return module
    with _lock:
        module = sys.modules.get(key)
        if module is None:
            plain = sys.modules.get(module_name)
            if plain is not None and _from_folder(plain, folder):
                return plain
            module = _import_isolated(module_name, folder)
        return module


def _import_isolated(module_name: str, folder: str) -> Any:
    prefix = folder_prefix(folder) + "."
    local = _local_names(folder)

    def is_local(name: str) -> bool:
        return name.split(".")[0] in local

    saved = {n: sys.modules.pop(n) for n in list(sys.modules) if is_local(n)}
    for n in [n for n in sys.modules if n.startswith(prefix)]:  # this folder's, so far
        sys.modules[n[len(prefix) :]] = sys.modules[n]
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(module_name)
    finally:
        sys.path.remove(folder)
        for n in [n for n in sys.modules if is_local(n)]:
            sys.modules[prefix + n] = sys.modules.pop(n)
        sys.modules.update(saved)


def forget_folder_module(module_name: str, folder: str) -> None:
    """Drop ``folder``'s copy of a module so the next import runs its file again."""
    with _lock:
        sys.modules.pop(f"{folder_prefix(folder)}.{module_name}", None)


def _import(module_name: str, paths: Iterable[str]) -> Any:
    for folder in paths:
        if folder and in_folder(module_name, folder):
            return import_from_folder(module_name, folder)
    return importlib.import_module(module_name)


def resolve_ref(ref: str, paths: Iterable[str] = ()) -> Any:
    """Import the module of ``ref`` and return the named attribute.

    ``paths`` are folders searched first (a flow file's own folder): a module found in
    one of them is that folder's own copy (`import_from_folder`). This runs the module's
    code: call it only for trusted flows.
    """
    module_name, qualname = split_ref(ref)
    try:
        obj: Any = _import(module_name, paths)
    except ImportError as exc:
        raise ReferenceResolutionError(ref, f"module '{module_name}' not found ({exc})") from exc
    except Exception as exc:  # a module that fails while importing
        raise ReferenceResolutionError(
            ref, f"importing '{module_name}' raised {type(exc).__name__}: {exc}"
        ) from exc
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise ReferenceResolutionError(
                ref, f"module '{module_name}' has no attribute '{qualname}'"
            ) from exc
    return obj
