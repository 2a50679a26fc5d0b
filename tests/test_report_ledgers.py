"""`fieldlog export`: the ledgers (台账) read back equal the database, row for row."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.conftest import write_jsonl
from tests.report_fixture import VOIDED_ID, records
from tui_app.report import ledgers
from tui_app.services import report as report_service

TZ = ZoneInfo("Asia/Shanghai")
ACTIONS = {"food": "食品安全专项整治", "drug": "药品问题专项整治", "equipment": "特种设备专项整治",
           "product": "重点产品专项整治", "fraud": "执法打假专项行动",
           "price": "市场稳供保价专项行动", "epidemic": "疫情防控常态化"}
EQUIPMENT, PRODUCT = ACTIONS["equipment"], ACTIONS["product"]
SHEETS = ["检查台账", "案件台账", "投诉举报台账", "查封扣押台账", "指令书台账", "统计报表",
          "报告数据"]


@pytest.fixture
def campaign(fieldlog, tmp_path: Path):
    fieldlog("import", str(write_jsonl(tmp_path / "campaign.jsonl", *records())))
    fieldlog("record", "void", VOIDED_ID, "--reason", "重复录入")
    return fieldlog


def local(utc: str | None) -> dt.datetime | None:
    if not utc:
        return None
    return dt.datetime.fromisoformat(utc.replace("Z", "+00:00")).astimezone(TZ).replace(tzinfo=None)


def yuan(fen: int | None) -> float | None:
    return None if fen is None else float(Decimal(fen) / 100)


def names(officers: str) -> str:
    return "、".join(o["name"] for o in json.loads(officers))


def database_rows(db: Path) -> dict[str, list[tuple]]:
    """Each ledger's expected rows, read straight from the tables (not through FieldLog)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    entity = {r["id"]: r for r in conn.execute("SELECT * FROM entity")}

    def ent(row, col: str = "name"):
        return entity[row["entity_id"]][col] if row["entity_id"] else None

    inspections = conn.execute(
        "SELECT * FROM inspection WHERE voided = 0 ORDER BY started_at, id").fetchall()
    out: dict[str, list[tuple]] = {sheet: [] for sheet in SHEETS[:5]}
    for r in inspections:
        m = json.loads(r["measures"])
        out["检查台账"].append((
            local(r["started_at"]), ACTIONS[r["action"]], ent(r) or r["place"], ent(r, "uscc"),
            ent(r, "township"), names(r["officers"]),
            "、".join(o["badge"] for o in json.loads(r["officers"])), r["findings"] or None,
            "是" if m["rectification_ordered"] else "否", m["directives"], m["sealed_units"],
            yuan(sum(i["value_fen"] for i in m["seized"])), r["result"] or None,
            sum(1 for a in json.loads(r["attachments"]) if not a.get("removed_at")),
            "、".join(d["number"] for d in json.loads(r["documents"]).values()) or None, r["id"]))
        day = dt.datetime.fromisoformat(r["day"])
        if m["sealed_units"]:
            out["查封扣押台账"].append((day, ACTIONS[r["action"]], ent(r), ent(r, "uscc"), "查封",
                                  "特种设备", "台", m["sealed_units"], None, r["id"]))
        for item in m["seized"]:
            out["查封扣押台账"].append((day, ACTIONS[r["action"]], ent(r), ent(r, "uscc"), "扣押",
                                  item["item"], item["unit"], item["quantity"],
                                  yuan(item["value_fen"]), r["id"]))
        if m["directives"]:
            out["指令书台账"].append((day, ACTIONS[r["action"]], ent(r), ent(r, "uscc"),
                                 "、".join(json.loads(r["fields"])["equipment_types"]),
                                 m["directives"], r["findings"] or None, names(r["officers"]),
                                 r["id"]))
    for r in conn.execute('SELECT * FROM "case" WHERE voided = 0 ORDER BY filed_on, id'):
        out["案件台账"].append((
            dt.datetime.fromisoformat(r["filed_on"]), ACTIONS[r["action"]], r["case_type"], ent(r),
            ent(r, "uscc"), r["status"], yuan(r["fine_fen"]), yuan(r["confiscated_fen"]),
            yuan(r["fine_fen"] + r["confiscated_fen"]), yuan(r["goods_value_fen"]),
            r["summary"] or None, r["inspection_id"], r["id"]))
    for r in conn.execute("SELECT * FROM complaint WHERE voided = 0 ORDER BY received_at, id"):
        out["投诉举报台账"].append((
            local(r["received_at"]), r["channel"], ent(r) or r["subject"] or None, r["summary"],
            r["status"], local(r["handled_at"]), ACTIONS.get(r["action"]), r["id"]))
    conn.close()
    return {sheet: [(i, *row) for i, row in enumerate(rows, start=1)]
            for sheet, rows in out.items()}


