"""The campaign report and the ledgers: what `fieldlog report`, `export` and the TUI call.

The report is built from a `TallyResult`, whatever its scope: the local figures come
from this laptop's fact table; a central result (all inspectors) renders the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui_app.domain.filenames import safe_stem
from tui_app.domain.pack import Pack
from tui_app.errors import FieldLogError
from tui_app.i18n import pick, t
from tui_app.report import document
from tui_app.services import tally as tally_service
from tui_app.services.context import Context

if TYPE_CHECKING:  # the ledgers (and their .xlsx writer) load only with an export
    from tui_app.report import ledgers

REPORT_FORMATS = ("md", "txt", "docx")
SCOPES = ("local", "central")  # this laptop's records, or every inspector's (central store)
EXPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Period:
    """The campaign and days a report or an export covers."""

    pack: Pack
    day_from: dt.date
    day_to: dt.date


def period(ctx: Context, campaign: str | None = None, day_from: dt.date | None = None,
           day_to: dt.date | None = None) -> Period:
    """The period asked for; by default from the campaign's start up to today.

    A report is written "截至目前" (as of now) and dated with its last day, so without
    `--to` it ends today, or on the campaign's last day once the campaign is over.
    """
    pack = ctx.pack(campaign)
    first, last = pack.span(day_to or day_from or ctx.today())
    start = day_from or first
    end = day_to or max(first, min(ctx.today(), last))
    if start > end:
        raise FieldLogError("report.bad_period", start=start.isoformat(), end=end.isoformat())
    return Period(pack, start, end)


@dataclass(frozen=True)
class Report:
    """A filled report: its paragraphs, and the figures it was filled from."""

    result: tally_service.TallyResult
    paragraphs: list[document.Paragraph]

    @property
    def title(self) -> str:
        return next((p.text for p in self.paragraphs if p.role == "title"), "")

    def markdown(self) -> str:
        return document.to_markdown(self.paragraphs)

    def text(self) -> str:
        return document.to_text(self.paragraphs)

    def write(self, path: Path, fmt: str) -> Path:
        """Save as md, txt or docx; the folder is created if missing."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "docx":
                from tui_app.report.docx_writer import Fonts, write_docx  # python-docx: slow import

                fonts = Fonts.from_pack(self.result.pack.report.get("docx", {}))
                write_docx(self.paragraphs, path, fonts, self.title)
            else:
                path.write_text(self.markdown() if fmt == "md" else self.text(), encoding="utf-8")
        except OSError as exc:
            raise FieldLogError("file.cannot_write", path=str(path), detail=exc.strerror) from None
        return path


def build(result: tally_service.TallyResult, source: str | None = None) -> Report:
    """The pack's report filled with `result` (local or central figures alike)."""
    from tui_app.report.template import fill  # Jinja2 loads only when a report is made

    filled = fill(result.pack, result.values, result.day_from, result.day_to, source)
    return Report(result, document.paragraphs(filled))


def check_template(pack: Pack, source: str) -> None:
    """Fill a pack's template (if it has one) with zeros, so a bad one is refused at import."""
    if "template" in pack.report:
        from tui_app.domain.tally import finish

        zeros = finish(pack, {})
        first, last = pack.span(dt.date.today())
        build(tally_service.TallyResult(pack, first, last, zeros), source)


def local(ctx: Context, campaign: str | None = None, day_from: dt.date | None = None,
          day_to: dt.date | None = None) -> Report:
    """The report over this laptop's records."""
    span = period(ctx, campaign, day_from, day_to)
    return build(tally_service.compute(ctx, span.pack.id, span.day_from, span.day_to))


def central(ctx: Context, url: str, campaign: str | None = None,
            day_from: dt.date | None = None, day_to: dt.date | None = None) -> Report:
    """The report over every inspector's records held by the central store at `url`.

    The period is worked out as for the local report; the figures (and the pack they are
    counted and written with) come from the central store, so the bureau's report covers
    the whole district whatever this laptop has pulled.
    """
    from tui_app.services import central as central_service

    span = period(ctx, campaign, day_from, day_to)
    return build(central_service.compute_tallies(url, span.pack.id, span.day_from, span.day_to))


