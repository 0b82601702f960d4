"""The example file in docs/flow-format.md is a real, current, runnable flow file."""

from __future__ import annotations

import json
from pathlib import Path

from aetherflow import Flow, with_scopes
from aetherflow.graph import fileformat
from aetherflow.runtime.program import Program
from aetherflow.runtime.services import ContainerServices

DOC = Path(__file__).resolve().parents[3] / "docs" / "flow-format.md"


def _example() -> str:
    text = DOC.read_text("utf-8")
    start = text.index("```json\n") + len("```json\n")
    return text[start : text.index("```", start)]


def test_docs_example_is_what_save_writes_and_it_runs() -> None:
    example = _example()
    flow = Flow.from_dict(json.loads(example))
    assert fileformat.dumps(flow.to_dict()) == example
    assert [p.code for p in flow.validate()] == ["flow-input", "flow-input"]
    ctx = with_scopes(flow.context_class(), flow.scope_map())  # fresh instances
    program = Program(flow, frozenset(ctx.providers), ctx)
    state = program.run_item({"x": 2}, ContainerServices(ctx))
    assert (state["y"], state["z"], state["seen"]) == (4, 14, 2)
