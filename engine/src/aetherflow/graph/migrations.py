"""Versions of the flow file format and the steps that upgrade old files.

Versions are ``(major, minor)``. Each past version has a schema, checked before its
upgrade step runs, and one step to the next version; a file is upgraded one step at a
time up to `CURRENT`, and the version it was written in is recorded in the top-level
``upgraded_from`` field.

History
-------
0.1
    AetherFlow 0.1: header ``{"aetherflow": "0.1"}``; ``nodes`` an object keyed by id
    with ``x``/``y`` and ``params`` (the constants); ``edges`` as ``[source, target]``
    pairs; ``scopes`` as ``{service: scope}``.
0.2
    ``format``/``version`` header; ``nodes`` a list with ``position`` and ``constants``;
    ports as lists of names; edges as ``{"from", "to"}``; ``services`` a list; groups.
1.0
    Ports as objects with ``type``/``required``/``default``; edges as
    ``{"source", "target"}``; services with ``factory``; ``metadata``; unknown fields kept.
1.1
    Services the flow declares itself: an entry with a ``factory`` and no ``declared``
    scope is built by the engine for each run (no context needed), with optional
    constructor ``constants``. A 1.0 file is a valid 1.1 file: the step only relabels it.
1.2
    A node's time limit and retries on its entry: ``timeout``, ``retries``,
    ``retry_delay``, ``backoff``, ``retry_on`` (exception names). A 1.1 file is a valid
    1.2 file: the step only relabels it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import FlowFormatError
from . import schemas

Version = tuple[int, int]
CURRENT: Version = (1, 2)
FORMAT = "aetherflow"

Doc = dict[str, Any]


def version_text(v: Version) -> str:
    return f"{v[0]}.{v[1]}"


def detect_version(doc: Doc, path: str) -> Version:
    """The format version a document declares; `FlowFormatError` if it declares none."""
    if "format" not in doc and isinstance(doc.get("aetherflow"), str):
        legacy = doc["aetherflow"]
        if legacy == "0.1":
            return (0, 1)
        raise FlowFormatError(
            path, "aetherflow", f"unknown legacy version {schemas.short(legacy)} (known: 0.1)"
        )
    if "format" not in doc:
        raise FlowFormatError(path, "format", "not an AetherFlow flow: no 'format' field")
    if doc["format"] != FORMAT:
        raise FlowFormatError(
            path, "format", f'expected "{FORMAT}", found {schemas.short(doc["format"])}'
        )
    v = doc.get("version")
    if not (isinstance(v, list) and len(v) == 2 and all(type(x) is int and x >= 0 for x in v)):
        raise FlowFormatError(
            path, "version", f"expected [major, minor] integers, found {schemas.short(v)}"
        )
    return (v[0], v[1])


# -- upgrade steps: each takes a document valid for its version ----------------------


def _from_0_1(doc: Doc) -> Doc:
    out: Doc = {"format": FORMAT, "version": [0, 2]}
    rest = {k: v for k, v in doc.items() if k not in ("aetherflow", "nodes", "edges", "scopes")}
    nodes = []
    for node_id, n in doc["nodes"].items():
        node: Doc = {"id": node_id, "ref": n["ref"]}
        node["position"] = [n.get("x", 0.0), n.get("y", 0.0)]
        node["constants"] = n.get("params", {})
        for key in ("inputs", "outputs"):
            if key in n:
                node[key] = n[key]
        node.update({k: v for k, v in n.items() if k not in ("x", "y", "params", *node)})
        nodes.append(node)
    services = [{"name": k, "scope": v} for k, v in doc.get("scopes", {}).items()]
    edges = [{"from": s, "to": t} for s, t in doc.get("edges", [])]
    out.update(rest)
    out.update({"services": services, "nodes": nodes, "edges": edges})
    return out


def _from_0_2(doc: Doc) -> Doc:
    out: Doc = {**doc, "version": [1, 0]}
    nodes = []
    for n in doc["nodes"]:
        node = dict(n)
        # 0.2 did not know whether a port was optional; resolving the node refreshes it.
        node["inputs"] = [{"name": p, "required": True} for p in n.get("inputs", [])]
        node["outputs"] = [{"name": p} for p in n.get("outputs", [])]
        nodes.append(node)
    edges = []
    for e in doc.get("edges", []):
        edge = {"source": e["from"], "target": e["to"]}
        edge.update({k: v for k, v in e.items() if k not in ("from", "to")})
        edges.append(edge)
    out.update({"nodes": nodes, "edges": edges})
    return out


def _from_1_0(doc: Doc) -> Doc:
    return {**doc, "version": [1, 1]}


def _from_1_1(doc: Doc) -> Doc:
    return {**doc, "version": [1, 2]}


# version -> (schema name, step to the next version)
STEPS: dict[Version, tuple[str, Callable[[Doc], Doc]]] = {
    (0, 1): ("aflow-0.1", _from_0_1),
    (0, 2): ("aflow-0.2", _from_0_2),
    (1, 0): ("aflow-1", _from_1_0),
    (1, 1): ("aflow-1", _from_1_1),
}


def upgrade(doc: Doc, path: str) -> tuple[Doc, Version]:
    """Bring ``doc`` to the current major version; return it and its original version.

    Raises `FlowFormatError` for a newer major version, an unknown past version, or a
    past-version document that breaks its own schema. Older minors of the current major
    are relabelled step by step (a minor only adds fields, so ``upgraded_from`` is written
    for major upgrades only); the caller checks the result against the 1.x schema.
    """
    original = version = detect_version(doc, path)
    if version[0] > CURRENT[0]:
        raise FlowFormatError(
            path,
            "version",
            f"the file is format version {version_text(version)}, newer than this "
            f"AetherFlow can read (up to {CURRENT[0]}.x, writes {version_text(CURRENT)}); "
            "upgrade AetherFlow to open it",
        )
    while version < CURRENT:
        if version not in STEPS:
            known = ", ".join(version_text(v) for v in STEPS)
            raise FlowFormatError(
                path, "version", f"unknown old version {version_text(version)} (known: {known})"
            )
        schema, step = STEPS[version]
        schemas.check(doc, schema, path, label=f"format {version_text(version)}")
        doc = step(doc)
        version = detect_version(doc, path)
    if original[0] != version[0] and "upgraded_from" not in doc:
        doc["upgraded_from"] = list(original)
    return doc, original
