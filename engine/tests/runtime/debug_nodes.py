"""Nodes for the debugging tests: each records what it received, on which thread, so a
test can compare traces and breakpoint hits with what the nodes really saw."""

from __future__ import annotations

import threading
import time

from aetherflow import BaseFlowContext, node, providers

SEEN: list[tuple[str, str, dict]] = []  # (node, thread, inputs) of every call


def _saw(name: str, **inputs: object) -> None:
    SEEN.append((name, threading.current_thread().name, inputs))


@node
def parse(x):
    _saw("parse", x=x)
    return {"n": x * 10, "tag": f"t{x}"}


@node
def scale(n, factor=2):
    _saw("scale", n=n, factor=factor)
    if n == 30:
        raise ValueError(f"bad {n}")
    return {"m": n * factor}


@node
def label(m, tag):
    _saw("label", m=m, tag=tag)
    return f"{tag}:{m}"


@node
def pace(x, delay=0.01):
    """Takes ``delay`` seconds, so workers take one item per chunk."""
    time.sleep(delay)
    _saw("pace", x=x)
    return {"y": x + 1}


class Tally:
    def __init__(self) -> None:
        self.count = 0


@node
def tally(y, tally):
    tally.count += 1
    return {"counted": tally.count}


class TallyContext(BaseFlowContext):
    tally = providers.ThreadLocalSingleton(Tally)
