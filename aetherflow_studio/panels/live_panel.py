"""`LivePanel`: the base of panels fed by the run controller's poll.

A panel keeps the latest frame and draws only while it is shown; showing it draws the
kept frame, and hiding or showing it tells the controller, which stops polling when no
live panel is shown. A panel whose dock is a tab behind another one is not shown, though
Qt still says it is visible: the dock's ``visibilityChanged`` tells it (`set_tab_shown`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QWidget

from aetherflow_studio.run_ui.records import LiveFrame

if TYPE_CHECKING:
    from aetherflow_studio.run_ui.run_controller import RunController


class LivePanel(QWidget):
    """Subclasses implement `draw_frame` (and may set ``wants_services``/``wants_timeline``)."""

    wants_services = False
    wants_timeline = False

    def __init__(
        self, controller: RunController | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._frame: LiveFrame | None = None
        self._drawn: LiveFrame | None = None
        self.controller = controller
        self.draws = 0  # frames drawn (the benchmark counts them)
        self._tab_shown = True  # False while its dock is a tab behind another
        if controller is not None:
            controller.subscribe(self)

    def is_shown(self) -> bool:
        """Visible and not behind another tab: what the user can see."""
        return self._tab_shown and self.isVisible()

    def wants_frames(self) -> bool:
        return self.is_shown()

    def set_tab_shown(self, shown: bool) -> None:
        """Its dock's tab was brought to the front (or another tab was)."""
        if shown == self._tab_shown:
            return
        self._tab_shown = shown
        if self.is_shown() and self._frame is not None and self._frame is not self._drawn:
            self._draw(self._frame)
        self._tell_controller()

    def update_frame(self, frame: LiveFrame) -> None:
        if self._frame is not None and frame.number != self._frame.number:
            self.run_changed(frame)
        self._frame = frame
        if self.is_shown():
            self._draw(frame)

    def _draw(self, frame: LiveFrame) -> None:
        self._drawn = frame
        self.draws += 1
        self.draw_frame(frame)

    def run_changed(self, frame: LiveFrame) -> None:
        """A new run's first frame: reset what belongs to the previous run."""

    def clear(self) -> None:
        """Show no run (another flow was opened): forget the frame, reset the drawing."""
        self._frame = self._drawn = None
        self.clear_view()

    def clear_view(self) -> None:
        """Subclasses empty their drawing here (what an unused panel shows)."""

    def draw_frame(self, frame: LiveFrame) -> None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._tab_shown and self._frame is not None and self._frame is not self._drawn:
            self._draw(self._frame)
        self._tell_controller()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._tell_controller()

    def _tell_controller(self) -> None:
        c = self.controller
        if c is not None and shiboken6.isValid(c):  # the window may be tearing down
            c.visibility_changed()
