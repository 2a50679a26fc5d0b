"""How one record contributes to a campaign's tallies, and how tallies are finished.

Tallies are kept incrementally: every saved revision adds its *facts* and takes away
the facts of the revision it replaces. A fact is (tally id, local day, key, n):

- count / sum: key "" and n = 1 or the summed value; the tally is Σn (over a record's
  seized-goods lines with `over = "seized"`: n = matching lines, or their summed value);
- distinct (家): key = the entity; the tally counts keys with n > 0;
- officer_days (人次): key = the officer's badge; the day is part of the fact, so
  each (badge, day) pair with n > 0 is one 人次.

`latest` is not a sum of anything: it asks, per entity, what its latest live record in
the period shows. Each record it applies to leaves a *mark* (tally id, key, moment,
record id, day, state) where state is 1 when the record matches the tally's `match`;
the store keeps one row per mark, and the tally counts the keys whose latest mark
in the period (by local day, then moment, then record id) has state 1.

Facts and marks depend only on the record's own content, so a later edit of an entity
can never make stored tallies stale. Voided records contribute nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui_app.domain.pack import Pack, Tally

Fact = tuple[str, str, str]  # (tally id, day, key)
Mark = tuple[str, str, str, str, str, int]  # (tally id, key, moment, record id, day, state)
FactKey = tuple[str, str, str, str]  # (campaign, tally id, day, key)
MarkRow = tuple[str, str, str, str, str, str, int]  # (campaign, *Mark)

# The moment that orders one entity's records for `latest` (ISO text sorts by time).
MOMENT = {"inspection": "started_at", "case": "filed_on", "complaint": "received_at",
          "activity": "day"}


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


def lines(kind: str, row: Mapping[str, Any], over: str) -> list[Mapping[str, Any]]:
    """A record's lines of one list (`seized`: the seized-goods lines of its measures)."""
    if kind == "inspection" and over == "seized":
        items = (row.get("measures") or {}).get("seized") or []
        return [item for item in items if isinstance(item, Mapping)]
    return []


def matches(cond: Any, value: Any) -> bool:
    """Does an attribute value satisfy one `where` condition of a tally?

    A plain value on a multi-choice field means "contains it"; `{contains = …}` says so
    explicitly, and on text means "has it as a part" (an item "劣质电取暖器" contains
    "电取暖器")."""
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
        if "contains" in cond:
            ok &= _contains(value, cond["contains"])
        return ok
    if isinstance(value, list):
        return any(matches(cond, v) for v in value)
    if isinstance(cond, list):
        return value in cond
    if isinstance(cond, bool):
        return bool(value) == cond
    return value == cond


def _contains(value: Any, needle: Any) -> bool:
    if isinstance(value, list):
        return needle in value
    if isinstance(value, str) and isinstance(needle, str):
        return needle in value
    return False


def _all(conditions: Mapping[str, Any], attrs: Mapping[str, Any]) -> bool:
    return all(matches(cond, attrs.get(key)) for key, cond in conditions.items())


def _concerns(tally: Tally, kind: str, attrs: Mapping[str, Any]) -> bool:
    """Is a record of `kind` with `attrs` one this tally looks at (before its `where`)?"""
    if tally.op == "officer_days":
        if kind not in ("inspection", "activity"):
            return False
    elif kind != tally.record:
        return False
    return not tally.action or attrs.get("action") == tally.action


def _entity_key(row: Mapping[str, Any]) -> str:
    return row.get("entity_id") or f"place:{row.get('place') or ''}"


def _counts(row: Mapping[str, Any]) -> bool:
    return bool(row) and not row.get("voided") and bool(row.get("day"))


def _line_amount(tally: Tally, kind: str, row: Mapping[str, Any],
                 attrs: Mapping[str, Any]) -> int:
    """What the record's matching lines add: their number (count) or summed field (sum)."""
    total = 0
    for line in lines(kind, row, tally.over or ""):
        if _all(tally.where, {**attrs, **line}):
            value = line.get(tally.sum_of) if tally.op == "sum" else 1
            total += value if isinstance(value, int) and not isinstance(value, bool) else 0
    return total


