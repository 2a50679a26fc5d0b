"""The tally language of a pack: lines of the measures, `contains`, `latest`, retired fields.

Each new form is parsed strictly (a misspelt key or choice is refused with the file, the
key path and the fix), and the shipped pack is checked for figures that would need a
fact typed twice: a form field that repeats a measure or something derived from another
field.
"""

from __future__ import annotations

import re

import pytest

from tests.test_pack import CAMPAIGN_TABLE
from tui_app.domain import tally as rules
from tui_app.domain.pack import BUILTIN_ATTRS, LINE_ATTRS, Pack, parse_pack
from tui_app.errors import PackError
from tui_app.services.context import shipped_packs

PACK = CAMPAIGN_TABLE + """
[[actions]]
id = "product"
name = "产品"
fields = [
  { id = "kinds", type = "multi", label = "检查产品", choices = ["电取暖器", "燃气灶具"] },
  { id = "insured", type = "bool", label = "已投保" },
]
retired = ["old_count"]

[[tallies]]
id = "heaters"
label = "收缴电取暖器"
unit = "台件"
[tallies.sum]
record = "inspection"
action = "product"
over = "seized"
field = "quantity"
where = { item = { contains = "电取暖器" } }

[[tallies]]
id = "heater_lines"
label = "电取暖器明细"
unit = "件"
[tallies.count]
record = "inspection"
action = "product"
over = "seized"
where = { item = { contains = "电取暖器" }, kinds = "电取暖器" }

[[tallies]]
id = "with_heaters"
label = "检查电取暖器的单位"
unit = "家"
distinct = { record = "inspection", action = "product", where = { kinds = { contains = "电取暖器" } } }

[[tallies]]
id = "insured_now"
label = "目前已投保"
unit = "家"
[tallies.latest]
record = "inspection"
action = "product"
where = { kinds = { contains = "电取暖器" } }
match = { insured = true }
"""


def parsed(text: str = PACK) -> Pack:
    return parse_pack(text, "t.toml")


def refused(change: tuple[str, str]) -> PackError:
    text = PACK.replace(*change)
    assert text != PACK, change
    with pytest.raises(PackError) as info:
        parsed(text)
    assert "t.toml" in info.value.message() and info.value.where in info.value.message()
    return info.value


def _row(seized: list[dict], kinds: list[str], insured: bool = False, **extra: object) -> dict:
    return {"id": "r1", "campaign": "t", "action": "product", "day": "2026-09-10",
            "started_at": "2026-09-10T02:00:00Z", "entity_id": "e1",
            "fields": {"kinds": kinds, "insured": insured}, "measures": {"seized": seized}, **extra}


HEATERS = [{"item": "劣质电取暖器", "unit": "台", "quantity": 10, "value_fen": 100},
           {"item": "电源线", "unit": "根", "quantity": 50, "value_fen": 200},
           {"item": "小太阳电取暖器", "unit": "台", "quantity": 5, "value_fen": 300}]


def test_sums_and_counts_run_over_the_seized_lines_with_a_filter_on_the_item() -> None:
    pack = parsed()
    facts = rules.facts(pack, "inspection", _row(HEATERS, ["电取暖器"]))
    assert facts[("heaters", "2026-09-10", "")] == 15  # 10 + 5, not the 50 cables
    assert facts[("heater_lines", "2026-09-10", "")] == 2
    # the record's own attributes still filter: no 电取暖器 among the products checked
    assert ("heater_lines", "2026-09-10", "") not in rules.facts(pack, "inspection",
                                                                   _row(HEATERS, ["燃气灶具"]))
    assert rules.facts(pack, "inspection", _row([], ["电取暖器"]))[("heaters", "2026-09-10", "")] == 0


