"""`@node`: plain functions become graph nodes with known inputs and outputs."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, overload

from .bindings import bound
from .policy import ExceptionRef, NodePolicy, make_policy
from .refs import ref_of, resolve_ref

if TYPE_CHECKING:
    from .graph.model import Flow


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Marks a parameter without a default."""


class Param:
    """One input of a node: its name, default and annotation (as text)."""

    __slots__ = ("annotation", "default", "name")

    def __init__(self, name: str, default: Any = MISSING, annotation: str | None = None) -> None:
        self.name = name
        self.default = default
        self.annotation = annotation

    @property
    def required(self) -> bool:
        return self.default is MISSING

    def __repr__(self) -> str:
        return f"Param({self.name!r}{'' if self.required else ', default'})"


def _annotation_text(annotation: Any) -> str | None:
    if annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type):
        return (
            annotation.__qualname__
            if annotation.__module__ == "builtins"
            else (f"{annotation.__module__}.{annotation.__qualname__}")
        )
    return str(annotation).replace("typing.", "")


def _params_of(func: Callable[..., Any]) -> tuple[Param, ...]:
    params = []
    for p in inspect.signature(func).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind is p.POSITIONAL_ONLY:
            raise TypeError(
                f"@node {func.__qualname__}: positional-only parameter '{p.name}' cannot be "
                "filled by name"
            )
        default = MISSING if p.default is inspect.Parameter.empty else p.default
        params.append(Param(p.name, default, _annotation_text(p.annotation)))
    return tuple(params)


class _ReturnFinder(ast.NodeVisitor):
    """Collects the `return` statements of one function, not of nested ones."""

    def __init__(self) -> None:
        self.returns: list[ast.Return] = []
        self.depth = 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.depth += 1
        if self.depth == 1:
            self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        return

    def visit_Return(self, node: ast.Return) -> None:
        self.returns.append(node)


def infer_outputs(func: Callable[..., Any]) -> tuple[str, ...] | None:
    """Keys of the dict literals that every `return` returns, or None if not all do."""
    try:
        source = textwrap.dedent(inspect.getsource(func))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)), None)
    if fn is None:
        return None
    finder = _ReturnFinder()
    finder.visit(fn)
    if not finder.returns:
        return None
    keys: dict[str, None] = {}
    for ret in finder.returns:
        value = ret.value
        if not isinstance(value, ast.Dict):
            return None
        for key in value.keys:
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return None  # `**spread` (key None) or a computed key
            keys[key.value] = None
    return tuple(keys)


