"""The race check (``check_races=True``): unlocked writes to shared services from
several threads are found, named and located; locked ones and isolated services are not
reported; every instrument comes off after the run."""

from __future__ import annotations

import inspect
import sys
import threading

import pytest
import race_services as rs
from aetherflow import Flow, node


def seed_flow(context: type) -> Flow:
    f = Flow("seed", context=context)
    f.add(rs.claim)
    f.add(rs.track)
    return f


def found(report) -> set[tuple[str, str]]:
    return {(f.service, f.attribute) for f in report.races}


def test_seed_services_with_their_locks_have_no_finding() -> None:
    report = seed_flow(rs.SeedContext).run(range(2000), workers=8, check_races=True)
    assert report.ok
    assert report.races == []
    assert sorted(report.stats["races_watched"]) == ["monitor", "shared_service"]
    assert report.stats["races_unwatched"] == {}
    assert max(r["n"] for r in report.results) == 2000  # the counter itself is exact


def test_seed_services_without_their_locks_are_found_every_time() -> None:
    flow = seed_flow(rs.UnlockedSeedContext)
    for _ in range(20):
        report = flow.run(range(2000), workers=8, check_races=True)
        assert report.ok
        assert found(report) == {
            ("shared_service", "counter"),
            ("monitor", "operations"),
            ("monitor", "metrics"),  # defaultdict item writes
        }, report.stats["races_writers"]


def test_a_finding_names_threads_nodes_and_source_lines() -> None:
    report = seed_flow(rs.UnlockedSeedContext).run(range(2000), workers=8, check_races=True)
    (counter,) = [f for f in report.races if f.attribute == "counter"]
    assert len(counter.threads) >= 2
    assert all(t.startswith("aetherflow-") for t in counter.threads)
    assert counter.nodes == ("claim",)
    lines, start = inspect.getsourcelines(rs.UnlockedSharedStateService.increment)
    line = start + next(i for i, text in enumerate(lines) if "self.counter += 1" in text)
    assert counter.sites == (f"race_services.py:{line}",)
    assert all(w.file == rs.__file__ and not w.locked for w in counter.writes)
    assert counter.text.startswith("race: shared_service.counter: written by ")
    assert f"race_services.py:{line}" in counter.text and "'claim'" in counter.text
    assert counter.advice == (
        f"add a lock around the writes to counter at race_services.py:{line}, "
        "or make shared_service isolated if threads need not share it"
    )
    (metrics,) = [f for f in report.races if f.attribute == "metrics"]
    assert metrics.nodes == ("track",) and {w.operation for w in metrics.writes} == {"[]="}


def test_a_dict_mutated_without_a_lock_is_found() -> None:
    f = Flow("reg", context=rs.ShapesContext)
    f.add(rs.note)
    report = f.run(range(2000), workers=8, check_races=True)
    assert found(report) == {("registry", "seen")}


def test_rlock_condition_and_semaphore_are_credited() -> None:
    f = Flow("shapes", context=rs.ShapesContext)
    f.add(rs.touch)
    report = f.run(range(2000), workers=8, check_races=True)
    assert report.ok and report.races == []
    assert report.stats["races_watched"] == ["shapes"]


def test_isolated_services_are_never_reported() -> None:
    flow = seed_flow(rs.UnlockedSeedContext)
    scopes = {"shared_service": "isolated", "monitor": "isolated"}
    report = flow.run(range(2000), workers=8, check_races=True, scopes=scopes)
    assert report.ok and report.races == []
    assert report.stats["races_watched"] == []


def test_instruments_come_off_and_nothing_written_is_lost() -> None:
    flow = seed_flow(rs.SeedContext)
    before = sys.getswitchinterval()
    handle = flow.start(range(500), workers=4, check_races=True)
    report = handle.wait()
    monitor = handle.shared_services()["monitor"]
    state = handle.shared_services()["shared_service"]
    assert sys.getswitchinterval() == before
    assert type(monitor) is rs.MonitoredSharedService
    assert type(monitor.lock) is type(threading.Lock())
    assert type(monitor.metrics).__module__ == "collections"  # the original defaultdict
    assert dict(monitor.metrics) == {"even": 250, "odd": 250}
    assert monitor.operations == 500 and state.counter == 500
    assert type(state) is rs.SharedStateService and type(state.results) is list
    assert report.races == []


def test_normal_runs_are_not_instrumented() -> None:
    seen: list[type] = []

    @node
    def look(x, shared_service):
        seen.append(type(shared_service))
        return None

    for check in (False, True):
        f = Flow("look", context=rs.SeedContext)
        f.add(look)
        f.run(range(3), workers=1, check_races=check)
    assert seen[:3] == [rs.SharedStateService] * 3
    assert all(t is not rs.SharedStateService for t in seen[3:])
    assert all(issubclass(t, rs.SharedStateService) for t in seen[3:])


def test_the_schedule_is_restored_when_the_run_cannot_start() -> None:
    before = sys.getswitchinterval()
    with pytest.raises(Exception, match="no source node"):
        seed_flow(rs.SeedContext).start(None, workers=2, check_races=True)
    assert sys.getswitchinterval() == before


def test_a_service_of_a_builtin_type_is_named_as_not_watched() -> None:
    @node
    def put(x, shared_data):
        shared_data[x % 3] = x
        return None

    f = Flow("builtin")
    f.add(put)
    report = f.run(range(50), workers=2, check_races=True)
    assert report.races == []
    assert "dict cannot be watched" in report.stats["races_unwatched"]["shared_data"]


def test_a_class_with_slots_is_watched() -> None:
    f = Flow("slots", context=rs.MoreContext)
    f.add(rs.hit)
    handle = f.start(range(2000), workers=8, check_races=True)
    report = handle.wait()
    assert found(report) == {("slotted", "hits")}
    slotted = handle.shared_services()["slotted"]
    assert type(slotted) is rs.SlottedCounter and type(slotted.lock) is type(threading.Lock())


def test_failing_items_leave_nothing_behind() -> None:
    f = Flow("fails", context=rs.MoreContext)
    f.add(rs.see)
    before = sys.getswitchinterval()
    handle = f.start(range(400), workers=4, check_races=True)
    report = handle.wait()
    assert report.failed == 200 and report.races == []
    failing = handle.shared_services()["failing"]
    assert type(failing) is rs.Failing and type(failing.seen) is list
    assert sorted(failing.seen) == list(range(400))
    assert sys.getswitchinterval() == before


def test_races_are_found_through_the_profiling_proxy_too() -> None:
    report = seed_flow(rs.UnlockedSeedContext).run(
        range(2000), workers=8, check_races=True, profile_shared=True
    )
    (counter,) = [f for f in report.races if f.attribute == "counter"]
    assert all(w.file == rs.__file__ for w in counter.writes)  # the user's line, not the proxy
    assert report.stats["races_watched"]
