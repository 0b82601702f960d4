"""A fast yes/no checker compiled from our JSON Schemas, for the common case: valid files.

jsonschema takes about a second for a 2,000-node flow; a checker compiled into closures
takes a few hundredths. It supports exactly the keywords our schemas use and says so
(returns None) for any other, so the schema file stays the single source of truth.
When it says "invalid", jsonschema runs to find and describe the error; a test checks
that both always agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "default",
                "examples"}  # fmt: skip
_KEYWORDS = {"type", "required", "properties", "additionalProperties", "propertyNames",
             "items", "prefixItems", "minItems", "maxItems", "minLength", "minimum",
             "pattern", "enum", "const", "anyOf", "$ref"}  # fmt: skip


_EXACT: dict[str, type] = {"object": dict, "array": list, "string": str, "boolean": bool,
                           "null": type(None)}  # fmt: skip


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if name == "number":
        return isinstance(value, int | float)
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    raise _Unsupported(f"type {name}")


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it: ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return False
    return bool(a == b)


class _Unsupported(Exception):
    pass


def compile_schema(schema: dict[str, Any]) -> Check | None:
    """A function doc -> bool equivalent to the schema, or None if it uses other keywords."""
    try:
        return _Compiler(schema).compile(schema)
    except _Unsupported:
        return None


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}
        self.busy: set[str] = set()

    def ref(self, target: str) -> Check:
        if not target.startswith("#/$defs/"):
            raise _Unsupported(target)
        name = target[len("#/$defs/") :]
        if name in self.busy:  # a recursive reference: look it up when checking
            compiled = self.refs
            return lambda v: compiled[name](v)
        if name not in self.refs:
            self.busy.add(name)
            self.refs[name] = self.compile(self.root["$defs"][name])
            self.busy.discard(name)
        return self.refs[name]

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema))
        unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
        if unknown:
            raise _Unsupported(", ".join(sorted(unknown)))
        found = [self.keyword(k, v, schema) for k, v in schema.items() if k in _KEYWORDS]
        checks = tuple(c for c in found if c is not None)
        if len(checks) == 1:
            return checks[0]

        def check_all(v: Any) -> bool:
            for c in checks:  # noqa: SIM110 - a loop is faster than all() on a generator
                if not c(v):
                    return False
            return True

        return check_all

    def keyword(self, key: str, value: Any, schema: dict[str, Any]) -> Check | None:
        method: Callable[[Any, dict[str, Any]], Check | None] = getattr(
            self, "k_" + key.lstrip("$")
        )
        return method(value, schema)

    def k_ref(self, value: str, schema: dict[str, Any]) -> Check:
        return self.ref(value)

    def k_type(self, value: Any, schema: dict[str, Any]) -> Check:
        names = value if isinstance(value, list) else [value]
        for n in names:
            _is_type(None, n)  # unknown names fail now, not while checking
        exact = tuple(_EXACT[n] for n in names if n in _EXACT)
        if len(exact) == len(names):  # JSON values are never subclasses
            return lambda v: type(v) in exact
        return lambda v: any(_is_type(v, n) for n in names)

    def k_required(self, value: list[str], schema: dict[str, Any]) -> Check:
        keys = tuple(value)
        if len(keys) == 1:
            key = keys[0]
            return lambda v: type(v) is not dict or key in v
        return lambda v: type(v) is not dict or all(k in v for k in keys)

    def k_properties(self, value: dict[str, Any], schema: dict[str, Any]) -> Check:
        props = {k: self.compile(s) for k, s in value.items()}
        get = props.get

        def check(v: Any) -> bool:
            if type(v) is not dict:
                return True
            for k, x in v.items():
                c = get(k)
                if c is not None and not c(x):
                    return False
            return True

        return check

    def k_additionalProperties(self, value: Any, schema: dict[str, Any]) -> Check:
        known = set(schema.get("properties", {}))
        extra = self.compile(value)
        return lambda v: (
            not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)
        )

    def k_propertyNames(self, value: Any, schema: dict[str, Any]) -> Check:
        name = self.compile(value)
        return lambda v: not isinstance(v, dict) or all(name(k) for k in v)

    def k_prefixItems(self, value: list[Any], schema: dict[str, Any]) -> Check:
        firsts = [self.compile(s) for s in value]
        return lambda v: (
            not isinstance(v, list) or all(c(x) for c, x in zip(firsts, v, strict=False))
        )

    def k_items(self, value: Any, schema: dict[str, Any]) -> Check:
        item = self.compile(value)
        skip = len(schema.get("prefixItems", []))

        def check(v: Any) -> bool:
            if type(v) is not list:
                return True
            for x in v[skip:] if skip else v:  # noqa: SIM110 - faster than all()
                if not item(x):
                    return False
            return True

        return check

    def k_minItems(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= value

    def k_maxItems(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) <= value

    def k_minLength(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= value

    def k_minimum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda v: not _is_type(v, "number") or v >= value

    def k_pattern(self, value: str, schema: dict[str, Any]) -> Check:
        search = re.compile(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    def k_enum(self, value: list[Any], schema: dict[str, Any]) -> Check:
        return lambda v: any(json_equal(v, x) for x in value)

    def k_const(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda v: json_equal(v, value)

    def k_anyOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        options = [self.compile(s) for s in value]
        return lambda v: any(c(v) for c in options)
