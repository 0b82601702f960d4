"""`RunHandle.hold_workers`: workers pause between items while a reader holds the gate."""

from __future__ import annotations

import itertools
import time

from aetherflow import Flow
from nodes_for_tests import slow


def slow_flow() -> Flow:
    flow = Flow("slow")
    flow.add(slow, delay=0.002)
    return flow


def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_workers_stop_between_items_while_held_and_go_on_after():
    handle = slow_flow().start(({"x": i} for i in itertools.count()), workers=2)
    try:
        wait_for(lambda: handle.snapshot().items > 5)
        with handle.hold_workers(max_seconds=5.0):
            time.sleep(0.03)  # let the items in hand finish
            held_at = handle.snapshot().items
            time.sleep(0.2)
            assert handle.snapshot().items == held_at
        wait_for(lambda: handle.snapshot().items > held_at + 5)
    finally:
        handle.cancel()
        handle.wait(10)


def test_a_hold_is_capped_so_a_stuck_reader_cannot_stall_the_run():
    handle = slow_flow().start(({"x": i} for i in itertools.count()), workers=2)
    try:
        wait_for(lambda: handle.snapshot().items > 5)
        with handle.hold_workers(max_seconds=0.05):
            time.sleep(0.05)
            before = handle.snapshot().items
            wait_for(lambda: handle.snapshot().items > before + 5)  # still inside the hold
    finally:
        handle.cancel()
        handle.wait(10)
