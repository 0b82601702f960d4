"""A row of exclusive toggle buttons, like a two-way "Shared | Isolated" switch."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget


class SegmentedSwitch(QWidget):
    """Exclusive choices shown as joined buttons.

    ``choice_requested(str)`` is emitted when the user clicks a choice other than the
    current one; the switch does not move until `set_choice` is called, so the model stays
    the only truth (a refused or undone change leaves the switch where the model is).
    """

    choice_requested = Signal(str)

    def __init__(self, choices: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        """``choices`` are ``(key, label)`` pairs."""
        super().__init__(parent)
        self._current: str | None = None
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for key, label in choices:
            button = QPushButton(label, self)
            button.setCheckable(True)
            button.setObjectName(f"choice_{key}")
            button.clicked.connect(lambda _checked=False, k=key: self._on_clicked(k))
            self._group.addButton(button)
            layout.addWidget(button)
            self.buttons[key] = button
        layout.addStretch(1)

    def choice(self) -> str | None:
        return self._current

    def set_choice(self, key: str | None) -> None:
        self._current = key
        self._group.setExclusive(False)  # lets every button be unchecked for an unknown key
        for k, button in self.buttons.items():
            button.setChecked(k == key)
        self._group.setExclusive(True)

    def _on_clicked(self, key: str) -> None:
        requested = key != self._current
        self.set_choice(self._current)
        if requested:
            self.choice_requested.emit(key)
