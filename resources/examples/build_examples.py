"""Build the bundled example flows in code and save them as ``.aflow`` files.

Run it after changing an example's nodes or layout; the generated files are committed::

    python resources/examples/build_examples.py            # writes beside this script
    python resources/examples/build_examples.py --out DIR  # writes elsewhere

Each flow's node module (``<name>_nodes.py``) sits beside its ``.aflow`` file, so the
file's references (``etl_pipeline_nodes:extract``...) resolve from the file's folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import connection_pool_nodes as cp
import etl_pipeline_nodes as etl
import map_reduce_nodes as mr
import realtime_counter_nodes as rc
from aetherflow import Flow

HERE = Path(__file__).resolve().parent
# The simulated I/O latency of each example, in milliseconds: (node id, constant, value).
# The defaults make a run at 4 workers last about half a minute, long enough to watch;
# users change them in the inspector, tests scale them down with `scale_latency`.
LATENCY: dict[str, list[tuple[str, str, float]]] = {
    "etl_pipeline": [("extract", "fetch_ms", 120.0)],
    "realtime_counter": [("normalize", "ingest_ms", 80.0), ("count_view", "store_ms", 15.0)],
    "connection_pool": [("insert_event", "db_latency_ms", 45.0),
                        ("customer_totals", "db_latency_ms", 35.0)],
    "map_reduce": [("tokenize", "read_ms", 200.0)],
}  # fmt: skip
COLUMN = 260.0  # canvas px between columns
ROW = 140.0


def _pos(column: int, row: float = 0.0) -> tuple[float, float]:
    return (column * COLUMN, row * ROW)


def _set_latency(flow: Flow) -> Flow:
    for node_id, constant, value in LATENCY[flow.name]:
        flow.set_constant(node_id, constant, value)
    return flow


def scale_latency(flow: Flow, factor: float) -> Flow:
    """Multiply the example's simulated latencies by ``factor`` (0: none); returns it."""
    for node_id, constant, value in LATENCY[flow.name]:
        flow.set_constant(node_id, constant, value * factor)
    return flow


def build_etl_pipeline() -> Flow:
    """The README's main job: extract, validate, transform, load; all state per thread."""
    flow = Flow(
        "etl_pipeline",
        context=etl.EtlContext,
        description=(
            "ETL of 600 generated order lines: fetch (about 120 ms each, simulated), parse, "
            "clean, convert to EUR, load in batches. Every record is processed on its own "
            "with no need to coordinate, so the batch buffer and the state counters are "
            "isolated: one per worker thread, no locks."
        ),
    )
    source = flow.add(
        etl.generate_orders,
        "orders",
        label="Order lines (CSV)",
        position=_pos(0),
        count=600,
        seed=42,
    )
    extract = flow.add(etl.extract, label="Extract: fetch & parse", position=_pos(1))
    validate = flow.add(etl.validate, label="Validate & clean", position=_pos(2))
    transform = flow.add(
        etl.transform,
        label="Transform: to EUR",
        position=_pos(3),
        rates=dict(etl.EUR_RATES),
        target="EUR",
    )
    load = flow.add(etl.load, label="Load: per-thread batch", position=_pos(4))
    flow.set_source(source)
    flow.connect(f"{source}.raw", f"{extract}.raw")
    flow.connect(f"{extract}.record", f"{validate}.record")
    flow.connect(f"{validate}.clean", f"{transform}.clean")
    flow.connect(f"{validate}.valid", f"{transform}.valid")
    flow.connect(f"{transform}.order", f"{load}.order")
    flow.connect(f"{extract}.record", f"{load}.record")
    flow.connect(f"{validate}.reason", f"{load}.reason")
    flow.set_scope("batch_buffer", "isolated")
    flow.set_scope("state", "isolated")
    flow.add_group(
        "frame",
        [extract, validate, transform],
        id="etl_transform",
        label="Per record: no shared state",
    )
    return _set_latency(flow)


def build_realtime_counter() -> Flow:
    """Page views counted in one shared, locked metrics service."""
    flow = Flow(
        "realtime_counter",
        context=rc.CounterContext,
        description=(
            "Counts 1,000 page views by page, read from a stream (about 80 ms each, "
            "simulated). A counter needs one global view of all threads, so the metrics "
            "service is shared, and it takes a lock for every update so the totals stay "
            "exact under any number of workers. It also writes through to its store under "
            "that lock (store_ms): run with Measure shared services on to see the workers "
            "queue for it."
        ),
    )
    source = flow.add(
        rc.page_views, "views", label="Page views", position=_pos(0), count=1000, seed=7
    )
    normalize = flow.add(rc.normalize, label="Ingest & normalize", position=_pos(1, -0.5))
    count = flow.add(rc.count_view, label="Count (shared, locked)", position=_pos(2))
    flow.set_source(source)
    flow.connect(f"{source}.page", f"{normalize}.page")
    flow.connect(f"{normalize}.page_key", f"{count}.page_key")
    flow.connect(f"{source}.latency_ms", f"{count}.latency_ms")
    flow.set_scope("metrics", "shared")
    flow.set_scope("state", "isolated")
    return _set_latency(flow)


