"""The bundled example flows (resources/examples) run with the results their
descriptions promise, on one worker thread and on four: through the engine's executor,
and on threads of our own where per-thread instances are checked."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import build_examples
import connection_pool_nodes as cp
import etl_pipeline_nodes as etl
import map_reduce_nodes as mr
import pytest
import realtime_counter_nodes as rc
from aetherflow import Flow

from .helpers import WORKERS, quick, results_of, run_flow, run_on_threads, source_items

# -- ETL: isolated per-thread state -------------------------------------------------------


def _etl_flow() -> Flow:
    return quick(build_examples.build_etl_pipeline())


@pytest.mark.parametrize("workers", WORKERS)
def test_etl_pipeline_loads_valid_rows_and_rejects_the_rest(workers: int) -> None:
    flow = _etl_flow()
    items = source_items(flow, count=40)
    results = results_of(run_flow(flow, items, workers))
    assert [r["order_id"] for r in results] == [f"ORD-{i:05d}" for i in range(40)]
    loaded = [r for r in results if r["status"] == "loaded"]
    rejected = [r for r in results if r["status"] == "rejected"]
    assert loaded and rejected and all(r["reason"] for r in rejected)
    assert all(r["amount_eur"] > 0 for r in loaded)
    # each thread's running count covers exactly the rows that thread processed
    per_thread = Counter(r["thread"] for r in results)
    for thread, n in per_thread.items():
        counts = [r["thread_rows_seen"] for r in results if r["thread"] == thread]
        assert sorted(counts) == list(range(1, n + 1))


@pytest.mark.parametrize("workers", WORKERS)
def test_etl_pipeline_has_one_state_and_buffer_per_thread(workers: int) -> None:
    flow = _etl_flow()
    items = source_items(flow, count=40)
    states, isolated = run_on_threads(flow, items, workers)
    results = results_of(states)
    thread_states = [inst["state"] for inst in isolated.values()]
    buffers = [inst["batch_buffer"] for inst in isolated.values()]
    assert len({id(s) for s in thread_states}) == workers
    assert len({id(b) for b in buffers}) == workers
    per_thread = Counter(r["thread"] for r in results)
    for thread, inst in isolated.items():
        assert inst["state"]["rows_seen"] == per_thread[thread]
        assert inst["batch_buffer"].thread == thread
    loaded = sum(r["status"] == "loaded" for r in results)
    assert sum(s["rows_seen"] for s in thread_states) == 40
    assert sum(s.get("rows_loaded", 0) for s in thread_states) == loaded
    assert sum(len(b.rows) + b.rows_flushed for b in buffers) == loaded


def test_etl_per_thread_state_as_the_studio_sees_it() -> None:
    """The worker snapshots the Studio shows: one state per worker, each counting only
    the items that worker ran (the simulated fetch latency spreads items over workers)."""
    flow = quick(build_examples.build_etl_pipeline(), 0.02)  # ~2.4 ms a fetch
    handle = flow.start(workers=4, limit=100)
    report = handle.wait()
    assert report.ok and report.stats["items"] == 100
    snapshots = [s for s in handle.telemetry.services(timeout=0).values() if s and s.items]
    assert len(snapshots) >= 2  # usually 4; scheduling decides
    for snap in snapshots:
        assert snap.services["state"]["rows_seen"] == snap.items
        assert snap.services["batch_buffer"]["__type__"] == "BatchBuffer"
    assert sum(s.items for s in snapshots) == 100
    per_thread = Counter(r["result"]["thread"] for r in report.results)
    assert per_thread == {s.thread: s.items for s in snapshots}


def test_etl_converts_with_the_constant_rates() -> None:
    line = "ORD-00001,acme, 100.00 ,usd,DE"
    state = run_flow(_etl_flow(), [line], 1)[0]
    assert state["clean"]["currency"] == "USD"
    assert state["order"] == {
        "order_id": "ORD-00001",
        "customer": "acme",
        "country": "DE",
        "amount": round(100 * etl.EUR_RATES["USD"], 2),
        "currency": "EUR",
    }
    assert state["result"]["status"] == "loaded"


def test_etl_batch_buffer_flushes_full_batches_and_the_rest_on_close() -> None:
    buffer = etl.BatchBuffer(batch_size=3)
    flushed = [buffer.add({"n": i}) for i in range(7)]
    assert flushed == [False, False, True, False, False, True, False]
    buffer.close()
    assert (buffer.batches_flushed, buffer.rows_flushed, buffer.rows) == (3, 7, [])


# -- real-time counter: shared and locked -------------------------------------------------


@pytest.mark.parametrize("workers", WORKERS)
def test_realtime_counter_totals_are_exact(workers: int) -> None:
    flow = quick(build_examples.build_realtime_counter())
    items = source_items(flow, count=300)
    results = results_of(run_flow(flow, items, workers))
    expected = Counter(rc.normalize.func(e["page"])["page_key"] for e in items)
    seen: dict[str, list[int]] = {}
    for r in results:
        seen.setdefault(r["page"], []).append(r["page_views"])
    # no lost update: each page's running counts are exactly 1..n, and 1..N over all pages
    assert {p: sorted(v) for p, v in seen.items()} == {
        p: list(range(1, n + 1)) for p, n in expected.items()
    }
    assert sorted(r["total_views"] for r in results) == list(range(1, 301))


@pytest.mark.parametrize("workers", WORKERS)
def test_realtime_counter_is_exact_with_every_thread_counting(workers: int) -> None:
    flow = quick(build_examples.build_realtime_counter())
    items = source_items(flow, count=300)
    results = results_of(run_on_threads(flow, items, workers)[0])
    assert len({r["page"] for r in results}) > 1
    assert sorted(r["total_views"] for r in results) == list(range(1, 301))


def test_realtime_counter_switched_to_isolated_counts_per_thread() -> None:
    """The seed's point: the scope is a setting, not code. Isolated, each thread counts
    only its own views (no lock needed, but no global total either)."""
    flow = quick(build_examples.build_realtime_counter())
    flow.set_scope("metrics", "isolated")
    items = source_items(flow, count=200)
    states, isolated = run_on_threads(flow, items, 4)
    assert len({id(inst["metrics"]) for inst in isolated.values()}) == 4
    assert sum(inst["metrics"].total for inst in isolated.values()) == 200
    assert max(r["total_views"] for r in results_of(states)) == 50  # 200 items / 4 threads


def test_metrics_service_counts_under_contention() -> None:
    metrics = rc.MetricsService()

    def hammer() -> None:
        for _ in range(2000):
            metrics.record("/", 1.0)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert metrics.snapshot() == {"/": 16000}
    assert metrics.total == 16000


# -- connection pool: shared pool over a real sqlite file, isolated counters --------------


def _pool_flow(db_path: Path, count: int) -> tuple[Flow, list[Any]]:
    flow = quick(build_examples.build_connection_pool())
    for node_id in ("lookup_customer", "insert_event", "customer_totals"):
        flow.set_constant(node_id, "db_path", str(db_path))
    return flow, source_items(flow, count=count)


def _check_rows_in_file(db_path: Path, items: list[dict[str, Any]]) -> None:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT customer_id, amount FROM events").fetchall()
    assert len(rows) == len(items)
    expected: Counter[str] = Counter()
    for e in items:
        expected[e["customer_id"]] += -e["amount"] if e["kind"] == "refund" else e["amount"]
    in_db: Counter[str] = Counter()
    for customer_id, amount in rows:
        in_db[customer_id] += amount
    assert {k: round(v, 2) for k, v in in_db.items()} == {
        k: round(v, 2) for k, v in expected.items()
    }


@pytest.mark.parametrize("workers", WORKERS)
def test_connection_pool_writes_rows_to_the_sqlite_file(workers: int, tmp_path: Path) -> None:
    db_path = tmp_path / "events.sqlite3"
    flow, items = _pool_flow(db_path, 30)
    results = results_of(run_flow(flow, items, workers))
    assert len({r["event_id"] for r in results}) == 30
    names = [cp.CUSTOMERS[e["customer_id"]][0] for e in items]
    assert [r["customer"] for r in results] == names
    _check_rows_in_file(db_path, items)
    # each customer's latest event sees all of that customer's events
    latest: dict[str, dict[str, Any]] = {}
    for r in sorted(results, key=lambda r: r["event_id"]):
        latest[r["customer"]] = r
    assert {c: r["customer_events"] for c, r in latest.items()} == dict(Counter(names))


@pytest.mark.parametrize("workers", WORKERS)
def test_connection_pool_counts_per_thread_beside_the_shared_pool(
    workers: int, tmp_path: Path
) -> None:
    db_path = tmp_path / "events.sqlite3"
    flow, items = _pool_flow(db_path, 30)
    states, isolated = run_on_threads(flow, items, workers)
    _check_rows_in_file(db_path, items)
    user_states = [inst["user_state"] for inst in isolated.values()]
    assert len({id(s) for s in user_states}) == workers
    assert sum(s["inserts"] for s in user_states) == 30
    assert sum(s["queries"] for s in user_states) == 30
    threads = {r["thread"] for r in results_of(states)}
    assert threads == set(isolated)


def test_sqlite_pool_lends_each_connection_to_one_thread_and_closes_them(tmp_path: Path) -> None:
    pool = cp.SQLitePool(size=2)
    db = str(tmp_path / "p.sqlite3")
    with pool.connection(db) as a, pool.connection(db) as b:
        assert a is not b
        a.execute(
            "INSERT INTO events (customer_id, kind, amount, thread) VALUES ('c01', 'visit', 0, 't')"
        )
    assert pool.connections_opened == 2
    with pool.connection(db) as c:
        assert c.execute("SELECT COUNT(*) FROM events").fetchone() == (1,)
        assert c.execute("SELECT COUNT(*) FROM customers").fetchone() == (len(cp.CUSTOMERS),)
    pool.close()
    with pytest.raises(sqlite3.ProgrammingError):
        c.execute("SELECT 1")


# -- map/reduce: isolated partials, shared reducer ----------------------------------------


@pytest.mark.parametrize("workers", WORKERS)
def test_map_reduce_totals_equal_a_plain_count(workers: int) -> None:
    flow = quick(build_examples.build_map_reduce())
    items = source_items(flow, count=24)
    results = results_of(run_flow(flow, items, workers))
    expected = mr.plain_word_count([i["text"] for i in items])
    assert sorted(r["chunks_reduced"] for r in results) == list(range(1, 25))
    final = max(results, key=lambda r: r["chunks_reduced"])
    assert final["word_totals"] == expected
    assert final["total_words"] == sum(expected.values())


@pytest.mark.parametrize("workers", WORKERS)
def test_map_reduce_partials_are_per_thread(workers: int) -> None:
    flow = quick(build_examples.build_map_reduce())
    items = source_items(flow, count=24)
    _, isolated = run_on_threads(flow, items, workers)
    partials = [inst["partials"] for inst in isolated.values()]
    assert len({id(p) for p in partials}) == workers
    assert sum(p.chunks for p in partials) == 24
    merged: Counter[str] = Counter()
    for p in partials:
        merged.update(p.counts)
    assert dict(merged) == mr.plain_word_count([i["text"] for i in items])
