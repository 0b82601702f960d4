"""Services for the race-check tests: the seed guide's `MonitoredSharedService` and
`SharedStateService` as written (with their locks), the same classes with the
``with self.lock:`` removed, and a few more shapes of shared state."""

from __future__ import annotations

import threading
from collections import defaultdict

from aetherflow import BaseFlowContext, node, providers


class SharedStateService:
    def __init__(self):
        self.counter = 0
        self.results = []
        self.lock = threading.Lock()  # 手动同步

    def increment(self):
        with self.lock:
            self.counter += 1
            return self.counter


class MonitoredSharedService:
    def __init__(self):
        self.operations = 0
        self.lock = threading.Lock()
        self.metrics = defaultdict(int)

    def track_operation(self, op_type):
        with self.lock:
            self.operations += 1
            self.metrics[op_type] += 1

            if self.operations % 100 == 0:
                print(f"Operations: {self.operations}, Metrics: {dict(self.metrics)}")


class UnlockedSharedStateService:
    def __init__(self):
        self.counter = 0
        self.results = []
        self.lock = threading.Lock()

    def increment(self):
        self.counter += 1  # line of the unlocked write, checked by the tests
        return self.counter


class UnlockedMonitoredSharedService:
    def __init__(self):
        self.operations = 0
        self.lock = threading.Lock()
        self.metrics = defaultdict(int)

    def track_operation(self, op_type):
        self.operations += 1
        self.metrics[op_type] += 1

        if self.operations % 100 == 0:
            print(f"Operations: {self.operations}, Metrics: {dict(self.metrics)}")


class SeedContext(BaseFlowContext):
    shared_service = providers.Singleton(SharedStateService)
    monitor = providers.Singleton(MonitoredSharedService)


class UnlockedSeedContext(BaseFlowContext):
    shared_service = providers.Singleton(UnlockedSharedStateService)
    monitor = providers.Singleton(UnlockedMonitoredSharedService)


@node
def claim(x, shared_service):
    return {"n": shared_service.increment()}


@node
def track(n, monitor):
    monitor.track_operation("even" if n % 2 == 0 else "odd")
    return {"tracked": True}


class Registry:
    """Mutates its dict without a lock (item writes are not attribute writes)."""

    def __init__(self):
        self.seen = {}

    def note(self, key):
        self.seen[key] = self.seen.get(key, 0) + 1


class LockedShapes:
    """Locks of every kind found on an instance, each guarding its writes."""

    def __init__(self):
        self.rlock = threading.RLock()
        self.cond = threading.Condition()
        self.sem = threading.BoundedSemaphore(1)
        self.by_rlock = 0
        self.by_cond = []
        self.by_sem = set()

    def touch(self, x):
        with self.rlock, self.rlock:  # re-entered
            self.by_rlock += 1
        with self.cond:
            self.by_cond.append(x)
            self.cond.notify_all()
        self.sem.acquire()
        try:
            self.by_sem.add(x)
        finally:
            self.sem.release()


class ShapesContext(BaseFlowContext):
    registry = providers.Singleton(Registry)
    shapes = providers.Singleton(LockedShapes)


@node
def note(x, registry):
    registry.note(x % 7)
    return {"noted": x}


@node
def touch(x, shapes):
    shapes.touch(x)
    return {"touched": x}


class SlottedCounter:
    """A class with ``__slots__`` (no instance ``__dict__``), writing without a lock."""

    __slots__ = ("hits", "lock")

    def __init__(self):
        self.hits = 0
        self.lock = threading.Lock()

    def hit(self):
        self.hits += 1


class Failing:
    """Locked writes, then an exception: the run goes on and the instruments come off."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = []

    def see(self, x):
        with self.lock:
            self.seen.append(x)
        if x % 2:
            raise ValueError(f"odd item {x}")


class MoreContext(BaseFlowContext):
    slotted = providers.Singleton(SlottedCounter)
    failing = providers.Singleton(Failing)


@node
def hit(x, slotted):
    slotted.hit()
    return {"hit": x}


@node
def see(x, failing):
    failing.see(x)
    return {"seen": x}
