"""The plain-data parts of a flow: node, port, edge, service and group specs.

A spec holds everything needed to draw, save and validate a node without importing its
code; `NodeSpec.node` is the live `Node` once the reference is resolved (never saved).

Every node spec made from one `Node` starts with the same port specs: one tuple of them
per `Node` (`shared_ports`), copied into the spec's own lists only when ``inputs`` or
``outputs`` is first read (see `SharedPorts`). A flow of thousands of nodes then holds no
port objects of its own, which keeps the cyclic collector's full scans, and so building a
big flow, from growing faster than the flow.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar, overload

from ..node import MISSING, Node


@dataclass
class PortSpec:
    """An input port as saved in the file: enough to draw it without importing."""

    name: str
    type: str | None = None
    required: bool = True
    default: Any = None  # JSON-safe copy of the default, for the inspector only
    extra: dict[str, Any] = field(default_factory=dict)

    def plain_copy(self) -> PortSpec:
        """The same port with no extra fields (the default object is shared)."""
        return PortSpec(self.name, self.type, self.required, self.default)


@dataclass
class OutputSpec:
    name: str
    type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def plain_copy(self) -> OutputSpec:
        """The same port with no extra fields."""
        return OutputSpec(self.name, self.type)


Port = TypeVar("Port", PortSpec, OutputSpec)


class SharedPorts(tuple[Port, ...]):
    """Port specs shared by the node specs of one `Node`, never changed: a node spec
    holding them gives out copies of its own the first time ``inputs`` or ``outputs`` is
    read, so changing what that returns changes only that node. Copies of a node spec
    share them too."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedPorts[Port]:
        return self

    def own_copies(self) -> list[Port]:
        # Shared specs never have extra fields (`shared_ports`, `merged_ports`).
        return [p.plain_copy() for p in self]


class _PortList(Generic[Port]):
    """The ``inputs`` / ``outputs`` field of a node spec: a list of its own, made from
    `SharedPorts` on first read; whatever is assigned is kept as assigned."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    @overload
    def __get__(self, spec: None, owner: type | None = None) -> SharedPorts[Port]: ...
    @overload
    def __get__(self, spec: NodeSpec, owner: type | None = None) -> list[Port]: ...
    def __get__(self, spec: NodeSpec | None, owner: type | None = None) -> Any:
        if spec is None:
            return SharedPorts()  # the field's default: no ports, a list of its own
        value = getattr(spec, self.slot)
        if type(value) is SharedPorts:
            value = value.own_copies()
            setattr(spec, self.slot, value)
        return value

    def __set__(self, spec: NodeSpec, value: Sequence[Port]) -> None:
        setattr(spec, self.slot, value)

    def view(self, spec: NodeSpec) -> Sequence[Port]:
        """The specs as held, shared or not (for reading only)."""
        held: Sequence[Port] = getattr(spec, self.slot)
        return held


_INPUTS = _PortList[PortSpec]()
_OUTPUTS = _PortList[OutputSpec]()


@dataclass
class NodeSpec:
    """One node of a flow. ``node`` is the live `Node` once resolved (never saved)."""

    id: str
    ref: str
    label: str | None = None
    constants: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    inputs: _PortList[PortSpec] = _INPUTS
    outputs: _PortList[OutputSpec] = _OUTPUTS
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
    def input_view(self) -> Sequence[PortSpec]:
        """The input specs, for reading only: they may be shared with other node specs
        (change them through ``inputs``, which is this node's own list)."""
        return _INPUTS.view(self)

    @property
    def output_view(self) -> Sequence[OutputSpec]:
        """The output specs, for reading only (see `input_view`)."""
        return _OUTPUTS.view(self)

    @property
    def input_names(self) -> list[str]:
        return [p.name for p in self.input_view]

    @property
    def output_names(self) -> list[str]:
        return [o.name for o in self.output_view]

    @property
    def is_placeholder(self) -> bool:
        """True when the reference was tried and could not be resolved."""
        return self.node is None and self.error is not None

    def input(self, name: str) -> PortSpec | None:
        return find_port(self.inputs, name)

    def output(self, name: str) -> OutputSpec | None:
        return find_port(self.outputs, name)


def find_port(ports: Sequence[Port], name: str) -> Port | None:
    """The port called ``name`` (read ``input_view``/``output_view`` with this to look
    without copying shared specs)."""
    return next((p for p in ports if p.name == name), None)


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
        return cls(*split_port(text))

    def __str__(self) -> str:
        return f"{self.node}.{self.port}"


def split_port(text: str) -> tuple[str, str]:
    """``"node.port"`` as ``(node, port)`` (`PortRef.parse` without the named tuple).

    Raises
    ------
    ValueError
        When ``text`` is not a string with a dot between a node id and a port name.
    """
    node, dot, port = text.rpartition(".") if isinstance(text, str) else ("", "", "")
    if not (node and dot and port):
        raise ValueError(f"{text!r} is not 'node.port'")
    return node, port


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
        return split_port(self.source)[0]

    @property
    def source_port(self) -> str:
        return split_port(self.source)[1]

    @property
    def target_node(self) -> str:
        return split_port(self.target)[0]

    @property
    def target_port(self) -> str:
        return split_port(self.target)[1]


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


# Node -> (its params, its outputs, the shared specs made from them)
_Cached = tuple[Any, Any, SharedPorts[PortSpec], SharedPorts[OutputSpec]]
_SHARED: weakref.WeakKeyDictionary[Node, _Cached] = weakref.WeakKeyDictionary()


def shared_ports(n: Node) -> tuple[SharedPorts[PortSpec], SharedPorts[OutputSpec]]:
    """The port specs of ``n``'s parameters and outputs, made once per `Node` (and again
    if its parameters or outputs are replaced)."""
    cached = _SHARED.get(n)
    if cached is not None and cached[0] is n.params and cached[1] is n.outputs:
        return cached[2], cached[3]
    ins = []
    for p in n.params:
        default = p.default if json_safe(p.default) else repr(p.default)
        ins.append(PortSpec(p.name, p.annotation, p.required, None if p.required else default))
    shared = SharedPorts(ins), SharedPorts(OutputSpec(o) for o in n.outputs)
    _SHARED[n] = (n.params, n.outputs, *shared)
    return shared


def json_safe(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return value is not MISSING
    if isinstance(value, list | tuple):
        return all(json_safe(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_safe(v) for k, v in value.items())
    return False


def merged_ports(saved: Sequence[Port], fresh: SharedPorts[Port]) -> Sequence[Port]:
    """The ports from the code, keeping unknown fields saved with the old ones of the
    same name (``fresh`` itself when there are none to keep)."""
    extras = {p.name: p.extra for p in saved if p.extra}
    if not any(p.name in extras for p in fresh):
        return fresh
    ports = fresh.own_copies()
    for p in ports:
        p.extra = extras.get(p.name, p.extra)
    return ports
