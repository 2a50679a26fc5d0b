"""Campaign packs: the shipped pack is complete, a wrong pack is refused with file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_app.domain.pack import parse_pack
from tui_app.errors import PackError
from tui_app.services.context import shipped_packs

SEED_TALLIES = [
    "food.officers", "food.inspections", "food.cold_chain", "food.vaccinated",
    "drug.officers", "drug.pharmacies", "drug.medical", "drug.vaccination_sites",
    "equipment.units", "equipment.directives", "equipment.sealed", "equipment.cases",
    "equipment.elevator_insured_pct", "product.officers", "product.heaters", "product.goods_value",
    "fraud.officers", "fraud.notices", "fraud.illegal_marketing", "fraud.false_ad_penalties",
    "complaints.received", "complaints.handled", "complaints.pending", "price.units",
]
UNITS = {"food.officers": "人次", "food.inspections": "户次", "food.vaccinated": "人",
         "drug.pharmacies": "家", "equipment.directives": "份", "equipment.sealed": "台",
         "equipment.cases": "起", "equipment.elevator_insured_pct": "%", "product.heaters": "台件",
         "product.goods_value": "万元", "complaints.pending": "起", "price.units": "家"}

# The [campaign] table the test packs open with (test_pack_tallies.py's too).
CAMPAIGN_TABLE = """
[campaign]
id = "t"
name = "测试"
period = { from = 2026-09-01, to = 2026-09-30 }
"""

MINIMAL = CAMPAIGN_TABLE + """
[[actions]]
id = "food"
name = "食品"
fields = [ { id = "cold_chain", type = "bool", label = "冷链" } ]

[[tallies]]
id = "food.cold"
label = "冷链"
unit = "户次"
count = { record = "inspection", action = "food", where = { cold_chain = true } }
"""


def shipped():
    return parse_pack(shipped_packs()["zhongqiu.toml"], "zhongqiu.toml")


def test_shipped_pack_has_every_action_and_seed_tally() -> None:
    pack = shipped()
    assert [a.id for a in pack.actions] == ["food", "drug", "equipment", "product", "fraud",
                                           "price", "epidemic"]
    ids = [t.id for t in pack.tallies]
    assert all(tally_id in ids for tally_id in SEED_TALLIES)
    for tally_id, unit in UNITS.items():
        assert pack.tally(tally_id).unit == unit
    assert all(a.fields for a in pack.actions)
    assert all("en" in a.name and "zh" in a.name for a in pack.actions)


def test_minimal_pack_parses() -> None:
    pack = parse_pack(MINIMAL, "t.toml")
    assert pack.tally("food.cold").where == {"cold_chain": True}


@pytest.mark.parametrize(
    ("change", "where", "fragment"),
    [
        (('type = "bool"', 'type = "slider"'), "actions.food.fields.cold_chain.type", "slider"),
        (("cold_chain = true", "frozen = true"), "tallies.food.cold.count.where.frozen", "frozen"),
        (('unit = "户次"', 'unit = "户次"\nunti = 1'), "tallies.food.cold.unti", "unit"),
        (("where = {", "wher = {"), "tallies.food.cold.count.wher", "where"),
        (('unit = "户次"', 'unit = "斤"'), "tallies.food.cold.unit", "斤"),
        (('action = "food", where', 'action = "drugs", where'), "tallies.food.cold.count.action",
         "drugs"),
    ],
)
def test_bad_pack_names_the_key(change: tuple[str, str], where: str, fragment: str) -> None:
    text = MINIMAL.replace(*change)
    with pytest.raises(PackError) as info:
        parse_pack(text, "bad.toml")
    assert info.value.where == where
    message = info.value.message()
    assert "bad.toml" in message and where in message and fragment in message


def test_duplicate_ids_are_refused() -> None:
    twice = MINIMAL + MINIMAL[MINIMAL.index("[[tallies]]"):]
    with pytest.raises(PackError) as info:
        parse_pack(twice, "dup.toml")
    assert "food.cold" in info.value.message() and "重复" in info.value.message()
    action_twice = MINIMAL.replace("[[tallies]]", '[[actions]]\nid = "food"\nname = "x"\n\n[[tallies]]')
    with pytest.raises(PackError) as info:
        parse_pack(action_twice, "dup.toml")
    assert info.value.where == "actions[1].id"


def test_bad_toml_names_line() -> None:
    with pytest.raises(PackError) as info:
        parse_pack(MINIMAL.replace('name = "测试"', 'name = "测试'), "broken.toml")
    assert "broken.toml" in info.value.message() and "line" in info.value.message()


def test_sum_of_text_field_is_refused() -> None:
    text = MINIMAL.replace('count = { record = "inspection", action = "food", where = { cold_chain = true } }',
                           'sum = { record = "inspection", action = "food", field = "cold_chain" }')
    with pytest.raises(PackError) as info:
        parse_pack(text, "s.toml")
    assert info.value.where == "tallies.food.cold.sum.field"


def test_campaign_import_through_cli(fieldlog, tmp_path: Path) -> None:
    good = tmp_path / "t.toml"
    good.write_text(MINIMAL, encoding="utf-8")
    result = fieldlog("campaign", "import", str(good))
    assert "测试" in result.stdout
    fieldlog("campaign", "use", "t")
    listed = fieldlog("campaign", "list").stdout
    assert "zhongqiu" in listed and "* │ t" in listed

    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL.replace('type = "bool"', 'type = "slider"'), encoding="utf-8")
    refused = fieldlog("campaign", "import", str(bad), ok=False)
    assert refused.exit_code == 1
    assert str(bad) in refused.stderr and "slider" in refused.stderr
    assert "Traceback" not in refused.output
    english = fieldlog("--lang", "en", "campaign", "import", str(bad), ok=False)
    assert "unknown field type 'slider'" in english.stderr
