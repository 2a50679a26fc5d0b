"""The dashboard's side panel: the daily pace, sync, and overdue reminders, painted by
one widget (its sections were eight widgets, each styled and laid out at the start).

The sync section says what waits, the last sync, online or not, and auto-sync. Whether
the central store can be reached is asked on a thread worker every few minutes with a
short timeout (`services.central_link.is_reachable`), so a dead share or a dropped link
never stalls the screen. With auto-sync on, the panel starts a sync in
the background whenever the store is reachable and changes are waiting; the app's
sync lock keeps it from ever running beside a manual sync.
"""

from __future__ import annotations

from rich.console import Group, NewLine, RenderableType
from rich.text import Text
from textual.message import Message
from textual.renderables.sparkline import Sparkline
from textual.widget import Widget

from tui_app.errors import FieldLogError
from tui_app.i18n import t
from tui_app.services import central_link, profile
from tui_app.services import dashboard as dashboard_service
from tui_app.ui.sessions import db_work

CHECK_SECONDS = 180.0  # between reachability checks (tests set it lower)
PROBE_TIMEOUT = 1.5  # seconds a reachability check may take before it counts as offline

UNSET, CHECKING, ONLINE, OFFLINE = "unset", "checking", "online", "offline"


SPARK_HEIGHT = 3
MAX_REMINDERS = 8


