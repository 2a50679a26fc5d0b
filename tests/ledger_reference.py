"""The .xlsx ledger writer as FieldLog had it before issue 12 (openpyxl's write-only
mode), and the xlsxwriter one that followed it: the references the streaming writer of
report/xlsx.py must match cell for cell."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui_app.report.ledgers import _NUMBER_FORMATS, Cell, Table, _widths


def write_xlsx(tables: Sequence[Table], path: Path) -> None:
    """The ledger writer as it was before xlsxwriter (openpyxl's write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")
    for tab in tables:
        sheet = book.create_sheet(tab.name[:31])
        widths, rows = _widths(tab, iter(tab.rows))
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for text in tab.headers:
            head = WriteOnlyCell(sheet, value=text)
            head.font, head.alignment = bold, centre
            header.append(head)
        sheet.append(header)
        formats = [_NUMBER_FORMATS.get(kind) for kind in tab.kinds]
        for row in rows:
            sheet.append([_formatted(sheet, value, fmt, WriteOnlyCell) if fmt else value
                          for value, fmt in zip(row, formats, strict=True)])
    book.save(str(path))


def _formatted(sheet: Any, value: Cell, fmt: str, make: Any) -> Any:
    if value is None:
        return None
    out = make(sheet, value=value)
    out.number_format = fmt
    return out


def xlsxwriter_xlsx(tables: Sequence[Table], path: Path) -> None:
    """The ledger writer as it was before the streaming writer of report/xlsx.py:
    xlsxwriter in constant-memory mode, a typed `write_*` call per cell."""
    import datetime as dt
    from decimal import Decimal

    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False})
    header = book.add_format({"bold": True, "align": "center", "valign": "vcenter"})
    number_formats = {kind: book.add_format({"num_format": fmt})
                      for kind, fmt in _NUMBER_FORMATS.items()}
    for tab in tables:
        sheet = book.add_worksheet(tab.name[:31])
        widths, rows = _widths(tab, iter(tab.rows))
        for i, width in enumerate(widths):
            sheet.set_column(i, i, width)
        sheet.freeze_panes(1, 0)
        for i, text in enumerate(tab.headers):
            sheet.write_string(0, i, text, header)
        formats = [number_formats.get(kind) for kind in tab.kinds]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, formats[c])
                elif value is not None:
                    number = float(value) if isinstance(value, Decimal) else value
                    sheet.write_number(r, c, number, formats[c])
    book.close()
