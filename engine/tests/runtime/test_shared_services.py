"""`RunHandle.shared_services`: the run's live shared instances, by name."""

from __future__ import annotations

from aetherflow import Flow
from aetherflow.runtime.dask_executor import DaskRunHandle
from nodes_for_tests import CounterContext, LockedCounter, Tracked, TrackedContext, bump


def counter_flow() -> Flow:
    f = Flow("count", context=CounterContext)
    f.add(bump)
    return f


def test_shared_services_are_the_live_instances_the_workers_use() -> None:
    handle = counter_flow().start(range(300), workers=4)
    during = handle.shared_services()
    handle.wait()
    after = handle.shared_services()
    assert set(after) == {"tally"} and isinstance(after["tally"], LockedCounter)
    assert during["tally"] is after["tally"]  # the same object, not a copy
    assert after["tally"].value == 300
    after.clear()
    assert "tally" in handle.shared_services()  # each call returns a new dict


def test_shared_services_are_never_the_profiling_proxy() -> None:
    handle = counter_flow().start(range(50), workers=2, profile_shared=True)
    handle.wait()
    assert type(handle.shared_services()["tally"]) is LockedCounter


def test_isolated_services_are_not_shared_services() -> None:
    Tracked.reset()
    f = Flow("iso", context=TrackedContext)
    f.add(bump)
    handle = f.start(range(100), workers=3)
    handle.wait()
    assert handle.shared_services() == {}
    shared = f.start(range(100), workers=3, scopes={"tally": "shared"})
    shared.wait()
    assert list(shared.shared_services()) == ["tally"]


def test_dask_handle_answers_with_no_local_instances() -> None:
    # Shared instances live on the Dask workers; the method exists so callers need no
    # special case (no cluster needed to check the answer).
    handle = DaskRunHandle.__new__(DaskRunHandle)
    assert handle.shared_services() == {}