class SidePanel(Widget):
    """The pace (a sparkline over the campaign's days), what waits for sync and whether
    it could go now (it starts auto-syncs), and the overdue reminders, under their
    titles; at 80 columns only their texts, folded under the board."""

    COMPONENT_CLASSES = {"side-panel--title", "side-panel--reminders",
                         "side-panel--spark-max", "side-panel--spark-min"}
    DEFAULT_CSS = """
    SidePanel {
        height: auto;
        & > .side-panel--title { text-style: bold; color: $text-accent; }
        & > .side-panel--reminders { color: $text-warning; }
        & > .side-panel--spark-max { color: $primary; }
        & > .side-panel--spark-min { color: $primary 30%; }
    }
    """

    class Checked(Message):
        """A reachability check's answer (`state` is one of UNSET, ONLINE, OFFLINE)."""

        def __init__(self, state: str) -> None:
            super().__init__()
            self.state = state

    class AutoSynced(Message):
        """A background sync ended: `error` is the user's message, "" when it went well."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._pace: list[int] = []
        self._sections: dict[str, str] = {"pace": "", "sync": "", "reminders": ""}
        self._lines = 0  # the sections' lines when last laid out
        self.state = CHECKING
        self.auto = False
        self.unsynced = 0
        self.last_sync = ""
        self.note = ""
        self._asked = False  # the first figures are in (and the first check started, if any)

    def on_mount(self) -> None:
        self.set_interval(CHECK_SECONDS, self.check)

    def show(self, snap: dashboard_service.Snapshot) -> None:
        """New figures from the dashboard; with auto-sync on, waiting work goes now."""
        self._pace = [n for _, n in snap.per_day] or [0]
        today = dict(snap.per_day).get(snap.today.isoformat(), 0)
        self._sections["pace"] = t("ui.dash.pace_text", today=today, days=len(snap.per_day),
                                   total=sum(n for _, n in snap.per_day))
        self._sections["reminders"] = "\n".join(
            t(f"ui.reminder.{r.kind}", subject=r.subject or "-", since=r.since, late=r.days_late)
            for r in snap.reminders[:MAX_REMINDERS]) or t("ui.dash.no_reminders")
        self.unsynced, self.last_sync, self.auto = snap.unsynced, snap.last_sync, snap.auto_sync
        first = not self._asked
        self._asked = True
        if first and not snap.central_set:
            self.state = UNSET  # known from the snapshot: no thread, no second paint
        self._paint()
        self._maybe_sync()
        if first and snap.central_set:
            # The first check waits for the first figures to be painted: its thread (the
            # probe's import, a probe) raced the dashboard's first paint.
            self.call_after_refresh(self.check)

    @db_work(exclusive=True, group="online")
    def check(self) -> None:
        ctx = self.app.sessions.get()  # type: ignore[attr-defined]
        try:
            url = central_link.central_url(ctx)
        except FieldLogError:
            self.post_message(self.Checked(UNSET))
            return
        online = central_link.is_reachable(url, PROBE_TIMEOUT, ctx)
        self.post_message(self.Checked(ONLINE if online else OFFLINE))

    def on_side_panel_checked(self, message: Checked) -> None:
        self.state = message.state
        self._paint()
        self._maybe_sync()

    def _maybe_sync(self) -> None:
        if self.auto and self.state == ONLINE and self.unsynced > 0:
            self.auto_sync()

    @db_work(group="auto-sync")
    def auto_sync(self) -> None:
        """One background sync, unless a sync (manual or automatic) is already running."""
        from tui_app.services import sync as sync_service

        lock = self.app.sync_lock  # type: ignore[attr-defined]
        if not lock.acquire(blocking=False):
            return
        try:
            ctx = self.app.sessions.get()  # type: ignore[attr-defined]
            if not profile.flag(ctx, "auto_sync") or not sync_service.unsynced_count(ctx):
                return
            sync_service.run_sync(ctx)
        except FieldLogError as error:
            self.post_message(self.AutoSynced(error.message()))
            return
        finally:
            lock.release()
        self.post_message(self.AutoSynced(""))

    def on_side_panel_auto_synced(self, message: AutoSynced) -> None:
        self.sync_ended(message.error)
        if not message.error:
            self.app.records_changed()  # type: ignore[attr-defined]

    def sync_ended(self, error: str) -> None:
        """A sync (manual or automatic) ended: a failure marks the store offline until the
        next check says otherwise (so waiting changes are not retried in a loop against a
        store that is down); a success proves it online."""
        self.note = error
        self.state = OFFLINE if error else ONLINE
        self._paint()

    def _paint(self) -> None:
        lines = [t("ui.dash.sync_text", count=self.unsynced,
                   last=self.last_sync or t("ui.dash.never")),
                 t(f"ui.sync.state.{self.state}")]
        if self.auto:
            lines.append(t("ui.sync.auto_on"))
        if self.note:
            lines.append(self.note)
        self._sections["sync"] = "\n".join(lines)
        # Laid out again only when its height may change (at 80 columns it is as tall as
        # its lines, wrapped): a layout pass of the whole screen for each new sync state
        # cost more than the repaint.
        lines_now = self._wrapped_lines()
        self.refresh(layout=lines_now != self._lines)
        self._lines = lines_now

    def _wrapped_lines(self) -> int:
        """The lines its texts take at its width (before its first layout, their count)."""
        width = self.content_size.width
        texts = [line for text in self._sections.values() for line in text.split("\n")]
        if not width:
            return len(texts)
        return sum(len(Text(line).wrap(self.app.console, width)) for line in texts)

    def section(self, name: str) -> str:
        """What one section ("pace", "sync" or "reminders") says, as painted."""
        return self._sections[name]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh(layout=True)  # to 80 columns or back: the titles and sparkline fold

    def render(self) -> RenderableType:
        """The sections under their titles, a blank line before each title and before the
        sparkline; at 80 columns (the screen's -narrow class) the texts alone."""
        reminders = Text(self._sections["reminders"], self.get_component_rich_style("side-panel--reminders"))
        texts = {name: Text(self._sections[name]) for name in ("pace", "sync")} | {"reminders": reminders}
        if self.screen.has_class("-narrow"):
            return Group(*texts.values())
        title = self.get_component_rich_style("side-panel--title")
        # The sparkline ends its last bar line without a newline: NewLine ends it.
        parts: list[RenderableType] = [Text(), Text(t("ui.dash.pace"), title), Text(), self._sparkline(),
                                       NewLine(), texts["pace"]]
        for name in ("sync", "reminders"):
            parts += [Text(), Text(t(f"ui.dash.{name}"), title), texts[name]]
        return Group(*parts)

    def _sparkline(self) -> Sparkline:
        """The pace as Textual's sparkline draws it, in the theme's colours over the
        panel's background."""
        _, base = self.background_colors
        low, high = (base + self.get_component_styles(f"side-panel--spark-{end}").color
                     for end in ("min", "max"))
        return Sparkline(self._pace, width=self.content_region.width, height=SPARK_HEIGHT,
                         min_color=low.rich_color, max_color=high.rich_color, summary_function=max)
