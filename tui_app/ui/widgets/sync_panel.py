"""The dashboard's sync panel: unsynced changes, last sync, online or not, auto-sync.

Whether the central store can be reached is asked on a thread worker every few
minutes with a short timeout (`services.central_link.is_reachable`), so a dead share or a
dropped link never stalls the screen. With auto-sync on, the panel starts a sync in
the background whenever the store is reachable and changes are waiting; the app's
sync lock keeps it from ever running beside a manual sync.
"""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Static

from tui_app.errors import FieldLogError
from tui_app.i18n import t
from tui_app.services import central_link, profile
from tui_app.services.dashboard import Snapshot
from tui_app.ui.sessions import db_work

CHECK_SECONDS = 180.0  # between reachability checks (tests set it lower)
PROBE_TIMEOUT = 1.5  # seconds a reachability check may take before it counts as offline

UNSET, CHECKING, ONLINE, OFFLINE = "unset", "checking", "online", "offline"


class SyncPanel(Static):
    """What waits for sync and whether it could go now; starts auto-syncs."""

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
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.state = CHECKING
        self.auto = False
        self.unsynced = 0
        self.last_sync = ""
        self.note = ""
        self._asked = False  # the first reachability check has been started

    def on_mount(self) -> None:
        self.set_interval(CHECK_SECONDS, self.check)

    def show(self, snap: Snapshot) -> None:
        """New figures from the dashboard; with auto-sync on, waiting work goes now."""
        self.unsynced, self.last_sync, self.auto = snap.unsynced, snap.last_sync, snap.auto_sync
        self._paint()
        self._maybe_sync()
        if not self._asked:
            # The first check waits for the first figures to be painted: its thread (the
            # sync machinery's import, a probe) raced the dashboard's first paint.
            self._asked = True
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

    def on_sync_panel_checked(self, message: Checked) -> None:
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

    def on_sync_panel_auto_synced(self, message: AutoSynced) -> None:
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
        self.update("\n".join(lines))
