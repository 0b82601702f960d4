"""Exceptions of the engine. Every one names what the user needs to find the fault."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class AetherFlowError(Exception):
    """Base class of every error the engine raises on purpose."""


class MissingInputError(AetherFlowError, LookupError):
    """A node parameter that nothing can fill.

    Names the node, the parameter and what was available, so the fix is obvious.
    """

    def __init__(self, node: str, parameter: str, available: Iterable[str] = ()) -> None:
        self.node = node
        self.parameter = parameter
        self.available = sorted(set(available))
        shown = ", ".join(self.available[:30]) or "nothing"
        if len(self.available) > 30:
            shown += f", ... ({len(self.available)} in all)"
        super().__init__(
            f"node '{node}': no value for parameter '{parameter}' "
            f"(not wired, no constant, no service and no state key of that name, "
            f"no default). Available: {shown}"
        )


class NodeExecutionError(AetherFlowError):
    """An exception raised inside a node's own code; the original is chained.

    ``inputs`` holds the keyword arguments the node was called with (live objects, for
    the thread that caught the error to render; None when unknown)."""

    def __init__(
        self,
        node: str,
        original: BaseException,
        attempts: int = 1,
        *,
        inputs: dict[str, Any] | None = None,
    ) -> None:
        self.node = node
        self.original = original
        self.attempts = attempts  # calls that failed (more than 1 when the node retried)
        self.inputs = inputs
        tried = f" (all {attempts} attempts failed)" if attempts > 1 else ""
        super().__init__(f"node '{node}' raised {type(original).__name__}: {original}{tried}")


class InputError(AetherFlowError):
    """An input item that could not be read (a line of a JSON Lines file that is not
    JSON): that item's error; the flow does not run for it, the other items go on."""


class ServiceError(AetherFlowError):
    """A service whose constructor (its provider) failed.

    ``service`` names it and ``node`` the node that asked for it (None when the run
    itself made it: shared services are created before any item runs).
    """

    def __init__(self, service: str, original: BaseException, node: str | None = None) -> None:
        self.service = service
        self.original = original
        self.node = node
        asked = f"node '{node}' needs service '{service}'" if node else f"service '{service}'"
        super().__init__(f"{asked}, and creating it failed: {type(original).__name__}: {original}")

    def at_node(self, node: str) -> ServiceError:
        """The same failure, told as the node ``node`` asking for the service."""
        if self.node is not None:
            return self
        err = ServiceError(self.service, self.original, node)
        err.__cause__ = self.original
        return err


class BranchError(AetherFlowError, KeyError):
    """A `branch_on` condition produced a value that is not a key of the mapping."""

    def __init__(self, node: str, value: Any, keys: Iterable[Any]) -> None:
        self.node = node
        self.value = value
        self.keys = list(keys)
        super().__init__(
            f"branch on node '{node}': condition value {value!r} is not one of {self.keys!r}"
        )

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class FlowError(AetherFlowError):
    """A structural problem with a flow: unknown node, bad port, cycle."""


class CycleError(FlowError):
    """A connection that would make the flow cyclic."""


class ReferenceResolutionError(AetherFlowError, ImportError):
    """A `module:qualname` reference that cannot be imported or is not what it should be."""

    def __init__(self, ref: str, reason: str) -> None:
        self.ref = ref
        self.reason = reason
        super().__init__(f"cannot resolve '{ref}': {reason}")


class ScopeError(AetherFlowError, ValueError):
    """An unknown service or an unknown scope name in a scope map."""


class FlowFormatError(AetherFlowError, ValueError):
    """A flow file (or flow document) that cannot be read or written.

    ``path`` names the file (``"<dict>"`` for documents in memory) and ``location`` the
    place inside it: a JSON path such as ``nodes[3].ref``, a node id, or a line and column
    for JSON syntax errors; None when the whole file is at fault.
    """

    def __init__(self, path: str, location: str | None, reason: str) -> None:
        self.path = path
        self.location = location
        self.reason = reason
        where = f"{path}: {location}" if location else path
        super().__init__(f"{where}: {reason}")


class FlowFormatWarning(UserWarning):
    """A flow file that loads but deserves attention (a newer minor format version)."""
