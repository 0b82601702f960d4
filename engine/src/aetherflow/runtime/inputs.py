"""Inputs described by plain data: a count of generated items, a JSON Lines or CSV file.

Iterating one reads its items lazily, as any iterable input. Being plain data, it can be
iterated where the run runs: `start_flow_process` sends the description to the run's
process, which makes the items itself, instead of reading them here and sending every
item through a pipe (on trivial nodes that feeding, not the workers, set the pace).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .jsonl import read_json_lines


class PortableInput:
    """Base of the inputs a run in another process can read for itself."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class CountedItems(PortableInput):
    """``{key: 0}``, ``{key: 1}``, ... ``count`` items; sized, so a run knows its total."""

    count: int
    key: str = "i"

    def __post_init__(self) -> None:
        if type(self.count) is not int or self.count < 0:
            raise ValueError(f"count must be a non-negative integer, got {self.count!r}")

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, int]]:
        key = self.key
        return ({key: n} for n in range(self.count))


@dataclass(frozen=True)
class JsonLinesFile(PortableInput):
    """The values of a JSON Lines file, one a line (a bad line is its item's error)."""

    path: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", _existing(self.path))

    def __iter__(self) -> Iterator[Any]:
        with open(self.path, "rb") as f:
            yield from read_json_lines(f, os.path.basename(self.path))


@dataclass(frozen=True)
class CsvFile(PortableInput):
    """The rows of a CSV file with a header line, as dicts of strings."""

    path: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", _existing(self.path))

    def __iter__(self) -> Iterator[dict[str, str]]:
        with open(self.path, newline="", encoding="utf-8") as f:
            yield from csv.DictReader(f)


def _existing(path: str) -> str:
    if not path or not os.path.isfile(path):
        raise ValueError(f"no input file at {path!r}")
    return os.path.abspath(path)
