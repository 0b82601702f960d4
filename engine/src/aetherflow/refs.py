"""`module:qualname` references: how flow files name code without containing it."""

from __future__ import annotations

import importlib
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


_path_lock = threading.Lock()


def _import(module_name: str, paths: Iterable[str]) -> Any:
    extra = [p for p in paths if p not in sys.path]
    if not extra:
        return importlib.import_module(module_name)
    with _path_lock:  # the flow's own folder, for its node modules, only while importing
        sys.path[:0] = extra
        try:
            return importlib.import_module(module_name)
        finally:
            for p in extra:
                if p in sys.path:
                    sys.path.remove(p)


def resolve_ref(ref: str, paths: Iterable[str] = ()) -> Any:
    """Import the module of ``ref`` and return the named attribute.

    ``paths`` are folders searched first (a flow file's own folder). This runs the
    module's code: call it only for trusted flows.
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
