"""`ScrollRow`: one row of controls that scrolls sideways when the window is narrower than
the row, instead of setting the window's minimum width (a toolbar widget cannot shrink
below its children's minimum sizes, so a long row of run controls kept the whole window
from being made smaller than it)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

MIN_WIDTH = 240


class ScrollRow(QScrollArea):
    """Holds ``row``; a horizontal scroll bar appears only while it does not fit."""

    def __init__(self, row: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{row.objectName()}_scroll")
        self.setWidget(row)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fit_height()

    def sizeHint(self) -> QSize:
        return self.widget().sizeHint()

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_WIDTH, self.widget().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        row = self.widget()
        need = row.minimumSizeHint().width() > self.viewport().width()
        bar = self.horizontalScrollBar().sizeHint().height() if need else 0
        self.setFixedHeight(row.sizeHint().height() + bar)
