"""Sync: the same `services.sync.run_sync` as `fieldlog sync`, on a worker, with progress.

The worker never touches a widget: the service's progress callback posts a message per
step and the screen moves its bars. The screen is installed once and kept, so leaving
it while a sync runs loses nothing: coming back shows the same run, and the dashboard
is refreshed when it ends either way. The app's sync lock keeps a manual sync and a
background (auto) sync from ever running together.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from tui_app.domain.values import local_display
from tui_app.errors import FieldLogError
from tui_app.i18n import t
from tui_app.services import central_link
from tui_app.services import sync as sync_service
from tui_app.ui.guard import Guarded
from tui_app.ui.sessions import db_work
from tui_app.ui.widgets.footer import KeysFooter
from tui_app.ui.widgets.side_panel import SidePanel

PHASES = ("push", "pull")


def short(change_id: str | None) -> str:
    """The tail of a UUIDv7, which is what tells two ids of the same moment apart."""
    return change_id[-8:] if change_id else "-"


class SyncScreen(Guarded, Screen[None]):
    """Push this laptop's changes, pull the team's; show what happened and what was set aside."""

    BINDINGS = [
        Binding("s", "start", "ui.key.sync_again"),
        Binding("escape", "app.pop_screen", "ui.key.back"),
    ]

    class Started(Message):
        def __init__(self, url: str, waiting: bool) -> None:
            super().__init__()
            self.url = url
            self.waiting = waiting

    class Step(Message):
        """One progress report of the service: phase, done, total (None when unknown)."""

        def __init__(self, phase: str, done: int, total: int | None) -> None:
            super().__init__()
            self.phase = phase
            self.done = done
            self.total = total

    class Ended(Message):
        """The run is over: a summary, or the one-line reason it could not run."""

        def __init__(self, url: str, summary: Any, error: str, conflicts: list[dict[str, Any]],
                     quarantined: list[dict[str, Any]]) -> None:
            super().__init__()
            self.url = url
            self.summary = summary
            self.error = error
            self.conflicts = conflicts
            self.quarantined = quarantined

    def __init__(self) -> None:
        super().__init__(id="sync-screen")
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static(t("ui.sync.title"), classes="screen-title")
        with VerticalScroll(id="sync-body"):
            yield Static("", id="sync-central")
            for phase in PHASES:
                with Horizontal(classes="sync-phase"):
                    yield Label(t(f"cli.sync.phase.{phase}"), classes="sync-phase-label")
                    yield ProgressBar(id=f"bar-{phase}", show_eta=False)
                    yield Label("", id=f"count-{phase}", classes="sync-count")
            yield Static("", id="sync-outcome")
            yield Static("", id="sync-error")
            yield Static("", id="conflicts-title", classes="panel-title")
            yield DataTable(id="conflicts", cursor_type="row", show_cursor=False)
            yield Static("", id="quarantine-title", classes="panel-title")
            yield DataTable(id="quarantine", cursor_type="row", show_cursor=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        conflicts = self.query_one("#conflicts", DataTable)
        for key in ("col.time", "col.kind", "col.id", "col.rev", "col.lost", "col.kept"):
            conflicts.add_column(t(key))
        quarantine = self.query_one("#quarantine", DataTable)
        for key in ("col.time", "col.kind", "col.id", "col.rev", "col.reason"):
            quarantine.add_column(t(key))
        self.action_start()

    def action_start(self) -> None:
        """Sync now (a second press while one runs is ignored: it is already going)."""
        if self.running:
            return
        self.running = True
        for phase in PHASES:  # waiting phases show empty; the running one moves
            self.query_one(f"#bar-{phase}", ProgressBar).update(total=1, progress=0)
            self.query_one(f"#count-{phase}", Label).update("")
        self.query_one("#sync-outcome", Static).update(t("ui.sync.running"))
        self.query_one("#sync-error", Static).update("")
        self.run_sync()

    @db_work(group="sync")
    def run_sync(self) -> None:
        ctx = self.app.sessions.get()  # type: ignore[attr-defined]
        summary, error = None, ""
        try:
            url = central_link.central_url(ctx)
        except FieldLogError:
            url = ""  # the screen says where to set it
        if url:
            lock = self.app.sync_lock  # type: ignore[attr-defined]
            waiting = not lock.acquire(blocking=False)
            self.post_message(self.Started(url, waiting))
            if waiting:
                lock.acquire()  # a background sync is finishing; this one follows it
            try:
                summary = sync_service.run_sync(
                    ctx, url, lambda phase, done, total: self.post_message(self.Step(phase, done, total)))
            except FieldLogError as failure:
                error = failure.message()
            finally:
                lock.release()
        self.post_message(self.Ended(url, summary, error, sync_service.conflicts(ctx, 200),
                                     sync_service.quarantined(ctx, 200)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A sync that failed outright (reported by the guard) may be started again."""
        super().on_worker_state_changed(event)
        if event.worker.group == "sync" and event.state in (WorkerState.ERROR,
                                                            WorkerState.CANCELLED):
            self.running = False

    def on_sync_screen_started(self, message: Started) -> None:
        self.query_one("#sync-central", Static).update(t("ui.sync.central", url=message.url))
        if message.waiting:
            self.query_one("#sync-outcome", Static).update(t("ui.sync.waiting"))

    def on_sync_screen_step(self, message: Step) -> None:
        if message.phase not in PHASES:
            return  # a phase this screen shows no bar for (attachment bytes)
        index = PHASES.index(message.phase)
        for earlier in PHASES[:index]:  # a phase that has ended shows full
            self._fill(earlier)
        bar = self.query_one(f"#bar-{message.phase}", ProgressBar)
        bar.update(total=message.total, progress=message.done)
        self.query_one(f"#count-{message.phase}", Label).update(
            f"{message.done}/{message.total}" if message.total is not None else str(message.done or ""))

    def _fill(self, phase: str) -> None:
        bar = self.query_one(f"#bar-{phase}", ProgressBar)
        done = int(bar.progress) or 1
        bar.update(total=done, progress=done)

    def on_sync_screen_ended(self, message: Ended) -> None:
        self.running = False
        summary = message.summary
        if not message.url:
            self.query_one("#sync-central", Static).update(t("ui.sync.no_central"))
        if summary is None:
            self.query_one("#sync-outcome", Static).update("")
            self.query_one("#sync-error", Static).update(message.error)
        else:
            for phase in PHASES:
                self._fill(phase)
            lines = [t("cli.sync.summary", pushed=summary.pushed, duplicates=summary.duplicates,
                       pulled=summary.pulled, conflicts=len(summary.conflicts),
                       seconds=f"{summary.seconds:.1f}")]
            if summary.new_epoch:
                lines.append(t("cli.sync.new_epoch"))
            if summary.rejected:
                lines.append(t("ui.sync.rejected", count=len(summary.rejected)))
            self.query_one("#sync-outcome", Static).update("\n".join(lines))
        self._show_ledgers(message.conflicts, message.quarantined)
        if message.url:
            self.app.dashboard.query_one(SidePanel).sync_ended(message.error)  # type: ignore[attr-defined]
        self.app.records_changed()  # type: ignore[attr-defined]

    def _show_ledgers(self, conflicts: list[dict[str, Any]], refused: list[dict[str, Any]]) -> None:
        """What `fieldlog conflicts` lists: versions kept aside and changes refused."""
        tz = self.app.tz  # type: ignore[attr-defined]
        self.query_one("#conflicts-title", Static).update(t("cli.conflicts.title", count=len(conflicts)))
        table = self.query_one("#conflicts", DataTable)
        table.clear()
        for row in conflicts:
            table.add_row(local_display(row["reported_at"], tz), t(f"kind.{row['kind']}"),
                          short(row["record_id"]), str(row["rev"]), short(row["lost_change_id"]),
                          short(row["kept_change_id"]))
        self.query_one("#quarantine-title", Static).update(
            t("cli.conflicts.quarantine_title", count=len(refused)))
        table = self.query_one("#quarantine", DataTable)
        table.clear()
        for row in refused:
            table.add_row(local_display(row["quarantined_at"], tz), t(f"kind.{row['kind']}"),
                          short(row["record_id"]), str(row["rev"]), t(f"sync.reason.{row['reason']}"))
