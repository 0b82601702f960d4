"""Calls from the model up to the layers that implement them.

`Node` and `Flow` keep their convenience methods (``Flow.run``, ``Flow.save``,
``Flow.validate``, ``Node.then``, ``Node.run``...), but the work is done by layers above
them (the file format, validation, composition, the runtime), which import `Node` and
`Flow` themselves. So that no module imports a layer above its own and the engine's import
graph has no cycle (docs/architecture.md), each implementing module registers its function
here with `bind` when it is imported, and the method looks it up with `bound`.

``import aetherflow`` imports every implementing module, and importing any
``aetherflow.*`` module runs it first, so every binding is in place before user code runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NAMES = (
    "flow.run",
    "flow.start",
    "flow.validate",
    "flow.inputs",
    "flow.save",
    "flow.load",
    "flow.to_dict",
    "flow.from_dict",
    "node.run",
    "node.arun",
    "node.to_flow",
    "node.then",
    "node.fan_out_to",
    "node.fan_in",
    "node.branch_on",
    "node.repeat",
)
_bound: dict[str, Callable[..., Any]] = {}


def bind(name: str, func: Callable[..., Any]) -> None:
    """Make ``func`` the implementation of ``name`` (one of `NAMES`)."""
    if name not in NAMES:
        raise ValueError(f"unknown binding {name!r}")
    _bound[name] = func


def bound(name: str) -> Callable[..., Any]:
    """The implementation of ``name``.

    Raises
    ------
    RuntimeError
        When the module that implements it was never imported.
    """
    try:
        return _bound[name]
    except KeyError:
        raise RuntimeError(f"{name} is not available: 'import aetherflow' loads it") from None
