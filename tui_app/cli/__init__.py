"""The `fieldlog` command: a click group whose commands are thin calls into services.

Each command's module is imported only when that command runs (or `--help` lists it),
click's documented lazy-group pattern: a `fieldlog tally` does not pay for the imports
of `campaign`, `report` or `sync`. Only `ui` imports Textual. Help text is in the
language chosen by `--lang` or FIELDLOG_LANG, read before any command is built so that
`--help` speaks it too.

A new top-level command is one line in `COMMANDS`: its name and the `module:attribute`
under `tui_app.cli` that defines it (a subcommand of a group goes in the group's module).
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from tui_app.cli import click_i18n
from tui_app.errors import FieldLogError
from tui_app.i18n import LANGS, get_lang, set_lang, t


def _initial_lang(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in LANGS else "zh"
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in LANGS else "zh"
    env = os.environ.get("FIELDLOG_LANG", "zh")
    return env if env in LANGS else "zh"


HELP_LANG = _initial_lang(sys.argv[1:])  # the language the commands' help texts are built in
set_lang(HELP_LANG)
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


# command name → "module:attribute" under tui_app.cli; imported when first asked for
COMMANDS = {
    "init": "setup:init",
    "campaign": "campaign:campaign",
    "entity": "entity:entity",
    "import": "records:import_",
    "record": "records:record",
    "case": "records:case",
    "complaint": "records:complaint",
    "activity": "records:activity",
    "attach": "evidence:attach",
    "attachment": "evidence:attachment",
    "doc": "evidence:doc",
    "tally": "tally:tally",
    "report": "report:report",
    "export": "report:export",
    "sync": "sync:sync",
    "conflicts": "sync:conflicts",
    "central": "sync:central",
    "serve": "service:serve",
    "token": "service:token",
    "doctor": "maintenance:doctor",
    "backup": "maintenance:backup",
    "demo": "demo:demo",
}


class FieldLogGroup(click.Group):
    """Loads each command from `COMMANDS` when it is first asked for, and reports a
    FieldLogError as one line on stderr with exit code 1, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(_load(COMMANDS[cmd_name]), cmd_name)
        return self.commands.get(cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_lang(args))

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's own signature
        try:
            return super().invoke(ctx)
        except FieldLogError as exc:
            click.echo(exc.message(), err=True)
            ctx.exit(1)


def _load(target: str) -> click.Command:
    """The command at `module:attribute`, its help texts built in HELP_LANG whenever it
    is first asked for, as when every command was built at import: a process that ran
    one command in another language first (a test run) still gets the same help."""
    module, attribute = target.split(":")
    now = get_lang()
    set_lang(HELP_LANG)
    try:
        return getattr(importlib.import_module(f"tui_app.cli.{module}"), attribute)
    finally:
        set_lang(now)


def _set_lang(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    set_lang(value)
    return value


@click.group(cls=FieldLogGroup, invoke_without_command=True, help=t("cli.help"))
@click.option("--db", type=click.Path(dir_okay=False), envvar="FIELDLOG_DB",
              help=t("cli.opt.db"))
@click.option("--lang", type=click.Choice(LANGS), default=HELP_LANG,
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
