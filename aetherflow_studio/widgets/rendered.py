"""One-line texts for rendered values (the engine's `render` output: JSON-like plain data,
dicts tagged with ``"__type__"``), for tooltips, badges and table cells."""

from __future__ import annotations

from typing import Any

SUMMARY_CHARS = 80


def summary(value: Any, limit: int = SUMMARY_CHARS) -> str:
    """A one-line text for a rendered value (containers show their first entries)."""
    text = _short(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: Any, depth: int = 0) -> str:
    if isinstance(value, dict):
        kind = value.get("__type__")
        entries = [(k, v) for k, v in value.items() if k != "__type__"]
        if depth > 0:
            return f"{kind}(…)" if kind else f"{{…{len(entries)}}}"
        more = ", …" if len(entries) > 6 else ""
        if kind:  # a rendered object: Type(attr=value, ...)
            inner = ", ".join(f"{k}={_short(v, depth + 1)}" for k, v in entries[:6])
            return f"{kind}({inner}{more})"
        inner = ", ".join(f"{k!r}: {_short(v, depth + 1)}" for k, v in entries[:6])
        return f"{{{inner}{more}}}"
    if isinstance(value, list):
        if depth > 0:
            return f"[…{len(value)}]"
        inner = ", ".join(_short(v, depth + 1) for v in value[:6])
        return f"[{inner}{', …' if len(value) > 6 else ''}]"
    return repr(value) if isinstance(value, str) else str(value)


def mapping_summary(values: dict[str, Any] | None, limit: int = SUMMARY_CHARS) -> str:
    """``a=1, b='x'`` for a node's inputs or outputs (empty text for None)."""
    if not values:
        return ""
    text = ", ".join(f"{k}={summary(v, 30)}" for k, v in values.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def per_worker(values: dict[str, Any], limit: int = 60) -> list[str]:
    """Lines for one port's last value per worker: one line when every worker saw the
    same value, else ``worker: value`` per worker."""
    texts = {worker: summary(v, limit) for worker, v in values.items()}
    if len(set(texts.values())) == 1:
        only = next(iter(texts.values()))
        return [only if len(texts) == 1 else f"{only}  (all {len(texts)} workers)"]
    return [f"{worker}: {text}" for worker, text in texts.items()]
