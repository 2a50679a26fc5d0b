"""Campaign packs: a campaign, its actions' forms and its tallies, declared in TOML.

Adding a campaign must need no Python, so everything a form or a report needs is
data here, and a wrong pack is refused up front with the file, the key and the fix,
rather than failing later in the middle of an inspector's day.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from tui_app.errors import PackError

# A pack id names the pack in settings, file names and the central store: plain and short.
PACK_ID = re.compile(r"[a-z0-9_-]{1,40}")
FIELD_TYPES = ("text", "int", "money", "bool", "choice", "multi", "date", "entity")
RECORD_KINDS = ("inspection", "case", "complaint", "activity")
TALLY_OPS = ("count", "sum", "distinct", "officer_days", "ratio")
UNITS = ("人次", "户次", "家", "份", "台", "台件", "起", "次", "人", "件", "万元", "%")

# Attributes every record of a kind offers to tallies, with their value type. Form
# fields add to these for inspections; a form field may not shadow one of them.
BUILTIN_ATTRS: dict[str, dict[str, str]] = {
    "inspection": {
        "action": "text",
        "entity": "entity",
        "place": "text",
        "result": "text",
        "rectification_ordered": "bool",
        "directives": "int",
        "sealed_units": "int",
        "seized_quantity": "int",
        "seized_value_fen": "money",
        "officer_count": "int",
    },
    "case": {
        "action": "text",
        "entity": "entity",
        "case_type": "text",
        "status": "text",
        "fine_fen": "money",
        "confiscated_fen": "money",
        "penalty_fen": "money",
        "goods_value_fen": "money",
    },
    "complaint": {"action": "text", "entity": "entity", "channel": "text", "status": "text"},
    "activity": {"action": "text", "activity_type": "text", "quantity": "int"},
}
NUMERIC_TYPES = ("int", "money")
CASE_STATUSES = ("立案", "调查", "审核", "决定", "执行", "结案")
# 待受理: received, not yet accepted or refused (the 7-working-day clock runs); most
# complaints arrive already accepted through the 12315 platform, hence the default.
COMPLAINT_STATUSES = ("待受理", "已受理", "处理中", "已办结")
DEFAULT_COMPLAINT_STATUS = "已受理"
DEFAULT_CASE_TYPES = ("虚假宣传", "非法会议营销", "特种设备安全", "产品质量", "食品安全", "价格违法", "其他")
DEFAULT_COMPLAINT_CHANNELS = ("12315热线", "网络", "来信", "来访")
DEFAULT_ACTIVITY_TYPES = ("张贴公告", "宣传", "巡查", "培训", "其他")


Label = dict[str, str]


@dataclass(frozen=True)
class FormField:
    """One field of an action's form; the same rules serve the TUI, the CLI and import."""

    id: str
    type: str
    label: Label
    required: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    help: Label = field(default_factory=dict)


@dataclass(frozen=True)
class Action:
    """A sub-action (子行动) of the campaign, in report order."""

    id: str
    name: Label
    fields: tuple[FormField, ...]

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class Tally:
    """A named aggregation over logged records, in a unit the report prints."""

    id: str
    label: Label
    unit: str
    op: str
    record: str = "inspection"
    action: str | None = None
    where: dict[str, Any] = field(default_factory=dict)
    sum_of: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    decimals: int = 1

    @property
    def is_money(self) -> bool:
        return self.unit == "万元"


@dataclass(frozen=True)
class Rules:
    """Clocks for overdue reminders, in working days (configurable: the law changes)."""

    case_filing_working_days: int = 15
    complaint_accept_working_days: int = 7


