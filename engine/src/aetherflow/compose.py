"""Code-first composition: ``then``, ``fan_out_to``, ``fan_in``, ``branch_on``, ``repeat``.

Each composition is itself a `Node` and converts to an equivalent `Flow`; running it
runs that flow, so code-built and Studio-built flows share one engine.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from .bindings import bind
from .node import Node


class LoopControl(enum.Enum):
    """Returned by a node inside ``repeat`` to stop the loop early (``BREAK``)."""

    BREAK = "break"
    CONTINUE = "continue"


class Composition(Node):
    """Base of the composite nodes; ``parts`` are the nodes it is made of."""

    parts: tuple[Node, ...]

    def __init__(self, name: str, parts: Iterable[Node]) -> None:
        self.parts = tuple(parts)
        for p in self.parts:
            if not isinstance(p, Node):
                raise TypeError(f"{type(self).__name__} expects nodes, got {p!r}")
        self.func = self.__call__
        self.name = name
        self.outputs_declared = False
        self.doc = ""
        self.is_generator = False
        self.is_async = self.is_async_generator = False
        self.ref = None
        self._flow_cache = None
        self.outputs = tuple(dict.fromkeys(o for p in self.parts for o in p.outputs))
        produced: set[str] = set()
        params = []
        for p in self.parts:
            params += [x for x in p.params if x.name not in produced]
            produced.update(p.outputs)
        seen: dict[str, Any] = {}
        for x in params:
            seen.setdefault(x.name, x)
        self.params = tuple(seen.values())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Calling a composition runs it with the keyword arguments as the state."""
        if args:
            if len(args) == 1 and isinstance(args[0], dict) and not kwargs:
                return self.run(dict(args[0]))
            raise TypeError(f"{self.name}: call a composition with keyword arguments")
        return self.run(dict(kwargs))

    def __reduce__(self) -> Any:
        return (type(self)._rebuild, (self._init_args(),))

    def _init_args(self) -> tuple[Any, ...]:
        raise NotImplementedError

    @classmethod
    def _rebuild(cls, args: tuple[Any, ...]) -> Composition:
        return cls(*args)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Sequence(Composition):
    """``a.then(b).then(c)``: run the parts one after another."""

    def __init__(self, parts: Iterable[Node]) -> None:
        flat: list[Node] = []
        for p in parts:
            flat.extend(p.parts if isinstance(p, Sequence) else (p,))
        super().__init__(" -> ".join(p.name for p in flat), flat)

    def _init_args(self) -> tuple[Any, ...]:
        return (self.parts,)


class FanOut(Composition):
    """``a.fan_out_to([b, c])``: after ``a``, each target on a pool thread with a copy of
    the state; results in ``state["__parallel_results"]`` keyed by target name
    (``name[1]``, ``name[2]``... for duplicates)."""

    def __init__(
        self,
        source: Node,
        targets: Iterable[Node],
        executor: str = "thread",
        max_workers: int | None = None,
    ) -> None:
        targets = list(targets)
        if not targets:
            raise ValueError(f"fan_out_to from '{source.name}': the target list is empty")
        if executor not in ("thread", "process"):
            raise ValueError(
                f"fan_out_to: executor must be 'thread' or 'process', not {executor!r}"
            )
        self.source, self.targets = source, tuple(targets)
        self.executor, self.max_workers = executor, max_workers
        name = f"({source.name} -> [{', '.join(t.name for t in targets)}])"
        super().__init__(name, [source, *targets])
        self.outputs = (*source.outputs, "__parallel_results")

    def result_keys(self) -> list[str]:
        """The key of each target in ``__parallel_results``."""
        keys: list[str] = []
        for t in self.targets:
            key, i = t.name, 1
            while key in keys:
                key, i = f"{t.name}[{i}]", i + 1
            keys.append(key)
        return keys

    def _init_args(self) -> tuple[Any, ...]:
        return (self.source, self.targets, self.executor, self.max_workers)


class FanIn(Composition):
    """``fan_out.fan_in(agg)``: ``agg`` receives the results as ``parallel_results``."""

    def __init__(self, fan_out: Node, aggregator: Node) -> None:
        self.fan_out, self.aggregator = fan_out, aggregator
        super().__init__(f"({fan_out.name} -> {aggregator.name})", [fan_out, aggregator])
        self.params = tuple(p for p in self.params if p.name != "parallel_results")

    def _init_args(self) -> tuple[Any, ...]:
        return (self.fan_out, self.aggregator)


class Branch(Composition):
    """``cond.branch_on({True: a, False: b})``: run the node mapped to ``cond``'s result."""

    def __init__(self, condition: Node, cases: dict[Any, Node]) -> None:
        if not cases:
            raise ValueError(f"branch_on from '{condition.name}': the mapping is empty")
        self.condition, self.cases = condition, dict(cases)
        shown = ", ".join(f"{k!r}: {v.name}" for k, v in cases.items())
        super().__init__(f"({condition.name} ? {{{shown}}})", [condition, *cases.values()])

    def _init_args(self) -> tuple[Any, ...]:
        return (self.condition, self.cases)


class Repeat(Composition):
    """``body.repeat(n)``: run ``body`` n times; a `LoopControl.BREAK` result stops."""

    def __init__(self, body: Node, times: int) -> None:
        if not isinstance(times, int) or times < 0:
            raise ValueError(f"repeat of '{body.name}': times must be an int >= 0, not {times!r}")
        self.body, self.times = body, times
        super().__init__(f"({body.name} * {times})", [body])

    def _init_args(self) -> tuple[Any, ...]:
        return (self.body, self.times)


def _then(first: Node, next_node: Node) -> Sequence:
    return Sequence([first, next_node])


# `Node`'s composition methods build these (see `aetherflow.bindings`).
bind("node.then", _then)
bind("node.fan_out_to", FanOut)
bind("node.fan_in", FanIn)
bind("node.branch_on", Branch)
bind("node.repeat", Repeat)
