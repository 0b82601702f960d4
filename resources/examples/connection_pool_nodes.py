"""A shared connection pool over a real SQLite database, beside per-thread state: the
nodes, services and context of ``connection_pool.aflow``.

A hybrid context, as in the seed's ``HybridContext``: ``db_pool`` and ``cache`` are
shared (``Singleton``) because connections and cached profiles are resources every
thread should reuse, while ``user_state`` is isolated (``ThreadLocalSingleton``): each
worker thread counts its own inserts and queries without a lock.

Each item is one customer event. It is enriched with the customer's profile (read
through the shared cache), inserted into the ``events`` table, and the customer's
running totals are queried back. The database file is the ``db_path`` constant of the
nodes; empty (the default) means `DEFAULT_DB_PATH`, a file in a folder under the system
temp directory (kept out of the flow file because it differs per machine). The schema is
created on first use.
"""

from __future__ import annotations

import os
import queue
import random
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aetherflow import BaseFlowContext, node, providers

DEFAULT_DB_PATH = os.path.join(
    tempfile.gettempdir(), "aetherflow-examples", "connection_pool.sqlite3"
)

CUSTOMERS = {
    "c01": ("Ada", "gold"),
    "c02": ("Brian", "silver"),
    "c03": ("Chen", "bronze"),
    "c04": ("Dana", "gold"),
    "c05": ("Emeka", "bronze"),
    "c06": ("Farah", "silver"),
    "c07": ("Goran", "bronze"),
    "c08": ("Hana", "gold"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, tier TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL,
    amount REAL NOT NULL,
    thread TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_customer ON events(customer_id);
"""


class SQLitePool:
    """A small pool of SQLite connections per database file, shared by all threads.

    Connections are made with ``check_same_thread=False`` because a connection opened
    on one worker thread is later lent to another; the pool's queue guarantees that only
    one thread uses a connection at a time. The schema is created on the first use of
    each file.
    """

    def __init__(self, size: int = 4, timeout: float = 30.0) -> None:
        self.size = size
        self.timeout = timeout
        self._lock = threading.Lock()  # guards the dicts below, never held during SQL
        self._idle: dict[str, queue.Queue[sqlite3.Connection]] = {}
        self._all: list[sqlite3.Connection] = []
        self.connections_opened = 0

    def _queue_for(self, db_path: str) -> queue.Queue[sqlite3.Connection]:
        with self._lock:
            q = self._idle.get(db_path)
            if q is None:
                self._create_schema(db_path)
                q = queue.Queue()
                for _ in range(self.size):
                    conn = self._open(db_path)
                    self._all.append(conn)
                    q.put(conn)
                self._idle[db_path] = q
            return q

    def _open(self, db_path: str) -> sqlite3.Connection:
        conn = sqlite3.connect(db_path, timeout=self.timeout, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        self.connections_opened += 1
        return conn

    def _create_schema(self, db_path: str) -> None:
        os.makedirs(os.path.dirname(os.path.abspath(db_path)), exist_ok=True)
        conn = self._open(db_path)
        try:
            with conn:
                conn.executescript(SCHEMA)
                conn.executemany(
                    "INSERT OR IGNORE INTO customers (id, name, tier) VALUES (?, ?, ?)",
                    [(cid, name, tier) for cid, (name, tier) in CUSTOMERS.items()],
                )
        finally:
            conn.close()
            self.connections_opened -= 1  # a setup connection, not one of the pool's

    @contextmanager
    def connection(self, db_path: str = "") -> Iterator[sqlite3.Connection]:
        """Borrow a connection to ``db_path`` (`DEFAULT_DB_PATH` when empty); commit on
        success, roll back on error, then give it back."""
        q = self._queue_for(db_path or DEFAULT_DB_PATH)
        conn = q.get(timeout=self.timeout)
        try:
            with conn:
                yield conn
        finally:
            q.put(conn)

    def close(self) -> None:
        """Close every connection the pool opened."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._idle.clear()


class ProfileCache:
    """Customer profiles read once from the database, then served from memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, str]] = {}
        self.hits = 0
        self.misses = 0

    def get_or_load(self, key: str, load: Callable[[], dict[str, str]]) -> dict[str, str]:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self.hits += 1
                return value
            self.misses += 1
        value = load()  # outside the lock: two threads may both load, both get the same
        with self._lock:
            return self._data.setdefault(key, value)

    def close(self) -> None:
        with self._lock:
            self._data.clear()


UserState = dict[str, Any]  # one worker thread's counters


class HybridContext(BaseFlowContext):
    """Isolated ``user_state``; shared ``db_pool`` and ``cache``."""

    user_state: providers.ThreadLocalSingleton[UserState] = providers.ThreadLocalSingleton(dict)
    db_pool = providers.Singleton(SQLitePool, size=4)
    cache = providers.Singleton(ProfileCache)


def simulate_io(ms: float) -> None:
    """Wait about ``ms`` milliseconds (between half and one and a half times it), as a
    round trip to a database server would: a sleep releases the GIL like real I/O."""
    if ms > 0:
        time.sleep(ms / 1000 * random.uniform(0.5, 1.5))


@node(outputs=["customer_id", "kind", "amount"])
def customer_events(count: int = 800, seed: int = 11) -> list[dict[str, Any]]:
    """The source: ``count`` customer events, the same ones for the same seed (a list,
    so the run knows how many items there are)."""
    rng = random.Random(seed)
    ids = sorted(CUSTOMERS)
    events = []
    for _ in range(count):
        kind = rng.choice(("purchase", "purchase", "refund", "visit"))
        amount = round(rng.uniform(5, 250), 2) if kind != "visit" else 0.0
        events.append({"customer_id": rng.choice(ids), "kind": kind, "amount": amount})
    return events


@node
def lookup_customer(
    customer_id: str, db_pool: SQLitePool, cache: ProfileCache, db_path: str = ""
) -> dict[str, str]:
    """The customer's profile, from the shared cache or else the database."""

    def load() -> dict[str, str]:
        with db_pool.connection(db_path) as conn:
            row = conn.execute(
                "SELECT name, tier FROM customers WHERE id = ?", (customer_id,)
            ).fetchone()
        if row is None:
            raise KeyError(f"unknown customer {customer_id!r}")
        return {"name": row[0], "tier": row[1]}

    profile = cache.get_or_load(customer_id, load)
    return {"name": profile["name"], "tier": profile["tier"]}


@node
def insert_event(
    customer_id: str,
    kind: str,
    amount: float,
    db_pool: SQLitePool,
    user_state: dict[str, Any],
    db_path: str = "",
    db_latency_ms: float = 0.0,
) -> dict[str, int]:
    """Insert the event with a pooled connection; count it in this thread's state.

    ``db_latency_ms`` simulates the round trip to a database server (SQLite itself is
    local), spent while holding the pooled connection. Set it to 0 for full speed.
    """
    signed = -amount if kind == "refund" else amount
    with db_pool.connection(db_path) as conn:
        simulate_io(db_latency_ms)
        cur = conn.execute(
            "INSERT INTO events (customer_id, kind, amount, thread) VALUES (?, ?, ?, ?)",
            (customer_id, kind, signed, threading.current_thread().name),
        )
        event_id = int(cur.lastrowid or 0)
    user_state["inserts"] = user_state.get("inserts", 0) + 1
    return {"event_id": event_id}


@node
def customer_totals(
    customer_id: str,
    name: str,
    tier: str,
    event_id: int,
    db_pool: SQLitePool,
    user_state: dict[str, Any],
    db_path: str = "",
    db_latency_ms: float = 0.0,
) -> dict[str, Any]:
    """Query the customer's totals so far, up to and including this event (with the same
    simulated round trip as `insert_event`)."""
    with db_pool.connection(db_path) as conn:
        simulate_io(db_latency_ms)
        events, spent = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM events "
            "WHERE customer_id = ? AND id <= ?",
            (customer_id, event_id),
        ).fetchone()
    user_state["queries"] = user_state.get("queries", 0) + 1
    result = {
        "event_id": event_id,
        "customer": name,
        "tier": tier,
        "customer_events": events,
        "customer_spent": round(spent, 2),
        "thread": threading.current_thread().name,
        "thread_inserts": user_state["inserts"],
    }
    return {"result": result}