def test_contains_on_a_multi_choice_field_and_on_text() -> None:
    assert rules.matches({"contains": "电梯"}, ["锅炉", "电梯"])
    assert not rules.matches({"contains": "电梯"}, ["锅炉"])
    assert rules.matches({"contains": "电取暖器"}, "劣质电取暖器")
    assert not rules.matches({"contains": "电取暖器"}, None)
    assert rules.matches({"not": {"contains": "电梯"}}, ["锅炉"])
    facts = rules.facts(parsed(), "inspection", _row([], ["燃气灶具", "电取暖器"]))
    assert facts[("with_heaters", "2026-09-10", "e1")] == 1


def test_latest_marks_carry_the_moment_and_whether_the_record_matches() -> None:
    pack = parsed()
    assert rules.marks(pack, "inspection", _row([], ["电取暖器"], insured=True)) == {
        ("insured_now", "e1", "2026-09-10T02:00:00Z", "r1", "2026-09-10", 1)}
    assert rules.marks(pack, "inspection", _row([], ["电取暖器"])) == {
        ("insured_now", "e1", "2026-09-10T02:00:00Z", "r1", "2026-09-10", 0)}
    assert rules.marks(pack, "inspection", _row([], ["燃气灶具"], insured=True)) == set()
    assert rules.marks(pack, "inspection", _row([], ["电取暖器"], voided=True)) == set()
    # a revision that changes the state moves the mark: the old one goes, the new one comes
    change = rules.delta(pack, "inspection", _row([], ["电取暖器"], insured=True),
                         _row([], ["电取暖器"], insured=False))
    assert {m[-1] for m in change.gone} == {1} and {m[-1] for m in change.added} == {0}


@pytest.mark.parametrize(("change", "where", "fragment"), [
    (('over = "seized"\nfield = "quantity"', 'over = "seizd"\nfield = "quantity"'),
     "tallies.heaters.sum.over", "seized"),
    (('field = "quantity"', 'field = "qty"'), "tallies.heaters.sum.field", "quantity"),
    (('field = "quantity"', 'field = "item"'), "tallies.heaters.sum.field", "item"),
    (("where = { item = { contains = \"电取暖器\" } }\n", "where = { itme = { contains = \"电取暖器\" } }\n"),
     "tallies.heaters.sum.where.itme", "item"),
    (('{ contains = "电取暖器" }, kinds', '{ contain = "电取暖器" }, kinds'),
     "tallies.heater_lines.count.where.item", "contains"),
    (('distinct = { record = "inspection", action = "product", where = { kinds = { contains = "电取暖器" } } }',
      'distinct = { record = "inspection", action = "product", where = { kinds = { contains = "电暖器" } } }'),
     "tallies.with_heaters.distinct.where.kinds.contains", "电暖器"),
    (('kinds = "电取暖器" }', 'kinds = "取暖器" }'),
     "tallies.heater_lines.count.where.kinds", "取暖器"),
    (('distinct = { record = "inspection", action = "product", where',
      'distinct = { record = "inspection", action = "product", over = "seized", where'),
     "tallies.with_heaters.distinct.over", "over"),
    (("match = { insured = true }", "matches = { insured = true }"),
     "tallies.insured_now.latest.matches", "match"),
    (("\nmatch = { insured = true }", "\n"), "tallies.insured_now.latest.match", "match"),
    (("match = { insured = true }", "match = {}"), "tallies.insured_now.latest.match", "match"),
    (("match = { insured = true }", "match = { insurd = true }"),
     "tallies.insured_now.latest.match.insurd", "insured"),
    (('match = { insured = true }', 'match = { old_count = 3 }'),
     "tallies.insured_now.latest.match.old_count", "old_count"),
    (('retired = ["old_count"]', 'retired = ["insured"]'), "actions.product.retired", "insured"),
    (('retired = ["old_count"]', 'retierd = ["old_count"]'), "actions.product.retierd", "retired"),
])
def test_new_tally_forms_are_validated_strictly(change: tuple[str, str], where: str,
                                                fragment: str) -> None:
    error = refused(change)
    assert error.where == where
    assert fragment in error.message()


