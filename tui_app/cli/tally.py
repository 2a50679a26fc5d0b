"""`fieldlog tally`: the campaign's figures for a period."""

from __future__ import annotations

import click

from tui_app.cli.common import emit_json, emit_table, opened, period_options, scope_options
from tui_app.domain.tally import shown_value
from tui_app.i18n import pick, t
from tui_app.services import tally as tally_service


@click.command(help=t("cli.tally.help"))
@click.option("--campaign", help=t("cli.opt.campaign"))
@click.option("--from", "day_from", help=t("cli.opt.from"))
@click.option("--to", "day_to", help=t("cli.opt.to"))
@scope_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help=t("cli.opt.format"))
@click.pass_context
def tally(ctx: click.Context, campaign: str | None, day_from: str | None, day_to: str | None,
          scope: str, url: str | None, fmt: str) -> None:
    with opened(ctx, reading=True) as context:
        start, end = period_options(day_from, day_to)
        if scope == "central":
            from tui_app.services import central as central_service
            from tui_app.services.central_link import central_url

            result = central_service.compute_tallies(central_url(context, url),
                                                     campaign or context.campaign_id, start, end)
        else:
            result = tally_service.compute(context, campaign, start, end)
    show(result, fmt)


def show(result: tally_service.TallyResult, fmt: str = "table") -> None:
    """Print tallies as `fieldlog tally` does (also used by `fieldlog demo`)."""
    if fmt == "json":
        emit_json(result.as_json())
        return
    title = t("cli.tally.title", name=pick(result.pack.name), start=result.day_from,
              end=result.day_to)
    emit_table(title, [t("col.tally"), t("col.value"), t("col.unit"), t("col.id")],
               [(pick(tl.label), shown_value(tl, v), tl.unit, tl.id) for tl, v in result.items()],
               justify=["left", "right", "left", "left"])
