"""What a run reads: the input kinds of the run controls, turned into an iterable.

Files are read lazily (a generator), so a large JSON Lines file never sits in memory.
A ``module:attr`` input imports user code: it is only built when the user starts a run.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aetherflow.runtime.inputs import CountedItems, CsvFile, JsonLinesFile

INPUT_KINDS = ("source", "count", "file", "module", "items")
EXECUTORS = ("thread", "process", "dask-local", "dask-address")
LOCAL_EXECUTORS = ("thread", "process")  # worker threads on this machine: per-thread state


@dataclass(frozen=True)
class RunSettings:
    """Everything the run controls choose, as plain data (kept with each run's record).

    Attributes
    ----------
    input_kind
        ``"source"`` (the flow's source node, ``count`` items at most; 0 = no limit),
        ``"count"`` (``count`` generated ``{"i": n}`` dicts), ``"file"`` (a JSON Lines or
        CSV file at ``path``), ``"module"`` (the iterable ``module:attr`` in ``target``;
        a callable is called first) or ``"items"`` (the given ``items``: a replay).
    scopes
        Scope overrides merged over the flow's own map (usually empty: the services panel
        edits the flow itself).
    profile_shared
        Time every call into shared services for scope advice (threads only; the
        services are wrapped in a timing proxy while measuring).
    check_races
        Watch the shared services for unlocked writes from several threads (threads
        only; see `aetherflow.telemetry.races`).
    concurrency
        Items each worker keeps in flight at ``await`` points when the flow has async
        nodes (threads only; 1 = one at a time).
    trace, breakpoints, break_mode
        Debugging (threads and process): keep the last ``trace`` item traces per worker; stop
        before the nodes of ``breakpoints`` (``{node id: condition or None}``); ``"worker"``
        (only the stopped worker waits) or ``"all"``.
    watch_wires
        Keep the values on the wires from the first item on (threads and process).
    """

    workers: int = 4
    input_kind: str = "source"
    count: int = 1000
    path: str = ""
    target: str = ""
    on_error: str = "continue"
    executor: str = "thread"
    address: str = ""
    scopes: dict[str, str] = field(default_factory=dict)
    profile_shared: bool = False
    check_races: bool = False
    concurrency: int = 1
    items: tuple[Any, ...] = ()
    trace: int = 0
    breakpoints: dict[str, str | None] = field(default_factory=dict)
    break_mode: str = "worker"
    watch_wires: bool = False

    def describe_input(self) -> str:
        if self.input_kind == "source":
            return f"source (max {self.count})" if self.count else "source"
        if self.input_kind == "count":
            return f"{self.count} generated items"
        if self.input_kind == "file":
            return os.path.basename(self.path) or "file"
        if self.input_kind == "items":
            return f"replay of {len(self.items)} item{'s' if len(self.items) != 1 else ''}"
        return self.target


def build_items(settings: RunSettings, has_source: bool, folder: str | None) -> tuple[Any, Any]:
    """``(items, limit)`` for `Flow.start`: items None means the flow's source node.

    Raises
    ------
    ValueError
        The input cannot be built (no source node, missing file, bad ``module:attr``).
    """
    kind = settings.input_kind
    limit = settings.count if settings.count > 0 else None
    if kind == "source":
        if not has_source:
            raise ValueError("this flow has no source node: choose another input")
        return None, limit
    if kind == "count":
        return CountedItems(settings.count), None
    if kind == "file":
        return read_file(settings.path), None
    if kind == "module":
        return import_iterable(settings.target, folder), None
    if kind == "items":
        return list(settings.items), None
    raise ValueError(f"unknown input kind {kind!r}: use one of {INPUT_KINDS}")


def read_file(path: str) -> JsonLinesFile | CsvFile:
    """Items of a ``.jsonl``/``.ndjson`` file (one JSON value a line; a bad line is that
    item's error, not the end) or a ``.csv`` file (one dict a row), read lazily."""
    if not path or not os.path.isfile(path):
        raise ValueError(f"no input file at {path!r}")
    ext = os.path.splitext(path)[1].lower()
    if ext == ".csv":
        return CsvFile(path)
    if ext in (".jsonl", ".ndjson", ".json"):
        return JsonLinesFile(path)
    raise ValueError(f"input files are .jsonl or .csv, not {ext or 'no extension'}")


def import_iterable(target: str, folder: str | None = None) -> Iterable[Any]:
    """The object at ``module:attr`` (a dotted attr is fine); called when callable."""
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise ValueError(f"input {target!r} is not 'module:attr'")
    if folder and folder not in sys.path:
        sys.path.insert(0, folder)  # the flow's node modules live beside its file
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if callable(obj):
        obj = obj()
    if not hasattr(obj, "__iter__"):
        raise ValueError(f"{target} is a {type(obj).__name__}, not an iterable")
    return obj
