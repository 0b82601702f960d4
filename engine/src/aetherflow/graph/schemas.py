"""The JSON Schemas of the flow file format: loaded once, compiled once per process.

``schema/aflow-1.json`` describes every 1.x file; older versions have their own schema
(``aflow-0.1.json``, ``aflow-0.2.json``) checked before they are upgraded. A file of a
newer minor version than this engine writes is checked with relaxed rules: enumerations
(group kinds) are open, because a newer minor may add values.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema.exceptions import ValidationError, best_match

from ..errors import FlowFormatError

_LIMIT = 60  # characters of a value quoted in a message


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``schema/<name>.json`` shipped with the engine, as a dict."""
    text = resources.files("aetherflow.graph").joinpath("schema", f"{name}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _relax(schema: Any) -> Any:
    if isinstance(schema, dict):
        if "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
            rest = {k: v for k, v in schema.items() if k != "enum"}
            return {**_relax(rest), "type": "string"}
        return {k: _relax(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_relax(v) for v in schema]
    return schema


@functools.cache
def validator(name: str, relaxed: bool = False) -> Any:
    """A compiled validator for schema ``name`` (kept for the life of the process)."""
    schema = load_schema(name)
    if relaxed:
        schema = _relax(copy.deepcopy(schema))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@functools.cache
def fast_check(name: str, relaxed: bool = False) -> Callable[[Any], bool]:
    """A yes/no checker for schema ``name``, by jsonschema-rs (compiled Rust).

    jsonschema takes about a second to validate a 2,000-node flow and fastjsonschema's
    generated Python about 15 us a node (0.75 s for 50,000 nodes); jsonschema-rs takes
    about 2 us a node. jsonschema still runs when the check says no, to find and describe
    the error, and for the rare document jsonschema-rs cannot take in (a hypothesis test
    checks that both always agree).
    """
    compiled = jsonschema_rs.validator_for(validator(name, relaxed).schema)
    slow = validator(name, relaxed)

    def is_valid(doc: Any) -> bool:
        try:
            return bool(compiled.is_valid(doc))
        except (ValueError, TypeError, OverflowError):  # e.g. a non-string key
            return bool(slow.is_valid(doc))

    return is_valid


def check(doc: Any, name: str, path: str, relaxed: bool = False, label: str = "") -> None:
    """Raise one `FlowFormatError` for the most relevant violation of schema ``name``."""
    fast = fast_check(name, relaxed)
    v = validator(name, relaxed)
    try:
        if fast(doc):
            return
        if v.is_valid(doc):  # pragma: no cover - the fast check agrees (tested)
            return
        error = best_match(v.iter_errors(doc))
    except RecursionError:
        raise FlowFormatError(path, None, "the document is nested too deeply") from None
    if error is None:  # pragma: no cover - is_valid said otherwise
        return
    raise describe(doc, error, path, label) from None


def json_path(parts: Iterable[Any]) -> str:
    """``["nodes", 3, "ref"]`` -> ``nodes[3].ref``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def short(value: Any) -> str:
    """A value for a message: short, and never the whole of a large document."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _LIMIT else text[: _LIMIT - 3] + "..."


_JSON_TYPES = {
    dict: "an object", list: "an array", str: "a string", bool: "a boolean",
    int: "an integer", float: "a number", type(None): "null",
}  # fmt: skip


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def describe(doc: Any, error: ValidationError, path: str, label: str = "") -> FlowFormatError:
    """Turn a schema violation into a self-contained `FlowFormatError`."""
    parts = list(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required" and isinstance(value, dict):
        missing = next((k for k in expected if k not in value), "?")
        parts.append(missing)
        reason = "required field is missing"
    elif kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        reason = f"expected {' or '.join(map(str, names))}, found {json_type(value)}"
    elif kind in ("enum", "const"):
        options = expected if kind == "enum" else [expected]
        reason = f"expected {' or '.join(map(short, options))}, found {short(value)}"
    elif kind == "pattern":
        what = "'module:qualname'" if parts and parts[-1] in ("ref", "context") else "'node.port'"
        reason = f"expected {what}, found {short(value)}"
    elif kind in ("minItems", "maxItems", "prefixItems", "items"):
        reason = f"wrong number or kind of items in {short(value)}"
    elif kind == "minLength":
        reason = "must not be empty"
    elif kind == "minimum":
        reason = f"must be >= {expected}, found {short(value)}"
    else:
        reason = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    if label:
        reason += f" ({label})"
    return FlowFormatError(path, _with_owner(doc, parts), reason)


def _with_owner(doc: Any, parts: list[Any]) -> str | None:
    """The JSON path, plus the id of the node or group it is inside when there is one."""
    location = json_path(parts) or None
    if len(parts) >= 2 and parts[0] in ("nodes", "groups") and isinstance(parts[1], int):
        try:
            owner = doc[parts[0]][parts[1]]["id"]
        except (KeyError, IndexError, TypeError):
            return location
        if isinstance(owner, str) and parts[2:] != ["id"]:
            what = "node" if parts[0] == "nodes" else "group"
            shown = owner if len(owner) <= _LIMIT else owner[: _LIMIT - 3] + "..."
            location = f"{location} ({what} '{shown}')"
    return location
