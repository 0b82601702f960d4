"""Items from JSON Lines: one JSON value a line, read lazily; a bad line is one item's
error, not the end of the input.

A line that is not JSON (or not UTF-8) becomes an `UnreadableItem` in its place, so the
item indexes stay those of the lines and the run reports it as that item's error (type
``InputError``, with the line number and the start of the text) while the other items
are processed. An error line of an earlier run stands for its item (`unwrap_error`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..printable import printable

TEXT_SHOWN = 120  # characters of a bad line quoted in its error


@dataclass(frozen=True)
class UnreadableItem:
    """An input item that could not be read; the run fails it with an `InputError`."""

    source: str
    line: int
    text: str
    reason: str

    @property
    def message(self) -> str:
        return f"{self.source} line {self.line}: {self.reason}: {self.text}"


def _cut(text: str) -> str:
    shown = printable(text.strip())
    return shown if len(shown) <= TEXT_SHOWN else shown[: TEXT_SHOWN - 1] + "…"


def read_json_lines(lines: Iterable[bytes], name: str) -> Iterator[Any]:
    """The items of ``lines`` (a binary file or any iterable of byte lines); blank lines
    are skipped, a bad line yields an `UnreadableItem` naming ``name`` and its number."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = _cut(raw.decode("utf-8", "replace"))
            yield UnreadableItem(name, number, shown, f"not UTF-8 text (byte {exc.start + 1})")
            continue
        try:
            yield unwrap_error(json.loads(text), name, number, text)
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON ({exc.msg}, column {exc.colno})"
            yield UnreadableItem(name, number, _cut(text), reason)
        except (ValueError, RecursionError) as exc:  # huge integers, deep nesting
            yield UnreadableItem(name, number, _cut(text), f"not valid JSON ({exc})")


def unwrap_error(value: Any, name: str, number: int, text: str) -> Any:
    """An error line of an earlier run (``{"__error__": {..., "item": ...}}``) stands for
    its item, so the failures of one run can be fed back; one without its item cannot."""
    if not (type(value) is dict and len(value) == 1 and "__error__" in value):
        return value
    error = value["__error__"]
    if not isinstance(error, dict) or "item" not in error:
        return UnreadableItem(name, number, _cut(text), "an error line without its item")
    return error["item"]
