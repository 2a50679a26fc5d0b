"""The `fieldlog` command: a click group whose commands are thin calls into services.

Only `ui` imports Textual, lazily, so every other command starts fast. Help text is
in the language chosen by `--lang` or FIELDLOG_LANG, read before the commands are
built so that `--help` speaks it too.
"""

from __future__ import annotations

import os
import sys

import click

from tui_app.cli import click_i18n
from tui_app.errors import FieldLogError
from tui_app.i18n import LANGS, set_lang, t


def _initial_lang(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in LANGS else "zh"
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in LANGS else "zh"
    env = os.environ.get("FIELDLOG_LANG", "zh")
    return env if env in LANGS else "zh"


set_lang(_initial_lang(sys.argv[1:]))
click_i18n.install()


def hoist_lang(args: list[str]) -> list[str]:
    """`--lang X` may be typed anywhere on the line; click wants it before the command."""
    rest, hoisted = [], []
    items = iter(args)
    for arg in items:
        if arg == "--":
            rest += [arg, *items]
            break
        if arg == "--lang":
            hoisted += [arg, next(items, "")]
        elif arg.startswith("--lang="):
            hoisted.append(arg)
        else:
            rest.append(arg)
    return hoisted + rest


class FieldLogGroup(click.Group):
    """Reports a FieldLogError as one line on stderr with exit code 1, never a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_lang(args))

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's own signature
        try:
            return super().invoke(ctx)
        except FieldLogError as exc:
            click.echo(exc.message(), err=True)
            ctx.exit(1)


def _set_lang(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    set_lang(value)
    return value


@click.group(cls=FieldLogGroup, invoke_without_command=True, help=t("cli.help"))
@click.option("--db", type=click.Path(dir_okay=False), envvar="FIELDLOG_DB",
              help=t("cli.opt.db"))
@click.option("--lang", type=click.Choice(LANGS), default=_initial_lang(sys.argv[1:]),
              envvar="FIELDLOG_LANG", callback=_set_lang, is_eager=True, expose_value=False,
              help=t("cli.opt.lang"))
@click.version_option(package_name="fieldlog", help=t("cli.opt.version"))
@click.help_option(help=t("cli.opt.help"))
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(ui)


@cli.command(help=t("cli.ui.help"))
@click.pass_context
def ui(ctx: click.Context) -> None:
    from tui_app.cli.common import db_path
    from tui_app.ui import run  # Textual is loaded only here

    run(db_path(ctx))


def _register() -> None:
    from tui_app.cli import (
        campaign,
        demo,
        entity,
        evidence,
        maintenance,
        records,
        report,
        service,
        setup,
        sync,
        tally,
    )

    for module in (
        setup,
        campaign,
        entity,
        records,
        evidence,
        tally,
        report,
        sync,
        service,
        maintenance,
        demo,
    ):
        module.register(cli)


_register()


def main() -> None:
    """Entry point: anything unexpected becomes one line, not a traceback."""
    try:
        cli.main(prog_name="fieldlog")
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last guard before the user's terminal
        if os.environ.get("FIELDLOG_DEBUG"):
            raise
        click.echo(t("cli.internal_error", detail=f"{type(exc).__name__}: {exc}"), err=True)
        sys.exit(1)
