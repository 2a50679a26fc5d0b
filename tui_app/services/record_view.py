"""A record as a person reads it: labelled lines and what each revision changed.

`fieldlog record show` and the app's record screen print the same view: fields named
as the form names them, the entity by its name, times in local time, money in yuan,
yes/no and choices in the user's language (the pack's `[labels.en]`), never a raw key
or a Python repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tui_app.domain.pack import Pack
from tui_app.domain.values import fen_to_yuan, local_display
from tui_app.errors import FieldLogError
from tui_app.i18n import pick, shown, t
from tui_app.services import record as record_service
from tui_app.services.context import Context

# Stored keys → catalog keys of their labels.
LABELS = {
    "entity_id": "ui.f.entity", "place": "ui.f.place", "findings": "ui.f.findings",
    "result": "ui.f.result", "started_at": "ui.f.started_at", "officers": "ui.f.officers",
    "fields": "ui.sec.form", "measures": "ui.sec.measures", "action": "col.action",
    "case_type": "ui.f.case_type", "clue_on": "ui.f.clue_on", "filed_on": "ui.f.filed_on",
    "status": "ui.f.status", "fine_fen": "ui.f.fine", "confiscated_fen": "ui.f.confiscated",
    "goods_value_fen": "ui.f.goods_value", "summary": "ui.f.summary",
    "received_at": "ui.f.received_at", "channel": "ui.f.channel", "subject": "ui.f.subject",
    "handled_at": "ui.f.handled_at", "activity_type": "ui.f.activity_type",
    "quantity": "ui.f.quantity", "note": "ui.f.note", "rev": "col.rev",
    "created_at": "ui.f.created_at", "updated_at": "col.updated_at", "day": "col.date",
    "voided": "ui.f.voided", "void_reason": "ui.f.void_reason", "warnings": "ui.f.warnings",
    "inspection_id": "ui.f.inspection", "name": "ui.f.entity_name", "uscc": "ui.f.uscc",
    "category": "ui.f.category", "township": "ui.f.township", "address": "ui.f.address",
    "kind": "col.kind", "contact": "ui.f.contact", "campaign": "col.campaign",
    "attachments": "ui.f.attachments", "documents": "ui.f.documents",
}
SHOWN_APART = ("attachments", "documents")  # each face lists them in a table of their own
MONEY = ("fine_fen", "confiscated_fen", "goods_value_fen")
MEASURES = {"rectification_ordered": "ui.f.rectify", "directives": "ui.f.directives",
            "sealed_units": "ui.f.sealed"}
NOT_CHANGES = {"rev", "updated_at", "device_id"}


@dataclass(frozen=True)
class View:
    """A record with what reading it needs: its revisions, entity name and pack."""

    kind: str
    current: dict[str, Any]
    revisions: list[dict[str, Any]]
    entity_name: str
    pack: Pack | None  # the pack of the record's own campaign (None: not installed here)


def load(ctx: Context, ref: str) -> View:
    kind, current, revisions = record_service.show(ctx, ref)
    name = ""
    if current.get("entity_id"):
        name = record_service.show(ctx, current["entity_id"])[1]["name"]
    try:
        pack = ctx.pack(current["campaign"]) if current.get("campaign") else None
    except FieldLogError:
        pack = None
    return View(kind, current, revisions, name, pack)


def label(key: str) -> str:
    name = t(LABELS[key]) if key in LABELS else key
    return name + t("ui.yuan_suffix") if key in MONEY else name


def lines(row: Mapping[str, Any], pack: Pack | None, entity_name: str,
          tz: ZoneInfo) -> list[tuple[str, str]]:
    """(label, text) for every field of `row` a reader needs, in stored order."""
    out = []
    for key, value in row.items():
        if key not in LABELS or key in SHOWN_APART or (
                key in ("voided", "void_reason", "warnings") and not value):
            continue  # ids, and what other parts show their own way (attachments...)
        if key == "entity_id":
            out.append((label(key), entity_name or ("" if value is None else str(value))))
            continue
        out.append((label(key), text(key, value, row, pack, tz)))
    return out


def text(key: str, value: Any, row: Mapping[str, Any], pack: Pack | None, tz: ZoneInfo) -> str:
    """One stored value as it reads."""
    values = pack.value_labels if pack else {}
    if key == "fields" and isinstance(value, dict):
        names = field_labels(pack, row.get("action"))
        return "\n".join(f"{names.get(k, k)}: {plain(v, values)}" for k, v in value.items())
    if key == "officers" and isinstance(value, list):
        return t("ui.sep").join(t("ui.who", name=o["name"], badge=o["badge"]) if o.get("badge")
                                else o["name"] for o in value)
    if key == "measures" and isinstance(value, dict):
        found = [f"{t(MEASURES[k]) if k in MEASURES else k}: {plain(v, values)}"
                 for k, v in value.items() if k != "seized"]
        found += [f"{i['item']} {i['quantity']}{i['unit']} {fen_to_yuan(i['value_fen'])}"
                  for i in value.get("seized") or []]
        return "\n".join(found)
    if key == "action" and pack is not None and pack.action(value or ""):
        return pick(pack.action(value).name)  # type: ignore[union-attr]
    if key == "campaign" and pack is not None and pack.id == value:
        return pick(pack.name)
    if key == "warnings" and isinstance(value, list):
        return "\n".join(t(w) if w in _catalog() else w for w in value)
    if key in MONEY and isinstance(value, int):
        return fen_to_yuan(value)
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        return local_display(value, tz)
    return plain(value, values)


def plain(value: Any, labels: Mapping[str, str]) -> str:
    """yes/no, lists joined, choices in the user's language."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("ui.yes") if value else t("ui.no")
    if isinstance(value, list):
        return t("ui.sep").join(shown(v, labels) for v in value)
    return shown(value, labels)


def field_labels(pack: Pack | None, action_id: object) -> dict[str, str]:
    action = pack.action(str(action_id or "")) if pack else None
    return {f.id: pick(f.label) for f in action.fields} if action else {}


def changes(prev: Mapping[str, Any] | None, rev: Mapping[str, Any], pack: Pack | None) -> str:
    """What a revision changed, named as the form names it (a form field by its label)."""
    if prev is None:
        return t("cli.show.created")
    names = field_labels(pack, rev.get("action"))
    changed = []
    for key in rev:
        if key in NOT_CHANGES or rev.get(key) == prev.get(key):
            continue
        if key == "fields" and isinstance(rev[key], dict):
            old = prev.get(key) or {}
            changed += [names.get(k, k) for k in {**old, **rev[key]}
                        if rev[key].get(k) != old.get(k)]
        else:
            changed.append(label(key))
    return t("ui.sep").join(changed)


def _catalog() -> Mapping[str, object]:
    from tui_app.i18n import CATALOG

    return CATALOG
