"""Contexts: dependency-injector containers whose providers are the flow's services.

A service's *scope* says who shares an instance:

- ``shared``: one instance for every thread (`providers.Singleton`); the user's code locks.
- ``isolated``: one instance per thread (`providers.ThreadLocalSingleton`); no locks needed.

A scope map ``{service: "shared" | "isolated"}`` overrides the declared provider type for a
run, so switching a service between the modes never touches node code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from dependency_injector import containers, providers

from .errors import ScopeError
from .refs import ref_of

Scope = Literal["shared", "isolated"]
SCOPES: tuple[str, ...] = ("shared", "isolated")


class BaseFlowContext(containers.DeclarativeContainer):
    """The base of every flow context.

    ``state`` and ``context`` are per-thread dicts, ``shared_data`` one dict for all threads.
    """

    state: providers.Provider[dict[str, Any]] = providers.ThreadLocalSingleton(dict)
    context: providers.Provider[dict[str, Any]] = providers.ThreadLocalSingleton(dict)
    shared_data: providers.Provider[dict[str, Any]] = providers.Singleton(dict)


class AppContext(BaseFlowContext):
    """A ready-made context for applications that only need the base services."""


def is_container(obj: Any) -> bool:
    """True for a DeclarativeContainer class or any container instance."""
    if isinstance(obj, type):
        return issubclass(obj, containers.DeclarativeContainer)
    return isinstance(obj, containers.Container)


def service_providers(context: Any) -> dict[str, providers.Provider]:
    """Name -> provider for every service of a context class or instance."""
    if context is None:
        return {}
    if not is_container(context):
        raise TypeError(f"expected a BaseFlowContext class or instance, got {context!r}")
    return dict(context.providers)


def declared_scope(provider: providers.Provider) -> str:
    """The scope a provider gives: shared, isolated, or its provider kind otherwise."""
    if isinstance(provider, providers.ThreadLocalSingleton):
        return "isolated"
    if isinstance(provider, providers.BaseSingleton | providers.Object):
        return "shared"
    if isinstance(provider, providers.Factory):
        return "factory"
    return type(provider).__name__.lower()


def provider_factory(provider: providers.Provider) -> Any:
    """What the provider builds (the class or function), or None."""
    return getattr(provider, "provides", None)


def factory_ref(provider: providers.Provider) -> str | None:
    """The ``module:qualname`` of what the provider builds, when it has one."""
    target = provider_factory(provider)
    return ref_of(target) if target is not None else None


def rescoped(provider: providers.Provider, scope: str) -> providers.Provider:
    """A provider building the same thing with the same arguments, in ``scope``."""
    if scope not in SCOPES:
        raise ScopeError(f"unknown scope {scope!r}: use 'shared' or 'isolated'")
    if not isinstance(provider, providers.Factory | providers.BaseSingleton):
        raise ScopeError(
            f"a {type(provider).__name__} provider has no scope to switch; only factories "
            "and singletons can be shared or isolated"
        )
    cls = providers.Singleton if scope == "shared" else providers.ThreadLocalSingleton
    new = cls(provider.provides, *provider.args, **provider.kwargs)
    if provider.attributes:
        new.add_attributes(**provider.attributes)
    return new


def with_scopes(context: Any, scopes: Mapping[str, str] | None) -> Any:
    """A fresh container instance of ``context`` with the scope map applied.

    Parameters
    ----------
    context
        A `BaseFlowContext` class or instance.
    scopes
        ``{service: "shared" | "isolated"}``; services not named keep their declared type.

    Raises
    ------
    ScopeError
        For a service the context does not have, or a scope other than the two.
    """
    cls = context if isinstance(context, type) else type(context)
    instance = cls()
    for name, scope in (scopes or {}).items():
        provider = instance.providers.get(name)
        if provider is None:
            known = ", ".join(sorted(instance.providers)) or "none"
            raise ScopeError(f"unknown service '{name}' in scope map (services: {known})")
        if declared_scope(provider) == scope:
            continue
        provider.override(rescoped(provider, scope))
    return instance


def effective_scope(context: Any, name: str) -> str:
    """The scope a service of a container instance has now, overrides included."""
    provider = context.providers[name]
    if provider.overridden:
        provider = provider.last_overriding
    return declared_scope(provider)
