"""Authoring a flow's services from the Services panel: the card menu (scope, edit,
rename, remove) and the Add/Edit/Rename questions, each ending in one undoable
document command. A refused edit shows its reason on the panel and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QWidget

from .service_dialog import ServiceDialog, ServiceValues


def factory_text(spec: Any) -> str:
    """The factory line of a card: what builds the service, and who declares it."""
    if not spec.local:
        return spec.factory
    args = ", ".join(f"{k}={json.dumps(v)}" for k, v in spec.constants.items())
    return f"{spec.factory}({args}) · declared in this flow"


def ask_service(
    parent: QWidget,
    title: str,
    factories: Iterable[tuple[str, str]],
    initial: ServiceValues | None,
    taken: Iterable[str],
) -> ServiceValues | None:
    dialog = ServiceDialog(parent, title, factories, initial, taken)
    try:
        return dialog.values if dialog.exec() else None
    finally:
        dialog.deleteLater()


def ask_text(parent: QWidget, title: str, label: str, text: str) -> str | None:
    answer, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return answer if ok else None


def run(panel: Any, edit: Callable[[], Any]) -> bool:
    """Apply one document edit; show a refusal on the panel instead of raising."""
    try:
        edit()
    except Exception as exc:  # the document names the service and the reason
        panel.show_error(str(exc))
        return False
    panel.show_error("")
    return True


def _local_names(panel: Any) -> list[str]:
    return [n for n, s in panel.document.flow.services.items() if s.local]


def add_service(panel: Any, name: str = "") -> bool:
    if panel.document is None:
        return False
    initial = ServiceValues(name, "", "isolated", {}) if name else None
    values = panel.ask_service("Add Service", initial, _local_names(panel))
    if values is None:
        return False
    doc = panel.document
    return run(panel, lambda: doc.add_service(values.name, values.factory, values.scope,
                                              values.constants))  # fmt: skip


def edit_service(panel: Any, name: str) -> bool:
    spec = panel.document.flow.services[name]
    initial = ServiceValues(name, spec.factory or "", spec.scope, dict(spec.constants))
    taken = [n for n in _local_names(panel) if n != name]
    values = panel.ask_service(f"Edit Service {name}", initial, taken)
    if values is None:
        return False
    doc = panel.document

    def edit() -> None:
        if values.name != name:
            doc.undo_stack.beginMacro(f"Edit service {name}")
            try:
                doc.rename_service(name, values.name)
                doc.edit_service(values.name, values.factory, values.scope, values.constants)
            finally:
                doc.undo_stack.endMacro()
        else:
            doc.edit_service(name, values.factory, values.scope, values.constants)

    return run(panel, edit)


def rename_service(panel: Any, name: str) -> bool:
    answer = panel.ask_text("Rename Service", f"New name for service '{name}':", name)
    if answer is None:
        return False
    return run(panel, lambda: panel.document.rename_service(name, answer))


def service_menu(panel: Any, spec: Any, parent: QWidget) -> QMenu:
    """A service card's menu: Shared / Isolated, Edit…, Rename…, Remove."""
    menu = QMenu(parent)
    for scope in ("shared", "isolated"):
        action = menu.addAction(scope.title(), lambda s=scope: panel.request_scope(spec.name, s))
        action.setCheckable(True)
        action.setChecked(spec.scope == scope)
    menu.addSeparator()
    edit = menu.addAction("Edit…", lambda: panel.edit_service(spec.name))
    rename = menu.addAction("Rename…", lambda: panel.rename_service(spec.name))
    for action in (edit, rename):
        action.setEnabled(spec.local)
        if not spec.local:
            action.setToolTip("Declared by the context's code: edit it there")
    menu.addAction("Remove", lambda: panel.remove_service(spec.name))
    return menu
