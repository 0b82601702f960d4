"""A run's services: the container with its scope map, shared instances made up front,
and per-worker `WorkerServices` that track the isolated instances they create.

A plain ``Singleton`` is not thread-safe at creation (racing threads each make one), so
the shared instances a flow uses are created once, on the starting thread, before any
worker starts. Isolated instances are created by each worker on its own thread, cached,
and closed there when the run ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from dependency_injector import providers

from ..context import effective_scope, with_scopes
from ..errors import ServiceError
from ..telemetry.races import RaceCheck
from ..telemetry.render import safe_repr
from ..telemetry.shared import SharedProfile, SharedProxy
from .services import ContainerServices


class RunServices:
    """The services of one run.

    Parameters
    ----------
    context_class
        The flow's context class (`BaseFlowContext` when the flow has none).
    scopes
        The scope map; merged over the flow's own by the caller.
    profile_shared
        Hand workers a timing proxy around each shared instance (see `SharedProxy`).
    """

    def __init__(
        self, context_class: Any, scopes: Mapping[str, str], profile_shared: bool = False
    ) -> None:
        self.container = with_scopes(context_class, scopes)
        self.providers: dict[str, providers.Provider] = dict(self.container.providers)
        self.names = frozenset(self.providers)
        self.scopes = {n: effective_scope(self.container, n) for n in self.providers}
        self.profile_shared = profile_shared
        self.profiles: list[SharedProfile] = []
        self._created: dict[str, Any] = {}  # shared instances this run made (closed at end)
        self._view: dict[str, Any] = {}  # what workers get: the instance or its proxy
        self._instances: dict[str, Any] = {}  # the same instances, never proxied
        self._lock = threading.Lock()
        self.races: RaceCheck | None = None  # set for a race-check run, before create_shared

    def create_shared(self, used: Iterable[str]) -> None:
        """Create the shared services in ``used`` now, on the calling thread."""
        if self.races is not None:
            self.races.begin()
        for name in used:
            if self.scopes.get(name) == "shared":
                self.shared(name)

    def shared(self, name: str) -> Any:
        """The shared instance of ``name``, created once (under a lock if created late)."""
        view = self._view.get(name)
        if view is not None:
            return view
        with self._lock:
            if name not in self._view:
                provider = self.providers[name]
                instance = build(name, provider)
                if _creates(provider):
                    self._created[name] = instance
                self._instances[name] = instance
                if self.races is not None:
                    self.races.watch(name, instance)
                if self.profile_shared:
                    profile = SharedProfile(name)
                    self.profiles.append(profile)
                    instance = SharedProxy(instance, profile)
                self._view[name] = instance
            return self._view[name]

    def instances(self) -> dict[str, Any]:
        """``{name: instance}`` of the shared instances so far (a copy; never a proxy).

        No lock: a GUI thread calls this, and `shared` may hold the lock while a slow
        provider builds an instance; copying a dict is atomic under the GIL."""
        return dict(self._instances)

    def for_worker(self) -> WorkerServices:
        return WorkerServices(self)

    def close_shared(self) -> list[str]:
        """Close each shared instance this run created; return error messages.

        A race check ends first: its instruments come off before ``close()`` runs."""
        if self.races is not None:
            self.races.end()
        return close_all(self._created)


def build(name: str, provider: providers.Provider) -> Any:
    """Call ``provider``; a failing constructor raises `ServiceError` naming ``name``."""
    try:
        return provider()
    except Exception as exc:
        raise ServiceError(name, exc) from exc


def _creates(provider: providers.Provider) -> bool:
    """True when calling the provider builds an instance (not a user-given object)."""
    last = provider.last_overriding if provider.overridden else provider
    return isinstance(last, providers.BaseSingleton)


def close_all(instances: Mapping[str, Any]) -> list[str]:
    """Call ``close()`` on every instance that has one; collect failures as text."""
    problems = []
    for name, instance in instances.items():
        close = getattr(instance, "close", None)
        if callable(close):
            try:
                close()
            except BaseException as exc:  # even SystemExit: the run must still end
                problems.append(f"closing service '{name}': {type(exc).__name__}: {exc}")
    return problems


class WorkerServices:
    """Services for one worker thread: ``name -> instance`` cached after the first call.

    Shared names answer the run's single instance; isolated ones are created on this
    worker's thread at first use and tracked in ``isolated``; other providers (factories)
    are called every time.
    """

    __slots__ = ("_cache", "_run", "isolated", "names")

    def __init__(self, run: RunServices) -> None:
        self._run = run
        self.names = run.names
        self._cache: dict[str, Any] = {}
        self.isolated: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        try:
            return self._cache[name]
        except KeyError:
            return self._miss(name)

    def _miss(self, name: str) -> Any:
        scope = self._run.scopes[name]
        if scope == "shared":
            value = self._cache[name] = self._run.shared(name)
        elif scope == "isolated":
            value = self._cache[name] = self.isolated[name] = build(name, self._run.providers[name])
        else:
            value = build(name, self._run.providers[name])
        return value

    def fork(self) -> ContainerServices:
        """For fan-out pool threads: straight from the container (shared instances exist)."""
        return ContainerServices(self._run.container)

    def render(self) -> dict[str, Any]:
        """The isolated instances as JSON-like data (call on this worker's thread only)."""
        from ..telemetry.render import render

        return {name: render(value) for name, value in self.isolated.items()}

    def close(self) -> list[str]:
        return close_all(self.isolated)

    def __repr__(self) -> str:
        return f"WorkerServices(isolated={safe_repr(list(self.isolated))})"