def for_scope(ctx: Context, scope: str, campaign: str | None = None, day_from: dt.date | None = None,
              day_to: dt.date | None = None, url: str | None = None) -> Report:
    """The report over `scope`: "local" (this laptop) or "central" (the whole team).

    The central store is `url`, else the one set by `fieldlog init --central` (or
    FIELDLOG_CENTRAL); an unset or unreachable store raises a one-line FieldLogError.
    """
    if scope == "local":
        return local(ctx, campaign, day_from, day_to)
    from tui_app.services.central_link import central_url

    return central(ctx, central_url(ctx, url), campaign, day_from, day_to)


def markdown(ctx: Context, campaign: str | None = None, day_from: dt.date | None = None,
             day_to: dt.date | None = None) -> str:
    """Markdown text of the local report (what the TUI's report screen shows)."""
    return local(ctx, campaign, day_from, day_to).markdown()


def default_name(report: Report, fmt: str, folder: Path | None = None) -> Path:
    """`中秋守护工作汇报_2026-10-08.docx`: the campaign, the last day, the format, in
    `folder` (else the working folder). The pack's name is made safe: never a path."""
    stem = safe_stem(t("report.file_stem", name=pick(report.result.pack.name),
                       day=report.result.day_to.isoformat()))
    return (folder or Path()) / f"{stem}.{fmt}"


def output_path(report: Report, fmt: str, output: Path | None) -> Path:
    """Where `report -o` writes: the file named, or the default name inside a folder named."""
    if output is None or output.is_dir():
        return default_name(report, fmt, output)
    return output


# ---------------------------------------------------------------- ledgers

def ledger_tables(ctx: Context, span: Period) -> list[ledgers.Table]:
    """Every ledger of the period, the summary (统计报表) and the report's figures."""
    from tui_app.report import ledgers
    from tui_app.store import ledgers as ledger_store

    args = (ctx.db, span.pack.id, span.day_from.isoformat(), span.day_to.isoformat())
    readers = {
        "inspection": ledger_store.inspections, "case": ledger_store.cases,
        "complaint": ledger_store.complaints, "seizure": ledger_store.seizures,
        "directive": ledger_store.directives,
    }

    def action_name(action_id: str) -> str:
        action = span.pack.action(action_id)
        return pick(action.name) if action else action_id

    tables = [ledgers.table(spec, readers[spec.id](*args), ctx.tz, action_name)
              for spec in ledgers.LEDGERS]
    actions = [(a.id, pick(a.name)) for a in span.pack.actions]
    tables.append(ledgers.summary_table(lambda: ledger_store.summary(*args), actions,
                                        ledger_store.TOTAL, ctx.tz))
    figures = tally_service.compute(ctx, span.pack.id, span.day_from, span.day_to)
    tables.append(ledgers.figures_table(figures.items(), ctx.tz))
    return tables


def export(ctx: Context, fmt: str, target: Path | None, campaign: str | None = None,
           day_from: dt.date | None = None, day_to: dt.date | None = None,
           progress: ledgers.Progress | None = None) -> list[Path]:
    """Write the ledgers: a folder of CSV files, or one .xlsx with a sheet each.

    A whole campaign can take minutes; `progress` (sheet, rows written, done) lets the
    caller show it moving, however it shows things.
    """
    from tui_app.report import ledgers

    span = period(ctx, campaign, day_from, day_to)
    tables = ledger_tables(ctx, span)
    stem = safe_stem(t("ledger.file_stem", name=pick(span.pack.name), day=span.day_to.isoformat()))
    try:
        if fmt == "csv":
            return ledgers.write_csv(tables, target or Path(stem), progress)
        path = target / f"{stem}.xlsx" if target and target.is_dir() else target or Path(f"{stem}.xlsx")
        path.parent.mkdir(parents=True, exist_ok=True)
        ledgers.write_xlsx(tables, path, progress)
        return [path]
    except OSError as exc:
        raise FieldLogError("file.cannot_write", path=str(target or stem),
                            detail=exc.strerror) from None
