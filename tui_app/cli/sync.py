"""`fieldlog sync`, `fieldlog conflicts`, `fieldlog central init URL`."""

from __future__ import annotations

import click

from tui_app.cli.common import emit_json, emit_table, fail, opened, scope_options
from tui_app.i18n import t
from tui_app.services import central_link
from tui_app.services import sync as sync_service


def short(change_id: str | None) -> str:
    return change_id[-8:] if change_id else "-"


class _Bar:
    """A rich progress bar on stderr, one task per phase, with counts."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), console=Console(stderr=True),
                                 transient=False)
        self.tasks: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(t(f"cli.sync.phase.{phase}"), total=total)
        self.progress.update(self.tasks[phase], completed=done, total=total)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for task in self.progress.tasks:
            if task.total is None:
                self.progress.update(task.id, total=task.completed or 1,
                                     completed=task.completed or 1)
        self.progress.stop()


@click.command(help=t("cli.sync.help"))
@click.option("--central", "url", help=t("cli.opt.central"))
@click.option("--ca-file", type=click.Path(dir_okay=False), help=t("cli.opt.ca_file"))
@click.option("--insecure", is_flag=True, help=t("cli.opt.insecure"))
@click.pass_context
def sync(ctx: click.Context, url: str | None, ca_file: str | None, insecure: bool) -> None:
    with opened(ctx) as context:
        with _Bar() as bar:
            summary = sync_service.run_sync(context, url, bar, ca_file=ca_file,
                                            insecure=insecure)
        for key, params in summary.notices:
            click.echo(t(key, **params), err=True)
        if summary.new_epoch:
            click.echo(t("cli.sync.new_epoch"))
        if summary.from_snapshot:
            click.echo(t("cli.sync.snapshot_taken", records=summary.from_snapshot,
                         built_at=summary.snapshot_built_at))
        click.echo(t("cli.sync.summary", pushed=summary.pushed, duplicates=summary.duplicates,
                     pulled=summary.pulled, conflicts=len(summary.conflicts),
                     seconds=f"{summary.seconds:.1f}"))
        if summary.conflicts:
            emit_table(t("cli.sync.conflicts_title"),
                       [t("col.kind"), t("col.id"), t("col.rev"), t("col.lost"), t("col.kept")],
                       [(t(f"kind.{n.kind}") if n.kind != "campaign_pack" else n.kind,
                         short(n.record_id), n.rev, short(n.change_id), short(n.detail))
                        for n in summary.conflicts])
            click.echo(t("cli.sync.conflicts_hint"))
        blobs = summary.blobs
        if blobs.sent or blobs.held or blobs.failed:
            click.echo(t("cli.sync.blobs", sent=blobs.sent, mb=f"{blobs.bytes / 1024 / 1024:.1f}",
                         held=blobs.held))
        for sha in summary.templates_failed:
            click.echo(t("cli.sync.template_failed", sha=sha[:12]), err=True)
        if blobs.failed:
            fail(t("cli.sync.blobs_failed", count=len(blobs.failed), sha=blobs.failed[0][:12]))
        if summary.rejected:
            for note in summary.rejected:
                click.echo(t("cli.sync.rejected_line", id=short(note.record_id), rev=note.rev,
                             reason=t(f"sync.reason.{note.detail}")), err=True)
            fail(t("cli.sync.rejected", count=len(summary.rejected)))
        if summary.templates_failed:
            ctx.exit(1)


@click.command(help=t("cli.conflicts.help"))
@scope_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help=t("cli.opt.format"))
@click.pass_context
def conflicts(ctx: click.Context, scope: str, url: str | None, fmt: str) -> None:
    with opened(ctx, reading=True) as context:
        if scope == "central":
            from tui_app.services import central as central_service

            rows = central_service.conflicts(central_link.central_url(context, url))
            if fmt == "json":
                emit_json(rows)
                return
            emit_table(t("cli.conflicts.central_title", count=len(rows)),
                       [t("col.time"), t("col.kind"), t("col.id"), t("col.rev"), t("col.lost"),
                        t("col.kept"), t("col.inspector")],
                       [(r["received_at"], r["kind"], short(r["record_id"]), r["rev"],
                         short(r["change_id"]), short(r["kept_change_id"]), r["inspector_id"])
                        for r in rows])
            return
        kept = sync_service.conflicts(context)
        refused = sync_service.quarantined(context)
        if fmt == "json":
            emit_json({"conflicts": kept, "quarantine": refused})
            return
        emit_table(t("cli.conflicts.title", count=len(kept)),
                   [t("col.time"), t("col.kind"), t("col.id"), t("col.rev"), t("col.lost"),
                    t("col.kept")],
                   [(r["reported_at"], t(f"kind.{r['kind']}"), short(r["record_id"]), r["rev"],
                     short(r["lost_change_id"]), short(r["kept_change_id"])) for r in kept])
        if refused:
            emit_table(t("cli.conflicts.quarantine_title", count=len(refused)),
                       [t("col.time"), t("col.kind"), t("col.id"), t("col.rev"), t("col.reason")],
                       [(r["quarantined_at"], t(f"kind.{r['kind']}"), short(r["record_id"]),
                         r["rev"], t(f"sync.reason.{r['reason']}")) for r in refused])


@click.group(help=t("cli.central.help"))
def central() -> None:
    """The `central` subcommands (help text comes from the catalog)."""


@central.command("init", help=t("cli.central.init.help"))
@click.argument("url")
@click.option("--new-epoch", is_flag=True, help=t("cli.central.new_epoch"))
def central_init(url: str, new_epoch: bool) -> None:
    applied, epoch = sync_service.init_central(url, new_epoch=new_epoch)
    shown = sync_service.shown_url(url)
    if applied:
        click.echo(t("cli.central.created", url=shown, names=", ".join(applied), epoch=epoch))
    else:
        click.echo(t("cli.central.up_to_date", url=shown, epoch=epoch))


@central.command("snapshot", help=t("cli.central.snapshot.help"))
@click.argument("url")
def central_snapshot(url: str) -> None:
    import time

    from tui_app.services import snapshot as snapshot_service

    started = time.monotonic()
    with _Bar() as bar:
        info, records = snapshot_service.build(url, bar)
    click.echo(t("cli.central.snapshot.built", records=records, parts=len(info.parts),
                 mb=f"{info.size / 1024 / 1024:.1f}", cursor=info.cursor,
                 seconds=f"{time.monotonic() - started:.1f}"))
