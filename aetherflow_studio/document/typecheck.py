"""Port type compatibility from annotation text, without importing anything.

Only annotations made of names we understand (builtins and ``typing`` spellings) can be
refused; a user class might be a subclass of the other side, so it is always accepted.
"""

from __future__ import annotations

_ANY = {"Any", "object", ""}
_KNOWN = {
    "int", "float", "complex", "bool", "str", "bytes", "bytearray", "None", "NoneType",
    "list", "dict", "tuple", "set", "frozenset",
}  # fmt: skip
_ALIASES = {
    "List": "list", "Dict": "dict", "Tuple": "tuple", "Set": "set", "FrozenSet": "frozenset",
    "NoneType": "None", "Text": "str",
}  # fmt: skip
_WIDENS = {("int", "float"), ("int", "complex"), ("float", "complex"), ("bool", "int")}


def types_compatible(source: str | None, target: str | None) -> bool:
    """True unless both annotations are understood and no source type fits the target."""
    if not source or not target:
        return True
    src, dst = _members(_clean(source)), _members(_clean(target))
    if any(t in _ANY for t in src + dst):
        return True
    if not all(_known(t) for t in src + dst):
        return True
    return all(any(_fits(s, d) for d in dst) for s in src)


def _clean(text: str) -> str:
    return text.replace("typing.", "").replace("builtins.", "").replace(" ", "").strip("'\"")


def _split_top(text: str, sep: str) -> list[str]:
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


def _members(text: str) -> list[str]:
    """The alternatives of a union (``A | B``, ``Union[A, B]``, ``Optional[A]``)."""
    out: list[str] = []
    for part in _split_top(text, "|"):
        if part.startswith("Optional[") and part.endswith("]"):
            out += [*_members(part[9:-1]), "None"]
        elif part.startswith("Union[") and part.endswith("]"):
            for sub in _split_top(part[6:-1], ","):
                out += _members(sub)
        else:
            out.append(_normal(part))
    return out


def _normal(name: str) -> str:
    base, _, rest = name.partition("[")
    base = _ALIASES.get(base, base)
    return f"{base}[{rest}" if rest else base


def _base(name: str) -> str:
    return name.partition("[")[0]


def _known(name: str) -> bool:
    return _base(name) in _KNOWN


def _fits(src: str, dst: str) -> bool:
    if src == dst or (_base(src), _base(dst)) in _WIDENS:
        return True
    # a bare ``list`` fits ``list[int]`` and back: element types are unknown on one side
    return _base(src) == _base(dst) and ("[" not in src or "[" not in dst)
