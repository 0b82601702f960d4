"""The instruments of the race check (`aetherflow.telemetry.races`): owner-tracking lock
wrappers and write-recording containers, put on a shared instance for one run.

Nothing here changes a class for everyone: a watched object gets a class of its own (a
subclass made for it, swapped in through ``__class__`` and swapped back after the run),
or, for a builtin container whose class cannot be swapped, a recording copy that is
written back into the original when the run ends.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from typing import Any

Record = Callable[[str], None]
"""``record(operation)``: note one write by the calling thread (e.g. ``"append"``)."""

Held = dict[int, int]
"""Thread ident -> how many of one service's locks that thread holds now."""

_get_ident = threading.get_ident

LOCK_TYPES: tuple[type, ...] = (
    type(threading.Lock()),
    type(threading.RLock()),
    threading._PyRLock,  # type: ignore[attr-defined]
    threading.Semaphore,
)


class OwnedLock:
    """A lock (or RLock, Semaphore) that counts, per thread, how often it is held.

    Forwards everything else to the lock it wraps, so user code does not notice it.
    """

    __slots__ = ("_af_held", "_af_lock")

    def __init__(self, lock: Any, held: Held) -> None:
        self._af_lock = lock
        self._af_held = held

    def acquire(self, *args: Any, **kwargs: Any) -> Any:
        got = self._af_lock.acquire(*args, **kwargs)
        if got:
            ident = _get_ident()
            self._af_held[ident] = self._af_held.get(ident, 0) + 1
        return got

    def release(self, *args: Any) -> None:
        self._af_lock.release(*args)
        ident = _get_ident()
        held = self._af_held.get(ident, 0)
        if held > 0:  # a Semaphore may be released by a thread that did not take it
            self._af_held[ident] = held - 1

    def __enter__(self) -> Any:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._af_lock, name)

    def __repr__(self) -> str:
        return repr(self._af_lock)


class OwnedCondition(OwnedLock):
    """A `threading.Condition` wrapper: waiting gives the lock up, so it is not held."""

    __slots__ = ()

    def wait(self, timeout: float | None = None) -> bool:
        ident = _get_ident()
        held = self._af_held.pop(ident, 0)
        try:
            return bool(self._af_lock.wait(timeout))
        finally:
            self._af_held[ident] = held

    def wait_for(self, predicate: Callable[[], Any], timeout: float | None = None) -> Any:
        ident = _get_ident()
        held = self._af_held.pop(ident, 0)
        try:
            return self._af_lock.wait_for(predicate, timeout)
        finally:
            self._af_held[ident] = held


def owned(lock: Any, held: Held) -> OwnedLock | None:
    """An owner-tracking wrapper for ``lock``, or None when it is not a lock."""
    if isinstance(lock, threading.Condition):
        return OwnedCondition(lock, held)
    if isinstance(lock, LOCK_TYPES):
        return OwnedLock(lock, held)
    return None


# -- containers ---------------------------------------------------------------------------
_DICT_WRITES = ("__setitem__", "__delitem__", "pop", "popitem", "update", "clear", "__ior__")
_LIST_WRITES = ("__setitem__", "__delitem__", "append", "extend", "insert", "pop", "remove",
                "clear", "sort", "reverse", "__iadd__", "__imul__")  # fmt: skip
_SET_WRITES = ("add", "discard", "remove", "pop", "clear", "update", "difference_update",
               "intersection_update", "symmetric_difference_update", "__ior__", "__iand__",
               "__isub__", "__ixor__")  # fmt: skip
_OPERATION = {"__setitem__": "[]=", "__delitem__": "del []"}


def writes_of_type(base: type) -> tuple[str, ...] | None:
    """The writing methods of a dict, list or set class (None for other classes)."""
    if issubclass(base, OrderedDict):
        return (*_DICT_WRITES, "move_to_end")
    if issubclass(base, dict):
        return _DICT_WRITES
    if issubclass(base, list):
        return _LIST_WRITES
    if issubclass(base, set):
        return _SET_WRITES
    return None


def _recording(base: type, method: str, record: Record) -> Callable[..., Any]:
    original = getattr(base, method)
    operation = _OPERATION.get(method, method)

    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        record(operation)
        return result

    write.__name__ = method
    return write


def _recording_setdefault(base: type, record: Record) -> Callable[..., Any]:
    original = base.setdefault  # type: ignore[attr-defined]

    def setdefault(self: Any, key: Any, default: Any = None) -> Any:
        inserts = key not in self  # a setdefault that finds the key writes nothing
        result = original(self, key, default)
        if inserts:
            record("setdefault")
        return result

    return setdefault


def recording_class(base: type, record: Record) -> type | None:
    """A subclass of the container class ``base`` whose writes call ``record``."""
    writes = writes_of_type(base)
    if writes is None:
        return None
    namespace: dict[str, Any] = {m: _recording(base, m, record) for m in writes}
    if issubclass(base, dict):
        namespace["setdefault"] = _recording_setdefault(base, record)
    namespace.update(__slots__=(), __module__=base.__module__, __qualname__=base.__qualname__)
    try:
        return type(base.__name__, (base,), namespace)
    except TypeError:  # a class that cannot be subclassed
        return None


def is_heap_type(cls: type) -> bool:
    """True for classes made by a ``class`` statement: their instances' ``__class__``
    can be swapped for a subclass. Builtins (dict, list, defaultdict ...) cannot."""
    return bool(cls.__flags__ & (1 << 9))  # Py_TPFLAGS_HEAPTYPE


def recording_copy(value: Any, cls: type) -> Any:
    """A copy of the builtin container ``value`` as an instance of ``cls``."""
    if isinstance(value, defaultdict):
        return cls(value.default_factory, value)
    return cls(value)


def write_back(original: Any, copy: Any) -> None:
    """Put the contents of ``copy`` back into the builtin container ``original``."""
    if isinstance(original, dict):
        dict.clear(original)
        dict.update(original, copy)
    elif isinstance(original, list):
        list.__setitem__(original, slice(None), copy)
    else:
        set.clear(original)
        set.update(original, copy)


def watched_class(cls: type, write: Callable[[str, str], None]) -> type:
    """A subclass of ``cls`` whose attribute writes call ``write(attribute, operation)``
    after they succeed (``TypeError`` when ``cls`` cannot be subclassed)."""
    base_set: Any = cls.__setattr__  # unbound: called with the instance
    base_del: Any = cls.__delattr__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        base_set(self, name, value)
        write(name, "=")

    def __delattr__(self: Any, name: str) -> None:
        base_del(self, name)
        write(name, "del")

    namespace = {"__setattr__": __setattr__, "__delattr__": __delattr__, "__slots__": (),
                 "__module__": cls.__module__, "__qualname__": cls.__qualname__}  # fmt: skip
    return type(cls.__name__, (cls,), namespace)
