"""Editors for plain JSON values, chosen by the value's type or a type name.

Each editor shows one value and emits ``value_committed(object)`` when the user finishes an
edit (Enter, focus out, a click); setting a value from code emits nothing. The editors know
nothing about nodes or flows.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

INT_LIMIT = 2**31 - 1


class BoolEditor(QCheckBox):
    value_committed = Signal(object)

    def __init__(self, value: Any = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_value(value)
        self.clicked.connect(lambda checked: self.value_committed.emit(bool(checked)))

    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, value: Any) -> None:
        self.setChecked(bool(value))


class IntEditor(QSpinBox):
    value_committed = Signal(object)

    def __init__(self, value: Any = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-INT_LIMIT, INT_LIMIT)
        self.setKeyboardTracking(False)  # one commit per finished edit, not per keystroke
        self.set_value(value)
        self.valueChanged.connect(self._on_value_changed)

    def _on_value_changed(self, value: int) -> None:
        if not self.signalsBlocked():
            self.value_committed.emit(int(value))

    def value(self) -> int:  # type: ignore[override]
        return int(super().value())

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        self.setValue(int(value or 0))
        self.blockSignals(False)


class FloatEditor(QDoubleSpinBox):
    value_committed = Signal(object)

    def __init__(self, value: Any = 0.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-1e12, 1e12)
        self.setDecimals(6)
        self.setKeyboardTracking(False)
        self.set_value(value)
        self.valueChanged.connect(lambda v: self.value_committed.emit(float(v)))

    def value(self) -> float:  # type: ignore[override]
        return float(super().value())

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        self.setValue(float(value or 0.0))
        self.blockSignals(False)


class TextEditor(QLineEdit):
    value_committed = Signal(object)

    def __init__(self, value: Any = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._committed = ""
        self.set_value(value)
        self.editingFinished.connect(self._on_editing_finished)

    def _on_editing_finished(self) -> None:
        value = self.value()
        if value is not None and value != self._committed:
            self._committed = value
            self.value_committed.emit(value)

    def value(self) -> Any:
        return self.text()

    def set_value(self, value: Any) -> None:
        self._committed = "" if value is None else str(value)
        self.setText(self._committed)
        self.setCursorPosition(0)  # show the start of long values


class JsonEditor(TextEditor):
    """Any JSON value as text; invalid text is marked and never committed."""

    def __init__(self, value: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(value, parent)
        self.setPlaceholderText('JSON, e.g. [1, 2] or {"key": 1}')
        self.textEdited.connect(self._on_text_edited)

    def _on_text_edited(self, text: str) -> None:
        valid = self._parse(text) is not _INVALID
        self.setProperty("invalid", not valid)
        self.setToolTip("" if valid else "Not valid JSON")
        self.style().unpolish(self)
        self.style().polish(self)

    @staticmethod
    def _parse(text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            return _INVALID

    def _on_editing_finished(self) -> None:
        value = self._parse(self.text())
        if value is _INVALID:
            return
        if value != self._committed_value:
            self._committed_value = value
            self.value_committed.emit(value)

    def value(self) -> Any:
        value = self._parse(self.text())
        return None if value is _INVALID else value

    def set_value(self, value: Any) -> None:
        self._committed_value = value
        self._committed = json.dumps(value)
        self.setText(self._committed)
        self.setCursorPosition(0)


_INVALID = object()

_BY_NAME = {"bool": BoolEditor, "int": IntEditor, "float": FloatEditor, "str": TextEditor}


def editor_class(value: Any = None, type_name: str | None = None) -> type[QWidget]:
    """The editor class for ``value`` (when not None) or else for the type name."""
    if value is not None:
        if isinstance(value, bool):
            return BoolEditor
        if isinstance(value, int):
            return IntEditor
        if isinstance(value, float):
            return FloatEditor
        if isinstance(value, str):
            return TextEditor
        return JsonEditor
    name = (type_name or "").strip().removeprefix("builtins.")
    return _BY_NAME.get(name, JsonEditor)


def make_editor(value: Any = None, type_name: str | None = None) -> QWidget:
    """An editor showing ``value``; with None, an editor for ``type_name`` at its zero value."""
    cls = editor_class(value, type_name)
    if value is None and cls is not JsonEditor:
        value = {BoolEditor: False, IntEditor: 0, FloatEditor: 0.0, TextEditor: ""}[cls]
    return cls(value)
