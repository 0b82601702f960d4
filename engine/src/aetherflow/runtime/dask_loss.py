"""Dask worker loss: what ran twice, what was lost, and the stop policy.

Dask re-runs the tasks a dead worker held on another worker, so a batch whose worker
died part-way runs again from its first item: execution is **at least once**. The items
the lost attempt had finished ran twice (their side effects happened twice); their
results come back once, from the attempt that finished, so the output never holds a
duplicate. To say which batches re-ran and how many of their items ran twice, every
attempt of a batch logs to the scheduler when it starts and, at most every
`PROGRESS_SECONDS`, how many of its items it has started (`AttemptLog`); the client
follows that log (`LossWatch`). A worker killed between two reports takes its last
items' count with it, so the count is a lower bound; the batch size bounds it above.

With ``on_worker_loss="stop"`` the scheduler must allow no re-run (its
``distributed.scheduler.allowed-failures`` is 0; a local cluster started for the run is
configured so): a lost batch's items are errors of type ``WorkerLost`` and the run stops.
A batch Dask gave up on after repeated deaths (``KilledWorker``) is reported the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from .report import ItemError

PROGRESS_SECONDS = 0.02
ON_WORKER_LOSS = ("rerun", "stop")
LOST_TYPE = "WorkerLost"


def log_topic(plugin_name: str) -> str:
    return f"{plugin_name}-attempts"


class AttemptLog:
    """One attempt of one batch, logged to the scheduler (worker side): how many of its
    items it has started, when it starts and then at most every `PROGRESS_SECONDS`."""

    def __init__(self, log: Callable[[dict[str, Any]], None], start: int, size: int) -> None:
        self._log = log
        self.start = start
        self.attempt = uuid.uuid4().hex[:12]
        self._last = perf_counter()
        if size:
            log({"start": start, "attempt": self.attempt, "started": 1})

    def starting(self, number: int) -> None:
        """Item ``number`` (1-based) of the batch is about to run."""
        now = perf_counter()
        if now - self._last >= PROGRESS_SECONDS:
            self._last = now
            self._log({"start": self.start, "attempt": self.attempt, "started": number})


@dataclass(frozen=True)
class Rerun:
    """A batch that ran more than once because a worker died while running it."""

    start: int
    items: int
    lost_attempts: int
    ran_twice: int  # at least this many of its items were started twice (or more)

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "items": self.items, "lost_attempts": self.lost_attempts,
                "ran_twice": self.ran_twice}  # fmt: skip

    @property
    def text(self) -> str:
        last = self.start + self.items - 1
        return (
            f"a Dask worker died while running items {self.start}-{last}; the batch was re-run "
            f"on another worker: at least {self.ran_twice} of its {self.items} items ran twice "
            "(results are written once)"
        )


class LossWatch:
    """The client's view of batch attempts: which batch each future runs, the attempt
    that finished each batch, and every attempt the workers logged (a subscription to
    the scheduler's event topic, so no entry is lost to its bounded log)."""

    def __init__(self, client: Any, plugin: str, stop: bool) -> None:
        self.client, self.topic, self.stop = client, log_topic(plugin), stop
        self.batches: dict[Any, tuple[int, int]] = {}  # future -> (first index, size)
        self.finished: dict[int, tuple[str, int]] = {}  # first index -> (attempt, size)
        self._logged: dict[int, dict[str, int]] = {}  # first index -> {attempt: started}
        self.lost = 0  # batches reported as WorkerLost
        client.subscribe_topic(self.topic, self._on_event)

    def _on_event(self, event: Any) -> None:  # on the client's event loop
        msg = event[1] if isinstance(event, tuple | list) else event
        if isinstance(msg, dict) and "attempt" in msg:
            seen = self._logged.setdefault(int(msg["start"]), {})
            seen[msg["attempt"]] = max(seen.get(msg["attempt"], 0), int(msg["started"]))

    def reruns(self) -> list[Rerun]:
        """The batches with an attempt other than the one that finished."""
        found = []
        for start, attempts in sorted(dict(self._logged).items()):
            final = self.finished.get(start)
            if final is None:
                continue
            lost = [done for attempt, done in attempts.items() if attempt != final[0]]
            if lost:
                found.append(Rerun(start, final[1], len(lost), min(max(lost), final[1])))
        return found

    def close(self) -> None:
        try:
            self.client.unsubscribe_topic(self.topic)
        except Exception:  # the client is gone already
            pass


def is_worker_loss(exc: BaseException | None) -> bool:
    """True for the error Dask gives a task whose workers died (``KilledWorker``)."""
    return type(exc).__name__ == "KilledWorker"


def allowed_failures(client: Any) -> int:
    """How many worker deaths the scheduler lets one task take part in before giving up."""
    return int(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.allowed_failures))


def lost_batch_errors(start: int, size: int, reason: str) -> list[ItemError]:
    """One `ItemError` per item of a batch whose worker died and that was not re-run."""
    last = start + size - 1
    message = f"the Dask worker running items {start}-{last} died; {reason}"
    return [ItemError(i, None, LOST_TYPE, message, "") for i in range(start, start + size)]
