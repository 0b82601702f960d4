"""The race check (``check_races=True``): find unlocked writes to shared services.

For one run, each shared service instance is watched: its class is swapped for a
subclass of its own that records every attribute write, its dict/list/set attributes
record their item writes and mutations, and the locks found on it (``threading.Lock``,
``RLock``, ``Condition``, ``Semaphore`` attributes) are swapped for wrappers that know
which thread holds them. The run also uses a hostile thread schedule (a tiny
``sys.setswitchinterval``), so threads interleave as often as the interpreter allows.

A write is recorded with its thread, whether that thread held one of the service's
locks, the node the thread was running and the source line that wrote. Two threads
writing the same attribute where at least one of the writes held none of the service's
locks is a `RaceFinding`: an unlocked write by more than one thread, whether or not an
update was actually lost in this run. At the end of the run every class, lock and
container is put back.

What it cannot see: writes done inside C extensions, objects reached only through
locals or other objects (a dict inside a dict, a helper object the service owns),
containers assigned during the run, and locks that are not attributes of the service
(a module-level lock protects writes it cannot credit). Normal runs pay nothing: none of
this exists unless a run asks for it.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import race_wrappers as rw
from .probe import WorkerProbe

HOSTILE_SWITCH_INTERVAL = 1e-6  # seconds; CPython's default is 0.005
_INTERNAL_FILES = frozenset({__file__, rw.__file__, os.path.join(os.path.dirname(__file__),
                                                                  "shared.py")})  # fmt: skip
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.005


def hostile_schedule_begin() -> None:
    """Switch threads as often as possible (nested runs share one saved interval)."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(HOSTILE_SWITCH_INTERVAL)
        _switch_users += 1


def hostile_schedule_end() -> None:
    """Restore the switch interval once the last checking run has ended."""
    global _switch_users
    with _switch_lock:
        _switch_users -= 1
        if _switch_users == 0:
            sys.setswitchinterval(_switch_saved)


@dataclass(frozen=True)
class RaceWrite:
    """Writes of one thread at one source line, in one node, locked or not."""

    thread: str
    node: str | None
    file: str
    line: int
    operation: str
    locked: bool
    count: int

    @property
    def site(self) -> str:
        return f"{os.path.basename(self.file)}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RaceFinding:
    """Several threads wrote ``service.attribute``, at least one without its lock."""

    service: str
    attribute: str
    writes: tuple[RaceWrite, ...]

    @property
    def threads(self) -> tuple[str, ...]:
        return tuple(sorted({w.thread for w in self.writes}))

    @property
    def nodes(self) -> tuple[str, ...]:
        """The nodes whose code wrote (unlocked writes first)."""
        return _unique(w.node for w in self._ordered() if w.node is not None)

    @property
    def sites(self) -> tuple[str, ...]:
        """``file:line`` of the writes, unlocked ones first."""
        return _unique(w.site for w in self._ordered())

    @property
    def unlocked_sites(self) -> tuple[str, ...]:
        return _unique(w.site for w in self._ordered() if not w.locked)

    def _ordered(self) -> list[RaceWrite]:
        return sorted(self.writes, key=lambda w: (w.locked, -w.count))

    @property
    def text(self) -> str:
        """One line: ``race: SERVICE.ATTRIBUTE: ...``."""
        unlocked = {w.thread for w in self.writes if not w.locked}
        nodes = ", ".join(f"'{n}'" for n in self.nodes) or "code outside nodes"
        return (
            f"race: {self.service}.{self.attribute}: written by {len(self.threads)} threads, "
            f"{len(unlocked)} of them holding no lock of '{self.service}', at "
            f"{', '.join(self.unlocked_sites)} (nodes {nodes})"
        )

    @property
    def advice(self) -> str:
        where = ", ".join(self.unlocked_sites)
        return (
            f"add a lock around the writes to {self.attribute} at {where}, or make "
            f"{self.service} isolated if threads need not share it"
        )

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "attribute": self.attribute,
                "threads": list(self.threads), "nodes": list(self.nodes),
                "writes": [w.to_dict() for w in self.writes]}  # fmt: skip


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


class _ThreadLog:
    """The writes of one thread: only that thread adds to ``writes``."""

    __slots__ = ("name", "probe", "writes")

    def __init__(self, name: str, probe: WorkerProbe | None) -> None:
        self.name = name
        self.probe = probe
        # (service, attribute, operation, file, line, node index, locked) -> count
        self.writes: dict[tuple[str, str, str, str, int, int, bool], int] = {}