@dataclass(frozen=True)
class Pack:
    """A whole campaign: what inspectors fill in and what the bureau counts."""

    id: str
    name: Label
    period_from: dt.date
    period_to: dt.date
    unit: str
    actions: tuple[Action, ...]
    tallies: tuple[Tally, ...]
    case_types: tuple[str, ...] = DEFAULT_CASE_TYPES
    complaint_channels: tuple[str, ...] = DEFAULT_COMPLAINT_CHANNELS
    activity_types: tuple[str, ...] = DEFAULT_ACTIVITY_TYPES
    rules: Rules = field(default_factory=Rules)
    report: dict[str, Any] = field(default_factory=dict)
    source_text: str = ""

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    def tally(self, tally_id: str) -> Tally | None:
        return next((t for t in self.tallies if t.id == tally_id), None)

    def attrs_for(self, record: str, action_id: str | None) -> dict[str, str]:
        """Attribute name → type that a tally over `record` in `action_id` may use."""
        attrs = dict(BUILTIN_ATTRS[record])
        if record == "inspection":
            actions = [self.action(action_id)] if action_id else list(self.actions)
            for action in actions:
                if action:
                    attrs.update({f.id: f.type for f in action.fields})
        return attrs


def parse_pack(text: str, source: str) -> Pack:
    """Parse and validate a pack; raise PackError naming `source`, the key and the fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(source, "-", "pack.bad_toml", detail=str(exc)) from None
    return _Parser(source, raw, text).pack()


class _Parser:
    """Walks the TOML tree once, keeping the key path for error messages."""

    def __init__(self, source: str, raw: dict[str, Any], text: str) -> None:
        self.source = source
        self.raw = raw
        self.text = text

    def fail(self, where: str, key: str, **params: object) -> PackError:
        return PackError(self.source, where, key, **params)

    def table(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "pack.not_table")
        return value

    def need(self, table: dict[str, Any], key: str, where: str, kind: type | tuple) -> Any:
        if key not in table:
            raise self.fail(f"{where}.{key}" if where else key, "pack.missing_key")
        value = table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"{where}.{key}" if where else key, "pack.bad_type")
        return value

    def known_keys(self, table: dict[str, Any], allowed: set[str], where: str) -> None:
        """A misspelt key would be silently ignored and give a wrong form or tally: refuse it."""
        for key in table:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", "pack.unknown_key", known=", ".join(sorted(allowed)))

    def label(self, value: Any, where: str) -> Label:
        if isinstance(value, str):
            return {"zh": value}
        if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
            unknown = set(value) - {"zh", "en"}
            if unknown:
                raise self.fail(where, "pack.bad_label_lang", langs=", ".join(sorted(unknown)))
            return dict(value)
        raise self.fail(where, "pack.bad_label")

    def pack(self) -> Pack:
        camp = self.table(self.raw.get("campaign"), "campaign")
        camp_id = self.need(camp, "id", "campaign", str)
        if not PACK_ID.fullmatch(camp_id):
            raise self.fail("campaign.id", "pack.bad_id", id=camp_id[:60])
        period = self.table(self.need(camp, "period", "campaign", dict), "campaign.period")
        start = self.need(period, "from", "campaign.period", dt.date)
        end = self.need(period, "to", "campaign.period", dt.date)
        if start > end:
            raise self.fail("campaign.period", "pack.bad_period")
        actions = self.actions()
        lists = self.table(self.raw.get("lists", {}), "lists")
        pack = Pack(
            id=camp_id,
            name=self.label(self.need(camp, "name", "campaign", (str, dict)), "campaign.name"),
            period_from=start,
            period_to=end,
            unit=camp.get("unit", ""),
            actions=actions,
            tallies=(),
            case_types=self.str_list(lists, "case_types", DEFAULT_CASE_TYPES),
            complaint_channels=self.str_list(lists, "complaint_channels", DEFAULT_COMPLAINT_CHANNELS),
            activity_types=self.str_list(lists, "activity_types", DEFAULT_ACTIVITY_TYPES),
            rules=self.rules(),
            report=self.table(self.raw.get("report", {}), "report"),
            source_text=self.text,
        )
        tallies = self.tallies(pack)
        return Pack(**{**pack.__dict__, "tallies": tallies})

    def str_list(self, table: dict[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = table.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or not value:
            raise self.fail(f"lists.{key}", "pack.bad_choices")
        return tuple(value)

    def rules(self) -> Rules:
        raw = self.table(self.raw.get("rules", {}), "rules")
        known = Rules.__dataclass_fields__
        for key, value in raw.items():
            if key not in known:
                raise self.fail(f"rules.{key}", "pack.unknown_key", known=", ".join(known))
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise self.fail(f"rules.{key}", "pack.bad_type")
        return Rules(**raw)

    def actions(self) -> tuple[Action, ...]:
        raw_actions = self.raw.get("actions")
        if not isinstance(raw_actions, list) or not raw_actions:
            raise self.fail("actions", "pack.no_actions")
        seen: set[str] = set()
        actions = []
        for i, raw in enumerate(raw_actions):
            where = f"actions[{i}]"
            raw = self.table(raw, where)
            action_id = self.need(raw, "id", where, str)
            if action_id in seen:
                raise self.fail(f"{where}.id", "pack.duplicate_id", id=action_id)
            seen.add(action_id)
            where = f"actions.{action_id}"
            self.known_keys(raw, {"id", "name", "fields"}, where)
            name = self.label(self.need(raw, "name", where, (str, dict)), f"{where}.name")
            fields = self.fields(raw.get("fields", []), where)
            actions.append(Action(action_id, name, fields))
        return tuple(actions)

    def fields(self, raw_fields: Any, where: str) -> tuple[FormField, ...]:
        if not isinstance(raw_fields, list):
            raise self.fail(f"{where}.fields", "pack.bad_type")
        seen: set[str] = set()
        result = []
        for i, raw in enumerate(raw_fields):
            fwhere = f"{where}.fields[{i}]"
            raw = self.table(raw, fwhere)
            field_id = self.need(raw, "id", fwhere, str)
            fwhere = f"{where}.fields.{field_id}"
            if field_id in seen:
                raise self.fail(fwhere, "pack.duplicate_id", id=field_id)
            if field_id in BUILTIN_ATTRS["inspection"]:
                raise self.fail(fwhere, "pack.reserved_field", id=field_id)
            seen.add(field_id)
            self.known_keys(raw, {"id", "type", "label", "required", "min", "max", "choices", "help"},
                            fwhere)
            ftype = self.need(raw, "type", fwhere, str)
            if ftype not in FIELD_TYPES:
                raise self.fail(
                    f"{fwhere}.type", "pack.unknown_type", type=ftype, known=", ".join(FIELD_TYPES)
                )
            choices = raw.get("choices", [])
            if ftype in ("choice", "multi") and (
                not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices)
            ):
                raise self.fail(f"{fwhere}.choices", "pack.bad_choices")
            for bound in ("min", "max"):
                if bound in raw and (
                    not isinstance(raw[bound], int | float) or isinstance(raw[bound], bool)
                ):
                    raise self.fail(f"{fwhere}.{bound}", "pack.bad_type")
            result.append(
                FormField(
                    id=field_id,
                    type=ftype,
                    label=self.label(self.need(raw, "label", fwhere, (str, dict)), f"{fwhere}.label"),
                    required=bool(raw.get("required", False)),
                    min=raw.get("min"),
                    max=raw.get("max"),
                    choices=tuple(choices),
                    help=self.label(raw["help"], f"{fwhere}.help") if "help" in raw else {},
                )
            )
        return tuple(result)

    def tallies(self, pack: Pack) -> tuple[Tally, ...]:
        raw_tallies = self.raw.get("tallies", [])
        if not isinstance(raw_tallies, list):
            raise self.fail("tallies", "pack.bad_type")
        tallies: list[Tally] = []
        for i, raw in enumerate(raw_tallies):
            where = f"tallies[{i}]"
            raw = self.table(raw, where)
            tally_id = self.need(raw, "id", where, str)
            where = f"tallies.{tally_id}"
            if any(t.id == tally_id for t in tallies):
                raise self.fail(where, "pack.duplicate_id", id=tally_id)
            self.known_keys(raw, {"id", "label", "unit", *TALLY_OPS}, where)
            unit = self.need(raw, "unit", where, str)
            if unit not in UNITS:
                raise self.fail(f"{where}.unit", "pack.unknown_unit", unit=unit, known=" ".join(UNITS))
            ops = [op for op in TALLY_OPS if op in raw]
            if len(ops) != 1:
                raise self.fail(where, "pack.tally_op", known=", ".join(TALLY_OPS))
            op = ops[0]
            spec = self.table(raw[op], f"{where}.{op}")
            label = self.label(self.need(raw, "label", where, (str, dict)), f"{where}.label")
            tallies.append(self.tally(pack, tallies, tally_id, label, unit, op, spec, where))
        return tuple(tallies)

    def tally(
        self,
        pack: Pack,
        earlier: list[Tally],
        tally_id: str,
        label: Label,
        unit: str,
        op: str,
        spec: dict[str, Any],
        where: str,
    ) -> Tally:
        where = f"{where}.{op}"
        allowed = {"ratio": {"numerator", "denominator", "decimals"},
                   "officer_days": {"action"},
                   "sum": {"record", "action", "where", "field"}}.get(op, {"record", "action", "where"})
        self.known_keys(spec, allowed, where)
        if op == "ratio":
            parts = {}
            for key in ("numerator", "denominator"):
                ref = self.need(spec, key, where, str)
                if not any(t.id == ref for t in earlier):
                    raise self.fail(f"{where}.{key}", "pack.unknown_tally", id=ref)
                parts[key] = ref
            decimals = spec.get("decimals", 1)
            if not isinstance(decimals, int) or not 0 <= decimals <= 4:
                raise self.fail(f"{where}.decimals", "pack.bad_type")
            return Tally(tally_id, label, unit, op, decimals=decimals, **parts)
        record = spec.get("record", "inspection")
        if op == "officer_days":
            record = "inspection"
        if record not in RECORD_KINDS:
            raise self.fail(f"{where}.record", "pack.unknown_record", record=record,
                            known=", ".join(RECORD_KINDS))
        action = spec.get("action")
        if action is not None and pack.action(action) is None:
            raise self.fail(f"{where}.action", "pack.unknown_action", action=action,
                            known=", ".join(a.id for a in pack.actions))
        attrs = pack.attrs_for(record, action)
        where_clause = self.table(spec.get("where", {}), f"{where}.where")
        for key, cond in where_clause.items():
            if key not in attrs:
                raise self.fail(f"{where}.where.{key}", "pack.unknown_field", field=key,
                                known=", ".join(sorted(attrs)))
            self.check_condition(cond, f"{where}.where.{key}")
        sum_of = None
        if op == "sum":
            sum_of = self.need(spec, "field", where, str)
            if sum_of not in attrs:
                raise self.fail(f"{where}.field", "pack.unknown_field", field=sum_of,
                                known=", ".join(sorted(attrs)))
            if attrs[sum_of] not in NUMERIC_TYPES:
                raise self.fail(f"{where}.field", "pack.sum_not_numeric", field=sum_of)
        return Tally(tally_id, label, unit, op, record=record, action=action,
                     where=dict(where_clause), sum_of=sum_of)

    def check_condition(self, cond: Any, where: str) -> None:
        if isinstance(cond, dict):
            unknown = set(cond) - {"min", "max", "present", "not"}
            if unknown:
                raise self.fail(where, "pack.bad_condition", keys=", ".join(sorted(unknown)))
        elif not isinstance(cond, str | int | float | bool | list):
            raise self.fail(where, "pack.bad_condition", keys=type(cond).__name__)
