"""Text from flow files and node code made safe to print: control characters escaped.

Ids, references and messages come from files a user may not have written. Printed raw, a
NUL, an ESC colour sequence or a newline in an id can recolour a terminal or fake whole
output lines (``aetherflow validate`` printing an invented "ok"). Everything the engine,
the CLI and the Studio print that may hold such text goes through `printable`.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters that move the cursor, end a line or reorder text (bidi controls can make a
# line read differently from its bytes), besides the C0 and C1 control ranges.
_LAYOUT = (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)


def _escape(code: int) -> str:
    ch = chr(code)
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {c: _escape(c) for c in (*range(0x20), *range(0x7F, 0xA0), *_LAYOUT)}


def printable(text: object) -> str:
    """``text`` (or its ``str()``) with control characters shown as escapes.

    C0 and C1 controls, DEL, line and paragraph separators and bidirectional controls
    become ``\\n``, ``\\t``, ``\\x1b``, ``\\u202e`` and the like; everything else, other
    scripts and emoji included, is kept as it is.

    >>> printable("a\\x1b[31mb\\nc")
    'a\\\\x1b[31mb\\\\nc'
    """
    shown = text if isinstance(text, str) else str(text)
    return shown.translate(_TABLE)


def has_controls(text: str) -> bool:
    """True when `printable` would change ``text``."""
    return text.translate(_TABLE) != text
