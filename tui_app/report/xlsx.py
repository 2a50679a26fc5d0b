"""A streaming .xlsx writer for plain typed tables: one bold frozen header row, column
widths, and rows of text, numbers and dates, each row written out as it comes.

Why not xlsxwriter: its constant-memory mode costs about 9 µs a cell in Python calls
(checks, an attribute list and three regular expressions per cell), so writing the
cells of 1M inspections alone takes it 90 s or more on this kind of machine, past the
60 s the whole export may take (README, "Big ledgers stream"). Here a row is one
f-string per cell; the rows are spooled to a temporary file (the sheet's size comes
before them), then deflated in a second thread (zlib lets go of the GIL).

What is written is what xlsxwriter wrote (the same parts, styles, inline strings and
number formats, minus the theme and document properties, which Excel does not need),
and a text is only ever a text cell: never a formula, a link or markup, whatever it
starts with or contains.
"""

from __future__ import annotations

import datetime as dt
import queue
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import zipfile

MAX_ROWS = 1_048_576  # rows in a sheet, header included (Excel's limit)
MAX_TEXT = 32_767  # characters in a cell (UTF-16 units)
CHUNK_ROWS = 2000  # rows encoded and spooled at a time
SPOOL_READ = 1 << 20  # bytes of spooled rows handed to the compressing thread at a time

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# What a text needs beyond copying: XML's specials, control characters (written as
# _xHHHH_, as Excel does, and a literal _xHHHH_ escaped as _x005F_xHHHH_), the two
# non-characters, and white space at either end (kept with xml:space="preserve").
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_EPOCH = dt.datetime(1899, 12, 31)


def escape(text: str) -> str:
    """XML's three specials in element text (quotes need no escape there)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """`text` as a double-quoted XML attribute value."""
    return '"' + escape(text).replace('"', "&quot;") + '"'


@dataclass(frozen=True)
class Sheet:
    """A sheet to write. `formats` gives each column's number format (or None): it
    applies to numbers and dates in that column, never to text."""

    name: str
    header: Sequence[str]
    widths: Sequence[int]
    formats: Sequence[str | None]
    rows: Iterable[Sequence[Any]]


class TooManyRows(ValueError):
    """A sheet longer than Excel can open; raised before the row past the limit."""

    def __init__(self, sheet: str) -> None:
        super().__init__(sheet)
        self.sheet = sheet


def column_letters(n: int) -> list[str]:
    """A, B, …, Z, AA, … for the first `n` columns."""
    out = []
    for i in range(1, n + 1):
        name = ""
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(65 + rest) + name
        out.append(name)
    return out


def text_xml(text: str) -> str:
    """`<t>…</t>` for a text, escaped the way xlsxwriter and Excel do (see _SPECIAL);
    longer than a cell holds, it is cut as xlsxwriter cut it."""
    if len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
        text = _utf16_cut(text)
    if _SPECIAL.search(text) is None:
        return f"<t>{text}</t>"
    text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    spaced = _EDGE_SPACE.search(text) is not None
    return f'<t xml:space="preserve">{escape(text)}</t>' if spaced else f"<t>{escape(text)}</t>"


def _utf16_cut(text: str) -> str:
    cut = text.encode("utf-16-le")[:MAX_TEXT * 2]
    return cut.decode("utf-16-le", errors="ignore")


def excel_serial(moment: dt.date) -> float:
    """A date or a naive date-time as Excel's serial number (1900 system, Excel's phantom
    29 Feb 1900 included), computed as xlsxwriter computes it."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    delta = moment - _EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


def rows_xml(rows: Iterable[Sequence[Any]], first: int, letters: Sequence[str],
             styles: Sequence[str]) -> Iterator[str]:
    """`<row>` elements for `rows`, numbered from `first`. `styles[c]` is the ` s="N"`
    attribute that numbers and dates of column c take ('' for none). The innermost loop
    of an export: one f-string per cell, dispatched on the value's type."""
    serials: dict[dt.date, float] = {}  # an export's times repeat (by the minute)
    for n, row in enumerate(rows, start=first):
        cells = [f'<row r="{n}">']
        for letter, style, value in zip(letters, styles, row, strict=True):
            kind = type(value)
            if kind is str:
                if len(value) <= MAX_TEXT // 2 and _SPECIAL.search(value) is None:  # usual
                    cells.append(f'<c r="{letter}{n}" t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    cells.append(f'<c r="{letter}{n}" t="inlineStr"><is>{text_xml(value)}</is></c>')
            elif kind is int or kind is float or kind is bool:
                cells.append(f'<c r="{letter}{n}"{style}><v>{value:.16G}</v></c>')
            elif kind is Decimal:
                cells.append(f'<c r="{letter}{n}"{style}><v>{float(value):.16G}</v></c>')
            elif kind is dt.datetime or kind is dt.date:
                serial = serials.get(value)
                if serial is None:
                    serial = serials[value] = excel_serial(value)
                cells.append(f'<c r="{letter}{n}"{style}><v>{serial:.16G}</v></c>')
            elif value is not None:
                raise TypeError(f"no .xlsx cell for {kind.__name__}")
        cells.append("</row>")
        yield "".join(cells)


def _stored_width(width: float) -> float:
    """A width in characters as Excel stores it (with its 5-pixel padding, in 1/256
    of a character of 7 pixels): what xlsxwriter writes for `set_column(width)`."""
    return int((int(width * 7 + 0.5) + 5) / 7 * 256) / 256


class _Styles:
    """The cell formats of a workbook: 0 plain, 1 the header (bold, centred), then one
    per number format in order of first use (custom number formats from id 164)."""

    def __init__(self) -> None:
        self.formats: list[str] = []

    def attribute(self, number_format: str | None) -> str:
        if number_format is None:
            return ""
        if number_format not in self.formats:
            self.formats.append(number_format)
        return f' s="{self.formats.index(number_format) + 2}"'

    def xml(self) -> str:
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        num_fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode={quoteattr(code)}/>'
                           for i, code in enumerate(self.formats))
        xfs = "".join(f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" '
                      'applyNumberFormat="1"/>' for i in range(len(self.formats)))
        return (
            f'{_XML_HEAD}<styleSheet xmlns="{_MAIN_NS}">'
            f'<numFmts count="{len(self.formats)}">{num_fmts}</numFmts>'
            f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            f'borderId="0"/></cellStyleXfs><cellXfs count="{len(self.formats) + 2}">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
            'applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>'
            f'{xfs}</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
            'builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" '
            'defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            "</styleSheet>")


def _dimension(letters: Sequence[str], last_row: int) -> str:
    """The range the sheet's cells span, as Excel and xlsxwriter write it ("A1" for one)."""
    end = f"{letters[-1]}{last_row}"
    return "A1" if end == "A1" else f"A1:{end}"


def _sheet_head(sheet: Sheet, letters: Sequence[str], selected: bool, last_row: int) -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{_stored_width(w)}" customWidth="1"/>'
                   for i, w in enumerate(sheet.widths, start=1))
    header = "".join(f'<c r="{letter}1" s="1" t="inlineStr"><is>{text_xml(text)}</is></c>'
                     for letter, text in zip(letters, sheet.header, strict=True))
    tab = ' tabSelected="1"' if selected else ""
    return (f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<dimension ref="{_dimension(letters, last_row)}"/><sheetViews>'
            f'<sheetView{tab} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{cols}</cols><sheetData><row r="1">{header}</row>')


