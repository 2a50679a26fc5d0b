"""Validation of records as they arrive from a form, a CLI option or an import line.

One validator per record kind turns raw input into the stored row (the body that is
saved, revised and synced) or a list of every problem found. The form, `record add`
and `fieldlog import` all call these, so the three can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tui_app.domain import uscc as uscc_rules
from tui_app.domain.pack import CASE_STATUSES, COMPLAINT_STATUSES, DEFAULT_COMPLAINT_STATUS, Pack
from tui_app.domain.values import (
    BadValue,
    coerce,
    is_empty,
    local_day,
    parse_bool,
    parse_date,
    parse_int,
    parse_local_time,
    utc_iso,
)
from tui_app.errors import Problem, ValidationFailed

KINDS = ("entity", "inspection", "case", "complaint", "activity")
# Resolves an entity reference (USCC or exact name) to an entity id, or None.
EntityResolver = Callable[[str], str | None]

ENTITY_KINDS = ("企业", "个体工商户", "农民专业合作社", "事业单位", "医疗机构", "其他")


@dataclass
class Checked:
    """A validated row plus the warnings the user should see (and that are recorded)."""

    row: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)


class _Collector:
    """Collects every problem of one input so the user can fix them all in one go."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def run(self, where: str, fn: Callable[[], Any], default: Any = None) -> Any:
        try:
            return fn()
        except BadValue as exc:
            self.problems.append(Problem(where, exc.key, exc.params))
            return default

    def add(self, where: str, key: str, **params: object) -> None:
        self.problems.append(Problem(where, key, params))

    def warn(self, where: str, key: str, **params: object) -> None:
        self.warnings.append(Problem(where, key, params))

    def done(self, row: dict[str, Any]) -> Checked:
        if self.problems:
            raise ValidationFailed(self.problems)
        row["warnings"] = [w.key for w in self.warnings]
        return Checked(row, self.warnings)


def _text(raw: Mapping[str, Any], key: str, c: _Collector, required: bool = False) -> str:
    value = raw.get(key)
    if is_empty(value):
        if required:
            c.add(key, "value.required")
        return ""
    if not isinstance(value, str):
        c.add(key, "value.not_text", value=value)
        return ""
    return value.strip()


def _money(raw: Mapping[str, Any], key: str, c: _Collector) -> int:
    def parse() -> int:
        number = parse_int(raw.get(key) or 0)
        if number < 0:
            raise BadValue("value.negative", value=number)
        return number

    return c.run(key, parse, 0)


def _choice(raw: Mapping[str, Any], key: str, choices: tuple[str, ...], c: _Collector,
            default: str | None = None) -> str:
    value = raw.get(key, default)
    if value not in choices:
        c.add(key, "value.unknown_choice", value=value, choices="、".join(choices))
        return ""
    return value


def _action(raw: Mapping[str, Any], pack: Pack, c: _Collector, required: bool = True) -> str | None:
    action = raw.get("action")
    if is_empty(action):
        if required:
            c.add("action", "value.required")
        return None
    if pack.action(action) is None:
        c.add("action", "record.unknown_action", action=action,
              known=", ".join(a.id for a in pack.actions))
        return None
    return action


def _day_in_campaign(day: str, pack: Pack, where: str, c: _Collector) -> None:
    if day and not pack.period_from.isoformat() <= day <= pack.period_to.isoformat():
        c.add(where, "record.outside_campaign", day=day, start=pack.period_from.isoformat(),
              end=pack.period_to.isoformat())


def _entity_ref(raw: Mapping[str, Any], resolve: EntityResolver, c: _Collector,
                required: bool) -> str | None:
    ref = raw.get("entity")
    if is_empty(ref):
        if required:
            c.add("entity", "value.required")
        return None
    if not isinstance(ref, str):
        c.add("entity", "value.not_text", value=ref)
        return None
    entity_id = resolve(ref.strip())
    if entity_id is None:
        c.add("entity", "record.unknown_entity", ref=ref)
    return entity_id


def _officers(raw: Mapping[str, Any], c: _Collector) -> list[dict[str, str]]:
    value = raw.get("officers") or []
    if not isinstance(value, list):
        c.add("officers", "record.bad_officers")
        return []
    officers = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, dict) or is_empty(item.get("name")):
            c.add(f"officers[{i}]", "record.bad_officer")
            continue
        officers.append({"name": str(item["name"]).strip(), "badge": str(item.get("badge") or "").strip()})
    badges = [o["badge"] or o["name"] for o in officers]
    if len(set(badges)) != len(badges):
        c.add("officers", "record.duplicate_officer")
    if len(officers) < 2:
        c.warn("officers", "record.fewer_than_two_officers", count=len(officers))
    return officers


def _time(raw: Mapping[str, Any], key: str, pack: Pack, tz: ZoneInfo, c: _Collector,
          required: bool = True) -> tuple[str, str]:
    """(UTC instant, local day) of `key`, checked against the campaign period."""
    if is_empty(raw.get(key)):
        if required:
            c.add(key, "value.required")
        return "", ""
    moment = c.run(key, lambda: parse_local_time(raw[key], tz))
    if moment is None:
        return "", ""
    day = local_day(moment, tz)
    _day_in_campaign(day, pack, key, c)
    return utc_iso(moment), day