# 统计报表, counted by hand from tests/report_fixture.py: inspections, entities, officer-days,
# rectifications, directives, sealed, seized value (元), cases, penalties (元), complaints.
SUMMARY = [
    ("食品安全专项整治", 5, 3, 6, 0, 0, 0, 0, 0, 0, 0),
    ("药品问题专项整治", 5, 4, 6, 0, 0, 0, 0, 0, 0, 0),
    ("特种设备专项整治", 5, 4, 6, 1, 3, 3, 0, 2, 0, 0),
    ("重点产品专项整治", 3, 3, 4, 0, 0, 0, 53400, 0, 0, 0),
    ("执法打假专项行动", 3, 3, 7, 0, 0, 0, 0, 3, 57345.67, 0),
    ("市场稳供保价专项行动", 13, 13, 6, 0, 0, 0, 0, 0, 0, 0),
    ("疫情防控常态化", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    # the total is counted directly: 30 entities, 35 officer-days (a voided visit adds none)
    ("合计", 34, 30, 35, 1, 3, 3, 53400, 5, 57345.67, 7),
]


# 报告数据: the pack's tallies, as counted by hand in tests/report_fixture.py (money in 元).
FIGURES = [
    ("食品安全出动执法人员", 6, "人次"), ("检查食品经营单位", 5, "户次"),
    ("其中冷链食品经营单位", 3, "户次"), ("组织冷链从业人员接种", 25, "人"),
    ("药品出动执法人员", 6, "人次"), ("检查药店", 2, "家"), ("检查医疗机构", 2, "家"),
    ("其中疫苗接种单位", 1, "家"), ("检查特种设备使用单位", 4, "家"),
    ("下达特种设备安全监察指令书", 3, "份"), ("查封存在安全隐患的特种设备", 3, "台"),
    ("特种设备立案查处", 2, "起"), ("检查电梯使用单位", 3, "家"),
    ("其中已投保电梯安全责任险", 1, "家"), ("电梯使用单位投保率", 33.3, "%"),
    ("重点产品出动执法人员", 4, "人次"), ("收缴劣质电取暖器", 23, "台件"),
    ("查扣物品货值", 53400, "元"), ("执法打假出动执法人员", 7, "人次"),
    ("张贴长江禁捕公告", 56, "份"), ("查处非法会议营销活动", 2, "次"),
    ("虚假宣传广告案件罚没", 47345.67, "元"), ("接到投诉举报", 7, "起"),
    ("已处理投诉举报", 4, "起"), ("正在处理投诉举报", 3, "起"), ("茅台酒价格专项检查", 12, "家"),
]


def test_xlsx_sheets_equal_the_database(campaign, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    campaign("export", "--format", "xlsx", "-o", str(out), "--from", "2026-09-14",
             "--to", "2026-10-08")
    book = load_workbook(out)
    assert book.sheetnames == SHEETS
    expected = database_rows(db_path)
    assert [len(expected[s]) for s in SHEETS[:5]] == [34, 5, 7, 7, 2]
    for sheet in SHEETS:
        ws = book[sheet]
        assert ws.freeze_panes == "A2"
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        if sheet == "报告数据":
            rows = [row[:3] for row in rows]  # the 4th column is the tally id
        hand_counted = {"统计报表": SUMMARY, "报告数据": FIGURES}
        assert rows == hand_counted.get(sheet, expected.get(sheet)), sheet
        header = [c.value for c in ws[1]]
        assert header[0] == {"统计报表": "子行动", "报告数据": "统计项"}.get(sheet, "序号")
        widths = {i: dim.width for dim in ws.column_dimensions.values()  # a <col> may span
                  for i in range(dim.min, dim.max + 1)}                    # several columns
        for i, text in enumerate(header, start=1):  # CJK counts double: the header fits
            assert widths[i] >= 2 * sum(1 for ch in text if ord(ch) > 0x2E80), (sheet, text)
    cases = book["案件台账"]
    assert cases["B2"].is_date and cases["H2"].number_format == "#,##0.00"


def test_csv_folder_one_file_per_ledger(campaign, tmp_path: Path) -> None:
    folder = tmp_path / "ledgers"
    result = campaign("export", "--format", "csv", "-o", str(folder), "--to", "2026-10-08")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{s}.csv" for s in SHEETS)
    assert result.stdout.count("已写入") == 7
    with (folder / "查封扣押台账.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [row[:-1] for row in csv.reader(f)]  # the last column is a generated record id
    assert rows == [
        ["序号", "日期", "子行动", "市场主体", "统一社会信用代码", "措施", "物品", "单位", "数量",
         "货值（元）"],
        ["1", "2026-09-26", EQUIPMENT, "液化气站", "", "查封", "特种设备", "台", "1", ""],
        ["2", "2026-09-27", EQUIPMENT, "县人民医院", "", "查封", "特种设备", "台", "2", ""],
        ["3", "2026-09-29", PRODUCT, "明亮电器店", "", "扣押", "劣质电取暖器", "台", "10",
         "15600.00"],
        ["4", "2026-09-29", PRODUCT, "明亮电器店", "", "扣押", "小太阳电取暖器", "台", "5",
         "7800.00"],
        ["5", "2026-09-29", PRODUCT, "五金店", "", "扣押", "电热板", "件", "20", "10000.00"],
        ["6", "2026-09-29", PRODUCT, "五金店", "", "扣押", "电源线", "根", "50", "11400.00"],
        ["7", "2026-09-29", PRODUCT, "五金店", "", "扣押", "劣质电取暖器", "台", "8", "8600.00"],
    ]


def test_export_in_english_and_a_period(campaign, tmp_path: Path) -> None:
    out = tmp_path / "ledgers.xlsx"
    campaign("--lang", "en", "export", "-o", str(out), "--from", "2026-10-01",
             "--to", "2026-10-08")
    book = load_workbook(out)
    assert book.sheetnames == ["Inspections", "Cases", "Complaints", "Seizures", "Directives",
                               "Summary", "Report figures"]
    assert book["Inspections"].max_row == 1 + 3 + 13  # fraud and price visits from 1 October
    assert [c.value for c in book["Summary"]["A"]][-1] == "Total"


def test_export_progress_shows_the_rows_written_per_ledger(campaign, tmp_path: Path) -> None:
    quiet = campaign("export", "-o", str(tmp_path / "quiet.xlsx"), "--to", "2026-10-08")
    assert quiet.stderr == ""  # not a terminal, not asked: no progress
    shown = campaign("export", "--progress", "-o", str(tmp_path / "a.xlsx"), "--to", "2026-10-08")
    lines = shown.stderr.splitlines()
    rows = dict(zip(SHEETS, [34, 5, 7, 7, 2, 8, 26], strict=True))
    assert [line.split()[0] for line in lines] == SHEETS
    assert [line.split()[-2:] for line in lines] == [[str(n), "行"] for n in rows.values()]


def test_progress_is_told_as_rows_are_written(campaign, ctx, monkeypatch, tmp_path) -> None:
    """The service tells its caller every PROGRESS_EVERY rows and once a sheet is done."""
    monkeypatch.setattr(ledgers, "PROGRESS_EVERY", 10)
    calls: list[tuple[str, int, bool]] = []
    report_service.export(ctx, "csv", tmp_path / "csv", day_to=dt.date(2026, 10, 8),
                          progress=lambda *call: calls.append(call))
    assert [c for c in calls if c[0] == "检查台账"] == [
        ("检查台账", 0, False), ("检查台账", 10, False), ("检查台账", 20, False),
        ("检查台账", 30, False), ("检查台账", 34, True)]
    assert [c[0] for c in calls if c[2]] == SHEETS
