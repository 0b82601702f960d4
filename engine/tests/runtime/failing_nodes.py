"""Nodes and services that fail in the ways a run must survive (importable by reference,
for saved flows and CLI subprocesses)."""

from __future__ import annotations

import time

from aetherflow import BaseFlowContext, node, providers

RAISES = {
    "KeyboardInterrupt": KeyboardInterrupt,
    "SystemExit": SystemExit,
    "GeneratorExit": GeneratorExit,
}


@node
def base_exception_on_5(x, kind="KeyboardInterrupt"):
    """Raises the BaseException ``kind`` on item 5 (x == 5), else passes x on."""
    if x == 5:
        raise RAISES[kind]()
    time.sleep(0.001)
    return {"y": x}


@node
def uses_db(x, db):
    return {"y": x, "db": db.name}


@node
def uses_tool(x, tool):
    return {"y": x + tool.offset}


@node
def napping(x, delay=0.02):
    time.sleep(delay)
    return {"y": x}


class BrokenDB:
    def __init__(self) -> None:
        raise ConnectionError("database is down")


class BrokenTool:
    def __init__(self) -> None:
        raise RuntimeError("tool licence expired")


class CloseExits:
    """A service whose close() raises SystemExit."""

    offset = 1

    def close(self) -> None:
        raise SystemExit("close said goodbye")


class BrokenSharedContext(BaseFlowContext):
    db = providers.Singleton(BrokenDB)


class BrokenIsolatedContext(BaseFlowContext):
    tool = providers.ThreadLocalSingleton(BrokenTool)


class CloseExitsContext(BaseFlowContext):
    tool = providers.ThreadLocalSingleton(CloseExits)


class SharedCloseExitsContext(BaseFlowContext):
    tool = providers.Singleton(CloseExits)
