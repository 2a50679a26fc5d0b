"""`fieldlog init`: who the inspector is, their partner, unit and central store."""

from __future__ import annotations

import sys

import click

from tui_app.cli.common import opened
from tui_app.errors import ValidationFailed
from tui_app.i18n import t
from tui_app.services import attachments as attachment_service
from tui_app.services import profile

INIT_OPTIONS = {
    "inspector_name": "name",
    "badge": "badge",
    "partner_name": "partner_name",
    "partner_badge": "partner_badge",
    "unit": "unit",
    "central_url": "central",
    "timezone": "timezone",
}



@click.command(help=t("cli.init.help"))
@click.option("--name", help=t("cli.init.name"))
@click.option("--badge", help=t("cli.init.badge"))
@click.option("--partner-name", help=t("cli.init.partner_name"))
@click.option("--partner-badge", help=t("cli.init.partner_badge"))
@click.option("--unit", help=t("cli.init.unit"))
@click.option("--central", help=t("cli.init.central"))
@click.option("--timezone", help=t("cli.init.timezone"))
@click.option("--token", help=t("cli.init.token"))
@click.option("--ca-file", type=click.Path(dir_okay=False), help=t("cli.opt.ca_file"))
@click.option("--insecure/--no-insecure", default=None, help=t("cli.opt.insecure"))
@click.option("--attach-max-mb", help=t("cli.init.attach_max_mb"))
@click.pass_context
def init(ctx: click.Context, token: str | None, ca_file: str | None, insecure: bool | None,
         attach_max_mb: str | None, **options: str | None) -> None:
    with opened(ctx) as context:
        if attach_max_mb is not None:
            try:
                attachment_service.set_max_mb(context, attach_max_mb)
            except ValidationFailed as refused:
                raise click.BadParameter(refused.problems[0].message(),
                                         param_hint="--attach-max-mb") from None
        values = {key: options[opt] for key, opt in INIT_OPTIONS.items() if options[opt]}
        if not values and sys.stdin.isatty():  # ask only a person, never a script
            for key in INIT_OPTIONS:
                answer = click.prompt(t(f"cli.init.prompt.{key}"),
                                      default=context.settings.get(key, ""), show_default=True)
                if answer:
                    values[key] = answer
        try:
            profile.update(context, values)
            profile.save_service(context, token=token, ca_file=ca_file, insecure=insecure)
        except ValidationFailed as refused:
            problem = refused.problems[0]
            raise click.BadParameter(problem.message(),
                                     param_hint=problem.where if problem.where.startswith("--")
                                     else "--timezone") from None
        for key in INIT_OPTIONS:
            click.echo(f"{t(f'cli.init.prompt.{key}')}: {context.settings.get(key, '')}")
        if context.settings.get("central_token"):
            click.echo(f"{t('cli.init.token_saved')}: {profile.token_hint(context)}")
        if values.get("central_url") and profile.without_password(values["central_url"])[1]:
            click.echo(t("cli.init.password_dropped"), err=True)
