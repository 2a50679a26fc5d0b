"""The FieldLog app: the dashboard at home, forms and lists pushed over it.

Database work runs on thread workers (see `sessions.py`) that post messages back;
a failure inside a screen is shown as a message and leaves the screen, and what was
typed in it, in place; the app never dies with a traceback on screen.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui_app.domain.pack import Pack
from tui_app.errors import FieldLogError
from tui_app.i18n import t
from tui_app.services import dashboard as dashboard_service
from tui_app.services.context import DEFAULT_TZ
from tui_app.services.dashboard import Snapshot
from tui_app.ui.guard import localized
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.sessions import Sessions
from tui_app.ui.typeahead import Deliver, TypeAhead

Clock = Callable[[], dt.datetime]
ScreenT = TypeVar("ScreenT", bound=Screen[Any])
# Forms are built ahead of need while the inspector is not typing: this long after the
# last key, one at a time (building one takes the UI thread a few hundred ms).
PREBUILD_IDLE = 1.0
FORM_KINDS = ("case", "complaint", "activity")
FIRST_SNAPSHOT = "first-snapshot"  # the type-ahead hold of the app's start


def _commands() -> type:
    """The palette's provider, imported when the palette first opens (not at start)."""
    from tui_app.ui.commands import FieldLogCommands

    return FieldLogCommands


