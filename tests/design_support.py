"""Helpers for tests that design flows through the Studio's real menus and dialogs.

A context menu is opened with a real ``QContextMenuEvent`` on the canvas and answered
while its ``exec()`` runs, as a user's click would (`choose_in_menu`); modal dialogs are
filled in and accepted while their ``exec()`` runs (`answer_dialog`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu, QWidget

ROOT = Path(__file__).resolve().parents[1]
# The module docs/getting-started.md walks through: the tests design with the same one.
MYNODES = (ROOT / "docs" / "examples" / "crawl" / "mynodes.py").read_text(encoding="utf-8")


def write_module(folder: Path, name: str = "mynodes", text: str = MYNODES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _poll(find: Callable[[], Any], act: Callable[[Any], None], tries: int = 500) -> list[Any]:
    """Call ``act(found)`` once ``find()`` returns something (polled from the event loop)."""
    done: list[Any] = []

    def step(left: int) -> None:
        found = find()
        if found is not None:
            done.append(found)
            act(found)
        elif left > 0:
            QTimer.singleShot(10, lambda: step(left - 1))

    QTimer.singleShot(0, lambda: step(tries))
    return done


def answer_dialog(kind: type, fill: Callable[[Any], None]) -> list[Any]:
    """Fill in and accept the next modal dialog of type ``kind`` (``fill`` may also
    reject it). Returns a list that holds the dialog once it was answered."""

    def find() -> Any:
        w = QApplication.activeModalWidget()
        return w if isinstance(w, kind) else None

    return _poll(find, fill)


def _menu_action(menu: QMenu, text: str) -> QAction:
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            return action
        if action.menu() is not None:
            try:
                return _menu_action(action.menu(), text)
            except LookupError:
                pass
    shown = [a.text() for a in menu.actions() if not a.isSeparator()]
    raise LookupError(f"no menu entry {text!r} in {shown}")


def choose_in_menu(text: str) -> list[Any]:
    """When the next popup menu shows, trigger its entry ``text`` as a click does."""
    seen: list[Any] = []

    def act(menu: QMenu) -> None:
        seen.append([a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()])
        action = _menu_action(menu, text)
        assert action.isEnabled(), f"{text!r} is disabled"
        menu.hide()
        action.trigger()

    def find() -> Any:
        w = QApplication.activePopupWidget()
        return w if isinstance(w, QMenu) and w.isVisible() else None

    _poll(find, act)
    return seen


def right_click(widget: QWidget, pos: QPoint) -> None:
    """A right-click's context menu request at ``pos`` (widget coordinates)."""
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, event)


def print_failures(test: Callable[..., Any]) -> Callable[..., Any]:
    """Print a failing GUI test's traceback at once (a crash while closing its windows
    would otherwise hide the report)."""
    import functools
    import traceback

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return test(*args, **kwargs)
        except BaseException:
            traceback.print_exc()
            raise

    return run
