"""How a bureau writes figures in a work report: pure functions, no I/O.

A report must never overstate: "余" (more than) floors a count to a round figure and
says there is more; "万余元" truncates money to one decimal of 万元. When nothing is cut
off, the figure is written exactly, without "余". Money arrives as integer fen and is
handled in `Decimal`, never in float.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分


def _plain(number: Decimal) -> str:
    """A Decimal without exponent or trailing zeros ('5.30' → '5.3', '5.00' → '5')."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def approx_step(n: int) -> int:
    """The round figure a count is floored to: tens below 1,000, else two significant digits."""
    return max(10, 10 ** (len(str(n)) - 2))


def approx(n: int) -> str:
    """A count as "N余": 56 → 50余, 213 → 210余, 1234 → 1200余; exact if round or under 10."""
    if n < 10:
        return str(n)
    step = approx_step(n)
    floor = n - n % step
    return str(n) if floor == n else f"{floor}余"


def wan(fen: int) -> str:
    """Money in 万元 rounded to two decimals: 5,340,000 fen (53,400 元) → '5.34万元'.

    An amount too small to show in 万元 (it would round to 0.00) is written in 元, so a
    real penalty never prints as zero.
    """
    amount = Decimal(fen) / FEN_PER_WAN
    shown = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if shown == 0 and fen:
        return f"{_plain(Decimal(fen) / 100)}元"
    return f"{_plain(shown)}万元"


def wan_approx(fen: int) -> str:
    """Money as "万余元", truncated to one decimal: 53,400 元 → '5.3万余元'.

    Exact amounts keep the plain form (53,000 元 → '5.3万元'). Below 1,000 元 the
    万元 figure would be 0, so the amount is written as 元 with the count rule ('850余元').
    """
    amount = Decimal(fen) / FEN_PER_WAN
    shown = amount.quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    if shown == 0 and fen:
        yuan = fen // 100
        text = approx(yuan)
        if not text.endswith("余") and fen % 100:
            text = f"{yuan}余" if yuan >= 10 else _plain(Decimal(fen) / 100)
        return f"{text}元"
    return f"{_plain(shown)}万元" if shown == amount else f"{_plain(shown)}万余元"


def percent(value: float, decimals: int) -> str:
    """A percentage with the pack's decimals (58.3 with 1 decimal → '58.3'), no sign."""
    shown = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format(shown, "f")


def cn_date(day: dt.date) -> str:
    """A date as written in a 公文: 2026年10月8日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(day: dt.date) -> str:
    """A date inside the report's year: 9月10日."""
    return f"{day.month}月{day.day}日"


def yuan(fen: int) -> Decimal:
    """Fen as an exact amount of 元 (ledgers show money as numbers in 元)."""
    return Decimal(fen) / 100
