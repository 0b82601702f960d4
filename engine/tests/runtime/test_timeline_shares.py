"""The timeline tells the truth: each lane's time in a node matches what the node costs."""

from __future__ import annotations

import threading
import time

import pytest
from aetherflow import Flow, node
from aetherflow.telemetry.timeline import IDLE, TimelineSampler, lane_shares


@node
def fast(i: int) -> dict:
    return {"v": i + 1}


@node
def slow(v: int, ms: float = 4.0) -> dict:
    time.sleep(ms / 1000)  # I/O-like: releases the GIL
    return {"w": v}


@node
def tail(w: int) -> dict:
    return {"out": w}


def _hog_the_gil(stop: threading.Event) -> None:
    """What a busy GUI thread does to the sampler: long C calls that keep the GIL."""
    while not stop.is_set():
        sum(range(2_000_000))
        time.sleep(0.002)


@pytest.mark.parametrize("busy_gui", [False, True], ids=["quiet", "gil-hog"])
def test_lane_shares_follow_the_nodes_latency(busy_gui: bool) -> None:
    flow = Flow("shares")
    flow.add(fast)
    flow.add(slow)
    flow.add(tail)
    flow.connect("fast.v", "slow.v")
    flow.connect("slow.w", "tail.w")
    workers = 4
    stop = threading.Event()
    hog = threading.Thread(target=_hog_the_gil, args=(stop,), daemon=True)
    if busy_gui:
        hog.start()
    handle = flow.start(({"i": i} for i in range(400)), workers=workers)
    sampler = TimelineSampler.for_handle(handle, hz=250).start()
    report = handle.wait()
    stop.set()
    deadline = time.monotonic() + 5
    while sampler.running and time.monotonic() < deadline:
        time.sleep(0.01)
    stats = {n.node: n for n in handle.snapshot().nodes}
    elapsed = report.stats["elapsed"]
    for lane in range(workers):
        shares = lane_shares(sampler, lane)
        assert shares.get("slow", 0.0) > 0.75, shares
        assert shares.get("fast", 0.0) < 0.08 and shares.get("tail", 0.0) < 0.08, shares
        assert set(shares) <= {"fast", "slow", "tail", "idle"}
    if busy_gui:
        return  # the hog inflates the latencies themselves (time waiting for the GIL)
    # Over all lanes, time in `slow` matches its count x mean latency (within sampling error).
    in_slow = sum(lane_shares(sampler, k).get("slow", 0.0) for k in range(workers))
    expected = stats["slow"].count * stats["slow"].mean / elapsed
    assert abs(in_slow - expected) / expected < 0.2, (in_slow, expected)
    assert IDLE == -1
