"""Nodes and service classes of a flow designed without a context: the flow file itself
declares ``counter`` (shared, locked) and ``cache`` (isolated)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from aetherflow import node


class Counter:
    """One for every worker: the lock makes ``bump`` safe across threads."""

    def __init__(self, start: int = 0) -> None:
        self.value = start
        self._lock = threading.Lock()

    def bump(self) -> int:
        with self._lock:
            self.value += 1
            return self.value


class Cache:
    """One per worker thread: no lock needed."""

    def __init__(self) -> None:
        self.data: dict[str, int] = {}
        self.thread = threading.get_ident()


@node
def urls(n: int = 6) -> Iterator[str]:
    for i in range(n):
        yield f"https://example.test/{i}"


@node
def fetch(url: str, cache: Cache, delay: float = 0.0) -> dict[str, int]:
    time.sleep(delay)
    size = cache.data.setdefault(url, len(url))
    return {"size": size, "cache_thread": cache.thread}


@node
def count(size: int, counter: Counter) -> dict[str, int]:
    return {"seen": counter.bump()}
