"""The FieldLog app: the dashboard at home, forms and lists pushed over it.

Database work runs on thread workers (see `sessions.py`) that post messages back;
a failure inside a screen is shown as a message and leaves the screen, and what was
typed in it, in place; the app never dies with a traceback on screen.
"""

from __future__ import annotations

import datetime as dt
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.app import App
from textual.binding import Binding

from tui_app.domain.pack import Pack
from tui_app.errors import FieldLogError
from tui_app.i18n import t
from tui_app.services import dashboard as dashboard_service
from tui_app.services.context import DEFAULT_TZ
from tui_app.services.dashboard import Snapshot
from tui_app.ui.guard import localized
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.sessions import Sessions

Clock = Callable[[], dt.datetime]


def _commands() -> type:
    """The palette's provider, imported when the palette first opens (not at start)."""
    from tui_app.ui.commands import FieldLogCommands

    return FieldLogCommands


class FieldLogApp(App[None]):
    """What an inspector lives in all day: calm, keyboard first, never losing input."""

    CSS_PATH = Path(__file__).parent / "fieldlog.tcss"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS = [
        Binding("question_mark", "toggle_help", "ui.key.help", key_display="?"),
    ]

    def __init__(self, db_path: Path, *, clock: Clock | None = None) -> None:
        super().__init__()
        self._bindings = localized(self._bindings)
        self.sessions = Sessions(db_path)
        self._clock = clock
        self.tz = ZoneInfo(DEFAULT_TZ)
        self.pack: Pack | None = None
        self.officers: list[dict[str, str]] = []
        self.title = t("ui.title")
        self.sync_lock = threading.Lock()  # one sync at a time, manual or automatic
        # The first snapshot is computed while Textual starts, so the dashboard's first
        # paint has its figures (one paint instead of an empty one and a full repaint).
        early = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldlog-early")
        self.early_snapshot: Future[Snapshot] | None = early.submit(self.compute_snapshot)
        early.shutdown(wait=False)

    def compute_snapshot(self) -> Snapshot:
        """The dashboard's data, on whatever worker thread calls this."""
        ctx = self.sessions.get()
        self.tz = ctx.tz
        return dashboard_service.snapshot(ctx, self.today())

    # ------------------------------------------------------------ time

    def now(self) -> dt.datetime:
        """The local wall-clock time (fixed in tests so screens are reproducible)."""
        moment = self._clock() if self._clock else dt.datetime.now(self.tz)
        return moment.astimezone(self.tz) if moment.tzinfo else moment.replace(tzinfo=self.tz)

    def today(self) -> dt.date:
        return self.now().date()

    # ------------------------------------------------------------ screens

    def get_default_screen(self) -> DashboardScreen:
        return DashboardScreen()

    @property
    def dashboard(self) -> DashboardScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, DashboardScreen)
        return screen

    def context_ready(self, snapshot: Snapshot) -> None:
        """A snapshot has arrived: forms are built from its pack, prefilled with its pair."""
        self.pack = snapshot.pack
        self.officers = snapshot.officers

    def records_changed(self, then: Callable[[], object] | None = None) -> None:
        """A save happened somewhere: the dashboard refreshes its figures in place.

        `then` runs once the new figures are in (a form closes after them, so the
        dashboard comes back already up to date, painted once).
        """
        self.dashboard.reload_then(then)

    def open_entry(self, action_id: str) -> None:
        from tui_app.ui.screens.entry import EntryScreen

        if self.pack is None or self.pack.action(action_id) is None:
            self.notify(t("ui.loading"), severity="warning")
            return
        # One form per action, built once and kept: reopening is instant, and closing it
        # after a save does not stall the dashboard's refresh while dozens of widgets go.
        name = f"entry-{action_id}"
        if self.is_screen_installed(name):
            screen = self.get_screen(name)
            assert isinstance(screen, EntryScreen)
            screen.restart()
        else:
            self.install_screen(EntryScreen.new_inspection(self, action_id), name)
        self.push_screen(name)

    def open_kind_form(self, kind: str) -> None:
        from tui_app.ui.screens.entry import EntryScreen

        if self.pack is None:
            self.notify(t("ui.loading"), severity="warning")
            return
        self.push_screen(EntryScreen.new_record(self, kind))

    def open_list(self, kind: str) -> None:
        from tui_app.ui.screens.records import RecordsScreen

        self.push_screen(RecordsScreen(kind))

    def action_settings(self) -> None:
        from tui_app.ui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def action_sync(self) -> None:
        """The Sync screen, kept once made: leaving it never stops or loses a running sync."""
        from tui_app.ui.screens.sync import SyncScreen

        if not self.is_screen_installed("sync"):
            self.install_screen(SyncScreen(), "sync")
            self.push_screen("sync")
            return  # a new screen starts its sync when mounted
        screen = self.get_screen("sync")
        assert isinstance(screen, SyncScreen)
        self.push_screen(screen)
        screen.action_start()

    def action_report(self) -> None:
        from tui_app.ui.screens.report import ReportScreen

        self.push_screen(ReportScreen())

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    # ------------------------------------------------------------ failures

    def report_failure(self, error: BaseException) -> None:
        """Show what went wrong; keep the screen (and what was typed in it) as it is."""
        if isinstance(error, FieldLogError) and self.pack is None:
            self.show_startup_failure(error)
            return
        if isinstance(error, FieldLogError):
            self.notify(error.message(), severity="error", timeout=8)
            return
        self.log.error("".join(traceback.format_exception(error)))
        self.notify(t("ui.crash", detail=f"{type(error).__name__}: {error}"),
                    title=t("ui.crash_title"), severity="error", timeout=15)

    def show_startup_failure(self, error: FieldLogError) -> None:
        """No snapshot ever came (the database cannot be used): say why, on a whole screen."""
        from tui_app.ui.screens.startup import StartupFailedScreen

        if not isinstance(self.screen, StartupFailedScreen):
            self.push_screen(StartupFailedScreen(error.message()))

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:  # noqa: ANN001
        """Every key binding passes here: a failing action becomes a message, not a crash."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as error:  # noqa: BLE001 - the guard between a bug and the inspector
            self.report_failure(error)
            return True

    def on_unmount(self) -> None:
        self.sessions.close()