def facts(pack: Pack, kind: str, row: Mapping[str, Any] | None) -> Counter[Fact]:
    """Everything `row` adds to the pack's additive tallies (empty for voided or foreign rows)."""
    out: Counter[Fact] = Counter()
    if not row or not _counts(row) or row.get("campaign") != pack.id:
        return out
    attrs = record_attrs(kind, row)
    day = row["day"]
    for tally in pack.tallies:
        if tally.op in ("ratio", "latest") or not _concerns(tally, kind, attrs):
            continue
        if tally.over:
            amount = _line_amount(tally, kind, row, attrs)
            if amount:
                out[(tally.id, day, "")] += amount
            continue
        if not _all(tally.where, attrs):
            continue
        if tally.op == "count":
            out[(tally.id, day, "")] += 1
        elif tally.op == "sum":
            value = attrs.get(tally.sum_of) or 0
            if value:
                out[(tally.id, day, "")] += int(value)
        elif tally.op == "distinct":
            out[(tally.id, day, _entity_key(row))] += 1
        elif tally.op == "officer_days":
            for officer in row.get("officers") or []:
                out[(tally.id, day, officer.get("badge") or officer.get("name", ""))] += 1
    return out


def marks(pack: Pack, kind: str, row: Mapping[str, Any] | None) -> set[Mark]:
    """The marks `row` leaves for the pack's `latest` tallies (none if voided or foreign)."""
    if not row or not _counts(row) or row.get("campaign") != pack.id:
        return set()
    attrs = record_attrs(kind, row)
    moment = str(row.get(MOMENT.get(kind, "day")) or row["day"])
    return {(tally.id, _entity_key(row), moment, str(row.get("id") or ""), row["day"],
             int(_all(tally.match, attrs)))
            for tally in pack.tallies
            if tally.op == "latest" and _concerns(tally, kind, attrs) and _all(tally.where, attrs)}


@dataclass
class Delta:
    """What one save changes in the stored tallies, every row scoped by its campaign.

    `facts` are additive (campaign, tally, day, key) → Δn; `gone` and `added` are the
    rows of `latest` tallies to delete and to insert (deletes first)."""

    facts: dict[FactKey, int] = field(default_factory=dict)
    gone: set[MarkRow] = field(default_factory=set)
    added: set[MarkRow] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.facts or self.gone or self.added)


def delta(pack: Pack, kind: str, old: Mapping[str, Any] | None,
          new: Mapping[str, Any] | None) -> Delta:
    """What replacing `old` by `new` changes in the pack's tallies (zero changes dropped)."""
    change: Counter[Fact] = Counter(facts(pack, kind, new))
    change.subtract(facts(pack, kind, old))
    before, after = marks(pack, kind, old), marks(pack, kind, new)
    return Delta({(pack.id, *fact): n for fact, n in change.items() if n},
                 {(pack.id, *m) for m in before - after}, {(pack.id, *m) for m in after - before})


def merge(deltas: Iterable[Delta]) -> Delta:
    """Several deltas as one (a save that touches two campaigns)."""
    total = Delta()
    summed: Counter[FactKey] = Counter()
    for part in deltas:
        summed.update(part.facts)
        total.gone |= part.gone
        total.added |= part.added
    total.facts = {k: n for k, n in summed.items() if n}
    return total


@dataclass(frozen=True)
class Aggregate:
    """What the store returns per tally for a period: Σn, live (day, key) rows, live keys.

    For a `latest` tally: `keys` entities have a latest record, `total` of them match."""

    total: int = 0
    rows: int = 0
    keys: int = 0


def finish(pack: Pack, aggregates: Mapping[str, Aggregate]) -> dict[str, int | float]:
    """Tally values in pack order: counts and sums as integers, ratios as percent."""
    values: dict[str, int | float] = {}
    for tally in pack.tallies:
        agg = aggregates.get(tally.id, Aggregate())
        if tally.op in ("count", "sum", "latest"):
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


def ids_by_op(pack: Pack) -> tuple[list[str], list[str], list[str]]:
    """Tally ids the store reads as (summed, distinct, latest); ratios are derived."""
    summed = [t.id for t in pack.tallies if t.op in ("count", "sum", "officer_days")]
    distinct = [t.id for t in pack.tallies if t.op == "distinct"]
    latest = [t.id for t in pack.tallies if t.op == "latest"]
    return summed, distinct, latest


def fact_rows(pack_id: str, changes: Iterable[tuple[Fact, int]]) -> list[tuple[str, str, str, str, int]]:
    """Facts as rows for the store's tally table, scoped to the campaign."""
    return [(pack_id, tally_id, day, key, n) for (tally_id, day, key), n in changes]


def mark_rows(pack_id: str, found: Iterable[Mark]) -> Iterator[MarkRow]:
    """Marks as rows for the store's `tally_latest` table, scoped to the campaign."""
    return ((pack_id, *m) for m in found)


def shown_value(tally: Tally, value: int | float) -> str:
    """Money (kept in fen) is shown in 万元 as in reports; percent with its decimals."""
    if tally.is_money:
        return f"{value / 1_000_000:.2f}"
    if tally.unit == "%":
        return f"{value:.{tally.decimals}f}"
    return str(value)