def test_a_retired_field_names_itself_and_how_to_count_instead() -> None:
    error = refused(('where = { item = { contains = "电取暖器" } }\n',
                     'where = { old_count = { min = 1 } }\n'))
    assert error.key == "pack.retired_field" and "old_count" in error.message()


# ---------------------------------------------------------------- the shipped pack

# What inspectors record as measures (措施) or as lines of them, and the words that name
# those things in a label: a form field that says the same is the same fact typed twice.
MEASURE_WORDS = ("指令书", "查封", "收缴", "查扣", "扣押", "货值", "罚没", "directive", "seal",
                 "seiz", "confiscat")
ROLE_SUFFIXES = ("使用单位", "经营单位", "单位")


def shipped() -> Pack:
    return parse_pack(shipped_packs()["zhongqiu.toml"], "zhongqiu.toml")


def duplicated_facts(pack: Pack) -> list[str]:
    """Form fields that repeat a measure, a seized-goods line or another field's choice.

    - a label or id naming a measure ("收缴劣质电取暖器（台件）": the seized lines say it);
    - an id equal to a built-in or line attribute (the record already holds it);
    - a yes/no whose label is a choice of a multi-choice field of the same action plus a
      role ("电梯使用单位" when 电梯 is among the equipment checked).
    """
    found = []
    derived = set(BUILTIN_ATTRS["inspection"]) | set(LINE_ATTRS["inspection"]["seized"])
    for action in pack.actions:
        choices = {c for f in action.fields if f.type == "multi" for c in f.choices}
        for f in action.fields:
            texts = [f.id, *f.label.values()]
            if any(word in text.lower() for text in texts for word in MEASURE_WORDS):
                found.append(f"{action.id}.{f.id}: names a measure")
            if f.id in derived:
                found.append(f"{action.id}.{f.id}: repeats an attribute")
            if f.type == "bool":
                core = re.sub("|".join(ROLE_SUFFIXES) + "$", "", f.label.get("zh", ""))
                if core in choices:
                    found.append(f"{action.id}.{f.id}: is '{core}' among a multi-choice field")
    return found


def test_no_tally_of_the_shipped_pack_needs_a_fact_typed_twice() -> None:
    assert duplicated_facts(shipped()) == []


def test_the_scan_finds_the_fields_the_pack_used_to_have() -> None:
    """The scan above would fail on the pack as it was (the two retired fields)."""
    text = shipped_packs()["zhongqiu.toml"]
    old = text.replace(
        '  { id = "elevator_insured"',
        '  { id = "has_elevators", type = "bool", label = { zh = "电梯使用单位" } },\n'
        '  { id = "elevator_insured"').replace('retired = ["has_elevators"]', "").replace(
        '  { id = "sanwu"', '  { id = "heaters_confiscated", type = "int", min = 0, label = '
        '{ zh = "收缴劣质电取暖器（台件）" } },\n  { id = "sanwu"').replace(
        'retired = ["heaters_confiscated"]', "")
    assert duplicated_facts(parse_pack(old, "old.toml")) == [
        "equipment.has_elevators: is '电梯' among a multi-choice field",
        "product.heaters_confiscated: names a measure"]


def test_every_shipped_tally_reads_only_single_entry_attributes() -> None:
    """Tallies name no retired field, and goods figures come from the seized lines."""
    pack = shipped()
    retired = {r for a in pack.actions for r in a.retired}
    assert retired == {"has_elevators", "heaters_confiscated"}
    for tally in pack.tallies:
        assert not retired & {*tally.where, *tally.match, tally.sum_of}, tally.id
    assert pack.tally("product.heaters").over == "seized"
    assert pack.tally("product.goods_value").over == "seized"
    assert pack.tally("equipment.elevator_insured_units").op == "latest"
    assert pack.tally("equipment.elevator_units").where == {
        "equipment_types": {"contains": "电梯"}}
