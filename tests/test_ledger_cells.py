"""The streaming .xlsx writer (rustpy-xlsxwriter, constant memory) writes the cells and formats
the openpyxl writer wrote before it, and no ledger cell can be a live formula."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from tests.conftest import write_jsonl
from tests.ledger_reference import write_xlsx as reference_xlsx
from tests.report_fixture import VOIDED_ID, records
from tui_app.report import ledgers
from tui_app.services import report as report_service
from tui_app.services.context import open_context

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "=cmd|' /C calc'!A0", "+1+2",
           "-3+4", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def campaign(fieldlog, tmp_path: Path):
    fieldlog("import", str(write_jsonl(tmp_path / "campaign.jsonl", *records())))
    fieldlog("record", "void", VOIDED_ID, "--reason", "重复录入")
    return fieldlog


def _tables(db: Path) -> list[ledgers.Table]:
    ctx = open_context(db)
    span = report_service.period(ctx, None, None, dt.date(2026, 10, 8))
    tables = report_service.ledger_tables(ctx, span)
    return [ledgers.Table(t.name, t.headers, t.kinds, list(t.rows)) for t in tables]


def _cells(path: Path) -> dict[str, list[list[tuple]]]:
    book = load_workbook(path)
    out = {}
    for ws in book.worksheets:
        rows = [[(c.value, c.data_type, c.number_format, bool(c.font.b),
                  c.alignment.horizontal) for c in row] for row in ws.iter_rows()]
        width = {}  # a <col> element may cover several columns of one width
        for dim in ws.column_dimensions.values():
            for i in range(dim.min, dim.max + 1):
                width[i] = round(dim.width)
        widths = [width.get(i) for i in range(1, ws.max_column + 1)]
        out[ws.title] = [rows, [ws.freeze_panes], widths]
    return out


def test_streamed_cells_and_formats_equal_the_openpyxl_writer(campaign, db_path: Path,
                                                              tmp_path: Path) -> None:
    ledgers.write_xlsx(_tables(db_path), tmp_path / "new.xlsx")
    reference_xlsx(_tables(db_path), tmp_path / "old.xlsx")
    new, old = _cells(tmp_path / "new.xlsx"), _cells(tmp_path / "old.xlsx")
    assert list(new) == list(old)
    for sheet in old:
        new_rows, old_rows = new[sheet][0], old[sheet][0]
        assert len(new_rows) == len(old_rows) > 1, sheet
        for new_row, old_row in zip(new_rows, old_rows, strict=True):
            assert new_row == old_row, sheet
        assert new[sheet][1] == old[sheet][1] == ["A2"]
        # xlsxwriter stores a width with Excel's padding (+0.71): the same column on screen
        assert all(abs(a - b) <= 1 for a, b in zip(new[sheet][2], old[sheet][2], strict=True))


def _hostile_campaign(fieldlog, tmp_path: Path) -> None:  # noqa: ANN001
    lines = [{"type": "entity", "name": name, "kind": "个体工商户", "township": "城关镇"}
             for name in HOSTILE]
    lines += [{"type": "inspection", "action": "product", "entity": name,
               "started_at": "2026-09-29T10:00", "officers": [
                   {"name": "张三", "badge": "3201001"}, {"name": "李四", "badge": "3201002"}],
               "fields": {"product_types": ["电取暖器"]}, "findings": text,
               "measures": {"seized": [{"item": text, "unit": "台", "quantity": 1,
                                        "value_fen": 100}]}}
              for name, text in zip(HOSTILE, HOSTILE, strict=True)]
    fieldlog("import", str(write_jsonl(tmp_path / "hostile.jsonl", *lines)))


def _stored(db: Path) -> set[str]:
    ctx = open_context(db)
    try:
        conn = ctx.db.conn
        names = {r[0] for r in conn.execute("SELECT name FROM entity")}
        findings = {r[0] for r in conn.execute("SELECT findings FROM inspection")}
    finally:
        ctx.close()
    return names | findings


def test_no_ledger_cell_is_a_formula(fieldlog, db_path: Path, tmp_path: Path) -> None:
    _hostile_campaign(fieldlog, tmp_path)
    stored = _stored(db_path)
    assert any(text.startswith("=") for text in stored)  # the database keeps them as typed
    out = tmp_path / "台账.xlsx"
    fieldlog("export", "--format", "xlsx", "-o", str(out), "--to", "2026-10-08")
    book = load_workbook(out)
    seen = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value in stored:
                    seen.add(c.value)
    # names, findings and seized items, as typed, in 检查台账 and 查封扣押台账
    assert {t for t in stored if t.startswith(ledgers.FORMULA_STARTS)} <= seen
    assert len(seen) >= len(HOSTILE) - 2  # (a leading tab or CR may be trimmed at input)


def test_csv_cells_that_start_like_formulas_get_a_quote(fieldlog, db_path: Path,
                                                        tmp_path: Path) -> None:
    _hostile_campaign(fieldlog, tmp_path)
    risky = {t for t in _stored(db_path) if t.startswith(ledgers.FORMULA_STARTS)}
    folder = tmp_path / "csv"
    fieldlog("export", "--format", "csv", "-o", str(folder), "--to", "2026-10-08")
    cells = []
    for path in folder.iterdir():
        with path.open(encoding="utf-8-sig", newline="") as f:
            cells += [c for row in csv.reader(f) for c in row]
    assert not [c for c in cells if c.startswith(ledgers.FORMULA_STARTS)]
    quoted = {c[1:] for c in cells if c.startswith("'")}
    assert risky <= quoted


def test_report_figures_and_any_text_are_never_formulas(tmp_path: Path) -> None:
    """The writers themselves, for every kind of sheet (报告数据 included): a text starting
    with =, +, -, @, a tab or CR is text in .xlsx and quoted in CSV; numbers stay numbers."""
    rows = [(text, -5, "元", text) for text in HOSTILE]
    tab = ledgers.Table("报告数据", ("统计项", "数值", "单位", "编号"),
                        ("text", "number", "text", "text"), rows)
    ledgers.write_xlsx([tab], tmp_path / "f.xlsx")
    ws = load_workbook(tmp_path / "f.xlsx").active
    # OOXML writes a CR as _x000D_ (Excel shows the CR); openpyxl reads it undecoded
    got = [[(unescape(c.value) if isinstance(c.value, str) else c.value, c.data_type)
            for c in row] for row in ws.iter_rows(min_row=2)]
    assert got == [[(t, "s"), (-5, "n"), ("元", "s"), (t, "s")] for t in HOSTILE]
    ledgers.write_csv([ledgers.Table("报告数据", tab.headers, tab.kinds, rows)], tmp_path / "c")
    with (tmp_path / "c" / "报告数据.csv").open(encoding="utf-8-sig", newline="") as f:
        body = list(csv.reader(f))[1:]
    assert body == [["'" + t, "-5", "元", "'" + t] for t in HOSTILE]
