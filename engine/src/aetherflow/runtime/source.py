"""The flow's source node: a generator (or async generator) node whose items feed the run."""

from __future__ import annotations

import inspect
import operator
import os
from collections.abc import Iterator, Sized
from typing import Any

from ..errors import FlowError, MissingInputError, NodeExecutionError
from ..graph.model import Flow
from ..node import MISSING
from .asyncsource import AsyncSource
from .services import Services


def source_iterator(flow: Flow, svc: Services) -> Iterator[Any]:
    """Call the source node with its parameters resolved like any node's (constants,
    services, defaults) and return the iterator over what it yields."""
    return open_source(flow, svc)[0]


def open_source(flow: Flow, svc: Services) -> tuple[Iterator[Any], int | None]:
    """`source_iterator` and the number of items the source will give, when it can tell:
    a sized result (a list, a range) or one with a length hint; a generator cannot."""
    assert flow.source is not None
    node = flow.resolve(flow.source)
    spec = flow.nodes[flow.source]
    kwargs: dict[str, Any] = {}
    for p in node.params:
        if p.name in spec.constants:
            kwargs[p.name] = spec.constants[p.name]
        elif p.name in svc.names:
            kwargs[p.name] = svc.get(p.name)
        elif p.default is not MISSING:
            kwargs[p.name] = p.default
        else:
            available = [*spec.constants, *svc.names]
            raise MissingInputError(flow.source, p.name, available)
    try:
        produced = node.func(**kwargs)
        if inspect.isasyncgen(produced):
            return AsyncSource(produced, flow.source), None
        return iter(produced), known_length(produced)
    except TypeError as exc:
        if "not iterable" in str(exc):
            raise FlowError(
                f"source node '{flow.source}' returned {type(produced).__name__}, "
                "not an iterable of items (make it a generator: use yield)"
            ) from None
        raise NodeExecutionError(flow.source, exc) from exc
    except Exception as exc:
        raise NodeExecutionError(flow.source, exc) from exc


def known_length(items: Any) -> int | None:
    """``len(items)`` for a sized input, a positive length hint, else None (unknown)."""
    if isinstance(items, Sized):
        return len(items)
    hint = operator.length_hint(items, 0)
    return hint if hint > 0 else None


def used_services(flow: Flow, names: frozenset[str]) -> set[str]:
    """Services some node of ``flow`` takes as a parameter (nodes resolved already)."""
    used: set[str] = set()
    for node_id, spec in flow.nodes.items():
        node = spec.node or flow.resolve(node_id)
        used.update(p.name for p in node.params if p.name in names)
    return used


def module_folders(flow: Flow) -> list[str]:
    """Absolute folders a run in another process (a Dask worker, a child process) puts
    in front of ``sys.path`` for the flow's node modules: its search paths, then its
    file's folder."""
    paths = [os.path.abspath(p) for p in flow.search_paths]
    if flow.path:
        folder = os.path.dirname(os.path.abspath(flow.path))
        if folder not in paths:
            paths.append(folder)
    return paths
