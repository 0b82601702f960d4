"""How nodes get their services: by name, on the thread that runs them."""

from __future__ import annotations

from typing import Any, Protocol


class Services(Protocol):
    """What a running program asks for services."""

    names: frozenset[str]

    def get(self, name: str) -> Any:
        """The instance of service ``name`` for the calling thread."""

    def fork(self) -> Services:
        """Services for use on another thread (fan-out pool threads)."""


class NoServices:
    """For flows without a context."""

    names: frozenset[str] = frozenset()

    def get(self, name: str) -> Any:
        raise KeyError(name)

    def fork(self) -> NoServices:
        return self


class ContainerServices:
    """Services straight from a dependency-injector container (class or instance).

    Each call goes through the provider, so a ``ThreadLocalSingleton`` answers with the
    calling thread's instance and a ``Singleton`` with the one shared instance.
    """

    def __init__(self, container: Any) -> None:
        self.container = container
        self._providers = dict(container.providers)
        self.names = frozenset(self._providers)

    def get(self, name: str) -> Any:
        return self._providers[name]()

    def fork(self) -> ContainerServices:
        return self
