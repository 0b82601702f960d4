"""The ``.aflow`` file format: a `Flow` as pretty, deterministic JSON.

Loading never imports or runs anything: node references stay text until the flow is
validated with ``resolve=True`` or run. Every problem with a file's contents raises one
`FlowFormatError` that names the file and the place (a JSON path such as
``nodes[3].ref``). Problems of the graph itself (cycles, dangling edges, references that
do not resolve) are not load errors: `Flow.validate` reports them, and a run refuses them.

See ``docs/flow-format.md`` for the format.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import warnings
from collections.abc import Sequence
from typing import Any

from ..bindings import bind
from ..errors import FlowFormatError, FlowFormatWarning
from ..policy import FIELDS as POLICY_FIELDS
from ..policy import checked_fields
from . import schemas
from .atomicfile import atomic_write
from .bulk import bulk
from .migrations import CURRENT, FORMAT, upgrade, version_text
from .model import Flow
from .specs import Edge, GroupSpec, NodeSpec, OutputSpec, PortSpec, ServiceSpec, SharedPorts

SUFFIX = ".aflow"
MAX_BYTES = 256 * 1024 * 1024  # far above any real flow; refuses runaway files early
SCHEMA = "aflow-1"
_REF = re.compile(schemas.load_schema(SCHEMA)["definitions"]["ref"]["pattern"])

# The fields each object of the format knows; the others are kept as its ``extra``.
_TOP = frozenset(("format", "version", "name", "description", "context", "source", "metadata",
                  "services", "nodes", "edges", "groups"))  # fmt: skip
_NODE = frozenset(
    ("id", "label", "ref", "position", "constants", "inputs", "outputs", "doc", *POLICY_FIELDS)
)
_INPUT = frozenset(("name", "type", "required", "default"))
_OUTPUT = frozenset(("name", "type"))
_EDGE = frozenset(("source", "target"))
_SERVICE = frozenset(("name", "scope", "factory", "declared", "doc", "constants"))
_GROUP = frozenset(("id", "kind", "label", "members", "params"))


# -- loading ------------------------------------------------------------------------


@bulk
def load_flow(path: str | os.PathLike[str]) -> Flow:
    """Read a ``.aflow`` file into a `Flow` without importing anything.

    Raises
    ------
    FlowFormatError
        When the file cannot be read, is not JSON, is not a flow, breaks the schema, has
        duplicate ids, or is of a newer major format version.
    """
    shown = os.fspath(path)
    doc = _parse(_read(shown), shown)
    flow = _build(doc, shown)
    flow.path = shown
    flow.search_paths = [os.path.dirname(os.path.abspath(shown))]
    return flow


@bulk
def flow_from_dict(data: Any, origin: str = "<dict>") -> Flow:
    """Build a `Flow` from a flow document (upgraded and checked as a file would be)."""
    if not isinstance(data, dict):
        raise FlowFormatError(origin, None, f"expected a JSON object, found {_kind(data)}")
    return _build(copy.deepcopy(data), origin)


def _kind(value: Any) -> str:
    return schemas.json_type(value)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_BYTES:
                raise FlowFormatError(
                    path,
                    None,
                    f"the file has {size:,} bytes, more than a flow file may "
                    f"have ({MAX_BYTES:,}); it is not a flow file",
                )
            head = f.read(65536)
            body = head.removeprefix(b"\xef\xbb\xbf")
            first = body.lstrip(b" \t\r\n")[:1]
            if first != b"{":
                # Checked before reading the rest, so junk is refused at once.
                raise FlowFormatError(path, _where(body), f"not a flow file: expected a JSON "
                                      f"object ('{{'), found {_found(first)}")  # fmt: skip
            return head + f.read()
    except OSError as exc:
        raise FlowFormatError(path, None, f"cannot read the file: {exc.strerror or exc}") from None


def _where(body: bytes) -> str:
    """Line and column of the first non-blank byte (of the part read)."""
    skipped = body[: len(body) - len(body.lstrip(b" \t\r\n"))]
    line = skipped.count(b"\n") + 1
    column = len(skipped) - skipped.rfind(b"\n")
    return f"line {line} column {column}"


def _found(first: bytes) -> str:
    if not first:
        return "only blanks (or nothing)"
    if first in b'["-0123456789tfn':
        return "a JSON value that is not an object"
    return f"{first!r}"[1:]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


class _DuplicateKeys:
    """``object_pairs_hook`` that notes the first object with a key given twice (plain
    ``json.loads`` keeps the last one: a second ``"nodes": []`` would empty the flow)."""

    def __init__(self) -> None:
        self.found: tuple[dict[str, Any], str] | None = None

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs) and self.found is None:
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.found = (obj, key)
                    break
                seen.add(key)
        return obj


def _path_to(doc: Any, target: Any, parts: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """The JSON path parts from ``doc`` to the object ``target`` (by identity)."""
    if doc is target:
        return parts
    if isinstance(doc, dict):
        children: Any = doc.items()
    elif isinstance(doc, list):
        children = enumerate(doc)
    else:
        return None
    for key, value in children:
        if isinstance(value, dict | list):
            found = _path_to(value, target, (*parts, key))
            if found is not None:
                return found
    return None


def _refuse_duplicates(doc: Any, hook: _DuplicateKeys, path: str) -> None:
    if hook.found is None:
        return
    obj, key = hook.found
    parts = _path_to(doc, obj)
    if not parts:
        where, place = None, "in the top level object"
    else:
        where, place = schemas.json_path(parts), "in this object"
    raise FlowFormatError(
        path, where, f"duplicate key '{key[:80]}' {place} (JSON keeps only the "
        "last one, so the file would not read as written)",
    )  # fmt: skip


def _parse(data: bytes, path: str) -> dict[str, Any]:
    hook = _DuplicateKeys()
    try:
        doc = json.loads(
            data, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=hook
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise FlowFormatError(path, where, f"not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise FlowFormatError(path, f"byte {exc.start}", "not valid UTF-8 text") from None
    except RecursionError:
        raise FlowFormatError(path, None, "not a flow file: JSON nested too deeply") from None
    except ValueError as exc:  # NaN, Infinity, huge numbers
        raise FlowFormatError(path, None, f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise FlowFormatError(path, None, f"expected a JSON object, found {_kind(doc)}")
    _refuse_duplicates(doc, hook, path)
    return doc


def _build(doc: dict[str, Any], path: str) -> Flow:
    doc, original = upgrade(doc, path)
    version = (doc["version"][0], doc["version"][1])
    newer = version > CURRENT
    if newer:
        warnings.warn(
            FlowFormatWarning(
                f"{path}: format version {version_text(version)} is newer than this "
                f"AetherFlow writes ({version_text(CURRENT)}); reading it with relaxed rules, "
                "unknown fields are kept"
            ),
            stacklevel=4,
        )
    schemas.check(doc, SCHEMA, path, relaxed=newer)
    flow = _flow_from_doc(doc, path)
    flow.format_version = original
    return flow


def _extra(obj: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    if obj.keys() <= known:  # the usual case, answered in C
        return {}
    return {k: v for k, v in obj.items() if k not in known}


def _flow_from_doc(doc: dict[str, Any], path: str) -> Flow:
    """Build the flow from a document the schema accepted (no imports, no checks of code)."""
    flow = Flow(doc.get("name", "flow"), description=doc.get("description", ""))
    flow.metadata = doc.get("metadata", {})
    flow.context_ref = doc.get("context")
    flow.source = doc.get("source")
    flow.extra = _extra(doc, _TOP)
    for i, s in enumerate(doc.get("services", [])):
        if s["name"] in flow.services:
            raise FlowFormatError(path, f"services[{i}].name", f"duplicate service '{s['name']}'")
        flow.services[s["name"]] = ServiceSpec(
            s["name"], s["scope"], s.get("factory"), s.get("declared"), s.get("doc", ""),
            _extra(s, _SERVICE), s.get("constants", {}),
        )  # fmt: skip
    first: dict[str, str] = {}
    shared: dict[Any, _Ports] = {}
    for i, n in enumerate(doc["nodes"]):
        _claim(first, n["id"], f"nodes[{i}]", path)
        flow.insert_node(_node_from_doc(n, f"nodes[{i}]", path, shared))
    for i, g in enumerate(doc.get("groups", [])):
        _claim(first, g["id"], f"groups[{i}]", path)
        flow.groups[g["id"]] = GroupSpec(
            g["id"], g["kind"], g.get("members", []), g.get("label"), g.get("params", {}),
            _extra(g, _GROUP),
        )  # fmt: skip
    for e in doc.get("edges", []):
        flow.insert_edge(Edge(e["source"], e["target"], _extra(e, _EDGE)))
    return flow


def _claim(first: dict[str, str], item_id: str, where: str, path: str) -> None:
    if item_id in first:
        raise FlowFormatError(
            path, f"{where}.id", f"duplicate id '{item_id}' (already used by {first[item_id]})"
        )
    first[item_id] = where


def _refuse_duplicate_port(kind: str, names: list[str], node: str, where: str, path: str) -> None:
    seen: set[str] = set()
    for j, name in enumerate(names):
        if name in seen:
            raise FlowFormatError(
                path, f"{where}.{kind}[{j}].name (node '{node}')", f"duplicate port name '{name}'"
            )
        seen.add(name)


_Ports = tuple[Sequence[PortSpec], Sequence[OutputSpec]]


def _ports_from_doc(n: dict[str, Any], where: str, path: str, shared: dict[Any, _Ports]) -> _Ports:
    """The node's port specs; nodes whose port entries are equal plain values (no extra
    fields, defaults that are strings, numbers, booleans or null) share one `SharedPorts`
    each, as the nodes of one `Node` added in code do (see `NodeSpec.inputs`)."""
    ins, outs = n.get("inputs", []), n.get("outputs", [])
    key = _shared_key(ins, outs)
    try:
        found = shared.get(key) if key is not None else None
    except TypeError:  # a port type that is not a string (a newer format, read relaxed)
        key = found = None
    if found is not None:
        return found
    inputs = [
        PortSpec(p["name"], p.get("type"), p.get("required", True), p.get("default"),
                 _extra(p, _INPUT))
        for p in ins
    ]  # fmt: skip
    outputs = [OutputSpec(o["name"], o.get("type"), _extra(o, _OUTPUT)) for o in outs]
    for kind, ports in (("inputs", inputs), ("outputs", outputs)):
        names = [q.name for q in ports]
        if len(set(names)) != len(names):
            _refuse_duplicate_port(kind, names, n["id"], where, path)
    if key is None:
        return inputs, outputs
    found = shared[key] = (SharedPorts(inputs), SharedPorts(outputs))
    return found


def _shared_key(ins: list[dict[str, Any]], outs: list[dict[str, Any]]) -> Any:
    """What makes two nodes' port entries the same, or None when they cannot be shared."""
    key: list[Any] = [len(ins)]
    for p in ins:
        if not p.keys() <= _INPUT:
            return None
        default = p.get("default")
        kind = type(default)
        if kind is float:
            default = repr(default)  # -0.0 == 0.0; the type is in the key: 1 == 1.0 == True
        elif not (kind is str or kind is int or kind is bool or default is None):
            return None
        key.append((p["name"], p.get("type"), p.get("required", True), kind, default))
    for o in outs:
        if not o.keys() <= _OUTPUT:
            return None
        key.append((o["name"], o.get("type")))
    return tuple(key)


