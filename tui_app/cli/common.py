"""What every CLI command shares: the open context, output, and error reporting."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from tui_app import paths
from tui_app.errors import FieldLogError, Problem
from tui_app.i18n import t
from tui_app.services.context import Context, open_context, open_for_reading


def db_path(ctx: click.Context) -> Path:
    """The database file: `--db` (or FIELDLOG_DB), else the platform's default.

    A file named by the user must be in a folder that exists: a mistyped folder would
    otherwise silently become a new, empty workspace.
    """
    given = ctx.find_root().params.get("db")
    path = Path(given or paths.default_db())
    if given:
        existing_folder(path, "--db")
    return path


def existing_folder(path: Path, option: str) -> Path:
    """`path` itself, when its folder exists; else one clear line naming the option."""
    if not path.parent.is_dir():
        raise FieldLogError("file.no_folder", folder=str(path.parent), option=option, path=str(path))
    return path


@contextmanager
def opened(ctx: click.Context, *, reading: bool = False) -> Iterator[Context]:
    """The local database for this command, closed afterwards.

    `reading` commands (lists, tallies, reports) still work on a read-only database."""
    context = (open_for_reading if reading else open_context)(db_path(ctx))
    try:
        yield context
    finally:
        context.close()


def console():  # noqa: ANN201 - rich is imported lazily to keep start-up fast
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def fail(message: str) -> None:
    """One line (or a short list) on stderr, exit code 1."""
    click.echo(message, err=True)
    sys.exit(1)


def echo_warnings(warnings: Sequence[Problem]) -> None:
    for warning in warnings:
        click.echo(t("cli.warning", where=warning.where, message=warning.message()), err=True)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def emit_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    click.echo(buffer.getvalue(), nl=False)


def emit_table(title: str | None, header: Sequence[str], rows: Sequence[Sequence[Any]],
               justify: Sequence[str] | None = None) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for i, name in enumerate(header):
        table.add_column(name, justify=(justify[i] if justify else "left"), overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    console().print(table)


def parse_pairs(values: Sequence[str], option: str) -> dict[str, str]:
    """`--field key=value` options → a dict, refusing malformed ones with a clear message."""
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(t("cli.bad_pair", value=value), param_hint=option)
        pairs[key.strip()] = rest
    return pairs


def parse_officers(values: Sequence[str]) -> list[dict[str, str]]:
    """`--officer 张三:3201001` options → officers."""
    officers = []
    for value in values:
        name, _, badge = value.replace("：", ":").partition(":")
        officers.append({"name": name.strip(), "badge": badge.strip()})
    return officers


def report_import(report, done: str = "cli.import.done") -> None:  # noqa: ANN001 - ImportReport
    """Print what an import did (`done` names the summary line); exit 1 when bad lines
    kept it (or part of it) out."""
    for line, warning in report.warnings:
        click.echo(t("cli.import.line_warning", line=line, message=warning.message()), err=True)
    for error in report.errors:
        for problem in error.problems:
            click.echo(t("cli.import.line_error", line=error.line, where=problem.where,
                         message=problem.message()), err=True)
    if report.committed:
        click.echo(t(done, added=report.added, revised=report.revised,
                     unchanged=report.unchanged, voided=report.voided))
    if report.errors:
        fail(t("cli.import.refused" if not report.committed else "cli.import.skipped",
               count=len(report.errors)))


def day_option(value: str | None, option: str) -> dt.date | None:
    """A `--from`/`--to` date, refused as a usage error (exit 2) when it is not ISO."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(t("value.not_date", value=value), param_hint=option) from None


def period_options(day_from: str | None, day_to: str | None) -> tuple[dt.date | None, dt.date | None]:
    """`--from`/`--to` as dates; a period that ends before it starts is refused (exit 1),
    the same in every command, as `report` refuses it."""
    start, end = day_option(day_from, "--from"), day_option(day_to, "--to")
    if start and end and start > end:
        raise FieldLogError("report.bad_period", start=start.isoformat(), end=end.isoformat())
    return start, end


def scope_options(fn: Any) -> Any:
    """`--scope local|central` and `--central URL`, alike in every command that can read the
    team's central store instead of this laptop's (the command gets `scope` and `url`)."""
    fn = click.option("--central", "url", help=t("cli.opt.central"))(fn)
    return click.option("--scope", type=click.Choice(["local", "central"]), default="local",
                        help=t("cli.opt.scope_central"))(fn)
