"""The inspector: title, reference, doc, constants and ports of the selected node.

Every edit goes through the document (one undo command each); the panel only shows the model.
When the model changes without changing which constants and ports exist, the editors are
updated in place so focus and typing survive a commit.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aetherflow.node import MISSING
from aetherflow.policy import NodePolicy
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aetherflow_studio.panels.policy_box import PolicyBox
from aetherflow_studio.widgets.value_editors import editor_class, make_editor


def input_source(flow: Any, node_id: str, port: Any) -> tuple[str, str]:
    """How an input gets its value, in the engine's order: ``(kind, text)``.

    ``kind`` is one of ``edge``, ``constant``, ``service``, ``default``, ``state``.
    """
    spec = flow.nodes[node_id]
    for edge in flow.edges:
        if edge.target_node == node_id and edge.target_port == port.name:
            return "edge", f"← {edge.source}"
    if port.name in spec.constants:
        return "constant", "constant"
    if port.name in flow.services:
        return "service", f"service '{port.name}' ({flow.services[port.name].scope})"
    if not port.required:
        return "default", f"default {port.default!r}"
    return "state", "run state or item (not wired)"


def _with_declare(panel: InspectorPanel, status: QLabel, name: str) -> QHBoxLayout:
    """An input nothing fills: its status and a button that declares a service for it."""
    button = QToolButton()
    button.setObjectName(f"declare_{name}")
    button.setText("Declare service…")
    button.setToolTip(f"Declare a service named '{name}' in this flow")
    button.clicked.connect(lambda _c=False: panel.declare_service_requested.emit(name))
    row = QHBoxLayout()
    row.addWidget(status, 1)
    row.addWidget(button)
    return row


def _muted(text: str, role: str = "muted") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", role)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _port_form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setHorizontalSpacing(10)
    return form


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


class InspectorPanel(QScrollArea):
    """Shows and edits the node `show_node` was given, through ``document``."""

    declare_service_requested = Signal(str)  # an input nothing fills: declare a service

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Content follows the dock's width (labels wrap) instead of scrolling sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document: Any = None
        self.node_id: str | None = None
        self.title_edit: QLineEdit | None = None
        self.constant_editors: dict[str, QWidget] = {}
        self.policy_box: PolicyBox | None = None
        self.add_constant_button: QToolButton | None = None
        self._shape: Any = None
        # A worker stopped at a breakpoint: the run side gives a factory of the widget
        # shown above the stopped node's ports (`set_break_view`).
        self.break_node: str | None = None
        self._break_factory: Callable[[], QWidget] | None = None
        self.break_view: QWidget | None = None
        self._show_empty("Select a node to inspect it.")

    # -- public -----------------------------------------------------------------------
    def set_document(self, document: Any) -> None:
        if self.document is not None:
            self.document.model_changed.disconnect(self._on_document_model_changed)
        self.document = document
        if document is not None:
            document.model_changed.connect(self._on_document_model_changed)
        self.show_node(None)

    def show_node(self, node_id: str | None) -> None:
        """Inspect ``node_id`` (None: nothing selected)."""
        self.node_id = node_id
        self._rebuild()

    def set_break_view(self, node_id: str | None, factory: Callable[[], QWidget] | None) -> None:
        """While ``node_id`` is shown, show ``factory()`` at the top (a worker stopped
        before it); None: no worker is stopped."""
        self.break_node, self._break_factory = node_id, factory
        self._rebuild()

    def refresh(self) -> None:
        """Bring the panel up to date with the model."""
        flow = self._flow()
        if self.node_id is not None and (flow is None or self.node_id not in flow.nodes):
            self.node_id = None
        if self._shape_of() != self._shape:
            self._rebuild()
            return
        if self.node_id is not None:
            self._update_values()

    # -- building ---------------------------------------------------------------------
    def _flow(self) -> Any:
        return self.document.flow if self.document is not None else None

    def _shape_of(self) -> Any:
        flow = self._flow()
        if flow is None or self.node_id not in flow.nodes:
            return None
        spec = flow.nodes[self.node_id]
        wiring = tuple(input_source(flow, spec.id, p) for p in spec.inputs)
        targets = tuple(e.id for e in flow.edges if e.source_node == spec.id)
        editors = tuple(
            (k, editor_class(v, p.type if (p := spec.input(k)) else None))
            for k, v in spec.constants.items()
        )
        return (
            spec.id,
            spec.ref,
            editors,
            wiring,
            targets,
            spec.doc,
            tuple(spec.output_names),
            spec.is_placeholder,
        )

    def _show_empty(self, text: str) -> None:
        self.break_view = None
        self.title_edit = None
        self.constant_editors = {}
        self.policy_box = None
        self.add_constant_button = None
        self._shape = None
        empty = QLabel(text)
        empty.setProperty("role", "muted")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setWordWrap(True)
        self._set_content(empty)

    def _set_content(self, widget: QWidget) -> None:
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()  # may be called from one of its editors' signals
        self.setWidget(widget)

    def _rebuild(self) -> None:
        flow = self._flow()
        if flow is None or self.node_id not in flow.nodes:
            self._show_empty("Select a node to inspect it.")
            return
        spec = flow.nodes[self.node_id]
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        self.break_view = None
        if self._break_factory is not None and self.break_node == spec.id:
            self.break_view = self._break_factory()  # first: what matters at a stop
            layout.addWidget(self.break_view)
        self._build_header(layout, spec)
        self._build_constants(layout, flow, spec)
        self.policy_box = PolicyBox()
        self.policy_box.field_edited.connect(self._on_policy_box_field_edited)
        self._show_policy(spec)
        layout.addWidget(self.policy_box)
        self._build_inputs(layout, flow, spec)
        self._build_outputs(layout, flow, spec)
        layout.addStretch(1)
        self._set_content(content)
        self._shape = self._shape_of()

    def _build_header(self, layout: QVBoxLayout, spec: Any) -> None:
        self.title_edit = QLineEdit(spec.label or "")
        self.title_edit.setPlaceholderText(spec.id)
        self.title_edit.setToolTip("The node's title on the canvas (its id when empty)")
        self.title_edit.editingFinished.connect(self._on_title_editing_finished)
        layout.addWidget(self.title_edit)
        ref = _muted(f"id {spec.id}\n{spec.ref}", "mono")
        ref.setWordWrap(True)
        layout.addWidget(ref)
        if spec.is_placeholder:
            warn = _muted(f"Placeholder: {spec.error}")
            warn.setWordWrap(True)
            layout.addWidget(warn)
        elif spec.node is None:
            layout.addWidget(_muted("Code not imported (the file is not trusted)."))
        if spec.doc:
            doc = _muted(spec.doc)
            doc.setWordWrap(True)
            layout.addWidget(doc)

    def _build_constants(self, layout: QVBoxLayout, flow: Any, spec: Any) -> None:
        layout.addWidget(_heading("Constants"))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.constant_editors = {}
        for name, value in spec.constants.items():
            port = spec.input(name)
            editor = make_editor(value, port.type if port else None)
            editor.setObjectName(f"constant_{name}")
            editor.value_committed.connect(  # type: ignore[attr-defined]
                lambda v, n=name: self._on_constant_committed(n, v)
            )
            clear = QToolButton()
            clear.setText("✕")
            clear.setToolTip(f"Clear the constant '{name}'")
            clear.clicked.connect(lambda _=False, n=name: self._on_constant_cleared(n))
            row = QHBoxLayout()
            row.addWidget(editor, 1)
            row.addWidget(clear)
            form.addRow(name, row)
            self.constant_editors[name] = editor
        if not spec.constants:
            form.addRow(_muted("No constants."))
        layout.addLayout(form)
        free = self._unwired_inputs(flow, spec)
        self.add_constant_button = QToolButton()
        self.add_constant_button.setText("Add constant")
        self.add_constant_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_constant_button.setEnabled(bool(free))
        menu = QMenu(self.add_constant_button)
        for port in free:
            menu.addAction(port.name, lambda p=port: self.add_constant(p.name))
        self.add_constant_button.setMenu(menu)
        layout.addWidget(self.add_constant_button, 0, Qt.AlignmentFlag.AlignLeft)

    def _build_inputs(self, layout: QVBoxLayout, flow: Any, spec: Any) -> None:
        layout.addWidget(_heading("Inputs"))
        form = _port_form()
        produced = {o.name for s in flow.nodes.values() for o in s.outputs}
        for port in spec.inputs:
            kind, text = input_source(flow, spec.id, port)
            need = "required" if port.required else f"default {port.default!r}"
            status = _muted(f"{html.escape(port.type or 'any')} · {html.escape(text, quote=False)}")
            status.setWordWrap(True)
            status.setObjectName(f"input_{port.name}")
            status.setProperty("kind", kind)
            status.setToolTip(need)
            name = QLabel(f"<b>{html.escape(port.name)}</b>")
            name.setToolTip(need)
            if kind == "state" and port.name not in produced and spec.id != flow.source:
                form.addRow(name, _with_declare(self, status, port.name))
            else:
                form.addRow(name, status)
        if not spec.inputs:
            form.addRow(_muted("No inputs."))
        layout.addLayout(form)

    def _build_outputs(self, layout: QVBoxLayout, flow: Any, spec: Any) -> None:
        layout.addWidget(_heading("Outputs"))
        form = _port_form()
        for out in spec.outputs:
            targets = [e.target for e in flow.edges if e.source == f"{spec.id}.{out.name}"]
            text = ", ".join(f"→ {t}" for t in targets) or "not connected"
            status = _muted(html.escape(text, quote=False))
            status.setWordWrap(True)
            form.addRow(QLabel(f"<b>{html.escape(out.name)}</b>"), status)
        if not spec.outputs:
            form.addRow(_muted("No outputs."))
        layout.addLayout(form)

    def _show_policy(self, spec: Any) -> None:
        node = spec.node
        self.policy_box.show_policy(spec.policy, node.policy if node is not None else NodePolicy())

    def _update_values(self) -> None:
        spec = self._flow().nodes[self.node_id]
        if self.policy_box is not None:
            self._show_policy(spec)
        if self.title_edit is not None and not self.title_edit.hasFocus():
            self.title_edit.setText(spec.label or "")
        for name, editor in self.constant_editors.items():
            if name in spec.constants and editor.value() != spec.constants[name]:  # type: ignore[attr-defined]
                editor.set_value(spec.constants[name])  # type: ignore[attr-defined]

    @staticmethod
    def _unwired_inputs(flow: Any, spec: Any) -> list[Any]:
        wired = {e.target_port for e in flow.edges if e.target_node == spec.id}
        return [p for p in spec.inputs if p.name not in wired and p.name not in spec.constants]

    # -- edits (through the document) -------------------------------------------------
    def add_constant(self, name: str) -> None:
        """Give the input ``name`` a constant: its default, or its type's zero value."""
        spec = self._flow().nodes[self.node_id]
        port = spec.input(name)
        value = port.default if port is not None and not port.required else None
        if value is None:
            editor = make_editor(None, port.type if port else None)
            value = editor.value()  # type: ignore[attr-defined]
            editor.deleteLater()
        self.document.set_constant(self.node_id, name, value)

    def _on_constant_committed(self, name: str, value: Any) -> None:
        if self.node_id is not None:
            self.document.set_constant(self.node_id, name, value)

    def _on_policy_box_field_edited(self, name: str, value: Any) -> None:
        if self.document is not None and self.node_id is not None:
            try:
                self.document.set_policy(self.node_id, name, value)
            except ValueError as exc:
                self.policy_box.setToolTip(str(exc))
                self._show_policy(self._flow().nodes[self.node_id])

    def _on_constant_cleared(self, name: str) -> None:
        if self.node_id is not None:
            self.document.set_constant(self.node_id, name, MISSING)

    def _on_title_editing_finished(self) -> None:
        if self.node_id is None or self.title_edit is None:
            return
        label = self.title_edit.text().strip() or None
        if label != self._flow().nodes[self.node_id].label:
            self.document.set_label(self.node_id, label)

    def _on_document_model_changed(self, _event: object) -> None:
        self.refresh()
