"""A Dask `LocalCluster` shared by the tests of a module (in-process workers: fast, no
network), and the folder of the test node modules on ``sys.path``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = HERE.parents[2] / "resources" / "examples"

for folder in (HERE, EXAMPLES_DIR):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

WORKERS = 2
THREADS = 2


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a running cluster: 2 in-process workers with 2 threads each."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=WORKERS,
        threads_per_worker=THREADS,
        processes=False,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=40,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()
