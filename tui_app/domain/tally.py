"""How one record contributes to a campaign's tallies, and how tallies are finished.

Tallies are kept incrementally: every saved revision adds its *facts* and takes away
the facts of the revision it replaces. A fact is (tally id, local day, key, n):

- count / sum: key "" and n = 1 or the summed value; the tally is Σn;
- distinct (家): key = the entity; the tally counts keys with n > 0;
- officer_days (人次): key = the officer's badge; the day is part of the fact, so
  each (badge, day) pair with n > 0 is one 人次.

Facts depend only on the record's own content, so a later edit of an entity can never
make stored tallies stale. Voided records contribute nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tui_app.domain.pack import Pack, Tally

Fact = tuple[str, str, str]  # (tally id, day, key)


def record_attrs(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes of a stored row that tallies may filter on or sum."""
    attrs: dict[str, Any] = {"action": row.get("action"), "entity": row.get("entity_id")}
    if kind == "inspection":
        measures = row.get("measures") or {}
        seized = measures.get("seized") or []
        attrs.update(row.get("fields") or {})
        attrs.update(
            place=row.get("place"),
            result=row.get("result"),
            rectification_ordered=bool(measures.get("rectification_ordered")),
            directives=measures.get("directives", 0),
            sealed_units=measures.get("sealed_units", 0),
            seized_quantity=sum(i.get("quantity", 0) for i in seized),
            seized_value_fen=sum(i.get("value_fen", 0) for i in seized),
            officer_count=len(row.get("officers") or []),
        )
    elif kind == "case":
        attrs.update(
            case_type=row.get("case_type"),
            status=row.get("status"),
            fine_fen=row.get("fine_fen", 0),
            confiscated_fen=row.get("confiscated_fen", 0),
            penalty_fen=(row.get("fine_fen") or 0) + (row.get("confiscated_fen") or 0),
            goods_value_fen=row.get("goods_value_fen", 0),
        )
    elif kind == "complaint":
        attrs.update(channel=row.get("channel"), status=row.get("status"))
    elif kind == "activity":
        attrs.update(activity_type=row.get("activity_type"), quantity=row.get("quantity", 0))
    return attrs


def matches(cond: Any, value: Any) -> bool:
    """Does an attribute value satisfy one `where` condition of a tally?"""
    if isinstance(cond, dict):
        ok = True
        if "present" in cond:
            ok &= (value not in (None, "", [], False, 0)) == bool(cond["present"])
        if "min" in cond:
            ok &= isinstance(value, int | float) and value >= cond["min"]
        if "max" in cond:
            ok &= isinstance(value, int | float) and value <= cond["max"]
        if "not" in cond:
            ok &= not matches(cond["not"], value)
        return ok
    if isinstance(value, list):
        return any(matches(cond, v) for v in value)
    if isinstance(cond, list):
        return value in cond
    if isinstance(cond, bool):
        return bool(value) == cond
    return value == cond


def _applies(tally: Tally, kind: str, attrs: Mapping[str, Any]) -> bool:
    if tally.op == "officer_days":
        if kind not in ("inspection", "activity"):
            return False
    elif kind != tally.record:
        return False
    if tally.action and attrs.get("action") != tally.action:
        return False
    return all(matches(cond, attrs.get(key)) for key, cond in tally.where.items())


def facts(pack: Pack, kind: str, row: Mapping[str, Any] | None) -> Counter[Fact]:
    """Everything `row` adds to the pack's tallies (empty for voided or foreign rows)."""
    out: Counter[Fact] = Counter()
    if not row or row.get("voided") or row.get("campaign") != pack.id or not row.get("day"):
        return out
    attrs = record_attrs(kind, row)
    day = row["day"]
    for tally in pack.tallies:
        if tally.op == "ratio" or not _applies(tally, kind, attrs):
            continue
        if tally.op == "count":
            out[(tally.id, day, "")] += 1
        elif tally.op == "sum":
            value = attrs.get(tally.sum_of) or 0
            if value:
                out[(tally.id, day, "")] += int(value)
        elif tally.op == "distinct":
            key = attrs.get("entity") or f"place:{row.get('place') or ''}"
            out[(tally.id, day, key)] += 1
        elif tally.op == "officer_days":
            for officer in row.get("officers") or []:
                out[(tally.id, day, officer.get("badge") or officer.get("name", ""))] += 1
    return out


def delta(pack: Pack, kind: str, old: Mapping[str, Any] | None,
          new: Mapping[str, Any] | None) -> dict[Fact, int]:
    """Fact changes when `old` is replaced by `new` (zero changes are dropped)."""
    change: Counter[Fact] = Counter(facts(pack, kind, new))
    change.subtract(facts(pack, kind, old))
    return {fact: n for fact, n in change.items() if n}


@dataclass(frozen=True)
class Aggregate:
    """What the store returns per tally for a period: Σn, live (day, key) rows, live keys."""

    total: int = 0
    rows: int = 0
    keys: int = 0


def finish(pack: Pack, aggregates: Mapping[str, Aggregate]) -> dict[str, int | float]:
    """Tally values in pack order: counts and sums as integers, ratios as percent."""
    values: dict[str, int | float] = {}
    for tally in pack.tallies:
        agg = aggregates.get(tally.id, Aggregate())
        if tally.op in ("count", "sum"):
            values[tally.id] = agg.total
        elif tally.op == "officer_days":
            values[tally.id] = agg.rows
        elif tally.op == "distinct":
            values[tally.id] = agg.keys
        else:
            num = values.get(tally.numerator or "", 0)
            den = values.get(tally.denominator or "", 0)
            values[tally.id] = round(100 * num / den, tally.decimals) if den else 0.0
    return values


def fact_rows(pack_id: str, changes: Iterable[tuple[Fact, int]]) -> list[tuple[str, str, str, str, int]]:
    """Facts as rows for the store's tally table, scoped to the campaign."""
    return [(pack_id, tally_id, day, key, n) for (tally_id, day, key), n in changes]


def shown_value(tally: Tally, value: int | float) -> str:
    """Money (kept in fen) is shown in 万元 as in reports; percent with its decimals."""
    if tally.is_money:
        return f"{value / 1_000_000:.2f}"
    if tally.unit == "%":
        return f"{value:.{tally.decimals}f}"
    return str(value)
