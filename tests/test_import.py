"""`fieldlog import FILE.jsonl`: same validation as the form, all-or-nothing, idempotent by id."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import OFFICERS, PHARMACY, SUPERMARKET, write_jsonl

INSPECTION_ID = "0190c1a0-0000-7000-8000-0000000000a1"
FOOD = {"type": "inspection", "id": INSPECTION_ID, "action": "food", "entity": SUPERMARKET["uscc"],
        "started_at": "2026-09-21T10:30", "officers": OFFICERS,
        "fields": {"place_type": "学校及周边", "cold_chain": True, "vaccinated_staff": 3}}
CASE = {"type": "case", "id": "0190c1a0-0000-7000-8000-0000000000c1", "action": "fraud",
        "case_type": "虚假宣传", "entity": "仁和大药房", "filed_on": "2026-09-22",
        "fine_fen": 3000000, "confiscated_fen": 400000}
COMPLAINT = {"type": "complaint", "channel": "12315热线", "received_at": "2026-09-23T09:00",
             "summary": "月饼过期", "status": "已办结", "id": "0190c1a0-0000-7000-8000-0000000000d1"}
ACTIVITY = {"type": "activity", "action": "fraud", "activity_type": "张贴公告", "quantity": 120,
            "date": "2026-09-24", "officers": OFFICERS, "id": "0190c1a0-0000-7000-8000-0000000000e1"}


def tallies(fieldlog) -> dict[str, float]:
    return fieldlog.json("tally")["tallies"]


def test_import_twice_adds_nothing_the_second_time(fieldlog, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "day.jsonl", SUPERMARKET, PHARMACY, FOOD, CASE, COMPLAINT, ACTIVITY)
    first = fieldlog("import", str(path))
    assert "新增 6" in first.stdout
    before = tallies(fieldlog)
    assert before["food.inspections"] == 1 and before["food.cold_chain"] == 1
    assert before["food.vaccinated"] == 3 and before["food.officers"] == 2
    assert before["fraud.false_ad_penalties"] == 3400000 and before["fraud.notices"] == 120
    assert before["complaints.handled"] == 1

    second = fieldlog("import", str(path))
    assert "新增 0" in second.stdout and "未变 6" in second.stdout
    assert tallies(fieldlog) == before
    assert len(fieldlog.json("record", "list")) == 1


def test_changed_line_becomes_a_new_revision(fieldlog, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "day.jsonl", SUPERMARKET, FOOD)
    fieldlog("import", str(path))
    write_jsonl(path, SUPERMARKET, {**FOOD, "fields": {**FOOD["fields"], "cold_chain": False}})
    assert "修订 1" in fieldlog("import", str(path)).stdout
    shown = fieldlog.json("record", "show", INSPECTION_ID)
    assert shown["current"]["rev"] == 2
    assert [r["fields"]["cold_chain"] for r in shown["revisions"]] == [True, False]
    assert tallies(fieldlog)["food.cold_chain"] == 0


def test_void_line(fieldlog, tmp_path: Path) -> None:
    fieldlog("import", str(write_jsonl(tmp_path / "a.jsonl", SUPERMARKET, FOOD)))
    path = write_jsonl(tmp_path / "v.jsonl", {"type": "void", "id": INSPECTION_ID, "reason": "重复录入"})
    assert "作废 1" in fieldlog("import", str(path)).stdout
    assert tallies(fieldlog)["food.inspections"] == 0
    shown = fieldlog.json("record", "show", INSPECTION_ID)
    assert shown["current"]["voided"] and shown["current"]["void_reason"] == "重复录入"
    no_reason = write_jsonl(tmp_path / "n.jsonl", {"type": "void", "id": INSPECTION_ID})
    assert "作废必须填写原因" in fieldlog("import", str(no_reason), ok=False).stderr


def test_bad_lines_import_nothing_and_are_all_listed(fieldlog, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        SUPERMARKET,
        {**FOOD, "id": None, "action": "toys"},
        "{not json",
        {**FOOD, "id": None, "started_at": "2027-01-01T10:00"},
        {**FOOD, "id": None, "measures": {"directives": -1}},
        {**FOOD, "id": None, "fields": {"place_type": "月球"}},
        {**FOOD, "id": None, "entity": "不存在的店"},
    )
    result = fieldlog("import", str(path), ok=False)
    assert result.exit_code == 1
    err = result.stderr
    for line, fragment in [(2, "toys"), (3, "JSON"), (4, "不在行动期间"), (5, "负数"),
                           (6, "月球"), (7, "不存在的店")]:
        assert f"第 {line} 行" in err and fragment in err, (line, err)
    assert "整个文件未导入" in err
    assert fieldlog.json("entity", "search", "好又多") == []

    skipped = fieldlog("import", str(path), "--skip-bad", ok=False)
    assert "新增 1" in skipped.stdout and "跳过 6" in skipped.stderr
    assert len(fieldlog.json("entity", "search", "好又多")) == 1


def test_fewer_than_two_officers_warns_and_is_recorded(fieldlog, tmp_path: Path) -> None:
    line = {**FOOD, "officers": OFFICERS[:1]}
    result = fieldlog("import", str(write_jsonl(tmp_path / "a.jsonl", SUPERMARKET, line)))
    assert "不少于两名" in result.stderr
    shown = fieldlog.json("record", "show", INSPECTION_ID)
    assert shown["current"]["warnings"] == ["record.fewer_than_two_officers"]


def test_seized_goods_and_measures(fieldlog, tmp_path: Path) -> None:
    # heaters_confiscated is a retired field: an old line carrying it still imports, and
    # the figure comes from the seized-goods lines (7), never from it (99)
    line = {**FOOD, "action": "product", "fields": {"product_types": ["电取暖器"], "heaters_confiscated": 99},
            "measures": {"rectification_ordered": True, "seized": [
                {"item": "电取暖器", "unit": "台", "quantity": 7, "value_fen": 2100000},
                {"item": "电源线", "unit": "根", "quantity": 40, "value_fen": 3240000}]}}
    fieldlog("import", str(write_jsonl(tmp_path / "a.jsonl", SUPERMARKET, line)))
    values = tallies(fieldlog)
    assert values["product.heaters"] == 7 and values["product.goods_value"] == 5340000


def test_bad_file_paths_and_encoding(fieldlog, tmp_path: Path) -> None:
    missing = fieldlog("import", str(tmp_path / "nope.jsonl"), ok=False)
    assert missing.exit_code == 1 and "找不到文件" in missing.stderr
    latin = tmp_path / "l.jsonl"
    latin.write_bytes(b"\xff\xfe\x00garbage")
    assert "UTF-8" in fieldlog("import", str(latin), ok=False).stderr


def test_json_roundtrip_of_list(fieldlog, tmp_path: Path) -> None:
    fieldlog("import", str(write_jsonl(tmp_path / "a.jsonl", SUPERMARKET, FOOD)))
    listed = fieldlog("record", "list", "--format", "csv").stdout.splitlines()
    assert listed[0].startswith("编号,时间")
    assert INSPECTION_ID in listed[1] and "2026-09-21 10:30" in listed[1]
    rows = json.loads(fieldlog("record", "list", "--format", "json").stdout)
    assert rows[0]["entity_name"] == "城关镇好又多超市"


def test_a_history_file_imports_in_order(fieldlog, tmp_path: Path) -> None:
    revised = {**FOOD, "fields": {**FOOD["fields"], "cold_chain": False}, "findings": "复查"}
    path = write_jsonl(tmp_path / "history.jsonl", SUPERMARKET, FOOD, CASE | {"entity": SUPERMARKET["uscc"]},
                       revised, {"type": "void", "id": INSPECTION_ID, "reason": "重复录入"})
    result = fieldlog("import", str(path))
    assert "新增 3" in result.stdout and "修订 1" in result.stdout and "作废 1" in result.stdout
    shown = fieldlog.json("record", "show", INSPECTION_ID)
    assert [(r["rev"], r["fields"]["cold_chain"], r["voided"]) for r in shown["revisions"]] == [
        (1, True, False), (2, False, False), (3, False, True)]
    assert tallies(fieldlog)["food.inspections"] == 0
    again = fieldlog("import", str(path))  # replaying the same history changes nothing
    assert "新增 0，修订 0，未变 5，作废 0" in again.stdout


def test_a_history_stays_all_or_nothing(fieldlog, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", SUPERMARKET, FOOD,
                       {"type": "void", "id": INSPECTION_ID, "reason": "重复录入"},
                       {**FOOD, "findings": "作废后又改"},
                       {**CASE, "id": INSPECTION_ID, "entity": SUPERMARKET["uscc"]},
                       {"type": "void", "id": "0190c1a0-0000-7000-8000-00000000ffff", "reason": "x"})
    err = fieldlog("import", str(path), ok=False).stderr
    for line, fragment in [(4, "已作废"), (5, "另一种记录"), (6, "找不到记录")]:
        assert f"第 {line} 行" in err and fragment in err, (line, err)
    assert fieldlog.json("record", "list") == [] and fieldlog.json("entity", "search", "好又多") == []


def test_the_readme_example_imports_as_shown(fieldlog, tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Scripted entry"):]
    example = section[section.index("```json\n") + 8:]
    example = example[:example.index("```")]
    path = tmp_path / "example.jsonl"
    path.write_text(example, encoding="utf-8")
    assert "新增 2，修订 0，未变 0，作废 1" in fieldlog("import", str(path)).stdout
    assert fieldlog.json("record", "list") == []
    assert fieldlog.json("record", "list", "--all")[0]["void_reason"] == "重复录入"
