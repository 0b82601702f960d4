"""Compatibility of port annotations, compared as text (no imports needed).

`compatible` answers True (fits), False (a sure mismatch between builtin types) or None
(cannot tell: user classes with different names, abstract types). ``Any``, ``object`` and
missing annotations fit everything; ``bool -> int -> float -> complex`` widen; ``X`` fits
``X | None``; a union fits when every member does.
"""

from __future__ import annotations

import re

_NUMERIC = {"bool": 0, "int": 1, "float": 2, "complex": 3}
_BUILTIN = {
    *_NUMERIC, "str", "bytes", "bytearray", "list", "dict", "set", "frozenset", "tuple",
    "None", "range",
}  # fmt: skip
_ALIASES = {"List": "list", "Dict": "dict", "Set": "set", "FrozenSet": "frozenset",
            "Tuple": "tuple", "Type": "type", "NoneType": "None"}  # fmt: skip
_ALIAS_RE = re.compile(r"(?<![\w.])(" + "|".join(_ALIASES) + r")(?!\w)")
_ABSTRACT = {
    "Iterable": {"list", "tuple", "set", "frozenset", "dict", "str", "bytes", "range"},
    "Collection": {"list", "tuple", "set", "frozenset", "dict", "str", "bytes", "range"},
    "Sequence": {"list", "tuple", "str", "bytes", "range"},
    "MutableSequence": {"list"},
    "Mapping": {"dict"},
    "MutableMapping": {"dict"},
    "Hashable": {*_NUMERIC, "str", "bytes", "frozenset", "tuple", "None"},
}
_ANY = {"Any", "object"}


def normalize(text: str) -> str:
    t = text.replace(" ", "")
    for prefix in ("typing.", "collections.abc.", "builtins."):
        t = t.replace(prefix, "")
    return _ALIAS_RE.sub(lambda m: _ALIASES[m.group(1)], t)


def split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p]


def union_members(text: str) -> list[str]:
    t = normalize(text)
    if t.startswith("Optional[") and t.endswith("]"):
        return [*union_members(t[9:-1]), "None"]
    if t.startswith("Union[") and t.endswith("]"):
        return [m for part in split_top(t[6:-1], ",") for m in union_members(part)]
    parts = split_top(t, "|")
    return parts if len(parts) > 1 else [t]


def _origin(t: str) -> str:
    return t.split("[", 1)[0]


def _one(src: str, dst: str) -> bool | None:
    if src == dst or dst in _ANY:
        return True
    so, do = _origin(src), _origin(dst)
    if so in _NUMERIC and do in _NUMERIC:
        return _NUMERIC[so] <= _NUMERIC[do]
    if so == do:
        return True  # parameters are not compared: list[int] and list fit
    if do.rsplit(".", 1)[-1] in _ABSTRACT:
        return True if so in _ABSTRACT[do.rsplit(".", 1)[-1]] else None
    if so in _BUILTIN and do in _BUILTIN:
        return False
    if so.rsplit(".", 1)[-1] == do.rsplit(".", 1)[-1]:
        return True  # the same class, named with and without its module
    return None


def compatible(src: str | None, dst: str | None) -> bool | None:
    """Can a value annotated ``src`` feed a parameter annotated ``dst``?"""
    if not src or not dst:
        return True
    sources, targets = union_members(src), union_members(dst)
    # A node returning None stores nothing, so None never travels along an edge.
    sources = [s for s in sources if s != "None"] or sources
    if any(t in _ANY for t in targets) or "Any" in sources:
        return True
    verdict: bool | None = True
    for s in sources:
        answers = [_one(s, t) for t in targets]
        if True in answers:
            continue
        if None in answers:
            verdict = None
        else:
            return False
    return verdict
