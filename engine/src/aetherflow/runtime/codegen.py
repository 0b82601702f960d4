"""Compile a straight flow (every item runs every node once, in order) into one generated
Python function, so an item costs a plain sequence of calls instead of a loop over steps.

The generated source holds identifiers and indices only: parameter names (checked to be
identifiers), local names and numbers. Everything else the function needs (the node
callables, constants, defaults, output port names, node ids for error messages, wired
keys) is bound in its namespace, never written into the source. `StraightCode.source`
keeps the text for whoever wants to read it (the trace view, a curious user).

The function has the signature of `run_steps` minus the steps: ``fn(state, wired, svc,
probe)`` and the same semantics, node by node: parameters from edges, constants, services,
the state or defaults (`CallStep`'s plan); results merged into the state and the wired
values; a node's failure raised as `NodeExecutionError`; a `LoopControl` result ending the
item's steps. Whatever the fast lines cannot resolve on their own (a missing state key, an
edge whose source gave no value) resumes the interpreted steps from that node on, which
then resolve it exactly as they always do (defaults, fallbacks, `MissingInputError`).
Three variants are generated from one template: without a probe (`Node.run`), with a
timed probe and with an untimed one (see `Probe`).
"""

from __future__ import annotations

import functools
import inspect
import keyword
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from time import perf_counter
from types import CodeType
from typing import Any

from ..compose import LoopControl
from ..errors import NodeExecutionError, ServiceError
from .services import Services

Wired = dict[tuple[str, str], Any]
RunFn = Callable[[dict[str, Any], Wired, Services, Any], Any]

_STATE, _CONST, _SERVICE, _EDGE = 0, 1, 2, 3  # the kinds of `CallStep.plan` entries
_MISSING_NAME = "MISSING"
# Longer straight flows keep the interpreted steps: compiling grows with the flow (about
# 0.5 ms a node) while what it saves per node call stays the same, so for long flows a
# first run would pay more than it gains.
MAX_NODES = 200


