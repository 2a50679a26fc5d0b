"""Home: the campaign at a glance, updated in place within moments of a save.

Everything comes from one `services.dashboard.snapshot` computed on a worker thread
after the first paint; tally cells are keyed, so a refresh changes only the figures
that moved (no clear-and-rebuild, no flicker).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent import futures

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui_app.i18n import pick, t
from tui_app.services import dashboard as dashboard_service
from tui_app.ui.guard import Guarded
from tui_app.ui.sessions import db_work
from tui_app.ui.widgets.footer import KeysFooter
from tui_app.ui.widgets.side_panel import SidePanel
from tui_app.ui.widgets.tally_board import TallyBoard

MAX_ACTION_KEYS = 9
FALLBACK_SECONDS = 1.0
FIRST_PAINT_WAIT = 0.25  # seconds the first paint waits for the early snapshot


class DashboardScreen(Guarded, Screen[None]):
    """The screen an inspector opens in the morning and comes back to after each save."""

    # In footer order: at 80 columns only the first few fit, so the keys of the end of
    # the day (sync, report), quit and help come first.
    BINDINGS = [
        Binding("s", "app.sync", "ui.key.sync"),
        Binding("r", "app.report", "ui.key.report"),
        Binding("q", "app.quit", "ui.key.quit"),
        Binding("question_mark", "app.toggle_help", "ui.key.help", key_display="?"),
        Binding("1", "new(1)", "ui.key.new", key_display="1-7"),
        *[Binding(str(n), f"new({n})", "ui.key.new", show=False)
          for n in range(2, MAX_ACTION_KEYS + 1)],
        Binding("l", "list('inspection')", "ui.key.records"),
        Binding("c", "list('case')", "ui.key.cases"),
        Binding("t", "list('complaint')", "ui.key.complaints"),
        Binding("a", "list('activity')", "ui.key.activities"),
        Binding("i", "app.settings", "ui.key.settings"),
    ]

    class Loaded(Message):
        """A fresh snapshot from the worker."""

        def __init__(self, snapshot: dashboard_service.Snapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    def __init__(self) -> None:
        super().__init__(id="dashboard")
        self.snapshot: dashboard_service.Snapshot | None = None
        self._after_load: list[Callable[[], object]] = []
        self._headlines = (t("ui.loading"), t("ui.loading"))  # the long one and the short one
        self._headline_shown = t("ui.loading")

    def compose(self) -> ComposeResult:
        yield Static(t("ui.loading"), id="headline")
        with Horizontal(id="dash-body"):
            yield TallyBoard(id="tallies")
            yield SidePanel(id="dash-side")
        yield Static("", id="action-keys")
        yield KeysFooter()

    def on_mount(self) -> None:
        early = self.app.early_snapshot
        # Computed while Textual was starting: the first paint waits a moment for it, so it
        # has the figures (one paint, instead of an empty board and then a full repaint).
        if early is not None and futures.wait([early], FIRST_PAINT_WAIT).done and not early.exception():
            self.app.early_snapshot = None
            self.on_dashboard_screen_loaded(self.Loaded(early.result()))
        else:
            self.reload()  # still running (a big or slow database), or failed: the worker says

    def reload_then(self, then: Callable[[], object] | None) -> None:
        """Reload; run `then` when the figures are shown (or after a second at worst)."""
        if then is not None:
            self._after_load.append(then)
            self.set_timer(FALLBACK_SECONDS, self._run_after_load)
        self.reload()

    def _run_after_load(self) -> None:
        waiting, self._after_load = self._after_load, []
        for then in waiting:
            then()

    @db_work(exclusive=True, group="dashboard")
    def reload(self) -> None:
        early, self.app.early_snapshot = self.app.early_snapshot, None
        snap = early.result() if early is not None else self.app.compute_snapshot()
        self.post_message(self.Loaded(snap))

    def on_dashboard_screen_loaded(self, message: Loaded) -> None:
        snap = message.snapshot
        self.snapshot = snap
        self.app.context_ready(snap)
        with self.app.batch_update():
            self._show(snap)
        self._run_after_load()

    def _show(self, snap: dashboard_service.Snapshot) -> None:
        pack = snap.pack
        who = t("ui.who", name=snap.inspector, badge=snap.badge) if snap.badge else snap.inspector
        start, end = snap.period
        headline = t("ui.dash.headline", name=pick(pack.name), start=start, end=end,
                     inspector=who or t("ui.dash.no_inspector"), today=snap.today)
        short = t("ui.dash.headline_short", name=pick(pack.name), start=f"{start:%m-%d}",
                  end=f"{end:%m-%d}", inspector=snap.inspector or "-", today=f"{snap.today:%m-%d}")
        if snap.campaign_note:
            note = "\n" + t(snap.campaign_note, name=pick(pack.name),
                             start=pack.period_from, end=pack.period_to)
            headline, short = headline + note, short + note
        self._headlines = (headline, short)
        self._fit_headline()
        self.query_one(TallyBoard).show(pack, snap.today_values, snap.campaign_values)
        self.query_one(SidePanel).show(snap)
        self._show_number_keys(min(len(pack.actions), MAX_ACTION_KEYS))
        self.query_one("#action-keys", Static).update("  ".join(
            f"[b]{n}[/b] {pick(a.name)}" for n, a in enumerate(pack.actions[:MAX_ACTION_KEYS], 1)))

    def on_resize(self) -> None:
        """Made narrower than 110 columns or wider again (the width class is set by then)."""
        self._fit_headline()

    def _fit_headline(self) -> None:
        """The short headline below 110 columns (the -narrow class), else the long one."""
        headline, short = self._headlines
        text = short if self.has_class("-narrow") else headline
        if text != self._headline_shown:  # an update lays the screen out again, and resizes it
            self._headline_shown = text
            self.query_one("#headline", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Number keys past the pack's last action do nothing, so they are not offered."""
        if action == "new" and parameters and self.snapshot is not None:
            return int(parameters[0]) <= len(self.snapshot.pack.actions)  # type: ignore[call-overload]
        return True

    def _show_number_keys(self, count: int) -> None:
        """The footer's `1-7` says how many actions this pack has."""
        [binding] = self._bindings.key_to_bindings["1"]
        shown = f"1-{count}" if count > 1 else "1"
        if binding.key_display != shown:
            self._bindings.key_to_bindings["1"] = [dataclasses.replace(binding, key_display=shown)]
            self.refresh_bindings()

    def action_new(self, number: int) -> None:
        if self.snapshot is None:
            self.notify(t("ui.loading"), severity="warning")
            return
        actions = self.snapshot.pack.actions
        if 1 <= number <= len(actions):
            self.app.open_entry(actions[number - 1].id)

    def action_list(self, kind: str) -> None:
        self.app.open_list(kind)
