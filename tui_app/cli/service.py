"""`fieldlog serve` and `fieldlog token issue|list|revoke`: the bureau's sync service."""

from __future__ import annotations

import click

from tui_app.cli.common import emit_json, emit_table
from tui_app.i18n import t

STORE = click.option("--store", "store_url", required=True, envvar="FIELDLOG_STORE",
                     help=t("cli.opt.store"))



@click.command(help=t("cli.serve.help"))
@STORE
@click.option("--host", default="127.0.0.1", show_default=True, help=t("cli.serve.host"))
@click.option("--port", default=8750, show_default=True, type=click.IntRange(1, 65535),
              help=t("cli.serve.port"))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help=t("cli.serve.workers"))
@click.option("--max-body-mb", default=16.0, show_default=True, type=click.FloatRange(0.01, 1024),
              help=t("cli.serve.max_body"))
@click.option("--max-batch", default=5000, show_default=True, type=int,
              help=t("cli.serve.max_batch"))
@click.option("--rate", default=50.0, show_default=True, type=click.FloatRange(0.1, 100000),
              help=t("cli.serve.rate"))
def serve(store_url: str, host: str, port: int, workers: int, max_body_mb: float,
          max_batch: int, rate: float) -> None:
    from tui_app.services import service

    click.echo(t("cli.serve.starting", host=host, port=port, workers=workers), err=True)
    service.serve(store_url, host, port, workers, max_body_mb=max_body_mb,
                  max_batch=max_batch, rate=rate)


@click.group(help=t("cli.token.help"))
def token() -> None:
    """The `token` subcommands (help text comes from the catalog)."""


@token.command("issue", help=t("cli.token.issue.help"))
@STORE
@click.option("--inspector", required=True, help=t("cli.token.inspector"))
@click.option("--name", default="", help=t("cli.token.name"))
@click.option("--role", type=click.Choice(["inspector", "bureau"]), default="inspector",
              show_default=True, help=t("cli.token.role"))
@click.option("--expires", "expires_days", type=click.IntRange(1, 3650), default=None,
              help=t("cli.token.expires"))
def token_issue(store_url: str, inspector: str, name: str, role: str,
                expires_days: int | None) -> None:
    from tui_app.services import service

    issued, secret = service.issue_token(store_url, inspector, name=name, role=role,
                                         expires_days=expires_days)
    click.echo(secret)
    click.echo(t("cli.token.issued", id=issued.id, inspector=issued.inspector_id,
                 role=issued.role, expires=issued.expires_at or t("cli.token.never")), err=True)
    click.echo(t("cli.token.hint", token=secret), err=True)


@token.command("list", help=t("cli.token.list.help"))
@STORE
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help=t("cli.opt.format"))
def token_list(store_url: str, fmt: str) -> None:
    from tui_app.services import service

    rows = service.list_tokens(store_url)
    if fmt == "json":
        emit_json([row.__dict__ for row in rows])
        return
    emit_table(t("cli.token.list.title", count=len(rows)),
               [t("col.id"), t("col.inspector"), t("col.name"), t("col.role"), t("col.created"),
                t("col.last_used"), t("col.expires"), t("col.revoked")],
               [(r.id, r.inspector_id, r.name, r.role, r.created_at, r.last_used_at or "-",
                 r.expires_at or "-", r.revoked_at or "-") for r in rows])


@token.command("revoke", help=t("cli.token.revoke.help"))
@STORE
@click.argument("token_id")
def token_revoke(store_url: str, token_id: str) -> None:
    from tui_app.services import service

    revoked = service.revoke_token(store_url, token_id)
    click.echo(t("cli.token.revoked", id=revoked.id, inspector=revoked.inspector_id,
                 at=revoked.revoked_at))
