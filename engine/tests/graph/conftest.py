"""Make this folder importable: ``aflow_sample_nodes`` is referenced by the test flows
as a top-level module, as a user's node module beside a flow file would be."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"

if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
