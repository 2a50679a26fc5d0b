"""Ledgers (台账) as tables, and their CSV and .xlsx files.

A ledger's columns are declared once here (id, header, kind); the kind decides how a
stored value becomes a cell: dates become real dates, instants local date-times,
money a number of 元 (never text), so a bureau can sort, sum and filter in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tui_app.domain.pack import Tally
from tui_app.errors import FieldLogError
from tui_app.i18n import pick, t
from tui_app.report import xlsx
from tui_app.report.numbers import yuan

Cell = str | int | Decimal | dt.date | dt.datetime | None
# Told how far a write has got: (sheet name, rows written so far, whether the sheet is
# finished). Called when a sheet starts, every PROGRESS_EVERY rows and when it ends,
# so a face can show a long export moving without the writers knowing about screens.
Progress = Callable[[str, int, bool], None]
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Column:
    id: str
    header: str  # catalog key
    kind: str = "text"  # text, date, instant, int, money, bool, action


@dataclass(frozen=True)
class LedgerSpec:
    id: str
    title: str  # catalog key: the sheet's and the CSV file's name
    columns: tuple[Column, ...]


def _cols(*specs: tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


LEDGERS: tuple[LedgerSpec, ...] = (
    LedgerSpec("inspection", "ledger.inspection", _cols(
        ("started_at", "ledger.col.inspected_at", "instant"),
        ("action", "ledger.col.action", "action"),
        ("entity", "ledger.col.entity"), ("uscc", "ledger.col.uscc"),
        ("township", "ledger.col.township"), ("officers", "ledger.col.officers"),
        ("badges", "ledger.col.badges"), ("findings", "ledger.col.findings"),
        ("rectification", "ledger.col.rectification", "bool"),
        ("directives", "ledger.col.directives", "int"), ("sealed", "ledger.col.sealed", "int"),
        ("seized_value_fen", "ledger.col.seized_value", "money"),
        ("result", "ledger.col.result"), ("attachments", "ledger.col.attachments", "int"),
        ("doc_numbers", "ledger.col.doc_numbers"), ("id", "ledger.col.id"))),
    LedgerSpec("case", "ledger.case", _cols(
        ("filed_on", "ledger.col.filed_on", "date"), ("action", "ledger.col.action", "action"),
        ("case_type", "ledger.col.case_type"), ("entity", "ledger.col.party"),
        ("uscc", "ledger.col.uscc"), ("status", "ledger.col.status"),
        ("fine_fen", "ledger.col.fine", "money"),
        ("confiscated_fen", "ledger.col.confiscated", "money"),
        ("penalty_fen", "ledger.col.penalty", "money"),
        ("goods_value_fen", "ledger.col.goods_value", "money"),
        ("summary", "ledger.col.summary"), ("inspection_id", "ledger.col.inspection_id"),
        ("id", "ledger.col.id"))),
    LedgerSpec("complaint", "ledger.complaint", _cols(
        ("received_at", "ledger.col.received_at", "instant"), ("channel", "ledger.col.channel"),
        ("entity", "ledger.col.subject"), ("summary", "ledger.col.summary"),
        ("status", "ledger.col.status"), ("handled_at", "ledger.col.handled_at", "instant"),
        ("action", "ledger.col.action", "action"), ("id", "ledger.col.id"))),
    LedgerSpec("seizure", "ledger.seizure", _cols(
        ("day", "ledger.col.day", "date"), ("action", "ledger.col.action", "action"),
        ("entity", "ledger.col.entity"), ("uscc", "ledger.col.uscc"),
        ("measure", "ledger.col.measure"), ("item", "ledger.col.item"),
        ("unit", "ledger.col.unit"), ("quantity", "ledger.col.quantity", "int"),
        ("value_fen", "ledger.col.value", "money"),
        ("inspection_id", "ledger.col.inspection_id"))),
    LedgerSpec("directive", "ledger.directive", _cols(
        ("day", "ledger.col.issued_on", "date"), ("action", "ledger.col.action", "action"),
        ("entity", "ledger.col.user_unit"), ("uscc", "ledger.col.uscc"),
        ("equipment", "ledger.col.equipment"), ("directives", "ledger.col.directive_count", "int"),
        ("findings", "ledger.col.findings"), ("officers", "ledger.col.officers"),
        ("inspection_id", "ledger.col.inspection_id"))),
)

# The summary sheet (统计报表): one row per action, these figures as columns.
SUMMARY_COLUMNS = _cols(
    ("inspections", "ledger.col.sum_inspections", "int"),
    ("entities", "ledger.col.sum_entities", "int"),
    ("officer_days", "ledger.col.sum_officer_days", "int"),
    ("rectified", "ledger.col.sum_rectified", "int"),
    ("directives", "ledger.col.sum_directives", "int"),
    ("sealed", "ledger.col.sum_sealed", "int"),
    ("seized_value_fen", "ledger.col.sum_seized_value", "money"),
    ("cases", "ledger.col.sum_cases", "int"),
    ("penalty_fen", "ledger.col.sum_penalty", "money"),
    ("complaints", "ledger.col.sum_complaints", "int"),
)


@dataclass(frozen=True)
class Table:
    """A ledger ready to write: a name, headers, cell kinds and typed rows (read once)."""

    name: str
    headers: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: Iterable[tuple[Cell, ...]]


def _local(utc_text: str | None, tz: ZoneInfo) -> dt.datetime | None:
    if not utc_text:
        return None
    moment = dt.datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    return moment.astimezone(tz).replace(tzinfo=None)


def converter(kind: str, tz: ZoneInfo, action_name: Callable[[str], str],
              ) -> Callable[[Any], Cell]:
    """How a stored value of `kind` becomes the cell a bureau expects (dates as dates,
    money in 元; None or "" is an empty cell). One function per column, chosen once:
    a ledger converts millions of values, and an export's instants repeat (by the
    minute), so each distinct one is converted once."""
    if kind == "date":
        convert: Callable[[Any], Cell] = dt.date.fromisoformat
    elif kind == "instant":
        convert = lru_cache(maxsize=4096)(lambda value: _local(value, tz))
    elif kind == "money":
        def convert(value: Any) -> Cell:
            return yuan(int(value))
    elif kind == "bool":
        yes, no = t("ledger.yes"), t("ledger.no")

        def convert(value: Any) -> Cell:
            return yes if value else no
    elif kind == "action":
        convert = lru_cache(maxsize=256)(action_name)
    else:
        return _as_is

    def cell_of(value: Any) -> Cell:
        return None if value is None or value == "" else convert(value)

    return cell_of


def _as_is(value: Any) -> Cell:
    return None if value is None or value == "" else value


def cell(kind: str, value: Any, tz: ZoneInfo, action_name: Callable[[str], str]) -> Cell:
    """One stored value as its cell (`converter`), for the short tables."""
    return converter(kind, tz, action_name)(value)


def table(spec: LedgerSpec, rows: Iterable[Mapping[str, Any]], tz: ZoneInfo,
          action_name: Callable[[str], str]) -> Table:
    """A ledger's rows as a table, numbered (序号) from 1."""
    kinds = ("int", *(c.kind for c in spec.columns))
    headers = (t("ledger.col.seq"), *(t(c.header) for c in spec.columns))
    columns = [(c.id, converter(c.kind, tz, action_name)) for c in spec.columns]
    body = ((i, *[convert(row.get(key)) for key, convert in columns])
            for i, row in enumerate(rows, start=1))
    return Table(t(spec.title), headers, kinds, body)


