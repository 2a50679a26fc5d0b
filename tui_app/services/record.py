"""Recording: add, edit (a new revision), void (with a reason), show and list records.

Every save goes through `save`, which stamps the revision, works out what it changes
in the campaign's tallies and hands both to the store in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui_app.domain import identity, input_limits
from tui_app.domain import records as rules
from tui_app.domain import tally as tally_rules
from tui_app.domain.ids import new_id, utc_now
from tui_app.errors import FieldLogError, Problem, ValidationFailed
from tui_app.services.context import Context
from tui_app.store import merges
from tui_app.store import records as store
from tui_app.store.db import Interrupted as Interrupted  # a stale list query, stopped
from tui_app.store.records import ListQuery as ListQuery  # faces page through this service

# Kept by the record itself, never set by an edit (the day follows from its time).
NOT_EDITABLE = ("campaign", "day", "warnings")
META = ("id", "rev", "created_at", "updated_at", "inspector_id", "device_id", "voided", "void_reason")
# Parts of a record that no form edits (evidence, printed documents' numbers): a revision
# made from a form or an import line carries them over from the previous one.
CARRIED = ("attachments", "documents")


@dataclass(frozen=True)
class Saved:
    """What a save produced: the record's id, its new rev and warnings to show."""

    kind: str
    id: str
    rev: int
    warnings: list[Problem] = field(default_factory=list)


def initials(name: str) -> str:
    """Pinyin initials ('北京市场' → 'bjsc') so entities are found by a few keystrokes."""
    from pypinyin import Style, lazy_pinyin  # heavy dictionaries: load only when needed

    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if p).lower()


def save(ctx: Context, kind: str, row: Mapping[str, Any], old: Mapping[str, Any] | None = None,
         *, record_id: str | None = None) -> dict[str, Any]:
    """Store `row` as the next revision of `old` (or as a new record) with its tally facts."""
    now = utc_now()
    if old is None and record_id is None:
        record_id = identity.entity_id_of(row) if kind == "entity" else new_id()
    body = {
        **{k: v for k, v in row.items() if k not in META},
        "id": old["id"] if old else record_id,
        "rev": old["rev"] + 1 if old else 1,
        "created_at": old["created_at"] if old else now,
        "updated_at": now,
        "inspector_id": old["inspector_id"] if old else ctx.inspector_id,
        "device_id": ctx.device_id,
        "voided": bool(row.get("voided", False)),
        "void_reason": row.get("void_reason"),
    }
    for key in CARRIED:
        if key not in body and old and old.get(key):
            body[key] = old[key]
        if not body.get(key):
            body.pop(key, None)  # absent, not empty: a revision lists only what it holds
    store.write(ctx.db, store.Change(kind, body, new_id()), fact_delta(ctx, kind, old, body))
    return body


def fact_delta(ctx: Context, kind: str, old: Mapping[str, Any] | None,
               new: Mapping[str, Any] | None,
               known: Mapping[str, str] | None = None) -> tally_rules.Delta:
    """Tally changes (facts and `latest` marks, keyed by campaign) when `old` becomes `new`.

    Merged entities' facts are keyed on their survivors, looked up here unless `known`
    (loser → survivor, read once for many records) is given."""
    if kind == "entity":
        return tally_rules.Delta()
    parts = []
    for campaign in {r["campaign"] for r in (old, new) if r and r.get("campaign")}:
        try:
            pack = ctx.pack(campaign)
        except FieldLogError:
            continue  # a record of a campaign this laptop has no pack for counts nowhere here
        parts.append(tally_rules.delta(
            pack, kind, old if old and old.get("campaign") == campaign else None,
            new if new and new.get("campaign") == campaign else None))
    entities = [r.get("entity_id") for r in (old, new) if r]
    survivors = (merges.survivors(ctx.db.conn, entities) if known is None
                 else {e: known[e] for e in entities if e in known})
    return identity.rekey_delta(tally_rules.merge(parts), survivors)


def check(ctx: Context, kind: str, raw: Mapping[str, Any], resolve: rules.EntityResolver | None = None,
          campaign: str | None = None) -> rules.Checked:
    """Validate `raw` as a `kind` record of `campaign`, else of the campaign it names,
    else of the campaign in use on the day it is dated (see `Context.campaign_on`)."""
    refused = input_limits.problems(dict(raw))
    if refused:
        raise ValidationFailed(refused)
    resolve = resolve or (lambda ref: store.resolve_entity(ctx.db, ref))
    if kind == "entity":
        return rules.check_entity(raw, initials)
    if kind not in rules.CHECKERS:
        raise ValidationFailed([Problem("type", "record.unknown_type",
                                        {"type": kind, "known": ", ".join(rules.KINDS)})])
    return rules.CHECKERS[kind](raw, ctx.pack(campaign or campaign_for(ctx, kind, raw)), ctx.tz,
                                resolve)


