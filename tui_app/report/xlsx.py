"""Plain typed tables into an .xlsx, streamed: one bold, centred, frozen header row,
column widths, and rows of text, numbers and dates.

rustpy-xlsxwriter (a binding of rust_xlsxwriter) writes the workbook in its
constant-memory mode, pulling each sheet's rows from a generator as it writes them, so
memory stays flat however long a sheet is, and a cell costs Rust time, not Python
calls. A text is only ever a text cell there: never a formula, a link or markup,
whatever it starts with or contains.

What is left here is what the library leaves to its caller:
- its rows are dicts keyed by header, written in the dict's order and headed by the
  first row's keys, so a heading that repeats in a sheet is numbered as Excel numbers a
  repeated table header (金额, 金额2), and an empty table gets one empty row for its
  header to be written;
- a text longer than a cell holds stops it, so such a text is cut where Excel cuts it;
- past Excel's last row it fails naming no sheet, so TooManyRows is raised here first.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_ROWS = 1_048_576  # rows in a sheet, header included (Excel's limit)
MAX_TEXT = 32_767  # characters in a cell, as Excel counts them (UTF-16 units)

Rows = Iterable[Sequence[Any]]


@dataclass(frozen=True)
class Sheet:
    """A sheet to write. `formats` gives each column's number format (or None): it
    applies to numbers and dates in that column, never to text. `content` is called
    when the sheet's turn comes, not before, and gives the column widths and the rows:
    so a sheet's first rows can size its columns without any sheet being read ahead of
    the ones written before it."""

    name: str
    header: Sequence[str]
    formats: Sequence[str | None]
    content: Callable[[], tuple[Sequence[float], Rows]]


class TooManyRows(ValueError):
    """A sheet longer than Excel can open; raised before the row past the limit."""

    def __init__(self, sheet: str) -> None:
        super().__init__(sheet)
        self.sheet = sheet


def distinct(headers: Sequence[str]) -> list[str]:
    """The headers with each repeat numbered (金额, 金额2, 金额3), as Excel does in a
    table: the library keys a row's cells by header, so two columns need two names."""
    seen: set[str] = set()
    out = []
    for header in headers:
        name, n = header, 1
        while name in seen:
            n += 1
            name = f"{header}{n}"
        seen.add(name)
        out.append(name)
    return out


def fit(text: str) -> str:
    """`text` cut to what a cell holds (MAX_TEXT UTF-16 units, a character never
    split), as Excel cuts a longer paste; anything shorter is returned as it is."""
    if len(text) <= MAX_TEXT // 2:
        return text
    units = text.encode("utf-16-le")
    return text if len(units) <= MAX_TEXT * 2 else units[:MAX_TEXT * 2].decode("utf-16-le", "ignore")


def _records(sheet: Sheet, keys: Sequence[str], widths: list[float]) -> Iterator[dict[str, Any]]:
    """The sheet's rows as the library's records, when it asks for them. Fills
    `widths` first (the library reads them once the rows are written)."""
    sized, rows = sheet.content()
    widths.extend(sized)
    texts = [i for i, number_format in enumerate(sheet.formats) if number_format is None]
    half = MAX_TEXT // 2
    count = 0
    for count, row in enumerate(rows, start=2):
        if count > MAX_ROWS:
            raise TooManyRows(sheet.name)
        for i in texts:  # the one per-cell step in Python: Excel's text limit
            value = row[i]
            if value.__class__ is str and len(value) > half:
                row = (*row[:i], fit(value), *row[i + 1:])
        yield dict(zip(keys, row, strict=True))
    if not count:
        yield dict.fromkeys(keys)  # no row: still the header


def write(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write `sheets` into an .xlsx at `path`, each sheet's rows read once, as they come.

    The workbook is written beside `path` under a name of its own and moved onto `path`
    only once whole: on any failure (TooManyRows, a full disk, Ctrl-C) no half-written
    file is left, and an earlier export at `path` (the same campaign and day give the
    same name) is still there."""
    import rustpy_xlsxwriter as rx  # loads with an export, not with every command

    header = rx.Format().set_bold().set_align("center").set_align("vcenter")
    formats = {code: rx.Format().set_num_format(code)
               for sheet in sheets for code in sheet.formats if code is not None}
    widths: dict[str, list[float]] = {sheet.name: [] for sheet in sheets}
    records = [(sheet.name, _records(sheet, distinct(sheet.header), widths[sheet.name]))
               for sheet in sheets]
    partial = path.with_name(f".{path.stem}-{secrets.token_hex(4)}.partial{path.suffix}")
    try:
        rx.write_worksheets(
            records, partial, freeze_panes={"general": {"row": 1, "col": 0}}, autofit=False,
            header_format={"general": header}, column_widths=widths,
            column_formats={sheet.name: [formats.get(code) for code in sheet.formats]
                            for sheet in sheets})
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