class FieldLogApp(App[None]):
    """What an inspector lives in all day: calm, keyboard first, never losing input."""

    CSS_PATH = Path(__file__).parent / "fieldlog.tcss"
    # Screens get the class of their width: 80 columns fold the side panels under their
    # tables and shorten the headline; 170 and more put the tally groups side by side.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal"), (170, "-wide")]
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS = [
        Binding("question_mark", "toggle_help", "ui.key.help", key_display="?"),
        Binding("ctrl+p", "command_palette", "ui.key.palette", key_display="^p", priority=True),
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
        self.typeahead = TypeAhead(self)
        # Keys typed before the first snapshot is in wait for it: the dashboard's number
        # keys need its pack, and the first screen may not even exist yet.
        self.typeahead.hold(FIRST_SNAPSHOT)
        self._to_prebuild: list[tuple[Pack, str, str | None]] = []
        self._prebuilt_pack: str | None = None
        self.forms_ready = False  # every form of the pack is built (bench and tests wait on it)
        # The first snapshot is computed while Textual starts, so the dashboard's first
        # paint has its figures (one paint instead of an empty one and a full repaint).
        early = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldlog-early")
        self.early_snapshot: Future[Snapshot] | None = early.submit(self.compute_snapshot)
        early.shutdown(wait=False)

    def on_load(self) -> None:
        """Set what is loaded by now (Textual, FieldLog's modules, the stylesheets) apart
        from the garbage collector: a full collection that fell in the start scanned all
        of it (about 25 ms, between the first paint and the next). `on_unmount` gives it
        back; `settle_heap` does the same for the kept forms later."""
        gc.freeze()

    def compute_snapshot(self) -> Snapshot:
        """The dashboard's data, on whatever worker thread calls this."""
        with self.sessions.busy():
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
        # With its width class from the start: added at its first resize, it restyled the
        # whole dashboard and painted it all again right after the first paint.
        return self.fit_width(DashboardScreen())

    @property
    def dashboard(self) -> DashboardScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, DashboardScreen)
        return screen

    def context_ready(self, snapshot: Snapshot) -> None:
        """A snapshot has arrived: forms are built from its pack, prefilled with its pair."""
        self.pack = snapshot.pack
        self.officers = snapshot.officers
        self.typeahead.release(FIRST_SNAPSHOT)
        if self._prebuilt_pack != snapshot.pack.id:
            self._prebuilt_pack = snapshot.pack.id
            self.forms_ready = False
            pack = snapshot.pack
            self._to_prebuild = ([(pack, "inspection", a.id) for a in pack.actions]
                                 + [(pack, kind, None) for kind in FORM_KINDS])
            self.set_timer(PREBUILD_IDLE, self._prebuild_next)

    # ------------------------------------------------------------ type-ahead

    async def on_event(self, event: events.Event) -> None:
        """Keys go through the type-ahead queue (see `typeahead.py`), never straight on."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.typeahead.take(event)
            await self._deliver_keys()
        elif isinstance(event, Deliver):
            await self._deliver_keys()
        else:
            await super().on_event(event)

    async def _deliver_keys(self) -> None:
        while (key := self.typeahead.next_ready()) is not None:
            await super().on_event(key)

    # ------------------------------------------------------------ forms

    async def _prebuild_next(self) -> None:
        """Build one form ahead of need, then the next: opening it later is instant."""
        if not self._to_prebuild:
            return
        busy = self.typeahead.idle_for() < PREBUILD_IDLE or self.typeahead.keys
        if busy or len(self.screen_stack) > 1:  # keys still waiting go first
            self.set_timer(PREBUILD_IDLE, self._prebuild_next)
            return
        pack, kind, action_id = self._to_prebuild.pop(0)
        name = form_name(pack, kind, action_id)
        if not self.is_screen_installed(name):
            from tui_app.ui.screens.entry import EntryScreen

            self.install_screen(self.fit_width(EntryScreen.blank(self, pack, kind, action_id)), name)
            screen, mounted = self._get_screen(name)  # composes and mounts it off screen
            await mounted
            # Laid out off screen too (Textual lays out only screens it shows, in two or
            # three passes the first time): its first show then only paints.
            screen._refresh_layout(self.size)
        self.forms_ready = not self._to_prebuild
        if self.forms_ready:
            settle_heap()
        self.set_timer(0.05, self._prebuild_next)

    def fit_width(self, screen: ScreenT) -> ScreenT:
        """`screen` with the class of the terminal's width before it is first styled.

        Textual adds it only when the screen is shown and gets its first resize, which
        styles the whole screen a second time (a fifth of a form's first open).
        """
        width = self.size.width
        fitting = next(name for edge, name in sorted(self.HORIZONTAL_BREAKPOINTS, reverse=True)
                       if width >= edge)
        screen.update_classes({name: name == fitting for _, name in self.HORIZONTAL_BREAKPOINTS},
                              update=screen.is_mounted)
        return screen

    def open_form(self, pack: Pack, kind: str, action_id: str | None = None, *,
                  title: str | None = None, values: dict[str, object] | None = None,
                  names: dict[str, str] | None = None, extra: dict[str, object] | None = None,
                  record_id: str | None = None) -> None:
        """A form for a new record (or a revision of `record_id`), kept once built.

        One form per pack, kind and action is built (ahead of need, see `_prebuild_next`)
        and reused: opening it resets it to the values given, which is instant, and
        closing it after a save does not stall the dashboard while dozens of widgets go.
        """
        from tui_app.ui.screens.entry import EntryScreen, defaults

        name = form_name(pack, kind, action_id)
        screen: Screen[object] | None = self.get_screen(name) if self.is_screen_installed(name) else None
        if not isinstance(screen, EntryScreen) or screen in self.screen_stack:
            screen = self.fit_width(EntryScreen.blank(self, pack, kind, action_id))
            if not self.is_screen_installed(name):
                self.install_screen(screen, name)
        start = {**defaults(self, kind), **(values or {})} if record_id is None else dict(values or {})
        screen.restart(title=title, values=start, names=names, extra=extra, record_id=record_id)
        self.push_screen(screen)

    def records_changed(self, then: Callable[[], object] | None = None) -> None:
        """A save happened somewhere: the dashboard refreshes its figures in place.

        `then` runs once the new figures are in (a form closes after them, so the
        dashboard comes back already up to date, painted once).
        """
        self.dashboard.reload_then(then)

    def open_entry(self, action_id: str) -> None:
        if self.pack is None or self.pack.action(action_id) is None:
            self.notify(t("ui.loading"), severity="warning")
            return
        self.open_form(self.pack, "inspection", action_id)

    def open_kind_form(self, kind: str) -> None:
        if self.pack is None:
            self.notify(t("ui.loading"), severity="warning")
            return
        self.open_form(self.pack, kind)

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
        from tui_app.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))

    # ------------------------------------------------------------ Textual's own commands

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette's system commands, in the user's language, only those that work."""
        yield SystemCommand(t("ui.cmd.help"), t("ui.cmd.help_help"), self.action_toggle_help)
        yield SystemCommand(t("ui.cmd.screenshot"), t("ui.cmd.screenshot_help"),
                            self.action_screenshot)
        yield SystemCommand(t("ui.cmd.quit"), t("ui.cmd.quit_help"), self.action_quit)

    def action_command_palette(self) -> None:
        from tui_app.ui.commands import Palette

        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette(id="--command-palette",
                                     placeholder=t("ui.palette.placeholder")))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """An SVG of the screen in the Downloads folder, or the home folder without one."""
        folder = Path(path) if path else screenshot_folder()
        try:
            saved = Path(self.save_screenshot(filename, str(folder)))
        except OSError as error:
            self.notify(t("ui.screenshot.failed", folder=str(folder), detail=error.strerror or error),
                        severity="error")
            return
        self.notify(t("ui.screenshot.saved", path=str(saved)), title=t("ui.screenshot.title"))

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
        self.typeahead.release(FIRST_SNAPSHOT)  # keys typed meanwhile go to this screen

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:  # noqa: ANN001
        """Every key binding passes here: a failing action becomes a message, not a crash."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as error:  # noqa: BLE001 - the guard between a bug and the inspector
            self.report_failure(error)
            return True

    def on_unmount(self) -> None:
        self.sessions.close()
        gc.unfreeze()  # what this app kept can be collected again (tests run many apps)


def form_name(pack: Pack, kind: str, action_id: str | None) -> str:
    """The installed name of the kept form for one pack, kind and action."""
    return f"form-{pack.id}-{kind}-{action_id or ''}"


def settle_heap() -> None:
    """Set what the app has built so far (Textual, the dashboard, the kept forms) apart
    from the garbage collector: a full collection scanned all of it, 130–330 ms on the
    UI thread that landed in whatever the inspector opened next. Run while nobody types."""
    gc.collect()
    gc.freeze()


def screenshot_folder() -> Path:
    """~/Downloads when it exists (Textual's choice), else the home folder."""
    from platformdirs import user_downloads_path

    downloads = user_downloads_path()
    return downloads if downloads.is_dir() else Path.home()