def build_connection_pool() -> Flow:
    """A hybrid context: shared SQLite pool and cache, isolated per-thread counters."""
    flow = Flow(
        "connection_pool",
        context=cp.HybridContext,
        description=(
            "Writes 800 customer events to a real SQLite file and reads totals back, each "
            "call with a simulated server round trip (db_latency_ms). "
            "Connections and cached profiles are resources every thread should reuse, so "
            "db_pool and cache are shared; each thread's own counters (user_state) are "
            "isolated and need no lock."
        ),
    )
    source = flow.add(
        cp.customer_events, "events", label="Customer events", position=_pos(0), count=800, seed=11
    )
    lookup = flow.add(cp.lookup_customer, label="Profile (shared cache)", position=_pos(1, -0.9))
    insert = flow.add(cp.insert_event, label="Insert (pooled conn)", position=_pos(1, 0.5))
    totals = flow.add(cp.customer_totals, label="Query totals", position=_pos(2))
    flow.set_source(source)
    for port in ("customer_id", "kind", "amount"):
        flow.connect(f"{source}.{port}", f"{insert}.{port}")
    flow.connect(f"{source}.customer_id", f"{lookup}.customer_id")
    flow.connect(f"{source}.customer_id", f"{totals}.customer_id")
    flow.connect(f"{lookup}.name", f"{totals}.name")
    flow.connect(f"{lookup}.tier", f"{totals}.tier")
    flow.connect(f"{insert}.event_id", f"{totals}.event_id")
    flow.set_scope("user_state", "isolated")
    flow.set_scope("db_pool", "shared")
    flow.set_scope("cache", "shared")
    flow.add_group(
        "frame",
        [lookup, insert, totals],
        id="database",
        label="Database work through the shared pool",
    )
    return _set_latency(flow)


def build_map_reduce() -> Flow:
    """Word count: map and combine per thread without locks, reduce into one shared total."""
    flow = Flow(
        "map_reduce",
        context=mr.MapReduceContext,
        description=(
            "Word count over 400 generated text chunks, each read from storage first (about "
            "200 ms, simulated). Map and combine work on one chunk and "
            "one thread's partial counts, so partials are isolated (no locks); the reduce "
            "needs the global totals, so the reducer is shared and merges under its lock."
        ),
    )
    source = flow.add(
        mr.text_chunks, "chunks", label="Text chunks", position=_pos(0), count=400, seed=5, words=80
    )
    tokenize = flow.add(mr.tokenize, label="Map: tokenize", position=_pos(1))
    count = flow.add(mr.count_words, label="Map: count words", position=_pos(2))
    combine = flow.add(mr.combine, label="Combine (per thread)", position=_pos(3))
    reduce_ = flow.add(
        mr.reduce_counts, "reduce", label="Reduce (shared, locked)", position=_pos(4)
    )
    flow.set_source(source)
    flow.connect(f"{source}.text", f"{tokenize}.text")
    flow.connect(f"{tokenize}.words", f"{count}.words")
    flow.connect(f"{count}.chunk_counts", f"{combine}.chunk_counts")
    flow.connect(f"{count}.chunk_counts", f"{reduce_}.chunk_counts")
    flow.connect(f"{combine}.partial", f"{reduce_}.partial")
    flow.connect(f"{source}.chunk_id", f"{reduce_}.chunk_id")
    flow.set_scope("partials", "isolated")
    flow.set_scope("reducer", "shared")
    flow.add_group(
        "frame",
        [tokenize, count, combine],
        id="map_phase",
        label="Map phase: per chunk, per thread",
    )
    return _set_latency(flow)


BUILDERS: dict[str, Callable[[], Flow]] = {
    "etl_pipeline": build_etl_pipeline,
    "realtime_counter": build_realtime_counter,
    "connection_pool": build_connection_pool,
    "map_reduce": build_map_reduce,
}


def build_all(out: Path = HERE) -> list[Path]:
    """Build every example and save it as ``out/<name>.aflow``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in BUILDERS.items():
        path = out / f"{name}.aflow"
        build().save(path)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