def _node_from_doc(n: dict[str, Any], where: str, path: str, shared: dict[Any, _Ports]) -> NodeSpec:
    inputs, outputs = _ports_from_doc(n, where, path, shared)
    position = n.get("position")
    try:
        x, y = (float(position[0]), float(position[1])) if position else (0.0, 0.0)
    except OverflowError:
        raise FlowFormatError(path, f"{where}.position", "number out of range") from None
    return NodeSpec(
        id=n["id"], ref=n["ref"], label=n.get("label"), constants=n.get("constants", {}),
        position=(x, y), inputs=inputs, outputs=outputs, doc=n.get("doc", ""),
        extra=_extra(n, _NODE), policy=_policy_from_doc(n, where, path),
    )  # fmt: skip


def _policy_from_doc(n: dict[str, Any], where: str, path: str) -> dict[str, Any]:
    """The node's time limit and retry fields as written (names stay names)."""
    found = {k: n[k] for k in POLICY_FIELDS if k in n}
    for name, value in found.items():
        try:
            checked_fields({name: value}, f"node '{n['id']}'")
        except ValueError as exc:
            raise FlowFormatError(path, f"{where}.{name}", str(exc)) from None
    return found


# -- saving -------------------------------------------------------------------------


class _NotJSON(Exception):
    def __init__(self, where: str, value: Any) -> None:
        self.where, self.value = where, value


