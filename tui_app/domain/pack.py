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
from functools import lru_cache
from typing import Any

from tui_app.domain.documents import WHEN, DocumentSpec, pattern_problem
from tui_app.errors import PackError

# A pack id names the pack in settings, file names and the central store: plain and short.
PACK_ID = re.compile(r"[a-z0-9_-]{1,40}")
FIELD_TYPES = ("text", "int", "money", "bool", "choice", "multi", "date", "entity")
RECORD_KINDS = ("inspection", "case", "complaint", "activity")
TALLY_OPS = ("count", "sum", "distinct", "officer_days", "latest", "ratio")
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
# Lists of lines inside a record that `count` and `sum` can run over (`over = "seized"`),
# with the attributes of one line. Seized goods are the measures' lines: a figure about
# goods (收缴电取暖器 n 台件, 货值) is counted from them, never typed a second time.
LINE_ATTRS: dict[str, dict[str, dict[str, str]]] = {
    "inspection": {
        "seized": {"item": "text", "unit": "text", "quantity": "int", "value_fen": "money"},
    },
}
NUMERIC_TYPES = ("int", "money")
YEAR_ROUND = "year-round"
AUTO_CAMPAIGN = "auto"  # `campaign use auto`: back to the campaign active on each day
CONDITION_KEYS = ("min", "max", "present", "not", "contains")
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
    # Field ids an earlier version of the pack had: old records carrying them stay valid
    # (the value is kept as it was), no form shows them and no tally may count them.
    retired: tuple[str, ...] = ()

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
    over: str | None = None  # count / sum over a record's lines ("seized") instead of records
    match: dict[str, Any] = field(default_factory=dict)  # latest: what the latest record must be
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
    # A year-round pack (routine supervision, 日常监管) has no campaign period: its days
    # are those of the calendar year asked about, and any date is inside it.
    year_round: bool = False
    # English labels of stored values (units, statuses, choices): the stored value stays
    # the Chinese one the report and the bureau's ledgers need.
    value_labels: dict[str, str] = field(default_factory=dict)

    def span(self, day: dt.date) -> tuple[dt.date, dt.date]:
        """The campaign's first and last day as seen from `day` (the calendar year of
        `day` for a year-round pack)."""
        if self.year_round:
            return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
        return self.period_from, self.period_to

    def covers(self, day: dt.date) -> bool:
        start, end = self.span(day)
        return start <= day <= end
    documents: tuple[DocumentSpec, ...] = ()

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    def tally(self, tally_id: str) -> Tally | None:
        return next((t for t in self.tallies if t.id == tally_id), None)

    def _actions(self, action_id: str | None) -> list[Action]:
        return [a for a in ([self.action(action_id)] if action_id else self.actions) if a]

    def attrs_for(self, record: str, action_id: str | None) -> dict[str, str]:
        """Attribute name → type that a tally over `record` in `action_id` may use."""
        attrs = dict(BUILTIN_ATTRS[record])
        if record == "inspection":
            for action in self._actions(action_id):
                attrs.update({f.id: f.type for f in action.fields})
        return attrs

    def choices_for(self, action_id: str | None, field_id: str) -> set[str]:
        """The choices of a choice or multi-choice form field (over all actions if none)."""
        return {c for action in self._actions(action_id)
                for f in action.fields if f.id == field_id for c in f.choices}

    def retired_in(self, action_id: str | None) -> set[str]:
        """Retired field ids of the action (or of any action): tallies may not use them."""
        return {r for action in self._actions(action_id) for r in action.retired}


def parsed(text: str, source: str) -> Pack:
    """`parse_pack`, once per text in a process, whoever asks and under whatever name:
    every command opens a context, and a central read finds the same text in its store
    (or shipped) that the laptop parsed; a parse costs ~8 ms, the costliest part of a
    command's start. A text that fails is parsed again to name `source` in the error."""
    try:
        return _parsed_text(text)
    except PackError:
        return parse_pack(text, source)


