"""The flow's services, each with a Shared / Isolated switch: the context's, and the ones
the flow declares itself (Add Service…, and each card's ⋯ menu: scope, edit, rename,
remove; all undoable document commands; the dialogs live in `service_dialog`).

Switching goes through ``document.set_scope`` (one undo step) and never touches node code:
the engine applies the scope map when it builds the context for a run. After a run with
"Measure shared services" on, each shared service's card shows the engine's measured scope
advice (`show_advice`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aetherflow_studio.widgets.segmented_switch import SegmentedSwitch

from . import service_authoring

SCOPE_HINTS = {
    "shared": "Shared: one instance for all worker threads; your code must lock.",
    "isolated": "Isolated: one instance per worker thread; no locks needed, n threads = n copies.",
}
WARN_VERDICTS = frozenset({"bottleneck", "contended"})
WARN_STYLE = "color: #d08a1a;"  # amber: readable on the dark and the light card


def service_users(flow: Any, service: str) -> list[str]:
    """Ids of the nodes whose input ``service`` is filled by the service.

    An edge or a constant on that input wins over the service (the engine's order).
    """
    users = []
    for spec in flow.nodes.values():
        if spec.input(service) is None or service in spec.constants:
            continue
        if any(e.target == f"{spec.id}.{service}" for e in flow.edges):
            continue
        users.append(spec.id)
    return users


def _label(text: str, role: str | None = None, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    label.setWordWrap(wrap)
    return label


class ServiceCard(QFrame):
    """One service: name, factory, the scope switch, what the choice means, its users."""

    def __init__(self, panel: ServicesPanel, spec: Any, users: list[str]) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.setObjectName(f"service_{spec.name}")
        self.name = spec.name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        heading = QHBoxLayout()
        heading.addWidget(_label(spec.name, "heading"), 1)
        self.menu_button = QToolButton()
        self.menu_button.setObjectName(f"service_menu_{spec.name}")
        self.menu_button.setText("⋯")
        self.menu_button.setToolTip(f"Scope, edit, rename or remove '{spec.name}'")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setMenu(service_authoring.service_menu(panel, spec, self.menu_button))
        heading.addWidget(self.menu_button)
        layout.addLayout(heading)
        if spec.factory:
            layout.addWidget(_label(service_authoring.factory_text(spec), "mono", wrap=True))
        self.switch = SegmentedSwitch([("shared", "Shared"), ("isolated", "Isolated")], self)
        self.switch.set_choice(spec.scope)
        self.switch.choice_requested.connect(lambda scope: panel.request_scope(spec.name, scope))
        layout.addWidget(self.switch)
        hint = SCOPE_HINTS.get(spec.scope) or (
            f"Declared as '{spec.scope}': neither shared nor isolated; choose one to "
            "control how threads share it."
        )
        if spec.declared and spec.declared != spec.scope and spec.declared in SCOPE_HINTS:
            hint += f" (declared {spec.declared} in code)"
        self.hint = _label(hint, "muted", wrap=True)
        layout.addWidget(self.hint)
        used = ", ".join(users) if users else "no node uses it"
        self.users = _label(f"Used by: {used}", "muted", wrap=True)
        layout.addWidget(self.users)
        self.advice = _label("", "muted", wrap=True)
        self.advice.setObjectName(f"advice_{spec.name}")
        self.advice.setVisible(False)
        layout.addWidget(self.advice)
        self.verdict: str | None = None

    def set_advice(self, number: int, advice: Any) -> None:
        """Show run ``number``'s measured `ScopeAdvice` (None hides the line)."""
        self.verdict = advice.verdict if advice is not None else None
        if advice is None:
            self.advice.setText("")
            self.advice.setVisible(False)
            return
        self.advice.setText(f"Measured in run {number}: {advice.text}")
        self.advice.setStyleSheet(WARN_STYLE if advice.verdict in WARN_VERDICTS else "")
        self.advice.setVisible(True)


def _builtin(name: str) -> bool:
    """`BaseFlowContext`'s own services (state, context, shared_data) are listed after the
    flow's own ones, which are what the user came to switch."""
    from aetherflow import BaseFlowContext

    return name in BaseFlowContext.providers


class ServicesPanel(QScrollArea):
    """Lists ``document.flow.services``; rebuilt on every model change (they are few).

    ``cards_rebuilt`` is emitted after the cards were made anew (marks others put on the
    cards, such as the race check's, are put back then).
    """

    cards_rebuilt = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document: Any = None
        self.factories: Any = lambda: []  # (ref, doc) of classes to offer as factories
        self.ask_service = lambda title, initial=None, taken=(): service_authoring.ask_service(
            self, title, self.factories(), initial, taken
        )
        self.ask_text = lambda title, label, text: service_authoring.ask_text(
            self, title, label, text
        )
        self.cards: dict[str, ServiceCard] = {}
        self.executor_note = _label("", "muted", wrap=True)
        self.executor_note.setObjectName("executor_note")
        self.last_error: str | None = None
        self.advice: dict[str, Any] = {}  # service -> ScopeAdvice of the last measured run
        self.advice_run = 0
        self._shape: Any = ()
        self.refresh()

    def set_document(self, document: Any) -> None:
        if self.document is not None:
            self.document.model_changed.disconnect(self._on_document_model_changed)
        self.document = document
        if document is not None:
            document.model_changed.connect(self._on_document_model_changed)
        self.advice, self.advice_run = {}, 0  # measured on another flow
        self.refresh()

    def show_advice(self, record: Any) -> None:
        """A run finished: show its measured scope advice on the shared services' cards.

        Only runs that measured (``settings.profile_shared``) replace the advice; a
        service that was not measured in that run (isolated, unused) shows none.
        """
        if record.error or not getattr(record.settings, "profile_shared", False):
            return
        self.advice = {a.service: a for a in record.advice}
        self.advice_run = record.number
        self._apply_advice()

    def _apply_advice(self) -> None:
        for name, card in self.cards.items():
            card.set_advice(self.advice_run, self.advice.get(name))

    def set_executor_note(self, text: str) -> None:
        """A note from the executor (e.g. how scopes map onto Dask workers); empty hides it."""
        self.executor_note.setText(text)
        self.executor_note.setVisible(bool(text))

    def request_scope(self, service: str, scope: str) -> None:
        """Switch ``service`` to ``scope`` through the document (undoable)."""
        if self.document is None:
            return
        try:
            self.document.set_scope(service, scope)
        except Exception as exc:  # a ScopeError names the problem; show it, keep the model
            self.last_error = str(exc)
            self.executor_note.setText(str(exc))
            self.executor_note.setVisible(True)

    def _shape_of(self, flow: Any) -> Any:
        if flow is None:
            return None
        return tuple(
            (
                s.name,
                s.scope,
                s.factory,
                s.declared,
                repr(s.constants),
                tuple(service_users(flow, s.name)),
            )
            for s in flow.services.values()
        )

    def refresh(self, force: bool = False) -> None:
        flow = self.document.flow if self.document is not None else None
        shape = self._shape_of(flow)
        if shape == self._shape and not force:
            return
        self._shape = shape
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        add = QPushButton("Add Service…")
        add.setObjectName("add_service")
        add.setToolTip("Declare a service of this flow: a name, a factory, a scope")
        add.setEnabled(flow is not None)
        add.clicked.connect(lambda _c=False: self.add_service())
        layout.addWidget(add)
        self.add_button = add
        self.cards = {}
        services = flow.services if flow is not None else {}
        for name, spec in sorted(services.items(), key=lambda kv: _builtin(kv[0])):
            card = ServiceCard(self, spec, service_users(flow, name))
            layout.addWidget(card)
            self.cards[name] = card
        if not services:
            empty = _label(
                "This flow has no services yet. Add one here, or right-click a node and "
                "declare one for an input. Nodes get a service's instance by naming an "
                "input like the service.",
                "muted",
                wrap=True,
            )
            empty.setAlignment(Qt.AlignmentFlag.AlignTop)
            layout.addWidget(empty)
        self.executor_note.setParent(None)
        layout.addWidget(self.executor_note)
        self.executor_note.setVisible(bool(self.executor_note.text()))
        layout.addStretch(1)
        self._apply_advice()
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self.setWidget(content)
        self.cards_rebuilt.emit()

    # -- authoring (undoable document commands; errors shown on the panel) -------------
    def add_service(self, name: str = "") -> bool:
        """Ask for a new flow service (the name prefilled) and add it; True when added."""
        return service_authoring.add_service(self, name)

    def edit_service(self, name: str) -> bool:
        return service_authoring.edit_service(self, name)

    def rename_service(self, name: str) -> bool:
        return service_authoring.rename_service(self, name)

    def remove_service(self, name: str) -> None:
        service_authoring.run(self, lambda: self.document.remove_service(name))

    def show_error(self, text: str) -> None:
        self.last_error = text
        self.executor_note.setText(text)
        self.executor_note.setVisible(bool(text))

    def _on_document_model_changed(self, _event: object) -> None:
        self.refresh()
