"""The .xlsx writer (report/xlsx.py on rustpy-xlsxwriter) against xlsxwriter, the
writer before it: the same cells read back (value, type, number format) for the texts
that need escaping, the numbers and the dates; and what only it does right (markup
stays text, too many rows is an error, not a cut), and what the library leaves to it
(a repeated heading, an empty table's header, a text past a cell's limit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.ledger_reference import xlsxwriter_xlsx
from tui_app.errors import FieldLogError
from tui_app.report import ledgers, xlsx

TEXTS = ["a & b < c > d", "_x0041_ stays as typed", "bell\x07and\x1fus", "  padded  ", "\n",
         "\u3000全角空格", "tab\there", "𠮷野家", "字" * 40_000, "𠮷" * 20_000, "=1+1", "'quoted"]
# Stored instants are whole seconds (domain.values.utc_iso): no cell has a fraction of one.
DATES = [dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2026, 9, 14),
         dt.datetime(2026, 9, 14, 10, 30), dt.datetime(2026, 9, 14, 23, 59, 59)]
NUMBERS = [0, -5, 1.5, 10**17, 1 / 3, Decimal("12.34"), Decimal("-0.01"), 2**53]


def _edge_tables() -> list[ledgers.Table]:
    texts = ledgers.Table("文本", ("序号", "文本", "备注"), ("int", "text", "text"),
                          [(i, text, None if i % 2 else "x") for i, text in enumerate(TEXTS, 1)])
    values = ledgers.Table("数值", ("日期", "时间", "金额", "数"), ("date", "instant", "money", "int"),
                           [(d if type(d) is dt.date else None, d if type(d) is dt.datetime else None,
                             n, n) for d, n in zip(DATES * 2, NUMBERS, strict=False)])
    return [texts, values]


def _cells(path: Path) -> dict[str, list[list[tuple]]]:
    """Every sheet's cells as read back: (value, type, number format, bold, alignment)."""
    book = load_workbook(path)
    return {ws.title: [[(c.value, c.data_type, c.number_format, bool(c.font.b), c.alignment.horizontal)
                        for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_cells_are_the_ones_xlsxwriter_wrote(tmp_path: Path) -> None:
    ledgers.write_xlsx(_edge_tables(), tmp_path / "new.xlsx")
    xlsxwriter_xlsx(_edge_tables(), tmp_path / "old.xlsx")
    new, old = _cells(tmp_path / "new.xlsx"), _cells(tmp_path / "old.xlsx")
    assert list(new) == list(old) == ["文本", "数值"]
    assert [len(rows) for rows in new.values()] == [len(TEXTS) + 1, len(NUMBERS) + 1]
    for sheet, rows in old.items():
        for new_row, old_row in zip(new[sheet], rows, strict=True):
            assert new_row == old_row, sheet
    texts = [row[1][0] for row in new["文本"]][1:]
    assert texts[-3] == "𠮷" * 16_383 and len(texts[-4]) == 32_767  # cut as Excel holds


def test_markup_in_a_text_stays_text(tmp_path: Path) -> None:
    """xlsxwriter copied a text that looks like rich-text markup (`<r>…</r>`) into the
    sheet's XML unescaped; here it is a text like any other."""
    markup = "<r><t>看似富文本</t></r>"
    tab = ledgers.Table("表", ("文本",), ("text",), [(markup,)])
    ledgers.write_xlsx([tab], tmp_path / "m.xlsx")
    cell = load_workbook(tmp_path / "m.xlsx").active["A2"]
    assert (cell.value, cell.data_type) == (markup, "s")


def test_a_sheet_past_excels_rows_is_an_error_and_leaves_no_file(tmp_path: Path,
                                                                 monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    fits = ledgers.Table("够", ("序号",), ("int",), [(i,) for i in range(4)])
    ledgers.write_xlsx([fits], tmp_path / "fits.xlsx")
    assert load_workbook(tmp_path / "fits.xlsx").active.max_row == 5
    over = ledgers.Table("超", ("序号",), ("int",), [(i,) for i in range(5)])
    with pytest.raises(FieldLogError) as caught:
        ledgers.write_xlsx([fits, over], tmp_path / "over.xlsx")
    assert caught.value.key == "ledger.too_many_rows" and "超" in caught.value.message()
    assert not (tmp_path / "over.xlsx").exists()


def test_a_failed_export_keeps_the_earlier_one_at_its_path(tmp_path: Path,
                                                           monkeypatch) -> None:  # noqa: ANN001
    """The same campaign and day give the same file name: a second export that fails
    must leave the first one whole, and nothing of its own."""
    target = tmp_path / "台账.xlsx"
    ledgers.write_xlsx([ledgers.Table("表", ("序号",), ("int",), [(1,), (2,)])], target)
    earlier = target.read_bytes()
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    with pytest.raises(FieldLogError):
        ledgers.write_xlsx([ledgers.Table("表", ("序号",), ("int",), [(i,) for i in range(9)])],
                           target)
    assert target.read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx"]


def test_a_repeated_heading_keeps_both_columns(tmp_path: Path) -> None:
    """The library keys a row's cells by heading: two columns headed alike stay two
    columns, the second numbered as Excel numbers a repeated table header."""
    tab = ledgers.Table("表", ("金额", "备注", "金额", "金额"), ("money", "text", "money", "int"),
                        [(Decimal("1.50"), "甲", Decimal("2.25"), 3)])
    ledgers.write_xlsx([tab], tmp_path / "r.xlsx")
    rows = [[(c.value, c.number_format) for c in row] for row in load_workbook(tmp_path / "r.xlsx").active]
    assert [value for value, _f in rows[0]] == ["金额", "备注", "金额2", "金额3"]
    assert rows[1] == [(1.5, "#,##0.00"), ("甲", "General"), (2.25, "#,##0.00"), (3, "General")]


def test_an_empty_table_still_has_its_header(tmp_path: Path) -> None:
    empty = ledgers.Table("空", ("序号", "日期"), ("int", "date"), [])
    ledgers.write_xlsx([empty], tmp_path / "e.xlsx")
    ws = load_workbook(tmp_path / "e.xlsx").active
    assert [[(c.value, bool(c.font.b)) for c in row] for row in ws.iter_rows()] == [
        [("序号", True), ("日期", True)]]
    assert ws.freeze_panes == "A2"


def test_each_sheet_is_read_when_it_is_written(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Progress runs sheet after sheet: no sheet's rows (nor its width sample) are read
    before the sheets ahead of it are written."""
    monkeypatch.setattr(ledgers, "WIDTH_SAMPLE", 1)  # a sample shorter than the sheets
    seen: list[tuple[str, int, bool]] = []
    tables = [ledgers.Table(name, ("序号",), ("int",), ((i,) for i in range(n)))
              for name, n in (("一", 3), ("二", 0), ("三", 2))]
    ledgers.write_xlsx(tables, tmp_path / "p.xlsx", progress=lambda *told: seen.append(told))
    assert seen == [("一", 0, False), ("一", 3, True), ("二", 0, False), ("二", 0, True),
                    ("三", 0, False), ("三", 2, True)]


def test_a_long_table_name_is_cut_to_a_sheet_name(tmp_path: Path) -> None:
    """Excel (and the library) take 31 characters at most in a sheet's name."""
    name = "Inspections of the whole district, autumn campaign"
    ledgers.write_xlsx([ledgers.Table(name, ("序号",), ("int",), [(1,)])], tmp_path / "n.xlsx")
    assert load_workbook(tmp_path / "n.xlsx").sheetnames == [name[:31]]
