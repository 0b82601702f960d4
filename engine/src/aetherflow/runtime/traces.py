"""Item traces as plain data: what each node of one item received and returned.

Everything here is rendered (`aetherflow.telemetry.render`) by the worker thread that ran
the item, so a trace can be handed to any thread, stored, or written as JSON.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..compose import LoopControl
from ..telemetry.render import render, safe_repr


@dataclass(frozen=True)
class TraceStep:
    """One node executed for one item.

    ``inputs`` are the keyword arguments as passed (services shown by their repr),
    ``outputs`` what the node returned by output name (None when it raised), ``error``
    ``"Type: message"`` when it raised. ``started`` is `time.time()`; ``seconds`` is 0.0
    for the failing step of an untraced item (only its inputs were captured).
    """

    node: str
    thread: str
    started: float
    seconds: float
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None
    error: str | None = None
    attempt: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "thread": self.thread,
            "started": self.started,
            "seconds": self.seconds,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "error": self.error,
            "attempt": self.attempt,
        }


@dataclass(frozen=True)
class ItemTrace:
    """The path of one item through the flow: its input and the steps in run order."""

    index: int
    worker: str
    item: Any
    steps: tuple[TraceStep, ...]
    failed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "worker": self.worker,
            "item": self.item,
            "failed": self.failed,
            "steps": [s.to_dict() for s in self.steps],
        }

    def lines(self) -> list[dict[str, Any]]:
        """One flat record per step, as ``aetherflow run --trace FILE`` writes them."""
        return [
            {
                "index": self.index,
                "node": s.node,
                "thread": s.thread,
                "seconds": s.seconds,
                "inputs": s.inputs,
                "outputs": s.outputs,
                "error": s.error,
            }
            for s in self.steps
        ]


@dataclass(frozen=True)
class BreakHit:
    """A worker stopped at a breakpoint, before ``node`` runs for item ``index``.

    ``inputs`` are what the node is about to receive, ``state`` the item's run state so
    far, ``isolated`` that worker's isolated services: all rendered by the worker at the
    moment it stopped. ``condition_error`` is set when the breakpoint's condition raised
    (the worker stops so the user sees why)."""

    worker: str
    node: str
    index: int
    inputs: dict[str, Any]
    state: dict[str, Any]
    isolated: dict[str, Any]
    condition_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "node": self.node,
            "index": self.index,
            "inputs": self.inputs,
            "state": self.state,
            "isolated": self.isolated,
            "condition_error": self.condition_error,
        }


def replayable(item: Any) -> Any:
    """A copy of an item's input that can be fed to a new run: the item itself through
    a JSON round trip when JSON can hold it (a snapshot nodes cannot change later),
    else its rendering."""
    try:
        return json.loads(json.dumps(item, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return render(item)


def render_inputs(kwargs: dict[str, Any], services: frozenset[str] | tuple[str, ...]) -> dict:
    """A node's keyword arguments rendered; services by their short repr only (they are
    shown whole in the services views, and may be large or shared)."""
    return {k: safe_repr(v) if k in services else render(v) for k, v in kwargs.items()}


def render_outputs(result: Any, out_key: str) -> dict[str, Any]:
    """A node's return value by output name, as the engine merges it."""
    if result is None:
        return {}
    if isinstance(result, dict):
        return {k if isinstance(k, str) else safe_repr(k): render(v) for k, v in result.items()}
    if isinstance(result, LoopControl):
        return {"__control__": result.name}
    return {out_key: render(result)}


def error_text(exc: BaseException) -> str:
    original = getattr(exc, "original", None) or exc
    return f"{type(original).__name__}: {original}"


def failing_step(exc: BaseException) -> TraceStep | None:
    """The step of an untraced item's failing node, from the inputs its error carries
    (captured on the error path only); None when the error names no node."""
    node = getattr(exc, "node", None)
    if not isinstance(node, str):
        return None
    kwargs = getattr(exc, "inputs", None) or {}
    return TraceStep(
        node, threading.current_thread().name, time.time(), 0.0,
        {k: render(v) for k, v in kwargs.items()}, None, error_text(exc),
    )  # fmt: skip
