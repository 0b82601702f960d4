"""Node functions for the Dask tests: importable by reference on worker processes too."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator

from aetherflow import BaseFlowContext, node, providers

_created = itertools.count()
created_lock = threading.Lock()
created: list[tuple[str, int]] = []  # (class, serial) per instance made in this process
closed: list[int] = []  # serials of the instances closed


class Counter:
    """A service that remembers which instance it is."""

    def __init__(self) -> None:
        with created_lock:
            self.serial = next(_created)
            created.append((type(self).__name__, self.serial))
        self.count = 0
        self.lock = threading.Lock()

    def close(self) -> None:
        with created_lock:
            closed.append(self.serial)


class PerThread(Counter):
    pass


class Pooled(Counter):
    pass


class CountingContext(BaseFlowContext):
    mine = providers.ThreadLocalSingleton(PerThread)
    pool = providers.Singleton(Pooled)


@node(outputs=["y"])
def square(x: int) -> int:
    return x * x


@node
def add(y: int, offset: int = 0) -> dict[str, int]:
    return {"total": y + offset}


@node
def fails_on(x: int, bad: int = 3) -> dict[str, int]:
    if x == bad:
        raise ValueError(f"bad item {x}")
    return {"ok": x}


@node
def who(x: int, mine: PerThread, pool: Pooled) -> dict[str, object]:
    """Report which service instances and which thread served this item."""
    from distributed import get_worker

    with pool.lock:
        pool.count += 1
    mine.count += 1
    time.sleep(0.002)
    return {
        "mine": (get_worker().address, mine.serial),
        "pool": (get_worker().address, pool.serial),
        "thread": (get_worker().address, threading.current_thread().name),
    }


@node
def numbers(n: int = 10) -> Iterator[int]:
    yield from range(n)


@node
def burn(x: int, ms: float = 2.0) -> dict[str, int]:
    """Pure-Python CPU work for about ``ms`` milliseconds (holds the GIL)."""
    end = time.perf_counter() + ms / 1000.0
    acc = 0
    while time.perf_counter() < end:
        acc += sum(range(50))
    return {"out": x}


@node
def trivial(x: int) -> int:
    return x + 1


@node
def slow(x: int, ms: float = 20.0) -> dict[str, int]:
    time.sleep(ms / 1000.0)
    return {"done": x}


@node
async def add_later(y: int, offset: int = 0) -> dict[str, int]:
    await asyncio.sleep(0.001)
    return {"total": y + offset}