def summary_table(figures: Callable[[], Mapping[str | None, Mapping[str, Any]]],
                  actions: Sequence[tuple[str, str]], total_key: str, tz: ZoneInfo) -> Table:
    """统计报表: actions as rows (in pack order), figures as columns, then the campaign total.

    `figures` is called only when the sheet is written: over a whole campaign it reads
    every record once, and that should happen while the progress shows this sheet.
    """
    headers = (t("ledger.col.action"), *(t(c.header) for c in SUMMARY_COLUMNS))
    kinds = ("text", *(c.kind for c in SUMMARY_COLUMNS))
    labels = [*actions, (total_key, t("ledger.total"))]

    def rows() -> Iterator[tuple[Cell, ...]]:
        counted = figures()
        for key, name in labels:
            values = counted.get(key, {})
            yield (name, *(cell(c.kind, values.get(c.id, 0), tz, str) or 0
                           for c in SUMMARY_COLUMNS))

    return Table(t("ledger.summary"), headers, kinds, rows())


def figures_table(items: Sequence[tuple[Tally, int | float]], tz: ZoneInfo) -> Table:
    """报告数据: the pack's tallies for the period, the figures the report prints.

    Money is given in 元 (the report rounds it to 万元) so it can be checked against the
    ledgers' sums.
    """
    headers = tuple(t(k) for k in ("ledger.col.tally", "ledger.col.figure", "ledger.col.unit",
                                   "ledger.col.tally_id"))
    rows = [(pick(tally.label), cell("money", value, tz, str) if tally.is_money else value,
             t("ledger.yuan") if tally.is_money else tally.unit, tally.id)
            for tally, value in items]
    return Table(t("ledger.figures"), headers, ("text", "number", "text", "text"), rows)


