"""`fieldlog entity import|search`: the registry of market entities."""

from __future__ import annotations

from pathlib import Path

import click

from tui_app.cli.common import emit_json, emit_table, opened, report_import
from tui_app.i18n import t
from tui_app.services import entity as entity_service


def register(cli: click.Group) -> None:
    cli.add_command(entity)


@click.group(help=t("cli.entity.help"))
def entity() -> None:
    """The `entity` subcommands (help text comes from the catalog)."""


@entity.command("import", help=t("cli.entity.import.help"))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--skip-bad", is_flag=True, help=t("cli.opt.skip_bad"))
@click.option("--accept-bad-uscc", is_flag=True, help=t("cli.opt.accept_bad_uscc"))
@click.pass_context
def import_(ctx: click.Context, file: Path, skip_bad: bool, accept_bad_uscc: bool) -> None:
    with opened(ctx) as context:
        report_import(entity_service.import_registry(context, file, skip_bad=skip_bad,
                                                     accept_bad_uscc=accept_bad_uscc))


@entity.command(help=t("cli.entity.search.help"))
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
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
