"""`fieldlog report` (the campaign's work report) and `fieldlog export` (the ledgers)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from tui_app.cli.common import day_option, opened, scope_options
from tui_app.i18n import t
from tui_app.services import report as report_service


@click.command(help=t("cli.report.help"))
@click.option("--campaign", help=t("cli.opt.campaign"))
@click.option("--from", "day_from", help=t("cli.opt.from"))
@click.option("--to", "day_to", help=t("cli.opt.report_to"))
@click.option("--format", "fmt", type=click.Choice(report_service.REPORT_FORMATS), default="md",
              show_default=True, help=t("cli.opt.format"))
@click.option("-o", "--output", type=click.Path(path_type=Path), help=t("cli.opt.report_output"))
@scope_options
@click.pass_context
def report(ctx: click.Context, campaign: str | None, day_from: str | None, day_to: str | None,
           fmt: str, output: Path | None, scope: str, url: str | None) -> None:
    with opened(ctx, reading=True) as context:
        built = report_service.for_scope(context, scope, campaign, day_option(day_from, "--from"),
                                         day_option(day_to, "--to"), url)
        if output is None and fmt != "docx":
            click.echo(built.markdown() if fmt == "md" else built.text(), nl=False)
            return
        path = built.write(report_service.output_path(built, fmt, output), fmt)
        click.echo(t("cli.report.written", path=str(path)))


@click.command(help=t("cli.export.help"))
@click.option("--campaign", help=t("cli.opt.campaign"))
@click.option("--from", "day_from", help=t("cli.opt.from"))
@click.option("--to", "day_to", help=t("cli.opt.report_to"))
@click.option("--format", "fmt", type=click.Choice(report_service.EXPORT_FORMATS), default="xlsx",
              show_default=True, help=t("cli.opt.format"))
@click.option("-o", "--output", type=click.Path(path_type=Path), help=t("cli.opt.export_output"))
@click.option("--progress/--no-progress", default=None, help=t("cli.opt.export_progress"))
@click.pass_context
def export(ctx: click.Context, campaign: str | None, day_from: str | None, day_to: str | None,
           fmt: str, output: Path | None, progress: bool | None) -> None:
    show = sys.stderr.isatty() if progress is None else progress
    with opened(ctx, reading=True) as context, _progress_bar(show, SLOW_S if progress is None else 0) as bar:
        paths = report_service.export(context, fmt, output, campaign,
                                      day_option(day_from, "--from"), day_option(day_to, "--to"),
                                      progress=bar)
        for path in paths:
            click.echo(t("cli.report.written", path=str(path)))


SLOW_S = 1.0  # an export that is done sooner shows no progress unless asked


class _RowsBar:
    """Rows written per ledger, as rich progress bars on stderr.

    The bars appear once the export has run `after` seconds: a district's export is
    done in about a second and needs none, a whole campaign of a million rows takes
    minutes. Sheets finished before then are shown too, with their counts.
    """

    def __init__(self, after: float) -> None:
        self.after = after
        self.started = time.monotonic()
        self.seen: dict[str, tuple[int, bool]] = {}
        self.bars: Any = None
        self.tasks: dict[str, Any] = {}

    def __call__(self, sheet: str, rows: int, done: bool) -> None:
        self.seen[sheet] = (rows, done)
        if self.bars is None and time.monotonic() - self.started >= self.after:
            self.bars = self._start()
        if self.bars is not None:
            for name, (count, finished) in self.seen.items():
                self._show(name, count, finished)
            self.seen.clear()

    def _start(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        bars = Progress(TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.fields[rows]}"),
                        console=Console(stderr=True, highlight=False))
        bars.start()
        return bars

    def _show(self, sheet: str, rows: int, done: bool) -> None:
        if sheet not in self.tasks:
            self.tasks[sheet] = self.bars.add_task(sheet, total=None, rows="")
        self.bars.update(self.tasks[sheet], completed=rows, total=rows if done else None,
                         rows=t("cli.export.rows", rows=f"{rows:,}"))

    def stop(self) -> None:
        if self.bars is not None:
            self.bars.stop()


@contextmanager
def _progress_bar(show: bool, after: float) -> Iterator[_RowsBar | None]:
    """A progress callback for the export when progress is to be shown, else None."""
    if not show:
        yield None
        return
    bar = _RowsBar(after)
    try:
        yield bar
    finally:
        bar.stop()
