"""A user's own node module: a generator source, three nodes and two service classes."""

import threading

from aetherflow import node


class Counter:
    """Counts items across every worker: shared, so it locks."""

    def __init__(self, start: int = 0):
        self.value = start
        self._lock = threading.Lock()

    def bump(self) -> int:
        with self._lock:
            self.value += 1
            return self.value


class Cache:
    """Remembers page sizes, one per worker thread: isolated, no lock."""

    def __init__(self):
        self.pages = {}


@node
def urls(n: int = 8):
    """Yield n page addresses."""
    for i in range(n):
        yield f"https://example.test/page/{i}"


@node
def fetch(url: str, cache: Cache) -> dict:
    """Fetch a page (its size is the length of its address x 10)."""
    size = cache.pages.setdefault(url, len(url) * 10)
    return {"size": size}


@node
def measure(size: int, unit: int = 1) -> dict:
    """Size in units."""
    return {"units": size // unit}


@node
def count(units: int, counter: Counter) -> dict:
    """Count the page."""
    return {"seen": counter.bump()}
