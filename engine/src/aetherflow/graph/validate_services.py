"""Checks of the services a flow declares itself (``factory`` and constructor
``constants`` in the file), for `validate_flow`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ..context import SCOPES
from ..errors import AetherFlowError
from .model import Flow
from .specs import ServiceSpec

Report = Callable[[Any, str | None, str, str], None]  # (severity, where, message, code)


def check_local_service(
    flow: Flow, spec: ServiceSpec, context: Mapping[str, Any] | None, resolve: bool, add: Report
) -> None:
    """Report a flow-local service's scope, its factory and constants, and a context
    service it replaces."""
    where = f"service '{spec.name}'"
    if spec.scope not in SCOPES:
        add("error", where, f"scope '{spec.scope}' is neither 'shared' nor 'isolated'",
            "unknown-scope")  # fmt: skip
    if context is not None and spec.name in context:
        add("info", where, f"declared in the flow (factory '{spec.factory}'): replaces the "
            f"context's service '{spec.name}'", "service-override")  # fmt: skip
    if not resolve:
        return
    try:
        factory = flow.service_factory(spec.name)
    except AetherFlowError as exc:
        add("error", where, str(exc), "unresolved-service")
        return
    _check_constants(spec, factory, where, add)


def _check_constants(spec: ServiceSpec, factory: Any, where: str, add: Report) -> None:
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # builtins without a signature: nothing to check
        return
    try:
        signature.bind(**spec.constants)
    except TypeError as exc:
        add("error", where, f"'{spec.factory}' cannot be built with constants "
            f"{sorted(spec.constants)}: {exc}", "service-constants")  # fmt: skip
