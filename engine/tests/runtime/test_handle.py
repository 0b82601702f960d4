"""The `RunHandle` protocol: both executors' handles answer it, capability flags say what
a backend cannot do, and the handle exposes the run's effective scope map."""

from __future__ import annotations

import pytest
from aetherflow import Flow, RunHandle, ThreadRunHandle
from aetherflow.runtime.dask_executor import DaskRunHandle
from nodes_for_tests import TrackedContext, bump


def tracked_flow() -> Flow:
    f = Flow("iso", context=TrackedContext)
    f.add(bump)
    return f


def test_thread_handle_is_a_run_handle_with_every_capability() -> None:
    handle = tracked_flow().start(range(20), workers=2)
    assert isinstance(handle, RunHandle) and isinstance(handle, ThreadRunHandle)
    assert handle.supports_pause and handle.supports_worker_state
    assert handle.supports_breakpoints and handle.supports_traces
    handle.wait()
    assert handle.traces() == [] and handle.stopped() == [] and handle.wire_values() == {}


def test_effective_scope_map_has_every_service_with_overrides_applied() -> None:
    flow = tracked_flow()
    declared = flow.start(range(5)).scopes
    assert declared == {
        "state": "isolated", "context": "isolated", "shared_data": "shared", "tally": "isolated"
    }  # fmt: skip
    flow.set_scope("tally", "shared")
    assert flow.start(range(5)).scopes["tally"] == "shared"  # the flow's own scope
    overridden = flow.start(range(5), scopes={"tally": "isolated"})
    assert overridden.scopes["tally"] == "isolated"  # the run's override wins
    overridden.scopes["tally"] = "shared"  # a copy: the run's map does not change
    assert overridden.scopes["tally"] == "isolated"


def test_bad_break_mode_is_refused_even_without_breakpoints() -> None:
    handle = tracked_flow().start(range(3))
    handle.wait()
    handle.set_break_mode("all")
    with pytest.raises(ValueError, match="break_mode must be one of"):
        handle.set_break_mode("sometimes")


def test_dask_handle_says_what_it_lacks() -> None:
    handle = DaskRunHandle.__new__(DaskRunHandle)  # the flags need no cluster
    assert not handle.supports_pause and not handle.supports_worker_state
    assert not handle.supports_breakpoints and not handle.supports_traces
    assert handle.stacks() == {} and handle.timeline() is None and not handle.paused
    assert handle.traces() == [] and handle.stopped() == [] and handle.wire_values() == {}
    assert not handle.step("w0") and not handle.resume_worker("w0") and not handle.skip_item("w0")
    with handle.hold_workers():
        pass
