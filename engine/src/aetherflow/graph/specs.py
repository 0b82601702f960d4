"""The plain-data parts of a flow: node, port, edge, service and group specs.

A spec holds everything needed to draw, save and validate a node without importing its
code; `NodeSpec.node` is the live `Node` once the reference is resolved (never saved).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..node import MISSING, Node


@dataclass
class PortSpec:
    """An input port as saved in the file: enough to draw it without importing."""

    name: str
    type: str | None = None
    required: bool = True
    default: Any = None  # JSON-safe copy of the default, for the inspector only
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class OutputSpec:
    name: str
    type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class NodeSpec:
    """One node of a flow. ``node`` is the live `Node` once resolved (never saved)."""

    id: str
    ref: str
    label: str | None = None
    constants: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    inputs: list[PortSpec] = field(default_factory=list)
    outputs: list[OutputSpec] = field(default_factory=list)
    doc: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # timeout / retry fields set on this node in the file (over the @node decorator's)
    policy: dict[str, Any] = field(default_factory=dict)
    node: Node | None = field(default=None, repr=False, compare=False)
    error: str | None = field(default=None, repr=False, compare=False)

    @property
    def title(self) -> str:
        return self.label or self.id

    @property
    def input_names(self) -> list[str]:
        return [p.name for p in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [o.name for o in self.outputs]

    @property
    def is_placeholder(self) -> bool:
        """True when the reference was tried and could not be resolved."""
        return self.node is None and self.error is not None

    def input(self, name: str) -> PortSpec | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> OutputSpec | None:
        return next((o for o in self.outputs if o.name == name), None)


class PortRef(NamedTuple):
    """A port of a node, written ``"node.port"`` in edges and files: the port name is
    after the last dot, so node ids may contain dots and port names may not."""

    node: str
    port: str

    @classmethod
    def parse(cls, text: str) -> PortRef:
        """``"node.port"`` as a `PortRef`.

        Raises
        ------
        ValueError
            When ``text`` is not a string with a dot between a node id and a port name.
        """
        node, dot, port = text.rpartition(".") if isinstance(text, str) else ("", "", "")
        if not (node and dot and port):
            raise ValueError(f"{text!r} is not 'node.port'")
        return cls(node, port)

    def __str__(self) -> str:
        return f"{self.node}.{self.port}"


@dataclass(frozen=True)
class Edge:
    """``source`` is ``"node.output"``, ``target`` is ``"node.input"``."""

    source: str
    target: str
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        return f"{self.source}->{self.target}"

    @property
    def source_node(self) -> str:
        return PortRef.parse(self.source).node

    @property
    def source_port(self) -> str:
        return PortRef.parse(self.source).port

    @property
    def target_node(self) -> str:
        return PortRef.parse(self.target).node

    @property
    def target_port(self) -> str:
        return PortRef.parse(self.target).port


@dataclass
class ServiceSpec:
    """A service of the flow and the scope chosen for it.

    A service either comes from the flow's context (``declared`` is the scope its code
    declares) or is declared by the flow itself: a *local* service, built from
    ``factory`` (``module:qualname``) with ``constants`` as keyword arguments.
    """

    name: str
    scope: str
    factory: str | None = None
    declared: str | None = None
    doc: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)

    @property
    def local(self) -> bool:
        """True for a service the flow declares itself (a factory, no context scope)."""
        return self.factory is not None and self.declared is None


GROUP_KINDS = ("frame", "repeat", "branch", "parallel")


@dataclass
class GroupSpec:
    """A group of nodes (and nested groups).

    ``frame`` is visual only. ``repeat`` runs its members ``params["times"]`` times.
    ``branch`` runs ``params["condition"]`` (a member node) then the case whose
    ``value`` equals its result. ``parallel`` runs each case on a pool thread with a copy
    of the state and collects results in ``__parallel_results`` under the case's ``key``.
    Cases are ``{"value"|"key": ..., "members": [...]}`` in ``params["cases"]``.
    """

    id: str
    kind: str
    members: list[str] = field(default_factory=list)
    label: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def port_specs(n: Node) -> tuple[list[PortSpec], list[OutputSpec]]:
    ins = []
    for p in n.params:
        default = p.default if json_safe(p.default) else repr(p.default)
        ins.append(PortSpec(p.name, p.annotation, p.required, None if p.required else default))
    return ins, [OutputSpec(o) for o in n.outputs]


def json_safe(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return value is not MISSING
    if isinstance(value, list | tuple):
        return all(json_safe(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_safe(v) for k, v in value.items())
    return False


def merge_ports(saved: list[PortSpec], fresh: list[PortSpec]) -> list[PortSpec]:
    """Fresh ports from the code, keeping unknown fields saved with the old ones."""
    old = {p.name: p for p in saved}
    for p in fresh:
        if p.name in old:
            p.extra = old[p.name].extra
    return fresh
