"""MapReduce word count: the nodes, services and context of ``map_reduce.aflow``.

Each item is one chunk of text from a small corpus generated in code. The map step
(tokenize, count) is a pure function of the chunk. The combine step adds the chunk's
counts to the worker thread's own partial aggregate (``partials``, isolated: no lock,
each thread sums what it mapped). The reduce step merges the chunk's counts into one
`Reducer` (``reducer``, shared: the totals need the global view), under its lock; each
item's result carries the reduced totals so far, so the item reduced last holds the
totals of the whole run.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from typing import Any

from aetherflow import BaseFlowContext, node, providers

# fmt: off
VOCABULARY = (
    "flow", "node", "thread", "state", "shared", "isolated", "lock", "queue", "item", "worker",
    "graph", "edge", "port", "service", "scope", "context", "result", "error", "batch",
    "stream", "record", "pool", "cache", "counter", "map", "reduce", "merge", "split", "chunk",
    "word", "total",
)
# fmt: on
STOP_WORDS = frozenset({"the", "a", "of", "and", "to", "in", "is"})
_WORD = re.compile(r"[a-z]+")


def make_chunk(rng: random.Random, words: int) -> str:
    """One chunk of pseudo-text: vocabulary words mixed with stop words and punctuation."""
    out = []
    for _ in range(words):
        if rng.random() < 0.25:
            out.append(rng.choice(sorted(STOP_WORDS)))
        else:
            word = rng.choice(VOCABULARY[: rng.randint(4, len(VOCABULARY))])  # a skew
            out.append(word.capitalize() if rng.random() < 0.1 else word)
        if rng.random() < 0.08:
            out[-1] += rng.choice(".,;!?")
    return " ".join(out)


def corpus(count: int = 60, seed: int = 5, words: int = 80) -> list[str]:
    """The whole corpus as a list of chunks (what `text_chunks` yields)."""
    rng = random.Random(seed)
    return [make_chunk(rng, words) for _ in range(count)]


def plain_word_count(chunks: list[str]) -> dict[str, int]:
    """The reference answer, computed in plain Python: word totals over ``chunks``."""
    totals: Counter[str] = Counter()
    for chunk in chunks:
        totals.update(w for w in _WORD.findall(chunk.lower()) if w not in STOP_WORDS)
    return dict(totals)


class PartialCounts:
    """One worker thread's running word counts (isolated: only that thread writes)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.chunks = 0
        self.thread = threading.current_thread().name

    def add(self, counts: dict[str, int]) -> None:
        self.counts.update(counts)
        self.chunks += 1


class Reducer:
    """The global word totals, one instance for all threads, merged under a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.totals: Counter[str] = Counter()
        self.chunks = 0

    def merge(self, counts: dict[str, int]) -> tuple[int, dict[str, int]]:
        """Add one chunk's counts; return (chunks merged, a copy of the totals)."""
        with self.lock:
            self.totals.update(counts)
            self.chunks += 1
            return self.chunks, dict(self.totals)

    def close(self) -> None:
        """Nothing to release; the totals stay readable after the run."""


class MapReduceContext(BaseFlowContext):
    """Isolated per-thread ``partials``; one shared ``reducer``."""

    partials = providers.ThreadLocalSingleton(PartialCounts)
    reducer = providers.Singleton(Reducer)


def simulate_io(ms: float) -> None:
    """Wait about ``ms`` milliseconds (between half and one and a half times it), as
    reading from storage would: a sleep releases the GIL like real I/O."""
    if ms > 0:
        time.sleep(ms / 1000 * random.uniform(0.5, 1.5))


@node(outputs=["chunk_id", "text"])
def text_chunks(count: int = 400, seed: int = 5, words: int = 80) -> list[dict[str, Any]]:
    """The source: ``count`` chunks of generated text, the same ones for the same seed (a
    list, so the run knows how many items there are)."""
    return [{"chunk_id": i, "text": text} for i, text in enumerate(corpus(count, seed, words))]


@node
def tokenize(text: str, read_ms: float = 0.0) -> dict[str, list[str]]:
    """Map, part 1: lower-case words without punctuation or stop words.

    ``read_ms`` simulates reading the chunk from storage (about that long, varying per
    chunk). Set it to 0 to run at full speed.
    """
    simulate_io(read_ms)
    return {"words": [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]}


@node
def count_words(words: list[str]) -> dict[str, dict[str, int]]:
    """Map, part 2: this chunk's word counts."""
    return {"chunk_counts": dict(Counter(words))}


@node
def combine(chunk_counts: dict[str, int], partials: PartialCounts) -> dict[str, Any]:
    """Add the chunk to this thread's partial aggregate; no lock, no other thread sees it."""
    partials.add(chunk_counts)
    return {
        "partial": {
            "thread": threading.current_thread().name,
            "chunks": partials.chunks,
            "words": sum(partials.counts.values()),
        }
    }


@node
def reduce_counts(
    chunk_id: int, chunk_counts: dict[str, int], partial: dict[str, Any], reducer: Reducer
) -> dict[str, Any]:
    """Merge the chunk into the shared totals under the reducer's lock."""
    chunks, totals = reducer.merge(chunk_counts)
    result = {
        "chunk_id": chunk_id,
        "chunk_words": sum(chunk_counts.values()),
        "thread": partial["thread"],
        "thread_chunks": partial["chunks"],
        "thread_words": partial["words"],
        "chunks_reduced": chunks,
        "total_words": sum(totals.values()),
        "word_totals": dict(sorted(totals.items())),
    }
    return {"result": result}
