"""`fieldlog record|case|complaint|activity`: add, list, show, edit (new revision), void."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PHARMACY, SUPERMARKET, write_jsonl


def setup_entities(fieldlog, tmp_path: Path) -> None:
    fieldlog("import", str(write_jsonl(tmp_path / "e.jsonl", SUPERMARKET, PHARMACY)))


def test_add_with_defaults_and_fields(fieldlog, tmp_path: Path) -> None:
    setup_entities(fieldlog, tmp_path)
    result = fieldlog("record", "add", "--action", "food", "--entity", "城关镇好又多超市",
                      "--at", "2026-09-21T10:30", "--field", "place_type=学校及周边",
                      "--field", "cold_chain=是", "--field", "vaccinated_staff=4",
                      "--findings", "冷链台账不全", "--rectify")
    assert "已保存检查记录" in result.stdout
    [row] = fieldlog.json("record", "list")
    assert [o["name"] for o in row["officers"]] == ["张三", "李四"]  # today's pair from init
    assert row["fields"] == {"place_type": "学校及周边", "cold_chain": True, "vaccinated_staff": 4}
    assert row["started_at"] == "2026-09-21T02:30:00Z" and row["day"] == "2026-09-21"
    assert row["measures"]["rectification_ordered"] is True
    tallies = fieldlog.json("tally")["tallies"]
    assert tallies["food.inspections"] == 1 and tallies["food.vaccinated"] == 4


def test_refusals_are_clear_and_save_nothing(fieldlog, tmp_path: Path) -> None:
    setup_entities(fieldlog, tmp_path)
    cases = [
        (["--action", "toys", "--entity", "仁和大药房", "--at", "2026-09-21T10:00"], "没有“toys”这个子行动"),
        (["--action", "drug", "--entity", "仁和大药房", "--at", "2026-12-01T10:00",
          "--field", "unit_type=药店"], "不在行动期间"),
        (["--action", "equipment", "--entity", "仁和大药房", "--at", "2026-09-21T10:00",
          "--field", "equipment_types=电梯", "--sealed", "-2"], "不能为负数"),
        (["--action", "food", "--entity", "仁和大药房", "--at", "2026-09-21T10:00",
          "--field", "vaccinated_staff=-3", "--field", "place_type=其他"], "不能为负数"),
        (["--action", "food", "--entity", "仁和大药房", "--at", "2026-09-21T10:00"], "必填"),
        (["--action", "food", "--entity", "仁和大药房", "--at", "昨天", "--field", "place_type=其他"],
         "不是时间"),
    ]
    for args, fragment in cases:
        result = fieldlog("record", "add", *args, ok=False)
        assert result.exit_code == 1, args
        assert fragment in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
    assert fieldlog.json("record", "list") == []
    english = fieldlog("--lang", "en", "record", "add", *cases[0][0], ok=False)
    assert "No action 'toys'" in english.stderr


def test_usage_errors_exit_2(fieldlog) -> None:
    assert fieldlog("record", "add", "--field", "novalue", ok=False).exit_code == 2
    assert fieldlog("record", "list", "--format", "xml", ok=False).exit_code == 2
    assert fieldlog("record", "void", "abc", ok=False).exit_code == 2  # --reason is required


def test_edit_makes_a_revision_and_void_needs_reason(fieldlog, tmp_path: Path) -> None:
    setup_entities(fieldlog, tmp_path)
    fieldlog("record", "add", "--action", "drug", "--entity", "仁和大药房", "--at",
             "2026-09-22T15:00", "--field", "unit_type=药店")
    [row] = fieldlog.json("record", "list")
    short = row["id"][-8:]
    assert "第 2 版" in fieldlog("record", "edit", short, "--field", "unit_type=医疗机构",
                                "--field", "vaccination_site=是").stdout
    tallies = fieldlog.json("tally")["tallies"]
    assert tallies["drug.pharmacies"] == 0 and tallies["drug.medical"] == 1
    assert tallies["drug.vaccination_sites"] == 1
    assert "内容未变" in fieldlog("record", "edit", short, "--field", "unit_type=医疗机构").stdout

    shown = fieldlog.json("record", "show", row["id"])
    assert [r["fields"]["unit_type"] for r in shown["revisions"]] == ["药店", "医疗机构"]

    assert "作废必须填写原因" in fieldlog("record", "void", short, "--reason", " ", ok=False).stderr
    fieldlog("record", "void", short, "--reason", "录错对象")
    assert fieldlog.json("record", "list") == []
    assert len(fieldlog.json("record", "list", "--all")) == 1
    assert fieldlog.json("tally")["tallies"]["drug.medical"] == 0
    again = fieldlog("record", "edit", short, "--field", "unit_type=药店", ok=False)
    assert "已作废" in again.stderr
    table = fieldlog("record", "show", short).stdout
    assert "已作废" in table and "修订记录" in table
    assert "找不到记录" in fieldlog("record", "show", "zzzzzzzz", ok=False).stderr


def test_case_complaint_activity(fieldlog, tmp_path: Path) -> None:
    setup_entities(fieldlog, tmp_path)
    fieldlog("case", "add", "--action", "equipment", "--type", "特种设备安全", "--entity",
             "仁和大药房", "--filed", "2026-09-25", "--fine", "20000")
    fieldlog("case", "add", "--action", "fraud", "--type", "虚假宣传", "--filed", "2026-09-26",
             "--fine", "30000", "--confiscated", "4000.50")
    fieldlog("complaint", "add", "--channel", "12315热线", "--summary", "月饼过期",
             "--received", "2026-09-23T09:00", "--status", "处理中")
    fieldlog("activity", "add", "--action", "fraud", "--type", "张贴公告", "--quantity", "150",
             "--date", "2026-09-24")
    tallies = fieldlog.json("tally")["tallies"]
    assert tallies["equipment.cases"] == 1
    assert tallies["fraud.false_ad_penalties"] == 3400050
    assert tallies["complaints.received"] == 1 and tallies["complaints.pending"] == 1
    assert tallies["fraud.notices"] == 150 and tallies["fraud.officers"] == 2
    cases = fieldlog.json("case", "list")
    assert {c["case_type"] for c in cases} == {"特种设备安全", "虚假宣传"}
    complaint_id = fieldlog.json("complaint", "list")[0]["id"]
    fieldlog("record", "edit", complaint_id, "--set", "status=已办结")
    tallies = fieldlog.json("tally")["tallies"]
    assert tallies["complaints.handled"] == 1 and tallies["complaints.pending"] == 0
    fieldlog("complaint", "add", "--channel", "网络", "--summary", "缺斤少两", "--received", "2026-09-24T09:00")
    fieldlog("complaint", "add", "--channel", "来信", "--summary", "无证经营", "--received", "2026-09-24T10:00",
             "--status", "待受理")  # received, not yet accepted: still pending
    assert sorted(c["status"] for c in fieldlog.json("complaint", "list")) == sorted(["已受理", "已办结", "待受理"])
    tallies = fieldlog.json("tally")["tallies"]
    assert tallies["complaints.received"] == 3 and tallies["complaints.pending"] == 2
    assert "最多两位小数" in fieldlog("case", "add", "--action", "fraud", "--type", "虚假宣传",
                                 "--fine", "12.345", ok=False).stderr
    bad_status = fieldlog("record", "edit", complaint_id, "--set", "status=搁置", ok=False)
    assert "不在可选项中" in bad_status.stderr
    table = fieldlog("activity", "list").stdout
    assert "张贴公告" in table and "150" in table
