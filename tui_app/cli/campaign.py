"""`fieldlog campaign list|show|use|import`."""

from __future__ import annotations

from pathlib import Path

import click

from tui_app.cli.common import emit_table, opened
from tui_app.domain.pack import Pack
from tui_app.i18n import pick, t
from tui_app.services import campaign as campaign_service


@click.group(help=t("cli.campaign.help"))
def campaign() -> None:
    """The `campaign` subcommands (help text comes from the catalog)."""


@campaign.command("list", help=t("cli.campaign.list.help"))
@click.pass_context
def list_(ctx: click.Context) -> None:
    with opened(ctx, reading=True) as context:
        rows = [
            ("*" if p.id == context.campaign_id else "", p.id, pick(p.name), period_text(p),
             len(p.actions), len(p.tallies))
            for p in campaign_service.installed(context)
        ]
        emit_table(None, ["", t("col.id"), t("col.name"), t("col.period"), t("col.actions"),
                          t("col.tallies")], rows)


def period_text(pack: Pack) -> str:
    return t("campaign.year_round") if pack.year_round else f"{pack.period_from} ~ {pack.period_to}"


@campaign.command(help=t("cli.campaign.show.help"))
@click.argument("campaign_id", required=False)
@click.pass_context
def show(ctx: click.Context, campaign_id: str | None) -> None:
    with opened(ctx, reading=True) as context:
        pack = context.pack(campaign_id)
        click.echo(f"{pick(pack.name)} ({pack.id})  {period_text(pack)}")
        for number, action in enumerate(pack.actions, start=1):
            click.echo(f"\n{number}. {pick(action.name)} [{action.id}]")
            for f in action.fields:
                extra = f" ({'、'.join(f.choices)})" if f.choices else ""
                star = "*" if f.required else ""
                click.echo(f"   - {f.id}{star}: {pick(f.label)} <{f.type}>{extra}")
        emit_table(t("col.tallies"), [t("col.id"), t("col.name"), t("col.unit")],
                   [(tl.id, pick(tl.label), tl.unit) for tl in pack.tallies])


@campaign.command(help=t("cli.campaign.use.help"))
@click.argument("campaign_id")
@click.pass_context
def use(ctx: click.Context, campaign_id: str) -> None:
    with opened(ctx) as context:
        pack = campaign_service.use(context, campaign_id)
        click.echo(t("cli.campaign.now_using", name=pick(pack.name), id=pack.id))


@campaign.command("import", help=t("cli.campaign.import.help"))
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def import_(ctx: click.Context, file: Path) -> None:
    with opened(ctx) as context:
        pack = campaign_service.import_pack(context, file)
        click.echo(t("cli.campaign.imported", name=pick(pack.name), id=pack.id,
                     actions=len(pack.actions), tallies=len(pack.tallies)))
