"""Plain-data copies of flow parts, for undo commands and the clipboard fragment."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import sys
from typing import Any

from aetherflow import Flow, GroupSpec, Node, NodeSpec, PortSpec
from aetherflow.graph.model import OutputSpec
from aetherflow.refs import resolve_ref, split_ref

FRAGMENT_FORMAT = "aetherflow-fragment"
FRAGMENT_VERSION = 1
_ID_RE = re.compile(r"[^0-9A-Za-z_\-]+")


def copy_spec(spec: NodeSpec) -> NodeSpec:
    """A copy of a node spec whose mutable parts are not shared (the live node is)."""
    return dataclasses.replace(
        spec,
        constants=copy.deepcopy(spec.constants),
        inputs=copy.deepcopy(spec.inputs),
        outputs=copy.deepcopy(spec.outputs),
        extra=copy.deepcopy(spec.extra),
    )


def copy_group(group: GroupSpec) -> GroupSpec:
    return copy.deepcopy(group)


def unique_id(base: str, taken: set[str]) -> str:
    """``base`` made a valid id that is not in ``taken`` (``base_2``, ``base_3``...)."""
    base = _ID_RE.sub("_", base).strip("_") or "node"
    if base not in taken:
        return base
    i = 2
    while f"{base}_{i}" in taken:
        i += 1
    return f"{base}_{i}"


def spec_from_node(node: Node) -> NodeSpec:
    """A node spec with the node's ports, built through the engine's own `Flow.add`."""
    scratch = Flow("scratch")
    return scratch.nodes[scratch.add(node)]


def resolve_loaded(ref: str) -> Node | None:
    """The `Node` behind ``ref`` when its module is already imported (runs no new code)."""
    try:
        module, _ = split_ref(ref)
    except Exception:
        return None
    if module not in sys.modules:
        return None
    return resolve_or_none(ref)


def resolve_or_none(ref: str) -> Node | None:
    try:
        obj = resolve_ref(ref)
    except Exception:
        return None
    return obj if isinstance(obj, Node) else None


# -- clipboard fragment ------------------------------------------------------------------
def spec_to_dict(spec: NodeSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "ref": spec.ref,
        "label": spec.label,
        "constants": spec.constants,
        "position": list(spec.position),
        "inputs": [dataclasses.asdict(p) for p in spec.inputs],
        "outputs": [dataclasses.asdict(o) for o in spec.outputs],
        "doc": spec.doc,
        "extra": spec.extra,
        "error": spec.error,
    }


def spec_from_dict(data: dict[str, Any]) -> NodeSpec:
    pos = data.get("position") or (0.0, 0.0)
    return NodeSpec(
        id=str(data["id"]),
        ref=str(data["ref"]),
        label=data.get("label"),
        constants=dict(data.get("constants") or {}),
        position=(float(pos[0]), float(pos[1])),
        inputs=[PortSpec(**p) for p in data.get("inputs") or []],
        outputs=[OutputSpec(**o) for o in data.get("outputs") or []],
        doc=data.get("doc") or "",
        extra=dict(data.get("extra") or {}),
        error=data.get("error"),
    )


def fragment_text(flow: Flow, node_ids: list[str]) -> str:
    """JSON text of ``node_ids``, the edges among them and the frames around only them."""
    chosen = [i for i in node_ids if i in flow.nodes]
    inside = set(chosen)
    edges = [
        [e.source, e.target]
        for e in flow.edges
        if e.source_node in inside and e.target_node in inside
    ]
    frames = [
        {"id": g.id, "label": g.label, "members": [m for m in g.members if m in inside]}
        for g in flow.groups.values()
        if g.kind == "frame" and g.members and all(m in inside for m in g.members)
    ]
    data = {
        "format": FRAGMENT_FORMAT,
        "version": FRAGMENT_VERSION,
        "nodes": [spec_to_dict(flow.nodes[i]) for i in chosen],
        "edges": edges,
        "frames": frames,
    }
    return json.dumps(data, indent=1, default=repr)


def parse_fragment(text: str) -> dict[str, Any] | None:
    """The fragment inside ``text``, or None when it is not one (any clipboard text)."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FRAGMENT_FORMAT:
        return None
    return data