@lru_cache(maxsize=32)
def _parsed_text(text: str) -> Pack:
    return parse_pack(text, "-")


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
        if camp_id == AUTO_CAMPAIGN:
            raise self.fail("campaign.id", "pack.reserved_id", id=camp_id)
        start, end, year_round = self.period(camp)
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
            year_round=year_round,
            value_labels=self.value_labels(),
            documents=self.documents(actions),
        )
        tallies = self.tallies(pack)
        self.check_labelled_values(pack)
        return Pack(**{**pack.__dict__, "tallies": tallies})

    def check_labelled_values(self, pack: Pack) -> None:
        """A label for a value nothing stores is a typo that would leave the value untranslated."""
        known = {*UNITS, *CASE_STATUSES, *COMPLAINT_STATUSES, *pack.case_types,
                 *pack.complaint_channels, *pack.activity_types,
                 *(c for a in pack.actions for f in a.fields for c in f.choices)}
        for value in pack.value_labels:
            if value not in known:
                raise self.fail(f"labels.en.{value}", "pack.unknown_label_value", value=value)

    def period(self, camp: dict[str, Any]) -> tuple[dt.date, dt.date, bool]:
        """`period = { from, to }`, or `period = "year-round"` for routine supervision."""
        raw = self.need(camp, "period", "campaign", (dict, str))
        if isinstance(raw, str):
            if raw != YEAR_ROUND:
                raise self.fail("campaign.period", "pack.bad_period_text", value=raw)
            return dt.date.min, dt.date.max, True
        period = self.table(raw, "campaign.period")
        start = self.need(period, "from", "campaign.period", dt.date)
        end = self.need(period, "to", "campaign.period", dt.date)
        if start > end:
            raise self.fail("campaign.period", "pack.bad_period")
        return start, end, False

    def value_labels(self) -> dict[str, str]:
        """`[labels.en]`: stored value → its English label (units, statuses, choices)."""
        labels = self.table(self.raw.get("labels", {}), "labels")
        self.known_keys(labels, {"en"}, "labels")
        english = self.table(labels.get("en", {}), "labels.en")
        for value, label in english.items():
            if not isinstance(label, str) or not label.strip():
                raise self.fail(f"labels.en.{value}", "pack.bad_label")
        return dict(english)
    def documents(self, actions: tuple[Action, ...]) -> tuple[DocumentSpec, ...]:
        """`[[documents]]`: the 执法文书 the pack prints (templates are checked at import)."""
        raw_docs = self.raw.get("documents", [])
        if not isinstance(raw_docs, list):
            raise self.fail("documents", "pack.bad_type")
        known_actions = {a.id for a in actions}
        specs: list[DocumentSpec] = []
        for i, raw in enumerate(raw_docs):
            raw = self.table(raw, f"documents[{i}]")
            doc_id = self.need(raw, "id", f"documents[{i}]", str)
            where = f"documents.{doc_id}"
            if any(s.id == doc_id for s in specs):
                raise self.fail(where, "pack.duplicate_id", id=doc_id)
            self.known_keys(raw, {"id", "name", "template", "when", "number", "actions"}, where)
            template = self.need(raw, "template", where, str)
            if not template.endswith(".docx") or ".." in template.replace("\\", "/").split("/") \
                    or template.startswith(("/", "\\")):
                raise self.fail(f"{where}.template", "pack.bad_template_path", path=template)
            when = raw.get("when", "always")
            if when not in WHEN:
                raise self.fail(f"{where}.when", "pack.bad_when", when=when, known=", ".join(WHEN))
            number = raw.get("number", "{n}")
            if not isinstance(number, str) or pattern_problem(number):
                raise self.fail(f"{where}.number", "pack.bad_number_pattern", pattern=number)
            doc_actions = raw.get("actions", [])
            if not isinstance(doc_actions, list) or any(a not in known_actions for a in doc_actions):
                raise self.fail(f"{where}.actions", "pack.unknown_action", action=doc_actions,
                                known=", ".join(sorted(known_actions)))
            specs.append(DocumentSpec(doc_id, self.label(self.need(raw, "name", where, (str, dict)),
                                                         f"{where}.name"),
                                      template, when, number, tuple(doc_actions)))
        return tuple(specs)

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
            self.known_keys(raw, {"id", "name", "fields", "retired"}, where)
            name = self.label(self.need(raw, "name", where, (str, dict)), f"{where}.name")
            fields = self.fields(raw.get("fields", []), where)
            actions.append(Action(action_id, name, fields, self.retired(raw, fields, where)))
        return tuple(actions)

    def retired(self, raw: dict[str, Any], fields: tuple[FormField, ...], where: str) -> tuple[str, ...]:
        """`retired = ["has_elevators"]`: field ids an earlier version had, none still on the form."""
        value = raw.get("retired", [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{where}.retired", "pack.bad_type")
        for field_id in value:
            if any(f.id == field_id for f in fields):
                raise self.fail(f"{where}.retired", "pack.retired_in_form", id=field_id)
        return tuple(value)

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
                   "count": {"record", "action", "where", "over"},
                   "sum": {"record", "action", "where", "field", "over"},
                   "latest": {"record", "action", "where", "match"}}.get(op, {"record", "action", "where"})
        self.known_keys(spec, allowed, where)
        if op == "ratio":
            return self.ratio(earlier, tally_id, label, unit, spec, where)
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
        over = self.over(spec, record, where)
        line_attrs = LINE_ATTRS[record][over] if over else {}
        attrs = {**pack.attrs_for(record, action), **line_attrs}
        scope = _Scope(pack, action, attrs, pack.retired_in(action) if record == "inspection" else set())
        where_clause = self.conditions(spec.get("where", {}), f"{where}.where", scope)
        match: dict[str, Any] = {}
        if op == "latest":
            if "match" not in spec:
                raise self.fail(f"{where}.match", "pack.missing_key")
            match = self.conditions(spec["match"], f"{where}.match", scope)
            if not match:
                raise self.fail(f"{where}.match", "pack.empty_match")
        sum_of = None
        if op == "sum":
            sum_of = self.need(spec, "field", where, str)
            summable = line_attrs or attrs
            self.attribute(sum_of, f"{where}.field", summable, scope)
            if summable[sum_of] not in NUMERIC_TYPES:
                raise self.fail(f"{where}.field", "pack.sum_not_numeric", field=sum_of)
        return Tally(tally_id, label, unit, op, record=record, action=action,
                     where=where_clause, sum_of=sum_of, over=over, match=match)

    def ratio(self, earlier: list[Tally], tally_id: str, label: Label, unit: str,
              spec: dict[str, Any], where: str) -> Tally:
        parts = {}
        for key in ("numerator", "denominator"):
            ref = self.need(spec, key, where, str)
            if not any(t.id == ref for t in earlier):
                raise self.fail(f"{where}.{key}", "pack.unknown_tally", id=ref)
            parts[key] = ref
        decimals = spec.get("decimals", 1)
        if not isinstance(decimals, int) or not 0 <= decimals <= 4:
            raise self.fail(f"{where}.decimals", "pack.bad_type")
        return Tally(tally_id, label, unit, "ratio", decimals=decimals, **parts)

    def over(self, spec: dict[str, Any], record: str, where: str) -> str | None:
        """`over = "seized"`: count or sum a record's lines rather than the records."""
        over = spec.get("over")
        if over is None:
            return None
        lines = LINE_ATTRS.get(record, {})
        if not isinstance(over, str) or over not in lines:  # a list or table is no list name
            raise self.fail(f"{where}.over", "pack.unknown_lines", lines=str(over),
                            known=", ".join(lines) or "-")
        return over

    def conditions(self, raw: Any, where: str, scope: _Scope) -> dict[str, Any]:
        """A `where` (or `match`) table: every key a known attribute, every value sound."""
        table = self.table(raw, where)
        for key, cond in table.items():
            self.attribute(key, f"{where}.{key}", scope.attrs, scope)
            self.check_condition(cond, f"{where}.{key}", scope.choices(key))
        return dict(table)

    def attribute(self, key: str, where: str, attrs: dict[str, str], scope: _Scope) -> None:
        """`key` must be one of `attrs`; a retired field gets its own message."""
        if key in attrs:
            return
        if key in scope.retired:
            raise self.fail(where, "pack.retired_field", field=key)
        raise self.fail(where, "pack.unknown_field", field=key, known=", ".join(sorted(attrs)))

    def check_condition(self, cond: Any, where: str, choices: set[str]) -> None:
        """A value, a list of values, or {min, max, present, not, contains}.

        On a choice or multi-choice field a value must be one of its choices: a misspelt
        choice would silently count nothing."""
        if isinstance(cond, dict):
            unknown = set(cond) - set(CONDITION_KEYS)
            if unknown:
                raise self.fail(where, "pack.bad_condition", keys=", ".join(sorted(unknown)))
            if "not" in cond:
                self.check_condition(cond["not"], f"{where}.not", choices)
            if "contains" in cond:
                needle = cond["contains"]
                if not isinstance(needle, str | int) or isinstance(needle, bool):
                    raise self.fail(f"{where}.contains", "pack.bad_type")
                self.check_choices([needle], f"{where}.contains", choices)
            return
        if not isinstance(cond, str | int | float | bool | list):
            raise self.fail(where, "pack.bad_condition", keys=type(cond).__name__)
        self.check_choices(cond if isinstance(cond, list) else [cond], where, choices)

    def check_choices(self, values: list[Any], where: str, choices: set[str]) -> None:
        for value in values:
            if choices and isinstance(value, str) and value not in choices:
                raise self.fail(where, "pack.unknown_choice", value=value,
                                known=", ".join(sorted(choices)))


@dataclass(frozen=True)
class _Scope:
    """What a tally's conditions may name: attributes, their choices, retired fields."""

    pack: Pack
    action: str | None
    attrs: dict[str, str]
    retired: set[str]

    def choices(self, key: str) -> set[str]:
        if self.attrs.get(key) in ("choice", "multi"):
            return self.pack.choices_for(self.action, key)
        return set()
