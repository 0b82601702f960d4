"""Undo commands for designing a flow: its settings, its source and its own services.

Each holds plain data captured in ``__init__`` (copies of specs, never live objects it
shares with the model) and calls `Flow` methods. No parent commands (PySide6 crashes).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from aetherflow import Flow
from aetherflow.graph.specs import ServiceSpec
from PySide6.QtGui import QUndoCommand

RUN_INPUT_KEY = "run_input"  # flow.metadata key of the default run input


@dataclass(frozen=True)
class FlowSettings:
    """What the Flow Settings dialog edits.

    ``context`` is a ``module:qualname`` or None; ``context_class`` the class itself when
    the user picked one from the library (its services then join the flow's).
    ``run_input`` is the default input of the run controls, e.g. ``{"kind": "source",
    "count": 100}`` (None: the controls' own choice).
    """

    name: str
    description: str = ""
    context: str | None = None
    context_class: Any = field(default=None, compare=False)
    source: str | None = None
    run_input: dict[str, Any] | None = None


def settings_of(flow: Flow) -> FlowSettings:
    run_input = flow.metadata.get(RUN_INPUT_KEY)
    return FlowSettings(
        flow.name, flow.description, flow.context_ref, flow._context_obj, flow.source,
        copy.deepcopy(run_input) if isinstance(run_input, dict) else None,
    )  # fmt: skip


def _copy_services(flow: Flow) -> list[ServiceSpec]:
    return [copy.deepcopy(s) for s in flow.services.values()]


def _restore_services(flow: Flow, specs: list[ServiceSpec]) -> None:
    for name in list(flow.services):
        flow.remove_service(name)
    for spec in specs:
        flow.insert_service(copy.deepcopy(spec))


class SetFlowSettingsCommand(QUndoCommand):
    """Name, description, context (with the services it brings), source, run input."""

    def __init__(self, flow: Flow, new: FlowSettings) -> None:
        super().__init__("Edit flow settings")
        self._flow = flow
        self._old, self._new = settings_of(flow), new
        self._old_services = _copy_services(flow)
        self._new_services: list[ServiceSpec] | None = None

    def _apply(self, s: FlowSettings) -> None:
        flow = self._flow
        flow.set_name(s.name)
        flow.set_description(s.description)
        if (s.context, s.context_class) != (flow.context_ref, flow._context_obj):
            flow.set_context(None)
            if s.context_class is not None or s.context is not None:
                flow.set_context(s.context_class if s.context_class is not None else s.context)
        flow.set_source(s.source)
        if s.run_input is None:
            flow.set_metadata(RUN_INPUT_KEY)
        else:
            flow.set_metadata(RUN_INPUT_KEY, copy.deepcopy(s.run_input))

    def redo(self) -> None:
        self._apply(self._new)
        if self._new_services is None:
            self._new_services = _copy_services(self._flow)
        else:
            _restore_services(self._flow, self._new_services)

    def undo(self) -> None:
        self._apply(self._old)
        _restore_services(self._flow, self._old_services)


class SetSourceCommand(QUndoCommand):
    def __init__(self, flow: Flow, node_id: str | None) -> None:
        super().__init__(f"Use {node_id} as source" if node_id else "Clear source")
        self._flow, self._new, self._old = flow, node_id, flow.source

    def redo(self) -> None:
        self._flow.set_source(self._new)

    def undo(self) -> None:
        self._flow.set_source(self._old)


class PutServiceCommand(QUndoCommand):
    """Add a flow service or replace one (its factory, scope or constants); undo puts the
    entry it replaced (a context service of that name, say) back in its place."""

    def __init__(self, flow: Flow, spec: ServiceSpec, text: str) -> None:
        super().__init__(text)
        self._flow, self._spec = flow, copy.deepcopy(spec)
        old = flow.services.get(spec.name)
        self._old = copy.deepcopy(old) if old is not None else None
        self._index = list(flow.services).index(spec.name) if old is not None else None

    def redo(self) -> None:
        self._flow.insert_service(copy.deepcopy(self._spec), self._index)

    def undo(self) -> None:
        if self._old is None:
            self._flow.remove_service(self._spec.name)
        else:
            self._flow.insert_service(copy.deepcopy(self._old), self._index)


class RemoveServiceCommand(QUndoCommand):
    def __init__(self, flow: Flow, name: str) -> None:
        super().__init__(f"Remove service {name}")
        self._flow, self._name = flow, name
        self._spec = copy.deepcopy(flow.services[name])
        self._index = list(flow.services).index(name)

    def redo(self) -> None:
        self._flow.remove_service(self._name)

    def undo(self) -> None:
        self._flow.insert_service(copy.deepcopy(self._spec), self._index)


class RenameServiceCommand(QUndoCommand):
    def __init__(self, flow: Flow, old: str, new: str) -> None:
        super().__init__(f"Rename service {old} to {new}")
        self._flow, self._old, self._new = flow, old, new

    def redo(self) -> None:
        self._flow.rename_service(self._old, self._new)

    def undo(self) -> None:
        self._flow.rename_service(self._new, self._old)