def _plain_value(value: Any) -> bool:
    """A value worth keeping as it was: text, a number, a bool, or a short list of them."""
    scalar = (str, int, float, bool)
    if isinstance(value, list):
        return 0 < len(value) <= 100 and all(isinstance(v, scalar) for v in value)
    return isinstance(value, scalar) and not is_empty(value)


def _form_fields(raw: Mapping[str, Any], pack: Pack, action_id: str | None,
                 c: _Collector) -> dict[str, Any]:
    values = raw.get("fields") or {}
    if not isinstance(values, dict):
        c.add("fields", "record.bad_fields")
        return {}
    action = pack.action(action_id) if action_id else None
    if action is None:
        return {}
    out: dict[str, Any] = {}
    for key in values:
        if key in action.retired:
            # written by an earlier version of the pack: kept as it was, counted nowhere
            if _plain_value(values[key]):
                out[key] = values[key]
            elif not is_empty(values[key]):
                c.add(f"fields.{key}", "record.bad_retired", field=key)
        elif action.field(key) is None:
            c.add(f"fields.{key}", "record.unknown_field", field=key,
                  known=", ".join(f.id for f in action.fields))
    for form_field in action.fields:
        value = values.get(form_field.id)
        if is_empty(value):
            if form_field.required:
                c.add(f"fields.{form_field.id}", "value.required")
            continue
        out[form_field.id] = c.run(f"fields.{form_field.id}", lambda f=form_field, v=value: coerce(f, v))
    return out


def _measures(raw: Mapping[str, Any], c: _Collector) -> dict[str, Any]:
    value = raw.get("measures") or {}
    if not isinstance(value, dict):
        c.add("measures", "record.bad_measures")
        return {}

    def count(key: str) -> int:
        def parse() -> int:
            number = parse_int(value.get(key) or 0)
            if number < 0:
                raise BadValue("value.negative", value=number)
            return number

        return c.run(f"measures.{key}", parse, 0)

    seized = []
    for i, item in enumerate(value.get("seized") or [], start=1):
        where = f"measures.seized[{i}]"
        if not isinstance(item, dict) or is_empty(item.get("item")):
            c.add(where, "record.bad_seized")
            continue
        quantity = c.run(f"{where}.quantity", lambda it=item: parse_int(it.get("quantity") or 0), 0)
        value_fen = c.run(f"{where}.value_fen", lambda it=item: parse_int(it.get("value_fen") or 0), 0)
        if quantity < 0 or value_fen < 0:
            c.add(where, "value.negative", value=min(quantity, value_fen))
        seized.append({"item": str(item["item"]).strip(), "unit": str(item.get("unit") or "件"),
                       "quantity": quantity, "value_fen": value_fen})
    return {
        "rectification_ordered": c.run("measures.rectification_ordered",
                                       lambda: parse_bool(value.get("rectification_ordered", False)),
                                       False),
        "directives": count("directives"),
        "sealed_units": count("sealed_units"),
        "seized": seized,
    }


def check_inspection(raw: Mapping[str, Any], pack: Pack, tz: ZoneInfo,
                     resolve: EntityResolver) -> Checked:
    c = _Collector()
    action = _action(raw, pack, c)
    entity_id = _entity_ref(raw, resolve, c, required=is_empty(raw.get("place")))
    started_at, day = _time(raw, "started_at", pack, tz, c)
    row = {
        "campaign": pack.id,
        "action": action,
        "entity_id": entity_id,
        "place": _text(raw, "place", c),
        "started_at": started_at,
        "day": day,
        "officers": _officers(raw, c),
        "fields": _form_fields(raw, pack, action, c),
        "findings": _text(raw, "findings", c),
        "measures": _measures(raw, c),
        "result": _text(raw, "result", c),
    }
    return c.done(row)


def check_case(raw: Mapping[str, Any], pack: Pack, tz: ZoneInfo, resolve: EntityResolver) -> Checked:
    c = _Collector()
    filed = c.run("filed_on", lambda: parse_date(raw.get("filed_on")))
    day = filed.isoformat() if filed else ""
    _day_in_campaign(day, pack, "filed_on", c)
    clue = raw.get("clue_on")
    row = {
        "campaign": pack.id,
        "action": _action(raw, pack, c),
        "entity_id": _entity_ref(raw, resolve, c, required=False),
        "inspection_id": raw.get("inspection_id") or None,
        "case_type": _choice(raw, "case_type", pack.case_types, c),
        "clue_on": c.run("clue_on", lambda: parse_date(clue).isoformat()) if clue else None,
        "filed_on": day,
        "day": day,
        "status": _choice(raw, "status", CASE_STATUSES, c, default=CASE_STATUSES[0]),
        "fine_fen": _money(raw, "fine_fen", c),
        "confiscated_fen": _money(raw, "confiscated_fen", c),
        "goods_value_fen": _money(raw, "goods_value_fen", c),
        "summary": _text(raw, "summary", c),
    }
    return c.done(row)


