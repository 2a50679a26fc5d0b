"""What each entry form holds, in tab order: paths into the record with their FormField.

An inspection's form is the pack's action form framed by what every visit has (the
entity, findings, measures, time, officers); cases, complaints and activities have
fixed forms whose choices still come from the pack. Paths are the `where` of
validation problems, so each reason lands next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_app.domain.pack import CASE_STATUSES, COMPLAINT_STATUSES, FormField, Pack
from tui_app.i18n import CATALOG, pick, shown

OFFICERS = "officers"
SEIZED = "measures.seized"


@dataclass(frozen=True)
class Spec:
    """One form row: where its value goes, how it is typed, how its choices read."""

    path: str
    field: FormField
    labels: dict[str, str] = field(default_factory=dict)  # choice value → shown text
    section: str = ""  # catalog key of a heading shown above this row


def _label(key: str) -> dict[str, str]:
    zh, en = CATALOG[key]
    return {"zh": zh, "en": en}


def _f(path: str, ftype: str, key: str, *, required: bool = False,
       choices: tuple[str, ...] = (), minimum: float | None = None) -> FormField:
    return FormField(path.rsplit(".", 1)[-1], ftype, _label(key), required=required,
                     choices=choices, min=minimum)


def spec(path: str, ftype: str, key: str, section: str = "", **kw: object) -> Spec:
    labels = kw.pop("labels", {})
    return Spec(path, _f(path, ftype, key, **kw), labels, section)  # type: ignore[arg-type]


def _choice_labels(pack: Pack, choices: tuple[str, ...]) -> dict[str, str]:
    """How each stored choice reads in the user's language (the pack's `[labels.en]`)."""
    return {c: shown(c, pack.value_labels) for c in choices}


def _pack_choice(pack: Pack, path: str, key: str, choices: tuple[str, ...]) -> Spec:
    """A required choice among `choices`, each read as the pack labels it."""
    return spec(path, "choice", key, required=True, choices=choices,
                labels=_choice_labels(pack, choices))


def _actions(pack: Pack) -> tuple[tuple[str, ...], dict[str, str]]:
    return tuple(a.id for a in pack.actions), {a.id: pick(a.name) for a in pack.actions}


def inspection_specs(pack: Pack, action_id: str) -> list[Spec]:
    action = pack.action(action_id)
    assert action is not None
    specs = [spec("entity", "entity", "ui.f.entity")]
    for i, form_field in enumerate(action.fields):
        specs.append(Spec(f"fields.{form_field.id}", form_field,
                          labels=_choice_labels(pack, form_field.choices),
                          section="ui.sec.form" if i == 0 else ""))
    specs += [
        spec("findings", "text", "ui.f.findings", section="ui.sec.result"),
        spec("result", "text", "ui.f.result"),
        spec("measures.rectification_ordered", "bool", "ui.f.rectify", section="ui.sec.measures"),
        spec("measures.directives", "int", "ui.f.directives", minimum=0),
        spec("measures.sealed_units", "int", "ui.f.sealed", minimum=0),
        spec("started_at", "text", "ui.f.started_at", section="ui.sec.visit", required=True),
        # Rare (a stall with no registration), so it does not sit between the entity and
        # the form: picking an entity goes straight on to the action's fields.
        spec("place", "text", "ui.f.place"),
    ]
    return specs


def case_specs(pack: Pack) -> list[Spec]:
    ids, names = _actions(pack)
    return [
        spec("action", "choice", "ui.f.action", required=True, choices=ids, labels=names),
        _pack_choice(pack, "case_type", "ui.f.case_type", pack.case_types),
        spec("entity", "entity", "ui.f.entity"),
        spec("clue_on", "date", "ui.f.clue_on"),
        spec("filed_on", "date", "ui.f.filed_on", required=True),
        _pack_choice(pack, "status", "ui.f.status", CASE_STATUSES),
        spec("fine_fen", "money", "ui.f.fine", section="ui.sec.money"),
        spec("confiscated_fen", "money", "ui.f.confiscated"),
        spec("goods_value_fen", "money", "ui.f.goods_value"),
        spec("summary", "text", "ui.f.summary"),
    ]


def complaint_specs(pack: Pack) -> list[Spec]:
    ids, names = _actions(pack)
    return [
        spec("received_at", "text", "ui.f.received_at", required=True),
        _pack_choice(pack, "channel", "ui.f.channel", pack.complaint_channels),
        spec("entity", "entity", "ui.f.entity"),
        spec("subject", "text", "ui.f.subject"),
        spec("summary", "text", "ui.f.summary", required=True),
        _pack_choice(pack, "status", "ui.f.status", COMPLAINT_STATUSES),
        spec("handled_at", "text", "ui.f.handled_at"),
        spec("action", "choice", "ui.f.action", choices=ids, labels=names),
    ]


def activity_specs(pack: Pack) -> list[Spec]:
    ids, names = _actions(pack)
    return [
        spec("action", "choice", "ui.f.action", required=True, choices=ids, labels=names),
        _pack_choice(pack, "activity_type", "ui.f.activity_type", pack.activity_types),
        spec("quantity", "int", "ui.f.quantity", minimum=0),
        spec("date", "date", "ui.f.date", required=True),
        spec("place", "text", "ui.f.place"),
        spec("entity", "entity", "ui.f.entity"),
        spec("note", "text", "ui.f.note"),
    ]


SPECS = {"case": case_specs, "complaint": complaint_specs, "activity": activity_specs}
# Kinds whose form ends with the officers of the visit.
WITH_OFFICERS = ("inspection", "activity")