class RaceCheck:
    """Watches a run's shared instances and collects their writes.

    Parameters
    ----------
    probe_of
        ``probe_of(thread ident)``: that worker's `WorkerProbe` (its ``current`` node
        index), or None for a thread that is not a worker.
    node_ids
        Node ids by index, as in `Program.node_ids`.
    """

    def __init__(
        self, probe_of: Callable[[int], WorkerProbe | None], node_ids: Sequence[str]
    ) -> None:
        self._probe_of = probe_of
        self.node_ids = list(node_ids)
        self._logs: dict[int, _ThreadLog] = {}
        self._watches: list[_ServiceWatch] = []
        self.watched_services: list[str] = []
        self.unwatched: dict[str, str] = {}  # service -> why it could not be watched
        self._started = False

    def begin(self) -> None:
        """Start the hostile schedule (call once; `end` restores it)."""
        if not self._started:
            self._started = True
            hostile_schedule_begin()

    def watch(self, service: str, instance: Any) -> None:
        """Instrument ``instance`` (the shared instance of ``service``) for this run."""
        if any(w.instance is instance for w in self._watches):
            return
        watch = _ServiceWatch(self, service, instance)
        try:
            watch.instrument()
        except Exception as exc:  # e.g. a class that cannot be subclassed or swapped
            watch.restore()
            self.unwatched[service] = f"{type(instance).__name__} cannot be watched: {exc}"
            return
        self._watches.append(watch)
        self.watched_services.append(service)

    def end(self) -> None:
        """Put every class, lock and container back; restore the schedule."""
        while self._watches:
            self._watches.pop().restore()
        if self._started:
            self._started = False
            hostile_schedule_end()

    def log(self) -> _ThreadLog:
        """The calling thread's log (made at its first write)."""
        ident = threading.get_ident()
        log = self._logs.get(ident)
        if log is None:
            log = self._logs[ident] = _ThreadLog(
                threading.current_thread().name, self._probe_of(ident)
            )
        return log

    def writers(self) -> dict[str, int]:
        """``{service: how many threads wrote to it}`` for the watched services."""
        threads: dict[str, set[str]] = {name: set() for name in self.watched_services}
        for log in list(self._logs.values()):
            for key in list(log.writes):
                threads.setdefault(key[0], set()).add(log.name)
        return {name: len(names) for name, names in threads.items()}

    def findings(self) -> list[RaceFinding]:
        """Every attribute written by more than one thread, once without a lock."""
        grouped: dict[tuple[str, str], list[RaceWrite]] = {}
        for log in list(self._logs.values()):
            for key, count in list(log.writes.items()):
                service, attr, op, file, line, index, locked = key
                node = self.node_ids[index] if 0 <= index < len(self.node_ids) else None
                write = RaceWrite(log.name, node, file, line, op, locked, count)
                grouped.setdefault((service, attr), []).append(write)
        out = []
        for (service, attr), writes in grouped.items():
            threads = {w.thread for w in writes}
            if len(threads) > 1 and any(not w.locked for w in writes):
                out.append(RaceFinding(service, attr, tuple(writes)))
        return sorted(out, key=lambda f: (f.service, f.attribute))


class _ServiceWatch:
    """The instruments put on one shared instance, and how to take them off."""

    def __init__(self, check: RaceCheck, service: str, instance: Any) -> None:
        self.check = check
        self.service = service
        self.instance = instance
        self.held: rw.Held = {}
        self.cls = type(instance)
        self._locks: dict[str, Any] = {}  # attribute -> the original lock
        self._containers: list[tuple[str, Any, Any]] = []  # (attribute, original, copy)
        self._swapped: list[tuple[Any, type]] = []  # (object, its original class)

    def instrument(self) -> None:
        """Swap the instance's class, its locks and its containers (`restore` undoes)."""
        if not rw.is_heap_type(self.cls):
            raise TypeError("the class of a builtin type cannot be swapped")
        self._swap(self.instance, rw.watched_class(self.cls, self.write))
        for name in _attribute_names(self.instance):
            self._instrument(name)

    def _swap(self, obj: Any, cls: type) -> None:
        original = type(obj)
        object.__setattr__(obj, "__class__", cls)
        self._swapped.append((obj, original))

    def _instrument(self, name: str) -> None:
        value = _get(self.instance, name)
        wrapper = rw.owned(value, self.held)
        if wrapper is not None:
            self._locks[name] = value
            object.__setattr__(self.instance, name, wrapper)
            return
        cls = type(value)
        if rw.writes_of_type(cls) is None:
            return
        recording = rw.recording_class(cls, self._recorder(name))
        if recording is None:
            return
        if rw.is_heap_type(cls):
            self._swap(value, recording)
        elif sys.getrefcount(value) <= 3:  # the instance, `value`, the call: safe to copy
            copy = rw.recording_copy(value, recording)
            object.__setattr__(self.instance, name, copy)
            self._containers.append((name, value, copy))

    def _recorder(self, attribute: str) -> rw.Record:
        def record(operation: str) -> None:
            self.write(attribute, operation)

        return record

    def write(self, attribute: str, operation: str) -> None:
        """Record one write by the calling thread (called by the instruments)."""
        log = self.check.log()
        frame = sys._getframe(1)
        while frame.f_code.co_filename in _INTERNAL_FILES and frame.f_back is not None:
            frame = frame.f_back
        probe = log.probe
        index = probe.current if probe is not None else -1
        locked = self.held.get(threading.get_ident(), 0) > 0
        key = (self.service, attribute, operation, frame.f_code.co_filename, frame.f_lineno,
               index, locked)  # fmt: skip
        writes = log.writes
        writes[key] = writes.get(key, 0) + 1

    def restore(self) -> None:
        """Take every instrument off (in reverse), leaving the user's objects as found."""
        for name, original, copy in self._containers:
            rw.write_back(original, copy)
            if _get(self.instance, name) is copy:
                object.__setattr__(self.instance, name, original)
        for name, lock in self._locks.items():
            if isinstance(_get(self.instance, name), rw.OwnedLock):
                object.__setattr__(self.instance, name, lock)
        for obj, cls in reversed(self._swapped):
            object.__setattr__(obj, "__class__", cls)


def _attribute_names(instance: Any) -> list[str]:
    """The names of the instance's own attributes: its ``__dict__`` and its slots."""
    names = dict.fromkeys(getattr(instance, "__dict__", {}))
    for klass in type(instance).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot not in ("__dict__", "__weakref__"):
                names[slot] = None
    return list(names)


def _get(instance: Any, name: str) -> Any:
    try:
        return object.__getattribute__(instance, name)
    except AttributeError:
        return None
