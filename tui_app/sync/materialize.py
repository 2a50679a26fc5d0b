"""District figures from the change log: current rows and tally facts, caught up lazily.

Pushing only appends to the change log, so a push costs little more than the raw
insert of its rows. Current rows and tally facts are derived from the log afterwards,
in order, from a watermark kept in the same transaction as what it produced: the
store catches up itself once a push has committed (`SqlCentral.materialize`), and every
central read catches up first.
The tally rules are the domain's own (`domain.tally.delta`), so a district figure is
computed exactly as a laptop computes its own.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui_app.domain import identity
from tui_app.domain import tally as tally_rules
from tui_app.domain.pack import Pack, parsed
from tui_app.domain.tally import Aggregate, MarkRow
from tui_app.errors import FieldLogError
from tui_app.paths import PACKS_DIR
from tui_app.store import tallies as tally_store
from tui_app.store.merges import Merge
from tui_app.sync.protocol import PACK_KIND, Change

# The field each kind's lists sort on, newest first (entities by name).
SORT_FIELD = {
    "inspection": "started_at",
    "case": "filed_on",
    "complaint": "received_at",
    "activity": "day",
    "entity": "name",
}

FactKey = tuple[str, str, str, str]  # (campaign, tally id, day, key)


@functools.cache
def shipped_pack(campaign_id: str) -> str | None:
    """The TOML of a pack shipped inside the package, for a central store none was pushed to."""
    folder = PACKS_DIR  # not importlib.resources: it and what it imports cost ~6 ms a start
    # a shipped pack's file is named after its id: read that one first, not every pack
    items = sorted(folder.iterdir(), key=lambda item: item.name != f"{campaign_id}.toml")
    for item in items:
        if item.name.endswith(".toml"):
            text = item.read_text(encoding="utf-8")
            try:
                if parsed(text, item.name).id == campaign_id:
                    return text
            except FieldLogError:
                continue
    return None


class PackCache:
    """Parsed packs by campaign id, read from the central store (or shipped) on first use."""

    def __init__(self, source_of: Callable[[str], str | None]) -> None:
        self._source_of = source_of
        self._packs: dict[str, Pack | None] = {}

    def get(self, campaign_id: str) -> Pack | None:
        if campaign_id not in self._packs:
            source = source_in_force(self._source_of, campaign_id)
            pack = None
            if source:
                try:
                    pack = parsed(source, campaign_id)
                except FieldLogError:
                    pack = None
            self._packs[campaign_id] = pack
        return self._packs[campaign_id]


def facts_of(packs: PackCache, kind: str, body: Mapping[str, Any] | None) -> Counter[FactKey]:
    """Every tally fact a record's body contributes, keyed by its campaign."""
    out: Counter[FactKey] = Counter()
    if body is None or kind == "entity" or not body.get("campaign"):
        return out
    pack = packs.get(body["campaign"])
    if pack is None:
        return out
    for (tally_id, day, key), n in tally_rules.facts(pack, kind, body).items():
        out[(pack.id, tally_id, day, key)] += n
    return out


def marks_of(packs: PackCache, kind: str, body: Mapping[str, Any] | None) -> set[MarkRow]:
    """Every `latest` mark a record's body leaves, keyed by its campaign."""
    if body is None or kind == "entity" or not body.get("campaign"):
        return set()
    pack = packs.get(body["campaign"])
    if pack is None:
        return set()
    return set(tally_rules.mark_rows(pack.id, tally_rules.marks(pack, kind, body)))


COUNTED = "counted:"  # meta key prefix: the hash of the pack a campaign was counted with


def pack_hash(source: str | None) -> str:
    """What a campaign's figures were counted with (a changed pack means a recount)."""
    return hashlib.sha256((source or "").encode("utf-8")).hexdigest()


def source_in_force(source_of: Callable[[str], str | None], campaign_id: str) -> str | None:
    """The pack a campaign is counted with: the one pushed to the store, else the shipped one."""
    return source_of(campaign_id) or shipped_pack(campaign_id)


def stale_campaigns(counted: Iterable[tuple[str, str]],
                    source_of: Callable[[str], str | None]) -> list[str]:
    """Campaigns counted with another pack than the one in force now (meta `counted:` rows).

    A release that changes the shipped pack, or a store made before a tally operation
    existed, thus gets its figures recounted on the next catch-up, not left stale."""
    stale = []
    for key, counted_hash in counted:
        campaign = key.removeprefix(COUNTED)
        if pack_hash(source_in_force(source_of, campaign)) != counted_hash:
            stale.append(campaign)
    return stale


