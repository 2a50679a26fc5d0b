"""`fieldlog attach RECORD FILE...` and `fieldlog attachment list|remove|open|export`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from tui_app.cli.common import emit_json, emit_table, opened
from tui_app.domain.attachments import short_type
from tui_app.domain.values import local_display
from tui_app.i18n import t
from tui_app.services import attachments as attachment_service
from tui_app.services import documents as document_service


@click.command(help=t("cli.doc.help"))
@click.argument("record_id")
@click.option("--kind", help=t("cli.doc.kind"))
@click.option("-o", "--output", type=click.Path(path_type=Path), help=t("cli.doc.output"))
@click.pass_context
def doc(ctx: click.Context, record_id: str, kind: str | None, output: Path | None) -> None:
    with opened(ctx) as context:
        for item in document_service.print_documents(context, record_id, kind, output):
            click.echo(t("cli.doc.written", name=item.name, number=item.number, path=item.path))


@click.command(help=t("cli.attach.help"))
@click.argument("record_id")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def attach(ctx: click.Context, record_id: str, files: tuple[Path, ...]) -> None:
    with opened(ctx) as context:
        done = attachment_service.attach(context, record_id, files)
        for item in done.skipped:
            click.echo(t("cli.attach.skipped", name=item["name"]), err=True)
        click.echo(t("cli.attach.done", kind=t(f"kind.{done.kind}"), id=done.id,
                     count=len(done.added), rev=done.rev))


@click.group(help=t("cli.attachment.help"))
def attachment() -> None:
    """The `attachment` subcommands (help text comes from the catalog)."""


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def taken_text(item: Mapping[str, Any]) -> str:
    parts = [item.get("exif_time") or ""]
    if item.get("gps"):
        parts.append(f"{item['gps']['lat']:.5f}, {item['gps']['lon']:.5f}")
    return "\n".join(p for p in parts if p)


def rows(items: Sequence[Mapping[str, Any]], include_removed: bool, tz: ZoneInfo) -> list[list[str]]:
    """Table rows: live attachments numbered as `remove`/`open` take them; removed ones
    (with `--all`) unnumbered, with who removed them and why."""
    out, n = [], 0
    for item in items:
        removed = bool(item.get("removed_at"))
        if removed and not include_removed:
            continue
        if not removed:
            n += 1
        note = t("attach.removed_note", by=item.get("removed_by", ""),
                 at=local_display(item.get("removed_at"), tz),
                 reason=item.get("removed_reason", "")) if removed else ""
        out.append([str(n) if not removed else "-", item["name"], size_text(item["size"]),
                    short_type(item["media_type"]), taken_text(item),
                    f"{item.get('added_by_name') or item.get('added_by', '')}\n"
                    f"{local_display(item.get('added_at'), tz)}",
                    item["sha256"][:8], note])
    return out


@attachment.command("list", help=t("cli.attachment.list.help"))
@click.argument("record_id")
@click.option("--all", "include_removed", is_flag=True, help=t("cli.opt.include_removed"))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help=t("cli.opt.format"))
@click.pass_context
def list_(ctx: click.Context, record_id: str, include_removed: bool, fmt: str) -> None:
    with opened(ctx) as context:
        _kind, current, items = attachment_service.listing(context, record_id)
        if fmt == "json":
            emit_json([i for i in items if include_removed or not i.get("removed_at")])
            return
        emit_table(t("cli.attachment.title", id=current["id"]), header(), rows(items, include_removed, context.tz))


def header() -> list[str]:
    return ["#", t("col.file"), t("col.size"), t("col.media_type"), t("col.taken"), t("col.added"),
            t("col.sha"), t("col.removed")]


@attachment.command(help=t("cli.attachment.remove.help"))
@click.argument("record_id")
@click.argument("which")
@click.option("--reason", required=True, help=t("cli.opt.reason"))
@click.pass_context
def remove(ctx: click.Context, record_id: str, which: str, reason: str) -> None:
    with opened(ctx) as context:
        saved = attachment_service.remove(context, record_id, which, reason)
        click.echo(t("cli.attachment.removed", id=saved.id, rev=saved.rev))


@attachment.command("open", help=t("cli.attachment.open.help"))
@click.argument("record_id")
@click.argument("which", default="1")
@click.pass_context
def open_(ctx: click.Context, record_id: str, which: str) -> None:
    with opened(ctx) as context:
        click.echo(t("cli.attachment.opened", path=attachment_service.open_in_viewer(
            context, record_id, which)))


@attachment.command(help=t("cli.attachment.export.help"))
@click.argument("record_id")
@click.argument("which", nargs=-1)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=".",
              help=t("cli.opt.export_dir"))
@click.pass_context
def export(ctx: click.Context, record_id: str, which: tuple[str, ...], output: Path) -> None:
    with opened(ctx) as context:
        for path in attachment_service.export(context, record_id, output, which):
            click.echo(t("cli.attachment.exported", path=path))
