"""ETL pipeline with isolated per-thread state: the nodes, services and context of
``etl_pipeline.aflow``.

Each item is one raw CSV order line. It is fetched (with a simulated I/O latency) and
parsed, validated and cleaned, converted to one currency and loaded into a batch buffer.
Every record is processed on its own, so nothing needs to cross threads: the buffer and
the ``state`` counters are isolated (``ThreadLocalSingleton``), one per worker thread,
and the code takes no locks.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from aetherflow import BaseFlowContext, node, providers

CSV_FIELDS = ("order_id", "customer", "amount", "currency", "country")
CURRENCIES = ("EUR", "USD", "GBP", "JPY")
COUNTRIES = ("DE", "FR", "US", "GB", "JP", "NL")
CUSTOMERS = ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka")

# Rates into EUR; a constant of the transform node, so it shows in the inspector.
EUR_RATES = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "JPY": 0.0061}


class BatchBuffer:
    """Collects loaded rows and flushes them in batches, as a warehouse loader would.

    One per worker thread (isolated), so ``add`` and ``flush`` never lock.
    """

    def __init__(self, batch_size: int = 25) -> None:
        self.batch_size = batch_size
        self.rows: list[dict[str, Any]] = []
        self.batches_flushed = 0
        self.rows_flushed = 0
        self.thread = threading.current_thread().name

    def add(self, row: dict[str, Any]) -> bool:
        """Buffer a row; flush when the batch is full. True when this call flushed."""
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()
            return True
        return False

    def flush(self) -> None:
        if self.rows:
            self.batches_flushed += 1
            self.rows_flushed += len(self.rows)
            self.rows = []

    def close(self) -> None:
        """Flush the last, partial batch."""
        self.flush()


class EtlContext(BaseFlowContext):
    """Everything per thread: the inherited ``state`` dict and the batch buffer."""

    batch_buffer = providers.ThreadLocalSingleton(BatchBuffer, batch_size=25)


def make_order_line(rng: random.Random, index: int) -> str:
    """One CSV order line; about one in eight is dirty in a way ``validate`` handles."""
    amount = f"{rng.uniform(5, 500):.2f}"
    currency = rng.choice(CURRENCIES)
    country = rng.choice(COUNTRIES)
    flaw = rng.randrange(16)
    if flaw == 0:
        amount = f"-{amount}"  # refunds are not orders: rejected
    elif flaw == 1:
        country = ""  # missing country: rejected
    elif flaw == 2:
        currency = currency.lower()  # cleaned
    elif flaw == 3:
        amount = f"  {amount} "  # cleaned
    return ",".join([f"ORD-{index:05d}", rng.choice(CUSTOMERS), amount, currency, country])


@node(outputs=["raw"])
def generate_orders(count: int = 600, seed: int = 42) -> list[str]:
    """The source: ``count`` raw CSV order lines, the same ones for the same seed (a
    list, so the run knows how many items there are)."""
    rng = random.Random(seed)
    return [make_order_line(rng, i) for i in range(count)]


def simulate_io(ms: float) -> None:
    """Wait about ``ms`` milliseconds (between half and one and a half times it), as a
    network or disk call would: a sleep releases the GIL like real I/O."""
    if ms > 0:
        time.sleep(ms / 1000 * random.uniform(0.5, 1.5))


@node
def extract(raw: str, fetch_ms: float = 0.0) -> dict[str, Any]:
    """Parse one CSV line into a record of strings.

    ``fetch_ms`` simulates the source's I/O latency per record (about that long, varying
    from record to record), so more workers visibly finish sooner and each thread's
    counters grow at their own pace. Set it to 0 to run at full speed.
    """
    simulate_io(fetch_ms)
    values = raw.split(",")
    values += [""] * (len(CSV_FIELDS) - len(values))
    return {"record": dict(zip(CSV_FIELDS, values, strict=False))}


@node
def validate(record: dict[str, str]) -> dict[str, Any]:
    """Clean a record (trim, upper-case, parse the amount) or say why it is rejected."""
    clean: dict[str, Any] = {k: v.strip() for k, v in record.items()}
    clean["currency"] = clean["currency"].upper()
    problem = ""
    try:
        amount = float(clean["amount"])
    except ValueError:
        amount, problem = 0.0, f"amount {clean['amount']!r} is not a number"
    if not problem and amount <= 0:
        problem = "amount is not positive"
    elif not problem and clean["currency"] not in EUR_RATES:
        problem = f"unknown currency {clean['currency']!r}"
    elif not problem and not clean["country"]:
        problem = "country is missing"
    clean["amount"] = amount
    return {"clean": clean, "valid": not problem, "reason": problem}


@node
def transform(
    clean: dict[str, Any], valid: bool, rates: dict[str, float], target: str = "EUR"
) -> dict[str, Any]:
    """Convert the amount into the target currency with constant rates."""
    if not valid:
        return {"order": None}
    rate = rates[clean["currency"]] / rates[target]
    order = {
        "order_id": clean["order_id"],
        "customer": clean["customer"],
        "country": clean["country"],
        "amount": round(clean["amount"] * rate, 2),
        "currency": target,
    }
    return {"order": order}


@node
def load(
    order: dict[str, Any] | None,
    record: dict[str, str],
    reason: str,
    batch_buffer: BatchBuffer,
    state: dict[str, Any],
) -> dict[str, Any]:
    """Buffer a valid order in this thread's batch; count rows in this thread's state.

    No locks: ``batch_buffer`` and ``state`` belong to the calling thread alone.
    """
    state["rows_seen"] = state.get("rows_seen", 0) + 1
    if order is None:
        state["rows_rejected"] = state.get("rows_rejected", 0) + 1
        status, amount = "rejected", None
    else:
        state["rows_loaded"] = state.get("rows_loaded", 0) + 1
        batch_buffer.add(order)
        status, amount = "loaded", order["amount"]
    result = {
        "order_id": record["order_id"],
        "status": status,
        "reason": reason,
        "amount_eur": amount,
        "thread": threading.current_thread().name,
        "thread_rows_seen": state["rows_seen"],
        "thread_batches_flushed": batch_buffer.batches_flushed,
    }
    return {"result": result}
