"""`fieldlog demo`: a separate database with a synthetic campaign week to look around in."""

from __future__ import annotations

import shlex

import click

from tui_app import paths
from tui_app.cli.common import db_path
from tui_app.cli.tally import show
from tui_app.i18n import t

DEFAULT_DAYS = 7  # one campaign week



@click.command(help=t("demo.help"))
@click.option("--reset", is_flag=True, help=t("demo.opt.reset"))
@click.option("--days", type=click.IntRange(1), default=DEFAULT_DAYS,
              show_default=True, help=t("demo.opt.days"))
@click.pass_context
def demo(ctx: click.Context, reset: bool, days: int) -> None:
    from tui_app.services import demo as demo_service  # its name tables: load only when used

    result = demo_service.build(paths.demo_db(), db_path(ctx), reset=reset, days=days)
    click.echo(t("demo.created" if result.created else "demo.exists", path=result.path))
    click.echo(t("demo.counts", **result.counts))
    show(result.tallies)
    where = shlex.quote(str(result.path))
    click.echo(t("demo.hint", open=f"fieldlog --db {where}", tally=f"fieldlog --db {where} tally"))
