"""`fieldlog report` (the campaign's work report) and `fieldlog export` (the ledgers)."""

from __future__ import annotations

from pathlib import Path

import click

from tui_app.cli.common import opened
from tui_app.cli.tally import _date
from tui_app.i18n import t
from tui_app.services import report as report_service


def register(cli: click.Group) -> None:
    cli.add_command(report)
    cli.add_command(export)


@click.command(help=t("cli.report.help"))
@click.option("--campaign", help=t("cli.opt.campaign"))
@click.option("--from", "day_from", help=t("cli.opt.from"))
@click.option("--to", "day_to", help=t("cli.opt.report_to"))
@click.option("--format", "fmt", type=click.Choice(report_service.REPORT_FORMATS), default="md",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.opt.report_output"))
@click.option("--scope", type=click.Choice(["local", "central"]), default="local",
              help=t("cli.opt.scope_central"))
@click.option("--central", "url", help=t("cli.opt.central"))
@click.pass_context
def report(ctx: click.Context, campaign: str | None, day_from: str | None, day_to: str | None,
           fmt: str, output: Path | None, scope: str, url: str | None) -> None:
    with opened(ctx) as context:
        start, end = _date(day_from, "--from"), _date(day_to, "--to")
        if scope == "central":
            from tui_app.services.sync import central_url

            built = report_service.central(context, central_url(context, url), campaign,
                                           start, end)
        else:
            built = report_service.local(context, campaign, start, end)
        if output is None and fmt != "docx":
            click.echo(built.markdown() if fmt == "md" else built.text(), nl=False)
            return
        path = built.write(output or report_service.default_name(built, fmt), fmt)
        click.echo(t("cli.report.written", path=str(path)))


@click.command(help=t("cli.export.help"))
@click.option("--campaign", help=t("cli.opt.campaign"))
@click.option("--from", "day_from", help=t("cli.opt.from"))
@click.option("--to", "day_to", help=t("cli.opt.report_to"))
@click.option("--format", "fmt", type=click.Choice(report_service.EXPORT_FORMATS), default="xlsx",
              show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help=t("cli.opt.export_output"))
@click.pass_context
def export(ctx: click.Context, campaign: str | None, day_from: str | None, day_to: str | None,
           fmt: str, output: Path | None) -> None:
    with opened(ctx) as context:
        paths = report_service.export(context, fmt, output, campaign,
                                      _date(day_from, "--from"), _date(day_to, "--to"))
        for path in paths:
            click.echo(t("cli.report.written", path=str(path)))
