"""The .xlsx ledger writer as FieldLog had it before issue 12 (openpyxl's write-only
mode): the reference the streaming xlsxwriter writer must match cell for cell."""

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
