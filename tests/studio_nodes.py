"""Node functions for the Studio's tests: importable, so flows can reference them."""

from __future__ import annotations

from aetherflow import BaseFlowContext, node, providers


@node
def load(path: str = "data.csv") -> dict:
    """Read rows from a file."""
    return {"rows": [path], "count": 1}


@node
def clean(rows: list, threshold: float = 0.5) -> dict:
    """Drop rows under the threshold."""
    return {"cleaned": rows}


@node
def enrich(cleaned: list, db_pool, cache) -> dict:
    """Join rows with the database, through a shared pool and cache."""
    return {"enriched": cleaned}


@node
def score(enriched: list, model) -> dict:
    """Score each row with the per-thread model."""
    return {"scores": [1.0 for _ in enriched]}


@node
def report(scores: list, title: str = "Report") -> dict:
    """Summarise the scores."""
    return {"summary": f"{title}: {len(scores)}"}


@node
def to_int(text: str) -> dict:
    return {"number": int(text)}


@node
def add_one(number: int) -> dict:
    return {"number_plus": number + 1}


@node
def passthrough(value) -> dict:
    """Any value through, for chains of many nodes."""
    return {"value": value}


class Pool:
    """Stands in for a database connection pool."""


class Model:
    """Stands in for a model that is not thread-safe."""


class StudioContext(BaseFlowContext):
    db_pool = providers.Singleton(Pool)
    cache = providers.Singleton(dict)
    model = providers.ThreadLocalSingleton(Model)