@dataclass(frozen=True)
class StraightCode:
    """The generated functions of one program, and their source."""

    plain: RunFn  # no probe (``probe`` is None)
    timed: RunFn  # every call timed: ``probe.leave``
    untimed: RunFn  # calls only marked (``probe.current``) and counted if ``counting``
    source: str

    def run(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        if probe is None:
            return self.plain(state, wired, svc, probe)
        if probe.timing:
            return self.timed(state, wired, svc, probe)
        return self.untimed(state, wired, svc, probe)


def compile_straight(
    calls: Sequence[Any],
    resume: Callable[[int, dict[str, Any], Wired, Services, Any], Any],
    stops: Mapping[int, Callable[..., Any]] | None = None,
    last: dict[str, Any] | None = None,
) -> StraightCode | None:
    """Generate the functions for ``calls`` (the program's `CallStep`s in run order), or
    None when one of them needs what only the interpreted steps do (an async node, a
    retry or time-limit policy, a parameter name that is not an identifier).

    ``resume(k, state, wired, svc, probe)`` runs the interpreted steps from the ``k``-th
    call on; the generated code hands over to it when a parameter needs the slow path.
    ``stops`` (debugging runs): ``{k: test}``, a test called with the ``k``-th call's
    arguments by name just before it; when true, the code hands over to ``resume`` there.
    ``last`` (runs that watch wires): each node's raw result is stored in it by node id
    after the call, for the worker to render on request.
    """
    if not calls or len(calls) > MAX_NODES or any(not _fits(c) for c in calls):
        return None
    from ..node import MISSING

    namespace: dict[str, Any] = {
        "perf_counter": perf_counter, "NodeExecutionError": NodeExecutionError,
        "ServiceError": ServiceError, "BREAK": LoopControl.BREAK,
        "CONTINUE": LoopControl.CONTINUE, "current_thread": threading.current_thread,
        "main_thread": threading.main_thread, "resume": resume, _MISSING_NAME: MISSING,
        "LAST": last,
    }  # fmt: skip
    body = []
    for k, call in enumerate(calls):
        body.extend(_node_lines(k, call, namespace, (stops or {}).get(k)))
    variants = {}
    texts = []
    for variant in ("plain", "timed", "untimed"):
        text = _function(variant, body)
        texts.append(text)
        exec(_compiled(text, variant), namespace)
        variants[variant] = namespace.pop(f"run_{variant}")
    return StraightCode(source="\n".join(texts), **variants)


@functools.lru_cache(maxsize=32)
def _compiled(text: str, variant: str) -> CodeType:
    """The code object of one generated function. The text depends only on the flow's
    shape (identifiers and indices; values live in the namespace), so every program of the
    same flow, a run after a run, reuses it: compiling costs about 0.5 ms a node."""
    return compile(text, f"<aetherflow straight flow: {variant}>", "exec")


def _fits(call: Any) -> bool:
    if call.is_async or call.policy.active:
        return False
    return all(name.isidentifier() and not keyword.iskeyword(name) for name, *_ in call.plan)


def _positional(call: Any) -> bool:
    """True when the node's function takes exactly the plan's parameters, in plan order,
    each of which can be passed by position."""
    try:
        params = list(inspect.signature(call.func).parameters.values())
    except (TypeError, ValueError):
        return False
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [name for name, *_ in call.plan]
    return [p.name for p in params] == names and all(p.kind in kinds for p in params)


def _function(variant: str, body: list[str]) -> str:
    head = [f"def run_{variant}(state, wired, svc, probe):"]
    if variant == "untimed":
        head.append("    counting = probe.counting")
        head.append("    counts = probe.counts")
    lines = []
    for line in body:
        tag, _, text = line.partition("|")
        if _tag_matches(tag, variant):
            lines.append(text)
    return "\n".join([*head, *lines, "    return None", ""])


def _tag_matches(tag: str, variant: str) -> bool:
    """A line tagged ``""`` is in every variant, ``probe`` in timed and untimed, else in
    the variant it names."""
    return not tag or tag == variant or (tag == "probe" and variant != "plain")


def _node_lines(k: int, call: Any, ns: dict[str, Any], stop: Any = None) -> list[str]:
    """The lines for the ``k``-th call; each is ``tag|text`` (an empty tag: every variant)."""
    i = call.index
    ns[f"F{k}"], ns[f"N{k}"], ns[f"OUT{k}"] = call.func, call.node_id, call.out_key
    args, resolve, needs_slow = [], [], False
    for j, (name, kind, key, default) in enumerate(call.plan):
        local = f"a{k}_{j}"
        if kind == _CONST:
            ns[local.upper()] = key
            args.append(f"{name}={local.upper()}")
            continue
        if kind == _STATE and default is not ns[_MISSING_NAME]:
            ns[f"D{k}_{j}"] = default
            resolve.append(f"    {local} = state.get({name!r}, D{k}_{j})")
        elif kind == _STATE:
            resolve.append(f"    {local} = state[{name!r}]")
            needs_slow = True
        elif kind == _SERVICE:
            resolve.append(f"    {local} = svc.get({name!r})")
        else:  # an edge: the value its source gave this item
            ns[f"E{k}_{j}"] = key
            resolve.append(f"    {local} = wired[E{k}_{j}]")
            needs_slow = True
        args.append(f"{name}={local}")
    by_name = ", ".join(args)  # the inputs a failure reports (`NodeExecutionError.inputs`)
    if _positional(call):  # a positional call is cheaper than the same call by keyword
        args = [a.partition("=")[2] for a in args]
    lines = [f"|    # node {k}"]
    if resolve:
        lines.append("|    try:")
        lines += ["|    " + r for r in resolve]
        if needs_slow:
            lines.append("|    except KeyError:")
            lines.append(f"|        return resume({k}, state, wired, svc, probe)")
        if any(kind == _SERVICE for _n, kind, *_ in call.plan):
            lines.append("|    except ServiceError as exc:")
            lines.append(f"|        raise exc.at_node(N{k}) from exc.original")
    if stop is not None:  # a breakpoint: its test sees the arguments about to be passed
        ns[f"STOP{k}"] = stop
        lines.append(f"|    if STOP{k}({by_name}):")
        lines.append(f"|        return resume({k}, state, wired, svc, probe)")
    lines += _call_lines(k, i, ", ".join(args), by_name)
    if ns["LAST"] is not None:  # a run watching wires keeps each node's last result
        lines.append(f"|    LAST[N{k}] = r")
    lines += _merge_lines(k, call, ns)
    return lines


def _call_lines(k: int, i: int, args: str, by_name: str) -> list[str]:
    return [
        f"probe|    probe.current = {i}",
        "timed|    t0 = perf_counter()",
        "|    try:",
        f"|        r = F{k}({args})",
        "|    except Exception as exc:",
        f"probe|        probe.failed({i})",
        f"|        raise NodeExecutionError(N{k}, exc, inputs=dict({by_name})) from exc",
        "|    except BaseException as exc:",
        "|        if current_thread() is main_thread():",
        "|            raise",
        f"probe|        probe.failed({i})",
        f"|        raise NodeExecutionError(N{k}, exc, inputs=dict({by_name})) from exc",
        f"timed|    probe.leave({i}, perf_counter() - t0)",
        "untimed|    if counting:",
        f"untimed|        counts[{i}] += 1",
    ]


def _merge_lines(k: int, call: Any, ns: dict[str, Any]) -> list[str]:
    lines = ["|    if r is not None:", "|        if type(r) is dict or isinstance(r, dict):"]
    lines.append("|            state.update(r)")
    for j, port in enumerate(call.wired_outputs):
        ns[f"P{k}_{j}"], ns[f"W{k}_{j}"] = port, (call.node_id, port)
        lines.append(f"|            if P{k}_{j} in r:")
        lines.append(f"|                wired[W{k}_{j}] = r[P{k}_{j}]")
    lines.append("|        elif r is BREAK or r is CONTINUE:")
    lines.append("|            return r")
    lines.append("|        else:")
    lines.append(f"|            state[OUT{k}] = r")
    for j in range(len(call.wired_outputs)):
        lines.append(f"|            wired[W{k}_{j}] = r")
    return lines
