"""Opt-in profiling of shared services (``profile_shared=True``).

Each shared instance is wrapped in a `SharedProxy` that times every method call and
notes when calls from different threads overlap. That costs a small lock per call, which
is why it is opt-in; the Studio's scope advice reads the numbers through `SharedStats`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import perf_counter
from typing import Any

from .snapshot import SharedStats


class SharedProfile:
    """Counters of one shared service, updated under its own small lock."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.calls = 0
        self.seconds = 0.0
        self.overlapped = 0
        self.active = 0
        self.max_concurrent = 0
        self._lock = threading.Lock()

    def timed(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
            if self.active:
                self.overlapped += 1
            self.active += 1
            if self.active > self.max_concurrent:
                self.max_concurrent = self.active
        t0 = perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            dt = perf_counter() - t0
            with self._lock:
                self.active -= 1
                self.seconds += dt

    def stats(self) -> SharedStats:
        return SharedStats(
            self.service, self.calls, self.seconds, self.overlapped, self.max_concurrent
        )


class SharedProxy:
    """Forwards attribute access to the shared instance, timing method calls.

    Non-callable attributes (a lock, a counter) are returned as they are; item access,
    ``len``, ``in``, iteration and ``with`` are forwarded (and timed) too.
    """

    __slots__ = ("_af_profile", "_af_target")

    def __init__(self, target: Any, profile: SharedProfile) -> None:
        object.__setattr__(self, "_af_target", target)
        object.__setattr__(self, "_af_profile", profile)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._af_target, name)
        if not callable(attr) or isinstance(attr, type):
            return attr
        profile = self._af_profile

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            return profile.timed(attr, *args, **kwargs)

        return timed_call

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._af_target, name, value)

    def __getitem__(self, key: Any) -> Any:
        return self._af_profile.timed(self._af_target.__getitem__, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._af_profile.timed(self._af_target.__setitem__, key, value)

    def __delitem__(self, key: Any) -> None:
        self._af_profile.timed(self._af_target.__delitem__, key)

    def __contains__(self, key: Any) -> bool:
        return bool(self._af_profile.timed(self._af_target.__contains__, key))

    def __len__(self) -> int:
        return len(self._af_target)

    def __iter__(self) -> Any:
        return iter(self._af_target)

    def __enter__(self) -> Any:
        return self._af_profile.timed(self._af_target.__enter__)

    def __exit__(self, *exc: Any) -> Any:
        return self._af_target.__exit__(*exc)

    def __repr__(self) -> str:
        return f"SharedProxy({self._af_target!r})"
