"""`fieldlog doctor` and `fieldlog backup`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tui_app.cli.common import db_path, existing_folder, fail, opened
from tui_app.i18n import t
from tui_app.services import maintenance


def register(cli: click.Group) -> None:
    cli.add_command(doctor)
    cli.add_command(backup)


@click.command(help=t("cli.doctor.help"))
@click.option("--repair", is_flag=True, help=t("cli.doctor.repair"))
@click.pass_context
def doctor(ctx: click.Context, repair: bool) -> None:
    with opened(ctx) as context:
        if repair:
            maintenance.repair_tallies(context)
        health = maintenance.check(context)
        click.echo(t("cli.doctor.db", path=db_path(ctx)))
        click.echo(t("cli.doctor.integrity", result=health.integrity))
        click.echo(t("cli.doctor.schema", version=health.schema_version, latest=health.latest_version))
        click.echo(t("cli.doctor.counts", **health.counts))
        for key, params in health.problems:
            click.echo(t(key, **params), err=True)
        if health.problems:
            fail(t("cli.doctor.problems", count=len(health.problems)))
        click.echo(t("cli.doctor.ok"))


@click.command(help=t("cli.backup.help"))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.backup.output"))
@click.pass_context
def backup(ctx: click.Context, output: Path | None) -> None:
    with opened(ctx) as context:
        stamp = dt.datetime.now(context.tz).strftime("%Y%m%d-%H%M%S")
        target = (existing_folder(output, "-o") if output
                  else db_path(ctx).with_name(f"fieldlog-backup-{stamp}.db"))
        click.echo(t("cli.backup.done", path=maintenance.backup(context, target)))