_SHEET_TAIL = ('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
               'header="0.3" footer="0.3"/></worksheet>')


def _chunks(sheet: Sheet, styles: _Styles, selected: bool) -> Iterator[bytes]:
    """The sheet's XML, as UTF-8 in chunks. The rows are spooled to a temporary file
    first, as xlsxwriter spooled them: the sheet's <dimension> (which readers such as
    openpyxl's read-only mode take for its size) comes before them and needs their count."""
    letters = column_letters(len(sheet.header))
    attributes = [styles.attribute(f) for f in sheet.formats]
    with tempfile.TemporaryFile() as spool:
        last, chunk = 1, []
        for last, row in enumerate(rows_xml(sheet.rows, 2, letters, attributes), start=2):
            if last > MAX_ROWS:
                raise TooManyRows(sheet.name)
            chunk.append(row)
            if len(chunk) == CHUNK_ROWS:
                spool.write("".join(chunk).encode())
                chunk.clear()
        spool.write("".join(chunk).encode())
        yield _sheet_head(sheet, letters, selected, last).encode()
        spool.seek(0)
        while data := spool.read(SPOOL_READ):
            yield data
    yield _SHEET_TAIL.encode()


class _Compressor:
    """Writes chunks into one zip member from a second thread, so that deflating them
    (zlib lets go of the GIL) overlaps building the next ones. A few chunks at most
    wait in between, so memory stays flat."""

    def __init__(self, book: zipfile.ZipFile) -> None:
        self.book = book
        self.pending: queue.Queue[tuple[str, bytes] | None] = queue.Queue(maxsize=4)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        name, member = None, None
        try:
            while (item := self.pending.get()) is not None:
                if item[0] != name:
                    if member is not None:
                        member.close()
                    name, member = item[0], self.book.open(item[0], "w", force_zip64=True)
                member.write(item[1])
            if member is not None:
                member.close()
        except BaseException as exc:  # handed to the writing thread, which raises it
            self.failure = exc
            while self.pending.get() is not None:  # let the producer finish its puts
                pass

    def put(self, name: str, data: bytes) -> None:
        if self.failure is not None:
            raise self.failure
        self.pending.put((name, data))

    def close(self) -> None:
        self.pending.put(None)
        self.thread.join()
        if self.failure is not None:
            raise self.failure


def _package(names: Sequence[str]) -> dict[str, str]:
    """Every part but the sheets: content types, relationships, the workbook."""
    count = len(names)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                        f'ContentType="{_SHEET_TYPE}"/>' for i in range(1, count + 1))
    sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                     for i, name in enumerate(names, start=1))
    links = "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" '
                    f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, count + 1))
    return {
        "[Content_Types].xml": (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'styles+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"),
        "_rels/.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews>'
            f'<workbookView/></bookViews><sheets>{sheets}</sheets>'
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">{links}'
            f'<Relationship Id="rId{count + 1}" Type="{_REL_NS}/styles" '
            'Target="styles.xml"/></Relationships>'),
    }


def write(path: Path, sheets: Iterable[Sheet], level: int = 1) -> None:
    """Write `sheets` into a new .xlsx at `path`, each sheet's rows read once, as they
    come. Deflate `level` 1 is 2–3× faster than zlib's default for a file about a
    third larger. On any failure (TooManyRows included) no half-written file is left."""
    import zipfile  # here, not at import: commands that write no .xlsx start faster

    styles, names = _Styles(), []
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
            compressor = _Compressor(book)
            try:
                for i, sheet in enumerate(sheets, start=1):
                    names.append(sheet.name)
                    for data in _chunks(sheet, styles, selected=i == 1):
                        compressor.put(f"xl/worksheets/sheet{i}.xml", data)
            finally:
                compressor.close()
            for name, text in _package(names).items():
                book.writestr(name, text)
            book.writestr("xl/styles.xml", styles.xml())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