def current_row(change: Change) -> tuple[Any, ...]:
    """The `current` table row for a record revision."""
    body = change.body
    sort_value = body.get(SORT_FIELD.get(change.kind, "id"))
    return (
        change.record_id, change.kind, change.rev, body.get("campaign"), body.get("action"),
        body.get("day"), None if sort_value is None else str(sort_value),
        int(bool(body.get("voided"))), body.get("entity_id"),
        change.body_json(),
    )


@dataclass
class Plan:
    """What a chunk of the log changes: current rows to upsert, fact deltas, packs
    renewed, and entity merges to record once the facts are in (store/merges.py)."""

    current: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    facts: Counter[FactKey] = field(default_factory=Counter)
    gone: set[MarkRow] = field(default_factory=set)
    added: set[MarkRow] = field(default_factory=set)
    renewed_packs: set[str] = field(default_factory=set)
    campaigns: set[str] = field(default_factory=set)
    merges: list[Merge] = field(default_factory=list)

    def replace_marks(self, before: set[MarkRow], after: set[MarkRow]) -> None:
        """Fold one revision's marks in: a mark added earlier in the chunk and now gone
        was never stored, and one gone earlier and back again stays stored."""
        for mark in before:
            if mark in self.added:
                self.added.discard(mark)
            else:
                self.gone.add(mark)
        for mark in after:
            if mark in self.gone:
                self.gone.discard(mark)
            else:
                self.added.add(mark)


def referenced_entities(changes: Iterable[Change],
                        old: Mapping[str, tuple[str, dict[str, Any]]]) -> set[str]:
    """Entity ids a chunk's facts and marks may be keyed on: whose merges `plan` must know."""
    ids = {c.body.get("entity_id") for c in changes if c.kind != PACK_KIND}
    ids |= {body.get("entity_id") for _kind, body in old.values()}
    return {i for i in ids if i}


def plan(changes: Iterable[Change], old: Mapping[str, tuple[str, dict[str, Any]]],
         packs: PackCache, survivors: Mapping[str, str] | None = None) -> Plan:
    """Fold log changes (in log order) onto the current rows `old` (record id → kind, body).

    Facts are keyed on merged entities' survivors as of the chunk's start; merges in the
    chunk move every fact of their losers afterwards, these included."""
    result = Plan()
    now: dict[str, tuple[str, dict[str, Any]]] = dict(old)
    for change in changes:
        if change.kind == PACK_KIND:
            result.renewed_packs.add(change.record_id)
            continue
        before = now.get(change.record_id)
        if before is not None and before[1].get("rev", 0) >= change.rev:
            continue
        result.facts.update(facts_of(packs, change.kind, change.body))
        old_marks: set[MarkRow] = set()
        if before is not None:
            result.facts.subtract(facts_of(packs, before[0], before[1]))
            old_marks = marks_of(packs, before[0], before[1])
        result.replace_marks(old_marks, marks_of(packs, change.kind, change.body))
        if change.body.get("campaign"):
            result.campaigns.add(str(change.body["campaign"]))
        now[change.record_id] = (change.kind, change.body)
        result.current[change.record_id] = current_row(change)
        survivor = identity.merged_into(change.body) if change.kind == "entity" else None
        if survivor:
            result.merges.append((change.record_id, survivor, change.body.get("void_reason") or "",
                                  change.change_id, change.body.get("updated_at") or ""))
    result.facts = Counter(identity.rekey(result.facts, survivors or {}))
    result.gone = identity.rekey_marks(result.gone, survivors or {})
    result.added = identity.rekey_marks(result.added, survivors or {})
    # A renewed pack's campaign is recounted whole afterwards; its deltas would be wrong.
    for fact in [f for f in result.facts if f[0] in result.renewed_packs or not result.facts[f]]:
        del result.facts[fact]
    result.gone = {m for m in result.gone if m[0] not in result.renewed_packs}
    result.added = {m for m in result.added if m[0] not in result.renewed_packs}
    return result


def recount(packs: PackCache, campaign_id: str, rows: Iterable[tuple[str, str]],
            survivors: Mapping[str, str]) -> tuple[Counter[FactKey], set[MarkRow]]:
    """All facts and marks of a campaign from its current rows (kind, body JSON), after
    its pack changed, keyed on merged entities' survivors."""
    total: Counter[FactKey] = Counter()
    found: set[MarkRow] = set()
    for kind, text in rows:
        body = json.loads(text)
        total.update(facts_of(packs, kind, body))
        found |= marks_of(packs, kind, body)
    return (Counter({k: n for k, n in identity.rekey(total, survivors).items()
                     if n and k[0] == campaign_id}),
            identity.rekey_marks({m for m in found if m[0] == campaign_id}, survivors))


