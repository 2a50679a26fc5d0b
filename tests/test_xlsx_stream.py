"""The streaming .xlsx writer (report/xlsx.py) against xlsxwriter, the writer it replaced:
the same cells, down to the XML of each, for the texts that need escaping, the numbers
and the dates; and what only it does right (markup stays text, too many rows is an
error, not a cut)."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from xlsxwriter.utility import _datetime_to_excel_datetime

from tests.ledger_reference import xlsxwriter_xlsx
from tui_app.errors import FieldLogError
from tui_app.report import ledgers, xlsx

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TEXTS = ["a & b < c > d", "_x0041_ stays as typed", "bell\x07and\x1fus", "  padded  ", "\n",
         "\u3000全角空格", "tab\there", "𠮷野家", "字" * 40_000, "𠮷" * 20_000, "=1+1", "'quoted"]
DATES = [dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2026, 9, 14),
         dt.datetime(2026, 9, 14, 10, 30), dt.datetime(2026, 9, 14, 23, 59, 59, 999_999)]
NUMBERS = [0, -5, 1.5, 10**17, 1 / 3, Decimal("12.34"), Decimal("-0.01"), True]


def _edge_tables() -> list[ledgers.Table]:
    texts = ledgers.Table("文本", ("序号", "文本", "备注"), ("int", "text", "text"),
                          [(i, text, None if i % 2 else "x") for i, text in enumerate(TEXTS, 1)])
    values = ledgers.Table("数值", ("日期", "时间", "金额", "数"), ("date", "instant", "money", "int"),
                           [(d if type(d) is dt.date else None, d if type(d) is dt.datetime else None,
                             n, n) for d, n in zip(DATES * 2, NUMBERS, strict=False)])
    return [texts, values]


def _cells(path: Path) -> list[list[tuple]]:
    """Every sheet's range (<dimension>), then its cells as (ref, type, style's number
    format, text kept spaced, value)."""
    with zipfile.ZipFile(path) as book:
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind(".//m:numFmt", NS)}
        xfs = [codes.get(xf.get("numFmtId")) for xf in styles.find("m:cellXfs", NS)]
        sheets = sorted(n for n in book.namelist() if n.startswith("xl/worksheets/"))
        out = []
        for name in sheets:
            root = ElementTree.fromstring(book.read(name))
            out.append([root.find("m:dimension", NS).get("ref")] + [(c.get("r"), c.get("t"), xfs[int(c.get("s", 0))],
                         [t.get(SPACE) for t in c.iterfind(".//m:t", NS)],
                         "".join(c.itertext())) for c in root.iterfind(".//m:c", NS)])
    return out


def test_cells_are_the_ones_xlsxwriter_wrote(tmp_path: Path) -> None:
    ledgers.write_xlsx(_edge_tables(), tmp_path / "new.xlsx")
    xlsxwriter_xlsx(_edge_tables(), tmp_path / "old.xlsx")
    new, old = _cells(tmp_path / "new.xlsx"), _cells(tmp_path / "old.xlsx")
    assert [sheet[0] for sheet in new] == ["A1:C13", "A1:D9"]
    assert [len(sheet) for sheet in new] == [len(sheet) for sheet in old] == [34, 29]
    for new_sheet, old_sheet in zip(new, old, strict=True):
        for new_cell, old_cell in zip(new_sheet, old_sheet, strict=True):
            assert new_cell == old_cell
    texts = [c.value for c in load_workbook(tmp_path / "new.xlsx")["文本"]["B"]][1:]
    assert texts[-3] == "𠮷" * 16_383 and len(texts[-4]) == 32_767  # cut as Excel holds


def test_excel_serials_are_xlsxwriters() -> None:
    for moment in DATES:
        assert xlsx.excel_serial(moment) == _datetime_to_excel_datetime(moment, False, False)


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


def test_json_columns_parse_as_json_does() -> None:
    """The ledgers read their JSON columns with orjson, and with json whatever orjson
    refuses: the values are json's, but for an integer past 64 bits (a float)."""
    import json

    from tui_app.store.ledgers import parsed

    texts = ['{"directives": 2, "seized": [{"value_fen": 12345, "item": "电热板"}]}',
             '[{"name": "张三", "badge": "3201001"}]', '{"big": 18446744073709551615}',
             '{"x": NaN, "y": -Infinity}', '{"s": "\\ud800 lone"}', '{"f": 0.1, "g": 1e308}',
             '{"dup": 1, "dup": 2}', "[]", "{}"]
    for text in texts:
        got, want = parsed(text), json.loads(text)
        assert repr(got) == repr(want), text  # repr: NaN is not equal to itself
    assert parsed('{"n": 123456789012345678901234567890}') == {"n": 1.2345678901234568e29}


def test_a_write_failing_in_the_compressing_thread_is_raised_and_leaves_no_file(
        tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A full disk while a sheet is deflated (in the second thread) reaches the caller as
    the OSError it is (the export service words it for the user), and no half-written
    file is left."""
    import errno

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "open", full)
    tab = ledgers.Table("表", ("序号",), ("int",), [(i,) for i in range(10_000)])
    with pytest.raises(OSError) as caught:
        ledgers.write_xlsx([tab, tab], tmp_path / "full.xlsx")
    assert caught.value.errno == errno.ENOSPC
    assert not (tmp_path / "full.xlsx").exists()