def check_complaint(raw: Mapping[str, Any], pack: Pack, tz: ZoneInfo,
                    resolve: EntityResolver) -> Checked:
    c = _Collector()
    received_at, day = _time(raw, "received_at", pack, tz, c)
    handled = raw.get("handled_at")
    handled_at = ""
    if not is_empty(handled):
        moment = c.run("handled_at", lambda: parse_local_time(handled, tz))
        handled_at = utc_iso(moment) if moment else ""
    row = {
        "campaign": pack.id,
        "action": _action(raw, pack, c, required=False),
        "received_at": received_at,
        "day": day,
        "channel": _choice(raw, "channel", pack.complaint_channels, c),
        "entity_id": _entity_ref(raw, resolve, c, required=False),
        "subject": _text(raw, "subject", c),
        "summary": _text(raw, "summary", c, required=True),
        "status": _choice(raw, "status", COMPLAINT_STATUSES, c, default=DEFAULT_COMPLAINT_STATUS),
        "handled_at": handled_at or None,
    }
    return c.done(row)


def check_activity(raw: Mapping[str, Any], pack: Pack, tz: ZoneInfo,
                   resolve: EntityResolver) -> Checked:
    c = _Collector()
    when = c.run("date", lambda: parse_date(raw.get("date")))
    day = when.isoformat() if when else ""
    _day_in_campaign(day, pack, "date", c)

    def quantity() -> int:
        number = parse_int(raw.get("quantity", 0) or 0)
        if number < 0:
            raise BadValue("value.negative", value=number)
        return number

    row = {
        "campaign": pack.id,
        "action": _action(raw, pack, c),
        "entity_id": _entity_ref(raw, resolve, c, required=False),
        "place": _text(raw, "place", c),
        "day": day,
        "activity_type": _choice(raw, "activity_type", pack.activity_types, c),
        "quantity": c.run("quantity", quantity, 0),
        "officers": _officers(raw, c),
        "note": _text(raw, "note", c),
    }
    return c.done(row)


def check_entity(raw: Mapping[str, Any], initials: Callable[[str], str]) -> Checked:
    """An entity (市场主体); a USCC failing its check character needs `uscc_override`."""
    c = _Collector()
    name = _text(raw, "name", c, required=True)
    code = uscc_rules.normalize(str(raw.get("uscc") or ""))
    if code:
        problem = uscc_rules.problem(code)
        overridden = bool(raw.get("uscc_override"))
        if problem and problem.kind == "check" and overridden:
            c.warn("uscc", "uscc.check_overridden", found=problem.found, expected=problem.expected)
        elif problem:
            c.add("uscc", f"uscc.{problem.kind}", position=problem.position, found=problem.found,
                  expected=problem.expected)
    kind = _text(raw, "kind", c) or (uscc_rules.entity_kind(code) if code else None) or "其他"
    row = {
        "uscc": code or None,
        "name": name,
        "kind": kind,
        "category": _text(raw, "category", c),
        "address": _text(raw, "address", c),
        "township": _text(raw, "township", c),
        "contact": _text(raw, "contact", c),
        "initials": initials(name) if name else "",
    }
    return c.done(row)


CHECKERS = {
    "inspection": check_inspection,
    "case": check_case,
    "complaint": check_complaint,
    "activity": check_activity,
}


def fields_from_text(pack: Pack, action_id: str, texts: Mapping[str, str]) -> dict[str, Any]:
    """Form fields typed as text (`--field k=v`) → stored values, all problems at once."""
    from tui_app.domain.values import from_text

    c = _Collector()
    action = pack.action(action_id)
    if action is None:
        c.add("action", "record.unknown_action", action=action_id,
              known=", ".join(a.id for a in pack.actions))
        raise ValidationFailed(c.problems)
    out: dict[str, Any] = {}
    for key, text in texts.items():
        form_field = action.field(key)
        if form_field is None:
            c.add(f"fields.{key}", "record.unknown_field", field=key,
                  known=", ".join(f.id for f in action.fields))
            continue
        out[key] = c.run(f"fields.{key}", lambda f=form_field, v=text: from_text(f, v))
    if c.problems:
        raise ValidationFailed(c.problems)
    return out


def seized_from_text(text: str) -> dict[str, Any]:
    """'电取暖器:台:12:3600' (item:unit:quantity:value in yuan) → a seized item."""
    from tui_app.domain.values import parse_yuan

    parts = [p.strip() for p in text.replace("：", ":").split(":")]
    if len(parts) != 4 or not parts[0]:
        raise ValidationFailed([Problem("--seize", "record.bad_seized_text", {"value": text})])
    c = _Collector()
    quantity = c.run("--seize", lambda: parse_int(parts[2]), 0)
    value_fen = c.run("--seize", lambda: parse_yuan(parts[3]), 0)
    if c.problems:
        raise ValidationFailed(c.problems)
    return {"item": parts[0], "unit": parts[1] or "件", "quantity": quantity, "value_fen": value_fen}