def key_rows(rows: Iterable[tuple[str, str, str, str, int]]) -> list[tuple[str, str, str, int]]:
    """`tally_key` deltas from fact deltas: Σn over the days per (campaign, tally, key).

    A "distinct" tally (家) has a fact per entity and day, by far the most facts; over a
    period that holds all of them its value is the number of live keys here, ~25× fewer
    rows to read (the laptop keeps the same table, see store/tallies.py)."""
    keyed: Counter[tuple[str, str, str]] = Counter()
    for campaign, tally_id, _day, key, n in rows:
        if key:
            keyed[(campaign, tally_id, key)] += n
    return [(*k, n) for k, n in keyed.items() if n]


Statement = tally_store.Statement
Reads = Callable[[Sequence[Statement]], list[list[tuple[Any, ...]]]]  # statements → their rows

_SUMMED_SQL = ("SELECT tally_id, SUM(n), COUNT(*) FROM tally_fact WHERE campaign = {p} "
               "AND day BETWEEN {p} AND {p} AND n > 0 AND tally_id IN ({ids}) GROUP BY tally_id")
_WHOLE_KEYS_SQL = "SELECT COUNT(*) FROM tally_key WHERE campaign = {p} AND tally_id = {p} AND n > 0"
_PART_KEYS_SQL = ("SELECT COUNT(DISTINCT key) FROM tally_fact WHERE campaign = {p} "
                  "AND tally_id = {p} AND day BETWEEN {p} AND {p} AND n > 0")


def aggregate(reads: Reads, mark: str, campaign: str, day_from: str, day_to: str,
              summed: Sequence[str], distinct: Sequence[str],
              latest: Sequence[str] = ()) -> dict[str, Aggregate]:
    """District tallies for a period, as the laptop reads its own (store/tallies.py).

    `summed` tallies (count, sum, officer-days) get Σn and live (day, key) rows, one
    primary-key range each. A `distinct` tally gets its live keys: from `tally_key` when
    two primary-key seeks show none of its facts lies outside the period, else counted
    from the period's daily facts. Over a million central rows this reads ~120k key rows
    instead of ~390k daily facts and their COUNT(DISTINCT) sort (README, Sync: District figures).

    The statements go in two batches of independent reads (`reads`), the seeks first and
    then the counts they choose: on PostgreSQL a batch is one round trip, where a
    statement after another cost ~25 round trips for one campaign's tallies."""
    p = mark
    checks = [tally_store.outside_statement(p, "tally_fact", campaign, t, day_from, day_to)
              for t in distinct]
    checks += [tally_store.outside_statement(p, "tally_latest", campaign, t, day_from, day_to)
               for t in latest]
    first = [(_SUMMED_SQL.format(p=p, ids=", ".join([p] * len(summed))),
              (campaign, day_from, day_to, *summed))] if summed else []
    found = reads([*first, *checks])
    cuts = [bool(rows[0][0]) for rows in found[len(first):]]
    counts = [(_PART_KEYS_SQL.format(p=p), (campaign, t, day_from, day_to)) if cut
              else (_WHOLE_KEYS_SQL.format(p=p), (campaign, t))
              for t, cut in zip(distinct, cuts[:len(distinct)], strict=True)]
    counts += [tally_store.latest_statement(p, cut, campaign, t, day_from, day_to)
               for t, cut in zip(latest, cuts[len(distinct):], strict=True)]
    chosen = reads(counts) if counts else []
    out: dict[str, Aggregate] = {}
    for rows in found[:len(first)]:
        out.update({tally_id: Aggregate(int(total), n) for tally_id, total, n in rows})
    for tally_id, rows in zip(distinct, chosen[:len(distinct)], strict=True):
        out[tally_id] = Aggregate(keys=rows[0][0])
    for tally_id, rows in zip(latest, chosen[len(distinct):], strict=True):
        out[tally_id] = tally_store.latest_aggregate(rows)
    return out


def list_where(query: Any, mark: str) -> tuple[str, list[Any]]:
    """WHERE clause over the `current` table for a list query (store.records.ListQuery)."""
    clauses, params = ["kind = " + mark], [query.kind]
    for column, value, op in (("campaign", query.campaign, "="), ("day", query.day_from, ">="),
                              ("day", query.day_to, "<="), ("action", query.action, "=")):
        if value and query.kind != "entity":
            clauses.append(f"{column} {op} {mark}")
            params.append(value)
    if query.entity_id:
        clauses.append("entity_id = " + mark)
        params.append(query.entity_id)
    if not query.include_voided:
        clauses.append("voided = 0")
    if query.text:
        clauses.append("body LIKE " + mark)
        params.append(f"%{query.text}%")
    return " AND ".join(clauses), params
