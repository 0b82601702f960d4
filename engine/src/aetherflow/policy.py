"""A node's time limit and retry policy: ``@node(timeout=..., retries=...)`` or the same
fields on the node's entry in a flow file (which win over the decorator's).

``retry_on`` holds exception classes (from code) or their names (from a file:
``"OSError"`` for a builtin, ``"module:Class"`` otherwise); names are resolved when a run
compiles the flow, never when a file is loaded.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from .refs import resolve_ref

FIELDS = ("timeout", "retries", "retry_delay", "backoff", "retry_on")
ExceptionRef = str | type[BaseException]


@dataclass(frozen=True)
class NodePolicy:
    """How a node is called.

    Attributes
    ----------
    timeout
        Seconds one call may take, or None for no limit. An async node is cancelled
        when it overruns; a sync node's worker thread is abandoned and replaced.
    retries
        Further attempts after a failed call (0: none).
    retry_delay, backoff
        Seconds before the first retry; each later delay is ``backoff`` times the last.
    retry_on
        Exceptions worth a retry (classes or names); empty means any `Exception`.
    """

    timeout: float | None = None
    retries: int = 0
    retry_delay: float = 0.0
    backoff: float = 1.0
    retry_on: tuple[ExceptionRef, ...] = ()

    @property
    def active(self) -> bool:
        """True when calls need the guarded path (a time limit or retries)."""
        return self.timeout is not None or self.retries > 0

    def delay(self, failed: int) -> float:
        """Seconds to wait after the ``failed``-th failed attempt."""
        return self.retry_delay * self.backoff ** (failed - 1)

    def merged(self, overrides: Mapping[str, Any], owner: str) -> NodePolicy:
        """This policy with the fields of ``overrides`` (a file's node entry) applied."""
        if not overrides:
            return self
        return replace(self, **checked_fields(overrides, owner))

    def to_fields(self) -> dict[str, Any]:
        """The fields that differ from the defaults, as plain data (classes as names)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                out[f.name] = [exception_name(e) for e in value] if f.name == "retry_on" else value
        return out


def make_policy(owner: str, **given: Any) -> NodePolicy:
    """A checked `NodePolicy` from keyword fields (None values are left at the default)."""
    return NodePolicy(**checked_fields({k: v for k, v in given.items() if v is not None}, owner))


def checked_fields(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    """``values`` checked field by field; `ValueError` naming ``owner`` and the field."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in FIELDS:
            raise ValueError(f"{owner}: unknown policy field '{name}' (known: {', '.join(FIELDS)})")
        out[name] = _checked(name, value, owner)
    return out


def file_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Checked fields as plain data for a flow file (exception classes as names)."""
    return {k: [exception_name(e) for e in v] if k == "retry_on" else v for k, v in values.items()}


def _checked(name: str, value: Any, owner: str) -> Any:
    if name == "retry_on":
        items = (value,) if isinstance(value, str | type) else value
        if not isinstance(items, Iterable) or not all(_is_exception_ref(e) for e in items):
            raise ValueError(
                f"{owner}: retry_on must be exception classes or names like 'OSError' or "
                f"'module:Class', got {value!r}"
            )
        return tuple(items)
    if name == "retries":
        if type(value) is not int or value < 0:
            raise ValueError(f"{owner}: retries must be an integer >= 0, got {value!r}")
        return value
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if value is None and name == "timeout":
        return None
    if (
        number is None
        or not math.isfinite(number)
        or number < 0
        or (name == "timeout" and number == 0)
    ):
        rule = "> 0" if name == "timeout" else ">= 0"
        raise ValueError(f"{owner}: {name} must be a number of seconds {rule}, got {value!r}")
    return float(number)


def _is_exception_ref(e: Any) -> bool:
    if isinstance(e, str):
        return bool(e.strip())
    return isinstance(e, type) and issubclass(e, BaseException)


def exception_name(e: ExceptionRef) -> str:
    """``OSError`` for builtins, else ``module:Qualname``."""
    if isinstance(e, str):
        return e
    if e.__module__ == "builtins":
        return e.__qualname__
    return f"{e.__module__}:{e.__qualname__}"


def resolve_retry_on(policy: NodePolicy, owner: str) -> tuple[type[BaseException], ...]:
    """The exception classes of ``policy.retry_on`` (`Exception` when empty).

    Raises
    ------
    ValueError
        A name that is no exception class, naming ``owner``.
    """
    classes: list[type[BaseException]] = []
    for e in policy.retry_on:
        cls: Any = e
        if isinstance(e, str):
            try:
                cls = resolve_ref(e) if ":" in e else getattr(builtins, e)
            except Exception as exc:
                raise ValueError(f"{owner}: retry_on {e!r} cannot be resolved ({exc})") from None
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            raise ValueError(f"{owner}: retry_on {e!r} is not an exception class")
        classes.append(cls)
    return tuple(classes) or (Exception,)