class Node:
    """A function that a flow can call, filling its parameters by name.

    A `Node` is still callable like the function it wraps. Compositions (`then`,
    `fan_out_to`, `fan_in`, `branch_on`, `repeat`) return new nodes and never change
    this one.

    Parameters
    ----------
    func
        The function.
    name
        The node's name; the function's name by default.
    outputs
        Output names. By default: the keys of the dict literals returned by every
        ``return`` of the function when they are all such literals, else ``[name]``.
    policy
        Its time limit and retries (`NodePolicy`); a flow file's node entry can
        override each field.
    """

    policy: NodePolicy = NodePolicy()

    def __init__(
        self,
        func: Callable[..., Any],
        name: str | None = None,
        outputs: Iterable[str] | None = None,
        policy: NodePolicy | None = None,
    ) -> None:
        self.func = func
        self.name: str = str(name or getattr(func, "__name__", "node"))
        self.params: tuple[Param, ...] = _params_of(func)
        if outputs is not None:
            outs: tuple[str, ...] = tuple(outputs)
            self.outputs_declared = True
        else:
            outs = infer_outputs(func) or (self.name,)
            self.outputs_declared = False
        self.outputs: tuple[str, ...] = outs
        self.doc: str = inspect.getdoc(func) or ""
        self.is_generator = inspect.isgeneratorfunction(func)
        self.is_async = inspect.iscoroutinefunction(func)
        self.is_async_generator = inspect.isasyncgenfunction(func)
        if policy is not None:
            self.policy = policy
        self.ref: str | None = ref_of(func)
        self._flow_cache: Flow | None = None
        self.__wrapped__ = func
        self.__doc__ = func.__doc__
        self.__module__ = getattr(func, "__module__", __name__)
        self.__qualname__ = getattr(func, "__qualname__", self.name)

    # -- the function face ------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Node({self.name!r}, inputs={list(self.inputs)}, outputs={list(self.outputs)})"

    def __reduce__(self) -> Any:
        # Pickle by reference (process pools, Dask): the module is imported on the other side.
        if self.ref is None:
            raise TypeError(f"node '{self.name}' is not importable by reference; cannot pickle")
        return (resolve_ref, (self.ref,))

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names of the parameters, in signature order."""
        return tuple(p.name for p in self.params)

    @property
    def required_inputs(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params if p.required)

    # -- running ----------------------------------------------------------------------
    def run(self, state: dict[str, Any] | None = None, context: Any = None) -> dict[str, Any]:
        """Run on the calling thread and return the state.

        Parameters
        ----------
        state
            The run state: parameters not filled otherwise are read from it, and results
            are merged into it. A new dict when None. It is changed in place.
        context
            A `BaseFlowContext` subclass or instance; its providers fill parameters of
            the same name, resolved on the calling thread.
        """
        flow = self._flow_cache if self._flow_cache is not None else self.to_flow()
        return bound("node.run")(flow, state, context)

    async def arun(
        self, state: dict[str, Any] | None = None, context: Any = None
    ) -> dict[str, Any]:
        """`run` from async code: ``await node.arun(state, context)`` awaits the async
        nodes on the running event loop (sync nodes are called on it directly)."""
        flow = self._flow_cache if self._flow_cache is not None else self.to_flow()
        result: dict[str, Any] = await bound("node.arun")(flow, state, context)
        return result

    def to_flow(self) -> Flow:
        """The equivalent `Flow`, so code-built pipelines open in the Studio."""
        if self._flow_cache is None:
            self._flow_cache = bound("node.to_flow")(self)
        return self._flow_cache

    # -- composition ------------------------------------------------------------------
    def then(self, next_node: Node) -> Node:
        """Run ``next_node`` after this one."""
        return bound("node.then")(self, next_node)

    def fan_out_to(
        self, nodes: list[Node], executor: str = "thread", max_workers: int | None = None
    ) -> Node:
        """Run each of ``nodes`` on a pool thread with a copy of the state."""
        fan_out = bound("node.fan_out_to")
        return fan_out(self, nodes, executor=executor, max_workers=max_workers)

    def fan_in(self, aggregator: Node) -> Node:
        """Run ``aggregator`` on the fan-out's results (its ``parallel_results`` parameter)."""
        return bound("node.fan_in")(self, aggregator)

    def fan_out_in(
        self,
        nodes: list[Node],
        aggregator: Node,
        executor: str = "thread",
        max_workers: int | None = None,
    ) -> Node:
        """``fan_out_to(nodes, ...).fan_in(aggregator)`` in one call (AetherFlow 0.1)."""
        return self.fan_out_to(nodes, executor, max_workers).fan_in(aggregator)

    def branch_on(self, conditions: dict[Any, Node]) -> Node:
        """Run the node mapped to this node's result."""
        return bound("node.branch_on")(self, conditions)

    def repeat(self, times: int) -> Node:
        """Run this node ``times`` times; a `LoopControl.BREAK` result stops early."""
        return bound("node.repeat")(self, times)


@overload
def node(func: Callable[..., Any], /) -> Node: ...
@overload
def node(
    *,
    name: str | None = None,
    outputs: Iterable[str] | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    retry_delay: float | None = None,
    backoff: float | None = None,
    retry_on: Iterable[ExceptionRef] | ExceptionRef | None = None,
) -> Callable[[Callable[..., Any]], Node]: ...


def node(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    outputs: Iterable[str] | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    retry_delay: float | None = None,
    backoff: float | None = None,
    retry_on: Iterable[ExceptionRef] | ExceptionRef | None = None,
) -> Any:
    """Turn a function (plain or ``async def``) into a `Node`: ``@node`` or
    ``@node(name=..., outputs=[...], timeout=..., retries=..., retry_delay=...,
    backoff=..., retry_on=(OSError,))``; see `NodePolicy` for the last five.

    Raises
    ------
    ValueError
        A policy field out of range, naming the function and the field.
    """
    if func is not None:
        return Node(func)

    def decorate(f: Callable[..., Any]) -> Node:
        owner = f"@node {getattr(f, '__qualname__', f)!s}"
        policy = make_policy(
            owner, timeout=timeout, retries=retries, retry_delay=retry_delay,
            backoff=backoff, retry_on=retry_on,
        )  # fmt: skip
        return Node(f, name=name, outputs=outputs, policy=policy)

    return decorate
