"""Async nodes (and a few sync ones to mix with them) for the async runtime tests."""

from __future__ import annotations

import asyncio
import threading

from aetherflow import BaseFlowContext, node, providers


@node
async def fetch(x):
    await asyncio.sleep(0.001)
    return {"y": x * 2}


@node
def plus_one(y):
    return {"z": y + 1}


@node
async def scaled(z, factor=10):
    await asyncio.sleep(0)
    return {"w": z * factor}


@node
async def ticks(count=20):
    for i in range(count):
        await asyncio.sleep(0)
        yield {"x": i}


class Desk:
    """An isolated service that notes which thread made it and how many items of its
    worker are inside a node at once."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.inside = 0
        self.most_inside = 0
        self.items = 0


class DeskContext(BaseFlowContext):
    desk = providers.ThreadLocalSingleton(Desk)


@node
async def at_desk(x, desk):
    desk.inside += 1
    desk.most_inside = max(desk.most_inside, desk.inside)
    await asyncio.sleep(0.002)
    desk.inside -= 1
    desk.items += 1
    return {"desk_id": id(desk), "same_thread": desk.thread == threading.get_ident()}


@node
async def nap(x, seconds=0.02):
    await asyncio.sleep(seconds)
    return {"y": x + 1}
