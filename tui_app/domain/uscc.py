"""统一社会信用代码 (GB 32100-2015) check-character validation.

The check character is what catches a mistyped code at the counter. Some codes in real
use fail it, so a failure is reported with enough detail for the user to decide
whether to override, never silently fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]
LENGTH = 18


@dataclass(frozen=True)
class UsccProblem:
    """Why a code is not a valid USCC; `kind` selects the message in the catalog."""

    kind: str  # "length" | "char" | "check"
    position: int = 0  # 1-based position of the offending character
    found: str = ""
    expected: str = ""


def normalize(code: str) -> str:
    """Codes are written with stray spaces and lower case; the standard is upper case."""
    return "".join(code.split()).upper()


def check_char(first17: str) -> str:
    """The 18th character that GB 32100-2015 requires for these 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> UsccProblem | None:
    """Return what is wrong with `code` (already normalised), or None if it is valid."""
    if len(code) != LENGTH:
        return UsccProblem("length", found=str(len(code)), expected=str(LENGTH))
    for pos, ch in enumerate(code, start=1):
        if ch not in ALPHABET:
            return UsccProblem("char", position=pos, found=ch)
    expected = check_char(code[:17])
    if code[17] != expected:
        return UsccProblem("check", position=18, found=code[17], expected=expected)
    return None


def entity_kind(code: str) -> str | None:
    """The registration kind the first two characters announce (91 企业, 92 个体工商户...)."""
    return {"91": "企业", "92": "个体工商户", "93": "农民专业合作社", "12": "事业单位"}.get(
        code[:2]
    )
