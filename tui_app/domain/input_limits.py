"""What any input may hold, whatever its field: sizes, nesting and characters.

Checked once for every record before its own rules (the form, `record add`, import
lines and registry rows all pass here), so no field can smuggle in a NUL that cuts a
C string, an escape sequence that repaints the terminal, a lone surrogate that SQLite
cannot store, or a 50 MB value that stalls every list.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from tui_app.errors import Problem

MAX_TEXT = 10_000       # characters in one text value (a long 检查情况 is ~2 000)
MAX_LINE = 1_000_000    # characters in one import line (JSONL)
MAX_DEPTH = 16          # nesting of lists and objects in one record (measures.seized[i] is 3)
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def text_problem(text: str) -> tuple[str, dict[str, object]] | None:
    """(catalog key, parameters) of what is wrong with one text value, or None."""
    if len(text) > MAX_TEXT:
        return "input.too_long", {"length": len(text), "limit": MAX_TEXT}
    for position, char in enumerate(text, start=1):
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return "input.bad_unicode", {"position": position}
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            return "input.control_char", {"char": f"U+{code:04X}", "position": position}
    return None


def problems(raw: Any, where: str = "") -> list[Problem]:
    """Every text in `raw` (keys too) that breaks a limit, and nesting beyond MAX_DEPTH."""
    found = []
    for path, value, depth in _walk(raw, where):
        if depth > MAX_DEPTH:
            found.append(Problem(path or "-", "input.too_deep", {"limit": MAX_DEPTH}))
            break
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                found.append(Problem(path or "-", problem[0], problem[1]))
    return found


def _shown(key: Any) -> str:
    """A key as it may appear in a message: no control characters reach the terminal."""
    text = "".join("?" if unicodedata.category(c) in ("Cc", "Cs") else c for c in str(key))
    return text if len(text) <= 40 else text[:40] + "…"


def _walk(raw: Any, where: str) -> Iterator[tuple[str, Any, int]]:
    """(path, value, depth) of every value and key, without recursion (input may be deep)."""
    stack = [(where, raw, 0)]
    while stack:
        path, value, depth = stack.pop()
        yield path, value, depth
        if depth > MAX_DEPTH:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{_shown(key)}" if path else _shown(key)
                yield child, key, depth + 1
                stack.append((child, item, depth + 1))
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value, start=1))
