"""`fieldlog doctor` and `fieldlog backup [list|restore]`."""

from __future__ import annotations

from pathlib import Path

import click

from tui_app.cli.common import db_path, emit_table, existing_folder, fail, opened
from tui_app.i18n import CATALOG, t
from tui_app.services import backups, maintenance


@click.command(help=t("cli.doctor.help"))
@click.option("--repair", is_flag=True, help=t("cli.doctor.repair"))
@click.pass_context
def doctor(ctx: click.Context, repair: bool) -> None:
    with opened(ctx, reading=not repair) as context:
        if repair:
            maintenance.repair_tallies(context)
        health = maintenance.check(context)
        click.echo(t("cli.doctor.db", path=db_path(ctx)))
        click.echo(t("cli.doctor.integrity", result=health.integrity))
        click.echo(t("cli.doctor.schema", version=health.schema_version, latest=health.latest_version))
        click.echo(t("cli.doctor.counts", **health.counts))
        for key, params in health.notes:
            click.echo(t(key, **params))
        for key, params in health.problems:
            click.echo(t(key, **params), err=True)
        if health.problems:
            fail(t("cli.doctor.problems", count=len(health.problems)))
        click.echo(t("cli.doctor.ok"))


@click.group(help=t("cli.backup.help"), invoke_without_command=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.backup.output"))
@click.option("--keep", type=click.IntRange(1, 1000), help=t("cli.backup.keep"))
@click.pass_context
def backup(ctx: click.Context, output: Path | None, keep: int | None) -> None:
    if ctx.invoked_subcommand is not None:
        return
    with opened(ctx) as context:
        if keep is not None:
            backups.set_keep(context, keep)
        click.echo(t("cli.backup.done", path=backups.make(context, "manual",
                                                      existing_folder(output, "-o") if output else None)))


@backup.command("list", help=t("cli.backup.list.help"))
@click.pass_context
def list_(ctx: click.Context) -> None:
    with opened(ctx, reading=True) as context:
        found = backups.listed(context)
        if not found:
            click.echo(t("cli.backup.none", folder=backups.folder(context)))
            return
        click.echo(t("cli.backup.list.title", folder=backups.folder(context), keep=backups.keep(context)))
        emit_table(None, [t("col.backup_stamp"), t("col.backup_reason"), t("col.backup_size")],
                   [(b.stamp, _reason(b.reason), f"{b.size / 1_048_576:.1f} MB") for b in found])


def _reason(reason: str) -> str:
    key = f"backup.reason.{reason}"
    return t(key) if key in CATALOG else reason


@backup.command(help=t("cli.backup.restore.help"))
@click.argument("which", required=False)
@click.pass_context
def restore(ctx: click.Context, which: str | None) -> None:
    with opened(ctx) as context:
        source, aside = backups.restore(context, which)
        click.echo(t("cli.backup.restored", source=source, aside=aside))
