"""Immutable change events of a `Flow`: ids and plain values, never live objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FlowEvent:
    """Base of every change event; sent once, after the change."""


@dataclass(frozen=True)
class NodeAdded(FlowEvent):
    node_id: str


@dataclass(frozen=True)
class NodeRemoved(FlowEvent):
    node_id: str


@dataclass(frozen=True)
class NodeChanged(FlowEvent):
    """A node's label, constants, position or ports changed; ``field`` says which."""

    node_id: str
    field: str
    value: Any


@dataclass(frozen=True)
class EdgeAdded(FlowEvent):
    source: str
    target: str


@dataclass(frozen=True)
class EdgeRemoved(FlowEvent):
    source: str
    target: str


@dataclass(frozen=True)
class ServiceChanged(FlowEvent):
    """A service was added, removed (``scope`` None) or had its scope switched."""

    name: str
    scope: str | None


@dataclass(frozen=True)
class GroupChanged(FlowEvent):
    """A group was added, removed (``removed``) or changed."""

    group_id: str
    removed: bool = False


@dataclass(frozen=True)
class FlowChanged(FlowEvent):
    """A flow-level field (name, description, context, source, metadata) changed."""

    field: str
    value: Any
