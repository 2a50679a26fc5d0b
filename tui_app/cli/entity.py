"""`fieldlog entity import|search`: the registry of market entities."""

from __future__ import annotations

from pathlib import Path

import click

from tui_app.cli.common import emit_json, emit_table, opened, report_import
from tui_app.i18n import t
from tui_app.services import entity as entity_service


@click.group(help=t("cli.entity.help"))
def entity() -> None:
    """The `entity` subcommands (help text comes from the catalog)."""


@entity.command("import", help=t("cli.entity.import.help"))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--central", "url", help=t("cli.opt.registry_central"))
@click.option("--skip-bad", is_flag=True, help=t("cli.opt.skip_bad"))
@click.option("--accept-bad-uscc", is_flag=True, help=t("cli.opt.accept_bad_uscc"))
@click.pass_context
def import_(ctx: click.Context, file: Path, url: str | None, skip_bad: bool,
            accept_bad_uscc: bool) -> None:
    with opened(ctx) as context:
        if url is None:
            report_import(entity_service.import_registry(context, file, skip_bad=skip_bad,
                                                         accept_bad_uscc=accept_bad_uscc))
            return
        report_import(entity_service.publish_registry(context, file, url, skip_bad=skip_bad,
                                                      accept_bad_uscc=accept_bad_uscc),
                      done="cli.entity.published")


@entity.command(help=t("cli.entity.merge.help"))
@click.argument("loser")
@click.argument("survivor")
@click.option("--reason", required=True, help=t("cli.opt.merge_reason"))
@click.option("--central", "url", help=t("cli.opt.central"))
@click.pass_context
def merge(ctx: click.Context, loser: str, survivor: str, reason: str, url: str | None) -> None:
    with opened(ctx) as context:
        change = entity_service.merge(context, loser, survivor, reason, url)
        click.echo(t("cli.entity.merged", loser=change.record_id,
                     survivor=change.body["merged_into"], rev=change.rev))


@entity.command(help=t("cli.entity.search.help"))
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500),
              help=t("cli.opt.limit"))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help=t("cli.opt.format"))
@click.pass_context
def search(ctx: click.Context, query: str, limit: int, fmt: str) -> None:
    with opened(ctx, reading=True) as context:
        found = entity_service.search(context, query, limit)
        if fmt == "json":
            emit_json(found)
            return
        emit_table(None, [t("col.name"), t("col.uscc"), t("col.kind"), t("col.category"),
                          t("col.township"), t("col.id")],
                   [(e["name"], e["uscc"] or "", e["kind"], e["category"], e["township"], e["id"][:13])
                    for e in found])
