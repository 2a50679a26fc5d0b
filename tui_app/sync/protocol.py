"""The sync protocol as plain data: no transport, no database.

The same types travel between a laptop and a central SQLite file, a PostgreSQL
database or (later) the HTTP service, which serialises them as JSON. A change is one
revision of one record (or one campaign pack), identified by its own `change_id`, so
sending it twice can never store it twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

RECORD_KINDS = ("entity", "inspection", "case", "complaint", "activity")
PACK_KIND = "campaign_pack"
KINDS = (*RECORD_KINDS, PACK_KIND)

encode = json.JSONEncoder(ensure_ascii=False).encode

Status = Literal["applied", "duplicate", "stale", "rejected"]
# Who made a revision, when and on which device: not part of what it says. Two
# revisions of one record that differ only here say the same thing (see `same_content`).
METADATA: frozenset[str] = frozenset({"created_at", "updated_at", "inspector_id", "device_id"})

# Statuses after which the laptop may forget the outbox row: the central store holds
# the change (applied, duplicate) or has kept it aside as a conflict (stale).
SETTLED: frozenset[str] = frozenset({"applied", "duplicate", "stale"})


@dataclass(frozen=True)
class Change:
    """One revision of one record, as the laptop made it.

    `base` is the change id of the revision this one was made from (None for rev 1).
    It lets the central store see that an edit was made on top of a version that lost
    a conflict, so such an edit is kept aside too instead of silently winning.
    For a campaign pack, `record_id` is the pack id, `body` is {"source", "origin"}
    (and its document templates' hashes, sync/templates.py) and `rev` is assigned by
    the central store (the laptop sends 0).
    """

    change_id: str
    kind: str
    record_id: str
    rev: int
    body: dict[str, Any]
    base: str | None = None
    # The body as JSON text when the sender already holds it (the laptop's outbox does):
    # a store keeps it verbatim instead of encoding `body` again. Never part of equality.
    raw: str | None = field(default=None, compare=False, repr=False)

    def body_json(self) -> str:
        return self.raw if self.raw is not None else encode(self.body)


def same_content(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Do two bodies of one record and rev say the same thing (metadata aside)?

    Ten laptops importing one registry make the same entity revision ten times, each
    stamped with its own inspector, device and time: that is one revision arriving
    ten times (a duplicate), never a conflict."""
    if a is None or b is None:
        return False
    return ({k: v for k, v in a.items() if k not in METADATA}
            == {k: v for k, v in b.items() if k not in METADATA})


@dataclass(frozen=True, slots=True)  # slots: made once per pushed change, a third faster
class PushResult:
    """The central store's answer for one change.

    For `stale`, `kept_change_id` names the change that holds the contested revision
    centrally, and `current` is the record's current central revision, so the laptop
    can adopt it without waiting for a pull that may already have passed it.
    For a `duplicate` of another change (the same content under another change id, see
    `same_content`), `kept_change_id` and `current` are that central revision: the
    laptop takes it in place of its own, so its next edit builds on the central one.
    """

    change_id: str
    status: Status
    reason: str | None = None
    kept_change_id: str | None = None
    current: Change | None = None


@dataclass(frozen=True)
class PullPage:
    """Changes after a cursor, oldest first; `next_cursor` is opaque and carries the epoch."""

    changes: list[Change]
    next_cursor: str
    more: bool
    epoch: str


@dataclass(frozen=True)
class CentralConflict:
    """A losing version kept aside centrally, never dropped."""

    change_id: str
    kind: str
    record_id: str
    rev: int
    kept_change_id: str | None
    inspector_id: str
    device_id: str
    received_at: str
    body: dict[str, Any] = field(default_factory=dict)


def _check_pack(change: Change) -> str | None:
    from tui_app.domain.pack import parse_pack
    from tui_app.errors import FieldLogError

    source = change.body.get("source")
    if not isinstance(source, str):
        return "bad_body"
    try:
        pack = parse_pack(source, change.record_id)
    except FieldLogError:
        return "bad_pack"
    if pack.id != change.record_id:
        return "id_mismatch"
    from tui_app.sync.templates import manifest_problem

    return manifest_problem(change.body.get("templates"), [d.template for d in pack.documents])


INSPECTOR = "inspector"
BUREAU = "bureau"
ROLES = (INSPECTOR, BUREAU)
# Refusals that are about who pushes, not about what: the HTTP service answers a batch
# holding one of them with 403 and applies none of it.
AUTHORIZATION_REASONS = frozenset({"not_owner", "not_bureau"})


def check_change(change: Change, inspector_id: str, *, owner: str | None = None,
                 role: str = BUREAU, kind: str | None = None) -> str | None:
    """Why a central store must refuse `change` from `inspector_id`, or None.

    Pure, so every central store (and the HTTP service) refuses exactly the same
    changes. A record belongs to the inspector who first stored it centrally (`owner`,
    None when it is new: then the body must name the pusher); nobody else may change it,
    whatever inspector id the body carries. The entity registry is shared, so any
    inspector may revise an entity. Only the bureau publishes campaign packs. A record
    keeps the kind its first revision stored (`kind`, None when it is new): a revision
    claiming another kind would slip past the owner rule (an inspection called an entity).
    """
    if change.kind not in KINDS:
        return "unknown_kind"
    if not change.change_id or not change.record_id:
        return "missing_id"
    body = change.body
    if not isinstance(body, dict):
        return "bad_body"
    if change.kind == PACK_KIND:
        return _check_pack(change) if role == BUREAU else "not_bureau"
    if kind is not None and change.kind != kind:
        return "kind_mismatch"
    if body.get("id") != change.record_id or body.get("rev") != change.rev or change.rev < 1:
        return "id_mismatch"
    if change.rev > 1 and not change.base:
        return "missing_base"
    if change.kind != "entity":
        if owner is None and body.get("inspector_id") != inspector_id:
            return "not_owner"
        if owner is not None and owner != inspector_id:
            return "not_owner"
    return None