def _json(value: Any, where: str = "") -> Any:
    """A JSON-only copy of ``value``; `_NotJSON` names the first part that is not JSON."""
    if value is None or value is True or value is False:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _NotJSON(where, value)
        return float(value)
    if isinstance(value, list | tuple):
        return [_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _NotJSON(f"{where} key {k!r}", k)
            out[str(k)] = _json(v, f"{where}.{k}" if where else k)
        return out
    raise _NotJSON(where, value)


def _checked(value: Any, path: str, owner: str, what: str) -> Any:
    try:
        return _json(value)
    except _NotJSON as exc:
        inner = f" at {exc.where}" if exc.where else ""
        shown = repr(exc.value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise FlowFormatError(
            path, owner, f"{what}{inner}: {shown} ({type(exc.value).__name__}) is not a JSON "
            "value; use None, bool, int, finite float, str, list, or dict with str keys",
        ) from None  # fmt: skip
    except RecursionError:
        raise FlowFormatError(path, owner, f"{what}: nested too deeply") from None


def _with_extra(known: dict[str, Any], extra: Any, path: str, owner: str) -> dict[str, Any]:
    for k, v in extra.items():
        if k not in known:
            known[k] = _checked(v, path, owner, f"field '{k}'")
    return known


@bulk
def flow_to_dict(flow: Flow, origin: str | None = None) -> dict[str, Any]:
    """The flow as a flow document: known fields in a fixed order, then unknown ones.

    Raises
    ------
    FlowFormatError
        For a constant (or parameter, metadata...) that is not a JSON value, naming the
        node and the constant.
    """
    path = origin or f"<flow '{flow.name}'>"
    version = CURRENT
    loaded = flow.format_version
    if loaded is not None and loaded[0] == CURRENT[0] and loaded > CURRENT:
        version = loaded  # keep a newer minor's label: its fields are written back
    doc: dict[str, Any] = {"format": FORMAT, "version": list(version), "name": flow.name}
    if flow.description:
        doc["description"] = flow.description
    if flow.context_ref is not None:
        doc["context"] = flow.context_ref
    if flow.source is not None:
        doc["source"] = flow.source
    doc["metadata"] = _checked(flow.metadata, path, "metadata", "metadata")
    doc["services"] = [_service_doc(s, path) for s in flow.services.values()]
    doc["nodes"] = [_node_doc(n, path) for n in flow.nodes.values()]
    doc["edges"] = [
        _with_extra({"source": e.source, "target": e.target}, e.extra, path, f"edge '{e.id}'")
        for e in flow.edges
    ]
    doc["groups"] = [_group_doc(g, path) for g in flow.groups.values()]
    return _with_extra(doc, flow.extra, path, "flow")


def _service_doc(s: ServiceSpec, path: str) -> dict[str, Any]:
    d: dict[str, Any] = {"name": s.name, "scope": s.scope}
    if s.factory is not None:
        d["factory"] = s.factory
    if s.declared is not None:
        d["declared"] = s.declared
    if s.doc:
        d["doc"] = s.doc
    if s.constants:
        d["constants"] = {
            k: _checked(v, path, f"service '{s.name}'", f"constant '{k}'")
            for k, v in s.constants.items()
        }
    return _with_extra(d, s.extra, path, f"service '{s.name}'")


def _node_doc(n: NodeSpec, path: str) -> dict[str, Any]:
    owner = f"node '{n.id}'"
    d: dict[str, Any] = {"id": n.id}
    if n.label is not None:
        d["label"] = n.label
    if not _REF.search(n.ref):  # would be refused on load
        raise FlowFormatError(path, owner, f"reference {n.ref!r} is not 'module:qualname'")
    d["ref"] = n.ref
    d["position"] = [float(n.position[0]), float(n.position[1])]
    if n.constants:
        d["constants"] = {
            k: _checked(v, path, owner, f"constant '{k}'") for k, v in n.constants.items()
        }
    d["inputs"] = [_input_doc(p, path, owner) for p in n.input_view]
    d["outputs"] = [_output_doc(o, path, owner) for o in n.output_view]
    if n.doc:
        d["doc"] = n.doc
    for name in POLICY_FIELDS:
        if name in n.policy:
            d[name] = _checked(n.policy[name], path, owner, name)
    return _with_extra(d, n.extra, path, owner)


def _input_doc(p: PortSpec, path: str, owner: str) -> dict[str, Any]:
    d: dict[str, Any] = {"name": p.name}
    if p.type is not None:
        d["type"] = p.type
    d["required"] = bool(p.required)
    if not p.required:
        d["default"] = _checked(p.default, path, owner, f"default of input '{p.name}'")
    return _with_extra(d, p.extra, path, f"{owner}, input '{p.name}'")


def _output_doc(o: OutputSpec, path: str, owner: str) -> dict[str, Any]:
    d: dict[str, Any] = {"name": o.name}
    if o.type is not None:
        d["type"] = o.type
    return _with_extra(d, o.extra, path, f"{owner}, output '{o.name}'")


def _group_doc(g: GroupSpec, path: str) -> dict[str, Any]:
    owner = f"group '{g.id}'"
    d: dict[str, Any] = {"id": g.id, "kind": g.kind}
    if g.label is not None:
        d["label"] = g.label
    d["members"] = list(g.members)
    if g.params:
        d["params"] = _checked(g.params, path, owner, "params")
    return _with_extra(d, g.extra, path, owner)


def dumps(doc: dict[str, Any]) -> str:
    """The file text of a flow document: indent 2, UTF-8 friendly, one final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def encode(doc: dict[str, Any]) -> bytes:
    """The file bytes of a flow document (UTF-8)."""
    try:
        return dumps(doc).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate read from a \\udXXX escape: keep it escaped
        return (json.dumps(doc, indent=2, allow_nan=False) + "\n").encode("ascii")


def save_flow(flow: Flow, path: str | os.PathLike[str]) -> None:
    """Write ``flow`` to ``path`` atomically (temp file, fsync, rename).

    The file keeps its permissions; on any failure the old file is untouched and no
    temporary file is left behind.
    """
    shown = os.fspath(path)
    data = encode(flow_to_dict(flow, shown))
    try:
        atomic_write(shown, data)
    except OSError as exc:
        raise FlowFormatError(shown, None, f"cannot write the file: {exc.strerror or exc}") from exc
    flow.path = shown


bind("flow.save", save_flow)
bind("flow.load", load_flow)
bind("flow.to_dict", flow_to_dict)
bind("flow.from_dict", flow_from_dict)
