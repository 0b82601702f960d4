"""Nodes and contexts used by the runtime tests (importable by reference, for saved flows
and CLI subprocesses: the folder is put on sys.path / PYTHONPATH)."""

from __future__ import annotations

import itertools
import threading
import time

from aetherflow import BaseFlowContext, node, providers


@node
def double(x):
    return {"y": x * 2}


@node
def inc(y):
    return {"z": y + 1}


@node
def square(z):
    return {"result": z * z}


@node
def fail_every_tenth(x):
    if x % 10 == 0:
        raise ValueError(f"bad item {x}")
    return {"checked": x}


@node
def slow(x, delay=0.05):
    time.sleep(delay)
    return {"y": x}


@node
def numbers(count=10, start=0):
    """A source: yields ``count`` numbers from ``start``."""
    yield from range(start, start + count)


@node
def forever(counter):
    """An endless source; ``counter`` (a shared service) counts the items it yields."""
    for i in itertools.count():
        counter.pulled += 1
        yield i


@node
def needs_missing(nothing_gives_this):
    return {"never": nothing_gives_this}


@node
def bump(x, tally):
    tally.add(1)
    return {"seen": x}


@node
def value_of(seen, tally):
    return {"value": tally.value}


@node
def note_state(x, state):
    state["count"] = state.get("count", 0) + 1
    state.setdefault("items", []).append(x)
    return {"noted": x}


@node
def weird_value(x):
    return {"weird": {1, 2}, "obj": object(), "x": x}


# -- services ---------------------------------------------------------------------------
class Tracked:
    """Counts constructor and close() calls across all instances."""

    created = 0
    closed = 0
    lock = threading.Lock()

    def __init__(self) -> None:
        with Tracked.lock:
            Tracked.created += 1
        self.local = 0

    def add(self, n: int) -> None:
        self.local += n

    def close(self) -> None:
        with Tracked.lock:
            Tracked.closed += 1

    @classmethod
    def reset(cls) -> None:
        cls.created = cls.closed = 0


class LockedCounter:
    """A shared counter whose user code locks."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value = 0

    def add(self, n: int) -> None:
        with self.lock:
            v = self.value
            time.sleep(0)  # invite a race if the lock were missing
            self.value = v + n


class Pulled:
    def __init__(self) -> None:
        self.pulled = 0


class TrackedContext(BaseFlowContext):
    tally = providers.ThreadLocalSingleton(Tracked)


class SharedTallyContext(BaseFlowContext):
    tally = providers.Singleton(Tracked)


class CounterContext(BaseFlowContext):
    tally = providers.Singleton(LockedCounter)


class SourceContext(BaseFlowContext):
    counter = providers.Singleton(Pulled)


@node(outputs=["x"])
def number_list(count=10):
    """A sized source: the run can tell how many items it will give."""
    return [{"x": i} for i in range(count)]
