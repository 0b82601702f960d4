"""`validate_flow`: everything that keeps a flow from running, as a list of `Problem`.

Severities: ``error`` (the flow cannot run as it is), ``warning`` (it runs, but probably
not as meant) and ``info`` (worth knowing: a parameter that becomes a flow input).
Validation never raises for a bad flow; it only imports code when ``resolve`` is true.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from ..bindings import bind
from ..context import SCOPES, declared_scope, service_providers
from ..errors import AetherFlowError, CycleError
from .bulk import bulk
from .model import Flow
from .specs import GROUP_KINDS, Edge, NodeSpec, OutputSpec, PortSpec, find_port, split_port
from .types import compatible
from .validate_services import check_local_service

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """One finding of `Flow.validate`.

    ``where`` is the node id, edge id (``"a.out->b.in"``), group id, ``service 'x'``, or
    None for the whole flow. ``code`` is a stable short name for tools and tests
    (``cycle``, ``dangling-edge``, ``unknown-port``, ``type-mismatch``, ...).
    """

    severity: Severity
    where: str | None
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.severity}: {self.where or '-'}: {self.message}"


@bulk
def validate_flow(flow: Flow, resolve: bool = True) -> list[Problem]:
    """Return the problems of ``flow``, errors first, each list in model order.

    Parameters
    ----------
    flow
        The flow to check.
    resolve
        Import node and context references (trusted flows only). Without it, nodes are
        checked against the ports saved in the file.
    """
    return _Checker(flow, resolve).run()


def flow_inputs(flow: Flow, services: Iterable[str] | None = None) -> list[str]:
    """Parameters nothing inside the flow fills: each item must provide them.

    A required input is a flow input when no edge, constant, service or node output of
    the same name can fill it. ``services`` defaults to the flow's services.
    """
    names = set(flow.services if services is None else services)
    produced = {o.name for s in flow.nodes.values() for o in s.output_view}
    wired = _wired_inputs(flow)
    found: dict[str, None] = {}
    for spec in flow.nodes.values():
        if spec.id == flow.source:
            continue
        for p in spec.input_view:
            if p.required and not (
                p.name in wired.get(spec.id, ())
                or p.name in spec.constants
                or p.name in names
                or p.name in produced
            ):
                found[p.name] = None
    return list(found)


def _wired_inputs(flow: Flow) -> dict[str, set[str]]:
    wired: dict[str, set[str]] = {}
    for e in flow.edges:
        if "." in e.target:
            wired.setdefault(e.target_node, set()).add(e.target_port)
    return wired


def _ports_known(spec: NodeSpec) -> bool:
    """True when the spec's ports are the node's ports (saved or resolved)."""
    return bool(spec.input_view or spec.output_view) or spec.node is not None


class _Checker:
    def __init__(self, flow: Flow, resolve: bool) -> None:
        self.flow = flow
        self.resolve = resolve
        self.problems: list[Problem] = []
        self.context: Any = None

    def add(self, severity: Severity, where: str | None, message: str, code: str) -> None:
        self.problems.append(Problem(severity, where, message, code))

    def run(self) -> list[Problem]:
        self.check_references()
        self.check_context()
        self.check_edges()
        self.check_cycles()
        self.check_groups()
        self.check_nodes()
        rank = {"error": 0, "warning": 1, "info": 2}
        return sorted(self.problems, key=lambda p: rank[p.severity])

    # -- references ---------------------------------------------------------------------
    def check_references(self) -> None:
        for node_id, spec in self.flow.nodes.items():
            if self.resolve and spec.node is None:
                try:
                    self.flow.resolve(node_id)
                except AetherFlowError as exc:
                    self.add("error", node_id, str(exc), "unresolved")
                except Exception as exc:  # code that breaks while being inspected
                    spec.error = f"{type(exc).__name__}: {exc}"
                    self.add("error", node_id, f"cannot use '{spec.ref}': {spec.error}",
                             "unresolved")  # fmt: skip
            elif spec.is_placeholder:
                self.add("error", node_id, f"unresolved reference: {spec.error}", "unresolved")

    def check_context(self) -> None:
        flow = self.flow
        if flow.context_ref and (self.resolve or flow._context_obj is not None):
            try:
                self.context = flow.context_class()
            except AetherFlowError as exc:
                self.add("error", None, f"context: {exc}", "unresolved-context")
        providers = service_providers(self.context) if self.context is not None else None
        for name, spec in flow.services.items():
            where = f"service '{name}'"
            if spec.local:
                check_local_service(flow, spec, providers, self.resolve, self.add)
                continue
            provider = providers.get(name) if providers is not None else None
            if providers is not None and provider is None:
                known = ", ".join(sorted(providers)) or "none"
                self.add("error", where, f"the context '{flow.context_ref}' has no service "
                         f"'{name}' (services: {known})", "unknown-service")  # fmt: skip
            declared = declared_scope(provider) if provider is not None else None
            if spec.scope not in SCOPES and spec.scope != declared:
                self.add("warning", where, f"scope '{spec.scope}' is neither 'shared' nor "
                         "'isolated'", "unknown-scope")  # fmt: skip

    def service_names(self) -> set[str]:
        names = set(self.flow.services)
        if self.context is not None:
            names.update(service_providers(self.context))
        return names

    # -- edges --------------------------------------------------------------------------
    def check_edges(self) -> None:
        seen: dict[str, Edge] = {}
        for e in self.flow.edges:
            if "." not in e.source or "." not in e.target:
                self.add("error", e.id, "an edge must go from 'node.output' to 'node.input'",
                         "bad-edge")  # fmt: skip
                continue
            ports = self.check_edge_ends(e)
            if ports is not None:
                self.check_edge_types(e, *ports)
            if e.target in seen:
                self.add("error", e.id, f"input '{e.target}' is wired twice (also from "
                         f"'{seen[e.target].source}')", "wired-twice")  # fmt: skip
            seen.setdefault(e.target, e)

    def check_edge_ends(self, e: Edge) -> tuple[OutputSpec, PortSpec] | None:
        """Report missing nodes and ports; the two ports when both exist."""
        found: list[Any] = []
        for (node_id, port), side in ((split_port(e.source), "output"),
                                      (split_port(e.target), "input")):  # fmt: skip
            spec = self.flow.nodes.get(node_id)
            if spec is None:
                self.add("error", e.id, f"dangling edge: no node '{node_id}'", "dangling-edge")
                continue
            if not _ports_known(spec):
                continue
            ports: Sequence[Any] = spec.output_view if side == "output" else spec.input_view
            found_port = find_port(ports, port)
            if found_port is None:
                names = [p.name for p in ports]
                self.add("error", e.id, f"node '{node_id}' has no {side} '{port}' ({side}s: "
                         f"{', '.join(names) or 'none'})", "unknown-port")  # fmt: skip
                continue
            found.append(found_port)
        return (found[0], found[1]) if len(found) == 2 else None

    def check_edge_types(self, e: Edge, out: OutputSpec, inp: PortSpec) -> None:
        if not out.type or not inp.type:
            return
        verdict = compatible(out.type, inp.type)
        if verdict is False:
            self.add("error", e.id, f"type mismatch: '{e.source}' gives {out.type}, "
                     f"'{e.target}' expects {inp.type}", "type-mismatch")  # fmt: skip
        elif verdict is None:
            self.add("warning", e.id, f"types may not match: '{e.source}' gives {out.type}, "
                     f"'{e.target}' expects {inp.type}", "type-mismatch")  # fmt: skip

    def check_cycles(self) -> None:
        try:  # the flow's own order finds a cycle without a copy of the graph
            self.flow.topological_order()
            return
        except CycleError:
            pass
        graph = self.flow.graph()
        order = {n: i for i, n in enumerate(self.flow.nodes)}
        for component in nx.strongly_connected_components(graph):
            start = min(component, key=lambda n: order.get(n, -1))
            if len(component) == 1 and not graph.has_edge(start, start):
                continue
            cycle = nx.find_cycle(graph.subgraph(component), start)
            path = " -> ".join([a for a, _ in cycle] + [cycle[0][0]])
            self.add("error", start, f"cycle: {path}", "cycle")

    # -- groups -------------------------------------------------------------------------
    def check_groups(self) -> None:
        flow = self.flow
        parent: dict[str, str] = {}
        for gid, g in flow.groups.items():
            if g.kind not in GROUP_KINDS:
                self.add("error", gid, f"unknown group kind '{g.kind}' (kinds: "
                         f"{', '.join(GROUP_KINDS)})", "group")  # fmt: skip
            for m in g.members:
                if m == gid or (m not in flow.nodes and m not in flow.groups):
                    what = "itself" if m == gid else f"'{m}', which does not exist"
                    self.add("error", gid, f"group has {what} as a member", "group")
                    continue
                if g.kind == "frame":
                    continue
                inner = flow.groups.get(m)
                if inner is not None and inner.kind == "frame":
                    self.add("error", gid, f"frame '{m}' cannot be a member of a "
                             f"{g.kind} group", "group")  # fmt: skip
                if m in parent:
                    self.add("error", gid, f"'{m}' is in two control groups: "
                             f"'{parent[m]}' and '{gid}'", "group")  # fmt: skip
                else:
                    parent[m] = gid
            params = g.params if isinstance(g.params, dict) else {}
            if g.kind in _GROUP_CHECKS:
                _GROUP_CHECKS[g.kind](self, gid, g.members, params)
        self.check_group_nesting(parent)

    def check_group_nesting(self, parent: dict[str, str]) -> None:
        reported: set[str] = set()
        for gid in self.flow.groups:
            seen = [gid]
            while gid in parent:
                gid = parent[gid]
                if gid in seen:
                    if gid not in reported:
                        reported.update(seen)
                        self.add(
                            "error",
                            gid,
                            "groups contain each other: "
                            + " in ".join([*seen[seen.index(gid) :], gid]),
                            "group",
                        )
                    break
                seen.append(gid)

    def check_repeat(self, gid: str, members: list[str], params: dict[str, Any]) -> None:
        times = params.get("times", 1)
        if type(times) is not int or times < 0:
            self.add("error", gid, f"repeat 'times' must be an integer >= 0, not "
                     f"{times!r}", "group")  # fmt: skip

    def cases(self, gid: str, members: list[str], params: dict[str, Any]) -> list[Any]:
        """The well-formed cases of a branch or parallel group (reporting the others)."""
        cases = params.get("cases", [])
        if not isinstance(cases, list) or not cases:
            self.add("error", gid, "'cases' must be a non-empty list", "group")
            return []
        good = []
        for i, c in enumerate(cases):
            inner = c.get("members") if isinstance(c, dict) else None
            if not isinstance(inner, list) or not all(isinstance(m, str) for m in inner):
                self.add("error", gid, f"case {i} must be an object with a 'members' list",
                         "group")  # fmt: skip
                continue
            stray = [m for m in inner if m not in members]
            if stray:
                self.add("error", gid, f"case {i} names {', '.join(stray)}, not members of "
                         "the group", "group")  # fmt: skip
            good.append(c)
        return good

    def check_branch(self, gid: str, members: list[str], params: dict[str, Any]) -> None:
        cond = params.get("condition")
        if not isinstance(cond, str) or cond not in self.flow.nodes:
            self.add("error", gid, f"branch condition {cond!r} is not a node of the flow",
                     "group")  # fmt: skip
        elif cond not in members:
            self.add("error", gid, f"branch condition '{cond}' is not a member of the group",
                     "group")  # fmt: skip
        values: list[Any] = []
        covered: set[str] = {cond} if isinstance(cond, str) else set()
        for c in self.cases(gid, members, params):
            value = c.get("value")
            if any(type(v) is type(value) and v == value for v in values):
                self.add("warning", gid, f"case value {value!r} appears twice; the first "
                         "wins", "group")  # fmt: skip
            values.append(value)
            covered.update(c["members"])
        self.uncovered(gid, members, covered)

    def check_parallel(self, gid: str, members: list[str], params: dict[str, Any]) -> None:
        executor = params.get("executor", "thread")
        if executor not in ("thread", "process"):
            self.add("error", gid, f"executor must be 'thread' or 'process', not "
                     f"{executor!r}", "group")  # fmt: skip
        workers = params.get("max_workers")
        if workers is not None and (type(workers) is not int or workers < 1):
            self.add("error", gid, f"max_workers must be null or an integer >= 1, not "
                     f"{workers!r}", "group")  # fmt: skip
        keys: set[str] = set()
        covered: set[str] = set()
        for c in self.cases(gid, members, params):
            key = str(c.get("key"))
            if key in keys:
                self.add("error", gid, f"two cases share the result key '{key}'", "group")
            keys.add(key)
            covered.update(c["members"])
        self.uncovered(gid, members, covered)

    def uncovered(self, gid: str, members: list[str], covered: set[str]) -> None:
        never = [m for m in members if m not in covered]
        if never:
            self.add("warning", gid, f"members in no case never run: {', '.join(never)}",
                     "group")  # fmt: skip

    # -- nodes --------------------------------------------------------------------------
    def check_nodes(self) -> None:
        flow = self.flow
        if flow.source is not None and flow.source not in flow.nodes:
            self.add("error", None, f"source node '{flow.source}' does not exist", "source")
        wired = _wired_inputs(flow)
        services = self.service_names()
        inputs = set(flow_inputs(flow, services))
        for node_id, spec in flow.nodes.items():
            if not _ports_known(spec):
                continue
            names = set(spec.input_names)
            for k in spec.constants:
                if k not in names:
                    self.add(
                        "warning",
                        node_id,
                        f"constant '{k}' matches no input (inputs: "
                        f"{', '.join(spec.input_names) or 'none'})",
                        "unknown-constant",
                    )
                elif k in wired.get(node_id, ()):
                    self.add("warning", node_id, f"constant '{k}' is ignored: the input is "
                             "wired", "constant-ignored")  # fmt: skip
            if node_id == flow.source:
                continue
            if spec.node is not None and spec.node.is_generator:
                self.add("error", node_id, f"'{node_id}' yields items: make it the source (or "
                         "a node that returns values)", "generator-node")  # fmt: skip
            for p in spec.input_view:
                if (
                    p.required
                    and p.name in inputs
                    and p.name not in spec.constants
                    and (p.name not in wired.get(node_id, ()))
                ):
                    self.add("info", node_id, f"input '{p.name}' is a flow input: each item "
                             f"must provide '{p.name}'", "flow-input")  # fmt: skip


_GROUP_CHECKS = {
    "repeat": _Checker.check_repeat,
    "branch": _Checker.check_branch,
    "parallel": _Checker.check_parallel,
}


bind("flow.validate", validate_flow)
bind("flow.inputs", flow_inputs)
