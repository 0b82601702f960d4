"""`RunHandle.stacks`: where each worker thread of a run is, for hangs and deadlocks."""

from __future__ import annotations

import re
import threading
import time

from aetherflow import Flow, node

TIMEOUT = 10.0  # every wait below is bounded, so a broken engine fails instead of hanging
LOCKS = {"a": threading.Lock(), "b": threading.Lock()}
BARRIER = threading.Barrier(2, timeout=TIMEOUT)


@node
def take_two_locks(x):
    """Item 0 takes a then b, item 1 takes b then a: a real lock-order deadlock."""
    first, second = ("a", "b") if x == 0 else ("b", "a")
    LOCKS[first].acquire(timeout=TIMEOUT)
    BARRIER.wait()  # both hold their first lock before either asks for its second
    got = LOCKS[second].acquire(timeout=TIMEOUT)  # the blocking line
    return {"got": got}


def wait_for(condition, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def blocked(text: str) -> bool:
    return "take_two_locks" in text and "LOCKS[second].acquire(timeout=TIMEOUT)" in text


def test_stacks_show_each_worker_blocked_in_the_node() -> None:
    f = Flow("deadlock")
    f.add(take_two_locks)
    handle = f.start(range(2), workers=2)
    try:
        wait_for(lambda: all(blocked(s) for s in handle.stacks().values()))
        stacks = handle.stacks()
        assert sorted(stacks) == sorted(t.name for t in handle.threads)
        for text in stacks.values():
            lines = text.rstrip("\n").splitlines()
            assert "take_two_locks" in lines[-2]  # innermost frame last: the node's line
            assert "LOCKS[second].acquire" in lines[-1]
            assert "threading.py" not in text  # trimmed below the worker loop
            assert "in _loop" not in text and "in _main" not in text
    finally:
        for lock in LOCKS.values():  # threading.Lock may be released by any thread
            if lock.locked():
                lock.release()
    report = handle.wait(TIMEOUT)
    assert not report.errors
    assert [r["got"] for r in report.results] == [True, True]
    assert handle.stacks() == {t.name: "finished" for t in handle.threads}


def test_stacks_keep_no_frames_and_cap_the_depth() -> None:
    release = threading.Event()

    def deep(n: int) -> None:
        if n:
            deep(n - 1)
        else:
            release.wait(TIMEOUT)

    @node
    def recurse(x):
        deep(60)
        return {"depth_ok": x}

    f = Flow("deep")
    f.add(recurse)
    handle = f.start(range(1), workers=1)
    try:
        wait_for(lambda: "release.wait" in next(iter(handle.stacks().values())))
        text = next(iter(handle.stacks().values()))
        # at most 30 frames, the innermost ones; repeated frames are folded as in a traceback
        repeats = sum(int(n) for n in re.findall(r"repeated (\d+) more times", text))
        assert text.count('  File "') + repeats == 30
        assert "in recurse" not in text  # the outer frames went, not the blocking ones
        assert "release.wait(TIMEOUT)" in "".join(text.splitlines()[-6:])  # then Event.wait
    finally:
        release.set()
    handle.wait(TIMEOUT)
