"""Async nodes inside compositions: branch, repeat, fan-out (awaited on the item's loop)."""

from __future__ import annotations

import asyncio
import threading

from aetherflow import LoopControl, node


@node
async def is_big(x):
    await asyncio.sleep(0)
    return x > 5


@node
async def big():
    return {"size": "big"}


@node
def small():
    return {"size": "small"}


@node
async def countdown(counter):
    await asyncio.sleep(0)
    if counter <= 0:
        return LoopControl.BREAK
    return {"counter": counter - 1}


@node
async def where_a(x):
    await asyncio.sleep(0.01)
    return {"a": x, "thread": threading.get_ident()}


@node
async def where_b(x):
    await asyncio.sleep(0.01)
    return {"b": x, "thread": threading.get_ident()}


@node
def start(x):
    return {"x": x}


@node
def join(parallel_results):
    return {"threads": len({r["thread"] for r in parallel_results.values()})}


def test_an_async_condition_and_case_branch_both_ways() -> None:
    flow = is_big.branch_on({True: big, False: small})
    assert flow.run({"x": 9})["size"] == "big"
    assert flow.run({"x": 1})["size"] == "small"
    report = flow.to_flow().run([{"x": 9}, {"x": 1}], workers=2, concurrency=2)
    assert [r["size"] for r in report.results] == ["big", "small"]


def test_an_async_body_repeats_and_breaks() -> None:
    assert countdown.repeat(10).run({"counter": 3})["counter"] == 0


def test_async_fan_out_targets_are_awaited_together_on_the_items_thread() -> None:
    flow = start.fan_out_to([where_a, where_b]).fan_in(join)
    state = flow.run({"x": 4})
    assert state["threads"] == 1  # both awaited on the calling thread's loop
    assert state["__parallel_results"]["where_a"]["a"] == 4
