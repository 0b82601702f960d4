"""Nodes and a context used by the flow file tests (importable as a top-level module)."""

from __future__ import annotations

from typing import Any

from aetherflow import BaseFlowContext, LoopControl, node, providers


@node
def double(x: int) -> dict[str, int]:
    return {"y": x * 2}


@node
def inc(y: int, step: int = 1) -> dict[str, int]:
    return {"z": y + step}


@node
def square(x: int) -> dict[str, int]:
    return {"sq": x * x}


@node
def negate(x: int) -> dict[str, int]:
    return {"neg": -x}


@node
def total(parallel_results: dict[str, Any]) -> dict[str, int]:
    return {"total": sum(v for r in parallel_results.values() for v in r.values())}


@node
def is_even(x: int) -> bool:
    return x % 2 == 0


@node
def half(x: int) -> dict[str, float]:
    return {"out": x / 2}


@node
def triple(x: int) -> dict[str, int]:
    return {"out": x * 3}


@node
def mod3(x: int) -> int:
    return x % 3


@node
def size(x: int) -> str:
    return "big" if x > 10 else "small"


@node
def tag_a(x: int) -> dict[str, str]:
    return {"tag": f"a{x}"}


@node
def tag_b(x: int) -> dict[str, str]:
    return {"tag": f"b{x}"}


@node
def tag_c(x: int) -> dict[str, str]:
    return {"tag": f"c{x}"}


@node
def accumulate(x: int, acc: int = 0) -> dict[str, int]:
    return {"acc": acc + x}


@node
def count_up(n: int = 0) -> Any:
    if n >= 3:
        return LoopControl.BREAK
    return {"n": n + 1}


@node
def label(text: str) -> dict[str, str]:
    return {"label": text.upper()}


@node
def add3(a: int, b: int, c: int = 0) -> dict[str, int]:
    """Three inputs, one optional: the benchmark's node."""
    return {"s": a + b + c}


@node
def use_counter(x: int, counter: dict[str, int]) -> dict[str, int]:
    counter["n"] = counter.get("n", 0) + x
    return {"seen": counter["n"]}


def not_a_node(x: int) -> int:
    return x


class SampleContext(BaseFlowContext):
    counter = providers.ThreadLocalSingleton(dict)


class Tally:
    """A service the flow declares itself: counts what it is told, from ``start``."""

    def __init__(self, start: int = 0) -> None:
        self.count = start

    def add(self, n: int = 1) -> int:
        self.count += n
        return self.count
