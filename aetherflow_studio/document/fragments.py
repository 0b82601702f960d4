"""Plain-data copies of flow parts, for undo commands and the clipboard fragment."""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
from collections.abc import Iterable

from aetherflow import Flow, GroupSpec, Node, NodeSpec
from aetherflow.graph.fileformat import flow_from_dict, flow_to_dict
from aetherflow.refs import folder_prefix, in_folder, resolve_ref, split_ref

FRAGMENT_FORMAT = "aetherflow-fragment"
FRAGMENT_VERSION = 2  # 2: the part is a flow document of the file format


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


def spec_from_node(node: Node) -> NodeSpec:
    """A node spec with the node's ports, built through the engine's own `Flow.add`."""
    scratch = Flow("scratch")
    return scratch.nodes[scratch.add(node)]


def resolve_loaded(ref: str, paths: Iterable[str] = ()) -> Node | None:
    """The `Node` behind ``ref`` when its module is already imported, plainly or as one
    of ``paths``' folder modules (runs no new code)."""
    try:
        module, _ = split_ref(ref)
    except Exception:
        return None
    folders = [p for p in paths if in_folder(module, p)]
    key = f"{folder_prefix(folders[0])}.{module}" if folders else module
    if key not in sys.modules:
        return None
    return resolve_or_none(ref, paths)


def resolve_or_none(ref: str, paths: Iterable[str] = ()) -> Node | None:
    try:
        obj = resolve_ref(ref, list(paths))
    except Exception:
        return None
    return obj if isinstance(obj, Node) else None


# -- clipboard fragment ------------------------------------------------------------------
def fragment_text(flow: Flow, node_ids: list[str]) -> str:
    """JSON text of ``node_ids``, the edges among them and the frames around only them.

    The part is written by the file format itself (`flow_to_dict`), so a fragment holds
    exactly what a saved flow would, and is read back with the same checks.

    Raises
    ------
    FlowFormatError
        For a node the file format cannot write (a constant that is not JSON...).
    """
    chosen = [i for i in node_ids if i in flow.nodes]
    inside = set(chosen)
    part = Flow("fragment")
    for node_id in chosen:
        part.insert_node(copy_spec(flow.nodes[node_id]))
    for edge in flow.edges:
        if edge.source_node in inside and edge.target_node in inside:
            part.insert_edge(edge)
    for g in flow.groups.values():
        if g.kind == "frame" and g.members and all(m in inside for m in g.members):
            part.add_group("frame", list(g.members), id=g.id, label=g.label)
    errors = {i: flow.nodes[i].error for i in chosen if flow.nodes[i].error is not None}
    data = {
        "format": FRAGMENT_FORMAT,
        "version": FRAGMENT_VERSION,
        "flow": flow_to_dict(part, "<clipboard>"),
        "errors": errors,
    }
    return json.dumps(data, indent=1)


def parse_fragment(text: str) -> Flow | None:
    """The part of a flow inside ``text``, or None when it is not a fragment (any other
    clipboard text). Node errors (placeholders) come back on their specs.

    Raises
    ------
    FlowFormatError
        For a fragment whose flow the file format refuses (names what is wrong).
    """
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FRAGMENT_FORMAT:
        return None
    part = flow_from_dict(data.get("flow"), "<clipboard>")
    errors = data.get("errors")
    for node_id, error in (errors if isinstance(errors, dict) else {}).items():
        if node_id in part.nodes and isinstance(error, str):
            part.nodes[node_id].error = error
    return part
