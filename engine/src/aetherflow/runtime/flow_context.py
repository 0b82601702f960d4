"""The services a flow runs with: the one place where the flow's context, the services
the flow file declares itself and the caller's scope overrides meet.

A flow's context (a `BaseFlowContext` subclass, or `BaseFlowContext` itself when it has
none) gives providers; each *local* service of the flow (a `ServiceSpec` with a
``factory`` and no declared context scope) becomes a provider of a container class made
for the run, built from the factory with its constants, in its scope. A local service
replaces a context provider of the same name (`validate` reports it). The scope map is
the flow's chosen scopes with the caller's overrides on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dependency_injector import providers

from ..context import BaseFlowContext
from ..errors import ScopeError
from ..graph.model import Flow
from ..graph.specs import ServiceSpec
from .scopes import RunServices

_PROVIDERS = {"shared": providers.Singleton, "isolated": providers.ThreadLocalSingleton}


def effective_scopes(flow: Flow, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{service: scope}`` a run of ``flow`` uses: the flow's scopes, then ``overrides``."""
    return {**flow.scope_map(), **(overrides or {})}


def local_provider(flow: Flow, spec: ServiceSpec) -> providers.Provider:
    """The provider of a flow-local service: its factory and constants, in its scope."""
    kind = _PROVIDERS.get(spec.scope)
    if kind is None:
        raise ScopeError(
            f"service '{spec.name}' has scope {spec.scope!r}: a service the flow declares "
            "must be 'shared' or 'isolated'"
        )
    return kind(flow.service_factory(spec.name), **spec.constants)


def flow_context_class(flow: Flow) -> Any:
    """The container class a run of ``flow`` builds its services from.

    The flow's context (imported if needed) or `BaseFlowContext`; with local services,
    a subclass of it that adds (or replaces) one provider per local service.
    """
    base: Any = flow.context_class() or BaseFlowContext
    local = {n: local_provider(flow, s) for n, s in flow.services.items() if s.local}
    if not local:
        return base
    return type(base)(f"{base.__name__}_{_ident(flow.name)}", (base,), local)


def run_services(
    flow: Flow, scopes: Mapping[str, str] | None = None, profile_shared: bool = False
) -> RunServices:
    """The services of one run of ``flow``, with ``scopes`` overriding the flow's own."""
    return RunServices(flow_context_class(flow), effective_scopes(flow, scopes), profile_shared)


def _ident(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name) or "flow"
