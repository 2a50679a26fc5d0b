"""Turning what people type or scripts send into typed values, with reasons when not.

Two entry points per type: `coerce` takes JSON-native values (import files), and
`from_text` takes what a person typed (form fields, CLI options). Both return the
stored value or raise `BadValue` carrying a catalog key.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from tui_app.domain.pack import FormField

# Larger numbers are typing errors, and SQLite cannot store beyond 2**63 (a count of
# 10**12 or 100 亿元 in fen is far past any real inspection).
MAX_NUMBER = 10**12
TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "√"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "×", ""}


class BadValue(ValueError):
    """A value was refused; `key` and `params` select the message in the catalog."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def parse_yuan(text: str) -> int:
    """'53.4' or '53.40元' or '1,200' yuan → integer fen (money is never a float)."""
    cleaned = text.strip().removesuffix("元").replace(",", "").replace("，", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise BadValue("value.not_money", value=text) from None
    if not amount.is_finite():
        raise BadValue("value.not_money", value=text)
    if amount.copy_abs() > Decimal(MAX_NUMBER) / 100:  # compared, not multiplied: 9E+999999999
        raise BadValue("value.too_big", value=text, max=MAX_NUMBER)
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise BadValue("value.money_precision", value=text)
    if fen < 0:
        raise BadValue("value.negative", value=text)
    return int(fen)


def fen_to_yuan(fen: int) -> str:
    """Fen as the yuan text a person reads back ('5340.00')."""
    return f"{Decimal(fen) / 100:.2f}"


def parse_int(value: object) -> int:
    number = _whole(value)
    if abs(number) > MAX_NUMBER:
        raise BadValue("value.too_big", value=value, max=MAX_NUMBER)
    return number


def _whole(value: object) -> int:
    if isinstance(value, bool):
        raise BadValue("value.not_int", value=value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,30}", value.strip()):
        return int(value.strip())
    raise BadValue("value.not_int", value=value)


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise BadValue("value.not_bool", value=value)


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise BadValue("value.not_date", value=value) from None
    raise BadValue("value.not_date", value=value)


def parse_local_time(value: object, tz: ZoneInfo) -> dt.datetime:
    """An ISO time from the field; without an offset it is the inspector's local time."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise BadValue("value.not_time", value=value) from None
    else:
        raise BadValue("value.not_time", value=value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC)


def utc_iso(moment: dt.datetime) -> str:
    """The one stored form of an instant: UTC, seconds, 'Z'."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_day(moment: dt.datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).date().isoformat()


def check_bounds(field: FormField, number: int) -> None:
    if number < 0 and (field.min is None or field.min >= 0):
        raise BadValue("value.negative", value=number)
    if field.min is not None and number < field.min:
        raise BadValue("value.below_min", value=number, min=field.min)
    if field.max is not None and number > field.max:
        raise BadValue("value.above_max", value=number, max=field.max)


def coerce(field: FormField, value: object) -> object:
    """A JSON-native value for `field` → the stored value (money: integer fen)."""
    if field.type in ("int", "money"):
        number = parse_int(value)
        check_bounds(field, number)
        return number
    if field.type == "bool":
        return parse_bool(value)
    if field.type == "date":
        return parse_date(value).isoformat()
    if field.type == "choice":
        if value not in field.choices:
            raise BadValue("value.unknown_choice", value=value, choices="、".join(field.choices))
        return value
    if field.type == "multi":
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item not in field.choices:
                raise BadValue("value.unknown_choice", value=item, choices="、".join(field.choices))
        return [c for c in field.choices if c in items]
    if not isinstance(value, str):
        raise BadValue("value.not_text", value=value)
    return value.strip()


def from_text(field: FormField, text: str) -> object:
    """What a person typed for `field` → the stored value (money typed in yuan)."""
    if field.type == "money":
        number = parse_yuan(text)
        check_bounds(field, number)
        return number
    if field.type == "multi":
        parts = [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",")]
        return coerce(field, [p for p in parts if p])
    return coerce(field, text)


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == []


def local_display(utc_text: str | None, tz: ZoneInfo) -> str:
    """A stored UTC instant as the local wall-clock time people read ('2026-09-21 10:30')."""
    if not utc_text:
        return ""
    moment = dt.datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
