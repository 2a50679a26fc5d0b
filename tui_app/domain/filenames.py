"""File names made from pack data: a pack is a file from anywhere, so its name is never a path.

A campaign named `../../../../tmp/x` must give a file in the chosen folder, not one
four levels up; a name with `/`, `\\`, `:` or control characters must not make folders
or fail on Windows.
"""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^\w\-]+")  # \w: letters and digits of every script (CJK too) and _
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
MAX_STEM = 80


def safe_stem(text: str, fallback: str = "fieldlog") -> str:
    """`text` as one file-name stem: runs of anything but letters, digits, `-` and `_`
    become one `_`, leading/trailing `._-` go, at most MAX_STEM characters."""
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFKC", text)).strip("._-")[:MAX_STEM]
    if not stem:
        return fallback
    return f"_{stem}" if stem.upper() in _WINDOWS_RESERVED else stem
