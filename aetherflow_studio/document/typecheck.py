"""Port type compatibility for the canvas: the engine's own rule, so a connection the
canvas accepts is one `Flow.validate` accepts too."""

from __future__ import annotations

from aetherflow.graph.types import compatible


def types_compatible(source: str | None, target: str | None) -> bool:
    """False only for a sure mismatch (both annotations understood, no member fits).

    User classes with different names might be related, so they are accepted.
    """
    return compatible(source, target) is not False