def campaign_for(ctx: Context, kind: str, raw: Mapping[str, Any]) -> str:
    """The campaign a new record belongs to: the one it names, else the one in use on
    the day it is dated (today when it has no readable date)."""
    named = raw.get("campaign")
    if isinstance(named, str) and named:
        return named
    return ctx.campaign_on(rules.record_day(kind, raw, ctx.tz) or ctx.today())


def add(ctx: Context, kind: str, raw: Mapping[str, Any]) -> Saved:
    """Validate and save a new record. A new entity gets its derived id; one that is
    already registered (same USCC, or same name and township) is that entity, and one
    the bureau merged is its survivor: nothing is written then."""
    checked = check(ctx, kind, raw)
    if kind == "entity":
        derived = identity.entity_id_of(checked.row)
        survivor = merges.survivors(ctx.db.conn, [derived]).get(derived, derived)
        known = store.get(ctx.db, "entity", survivor)
        if known is not None:
            return Saved(kind, known["id"], known["rev"], checked.warnings)
    body = save(ctx, kind, checked.row)
    return Saved(kind, body["id"], body["rev"], checked.warnings)


def resolve_id(ctx: Context, ref: str) -> tuple[str, dict[str, Any]]:
    """A record from its id, or an unambiguous start or end of it (lists show the end)."""
    found = store.find(ctx.db, ref)
    if found:
        return found
    ids = store.find_by_fragment(ctx.db, ref.lower()) if len(ref) >= 6 else []
    if len(ids) == 1:
        found = store.find(ctx.db, ids[0])
        if found:
            return found
    if len(ids) > 1:
        raise FieldLogError("record.ambiguous_id", ref=ref)
    raise FieldLogError("record.not_found", ref=ref)


def as_input(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row in the shape validators accept, so an edit revalidates everything."""
    raw = {k: v for k, v in row.items() if k not in META and k not in CARRIED and k != "entity_name"}
    if "entity_id" in raw:
        raw["entity"] = raw.pop("entity_id")
    if kind == "activity" and "day" in raw:
        raw["date"] = raw.pop("day")  # an activity is typed with its date, stored by day
    if kind == "entity" and "uscc_override" not in raw:
        raw["uscc_override"] = "uscc.check_overridden" in (row.get("warnings") or [])
    return raw


def edit(ctx: Context, ref: str, changes: Mapping[str, Any]) -> Saved:
    """A new revision with `changes` applied; the older revision stays readable."""
    kind, old = resolve_id(ctx, ref)
    if old["voided"]:
        raise FieldLogError("record.is_voided", id=old["id"])
    raw = as_input(kind, old)
    unknown = [key for key in changes if key not in raw or key in NOT_EDITABLE]
    if unknown:  # a mistyped key would otherwise be ignored and "nothing changed" said
        known = ", ".join(sorted(k for k in raw if k not in NOT_EDITABLE))
        raise ValidationFailed([Problem(key, "record.unknown_key", {"name": key, "known": known})
                                for key in unknown])
    if changes.get("action", old.get("action")) != old.get("action"):
        raw["fields"] = {}  # another action has another form: old answers do not carry over
    for key, value in changes.items():
        if key in ("fields", "measures") and isinstance(value, Mapping):
            raw[key] = {**(raw.get(key) or {}), **value}
        else:
            raw[key] = value
    checked = check(ctx, kind, raw, campaign=old.get("campaign"))
    if _same(old, checked.row):
        return Saved(kind, old["id"], old["rev"], checked.warnings)
    body = save(ctx, kind, checked.row, old)
    return Saved(kind, body["id"], body["rev"], checked.warnings)


def _same(old: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    return all(old.get(k) == v for k, v in row.items())


def void(ctx: Context, ref: str, reason: str) -> Saved:
    """Void a record with a reason: a new revision that counts nowhere, never a deletion."""
    if not reason or not reason.strip():
        raise ValidationFailed([Problem("reason", "record.void_needs_reason")])
    refused = input_limits.problems(reason, "reason")
    if refused:
        raise ValidationFailed(refused)
    kind, old = resolve_id(ctx, ref)
    if old["voided"]:
        raise FieldLogError("record.is_voided", id=old["id"])
    row = {k: v for k, v in old.items() if k != "entity_name"}
    row.update(voided=True, void_reason=reason.strip())
    body = save(ctx, kind, row, old)
    return Saved(kind, body["id"], body["rev"])


def show(ctx: Context, ref: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """A record whole, with every revision (oldest first)."""
    kind, current = resolve_id(ctx, ref)
    return kind, current, store.history(ctx.db, current["id"])


def page(ctx: Context, query: store.ListQuery,
         cancelled: Callable[[], bool] | None = None) -> list[dict[str, Any]]:
    """One page of a list; stops with `Interrupted` once `cancelled()` is true (a newer
    query has replaced this one while the user types)."""
    with ctx.db.interruptible(cancelled):
        return store.page(ctx.db, query)


def total(ctx: Context, query: store.ListQuery,
          cancelled: Callable[[], bool] | None = None) -> int:
    """How many rows the list holds, stopping like `page` does."""
    with ctx.db.interruptible(cancelled):
        return store.count(ctx.db, query)
