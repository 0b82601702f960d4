"""Fuzz the loader with mutated valid files: it only ever succeeds or raises
FlowFormatError, and whatever loads also validates and saves back stably."""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from aetherflow import Flow, FlowFormatError
from aetherflow.graph import fileformat, schemas
from aflow_sample_flows import rich_flow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

VALID = fileformat.encode(rich_flow().to_dict())
DOC = json.loads(VALID)
WORKDIR = Path(tempfile.mkdtemp(prefix="aflow-fuzz-"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

REPLACEMENTS = st.sampled_from(
    [None, 0, -1, 1.5, 10**30, "", "x", "a.b", "m:q", "a.b.c", [], {}, True, [1, 0], [2, 0],
     [1, 7], {"members": ["double"]}, [{"key": None, "members": []}], "frame", "repeat"]
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(DOC)[1:]


def _check(data: bytes) -> None:
    path = WORKDIR / "fuzz.aflow"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            flow = Flow.load(path)
        except FlowFormatError as exc:
            assert exc.path == str(path)
            assert str(exc).startswith(str(path))
            return
        flow.validate(resolve=False)  # never raises, whatever loaded
        first = fileformat.encode(flow.to_dict())
        again = fileformat.encode(Flow.from_dict(json.loads(first)).to_dict())
        assert first == again


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=8))
def test_byte_flips(flips: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for pos, byte in flips:
        data[pos] = byte
    _check(bytes(data))


@FUZZ
@given(st.integers(0, len(VALID)))
def test_truncation(cut: int) -> None:
    _check(VALID[:cut])


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.booleans(), REPLACEMENTS), max_size=4))
def test_json_level_mutations(mutations: list[tuple[tuple[Any, ...], bool, Any]]) -> None:
    doc = json.loads(VALID)
    for path, delete, value in mutations:
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if delete:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
    _check(json.dumps(doc).encode("utf-8"))


def _mutated(mutations: list[tuple[tuple[Any, ...], bool, Any]], base: Any) -> Any:
    doc = json.loads(json.dumps(base))
    for path, delete, value in mutations:
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if delete:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return doc


OLD = json.loads((Path(__file__).parent / "fixtures" / "v0_1.aflow").read_text("utf-8"))
OLD_PATHS = _paths(OLD)[1:]


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(PATHS), st.booleans(), REPLACEMENTS), max_size=3),
    st.lists(st.tuples(st.sampled_from(OLD_PATHS), st.booleans(), REPLACEMENTS), max_size=3),
)
def test_fast_schema_check_agrees_with_jsonschema(new: list[Any], old: list[Any]) -> None:
    for name, doc in (("aflow-1", _mutated(new, DOC)), ("aflow-0.1", _mutated(old, OLD))):
        for relaxed in (False, True):
            fast = schemas.fast_check(name, relaxed)
            assert fast(doc) == schemas.validator(name, relaxed).is_valid(doc)


def test_fast_checks_accept_valid_files_and_refuse_broken_ones() -> None:
    assert schemas.fast_check("aflow-1")(DOC)
    assert schemas.fast_check("aflow-0.1")(OLD)
    assert not schemas.fast_check("aflow-1")({**DOC, "nodes": "not a list"})
    assert not schemas.fast_check("aflow-1")({**DOC, "version": [1, 0, 0]})