# What a spreadsheet takes for the start of a formula (OWASP, "CSV injection"): `=`, `+`,
# `-`, `@`, and a tab or carriage return before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as typed instead of running it: a leading single quote
    when it starts like a formula (OWASP's rule for CSV). The database keeps `text`."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(kind: str, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralised(value)
    if kind == "money":
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _reported(name: str, rows: Iterable[tuple[Cell, ...]],
              progress: Progress | None) -> Iterator[tuple[Cell, ...]]:
    """`rows`, telling `progress` as they are taken: at the start, every
    PROGRESS_EVERY rows and at the end."""
    if progress is None:
        yield from rows
        return
    progress(name, 0, False)
    count = 0
    for count, row in enumerate(rows, start=1):
        yield row
        if count % PROGRESS_EVERY == 0:
            progress(name, count, False)
    progress(name, count, True)


def write_csv(tables: Sequence[Table], folder: Path, progress: Progress | None = None,
              ) -> list[Path]:
    """One CSV per ledger in `folder` (UTF-8 with BOM: Excel then opens it as UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for tab in tables:
        path = folder / f"{tab.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(tab.headers)
            writer.writerows([_csv_value(k, v) for k, v in zip(tab.kinds, row, strict=True)]
                             for row in _reported(tab.name, tab.rows, progress))
        written.append(path)
    return written


@lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK (wide) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "instant": "yyyy-mm-dd hh:mm", "money": "#,##0.00"}
_SHOWN_WIDTH = {"date": 10, "instant": 16}
WIDTH_SAMPLE = 2000  # rows read ahead to size the columns (the rest streams through)
MAX_WIDTH = 60


def _widths(tab: Table, rows: Iterator[tuple[Cell, ...]],
            ) -> tuple[list[int], Iterator[tuple[Cell, ...]]]:
    """Column widths that fit the headers and the first of `rows`, and the rows to write."""
    ahead = list(islice(rows, WIDTH_SAMPLE))
    widths = [display_width(h) for h in tab.headers]
    for row in ahead:
        for i, (kind, value) in enumerate(zip(tab.kinds, row, strict=True)):
            if value is not None:
                shown = _SHOWN_WIDTH.get(kind) or display_width(_csv_value(kind, value))
                widths[i] = max(widths[i], shown)
    return [min(max(w, 4) + 2, MAX_WIDTH) for w in widths], chain(ahead, rows)


def write_xlsx(tables: Sequence[Table], path: Path, progress: Progress | None = None) -> None:
    """One sheet per table: bold frozen header, CJK-aware widths, typed cells.

    Streamed (report/xlsx.py): each row goes into the file as it comes, so memory stays
    flat however long the ledgers are. Every text is written as a text cell, never as a
    formula or a link, whatever it starts with (`=HYPERLINK(…)`, `=cmd|…`): a ledger
    cannot run anything.
    """
    try:
        xlsx.write(path, [_sheet(tab, progress) for tab in tables])
    except xlsx.TooManyRows as exc:
        raise FieldLogError("ledger.too_many_rows", sheet=exc.sheet,
                            limit=f"{xlsx.MAX_ROWS - 1:,}") from None


def _sheet(tab: Table, progress: Progress | None) -> xlsx.Sheet:
    """The table as a sheet whose rows (and the widths read from their first ones) are
    taken, and reported to `progress`, only when the sheet is written."""
    return xlsx.Sheet(tab.name[:31], tab.headers, [_NUMBER_FORMATS.get(kind) for kind in tab.kinds],
                      lambda: _widths(tab, _reported(tab.name, tab.rows, progress)))
