"""Settings: the same values as `fieldlog init` (who is on duty today, unit, time zone).

Saved through `services.profile`, as the CLI does; every worker then opens a fresh
context, and the dashboard (and the forms' prefilled officers) follow at once.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui_app.errors import Problem, ValidationFailed
from tui_app.i18n import t
from tui_app.services import profile
from tui_app.ui import forms
from tui_app.ui.guard import Guarded
from tui_app.ui.sessions import db_work
from tui_app.ui.widgets.fields import FormBody
from tui_app.ui.widgets.footer import KeysFooter
from tui_app.ui.widgets.side_panel import SidePanel

SPECS = [*(forms.spec(key, "text", f"cli.init.prompt.{key}") for key in profile.KEYS),
         *(forms.spec(key, "bool", f"ui.settings.{key}") for key in profile.FLAGS)]


class SettingsScreen(Guarded, Screen[None]):
    """Edit the laptop's settings; ctrl+s saves, escape leaves."""

    BINDINGS = [
        Binding("ctrl+s", "save", "ui.key.save", priority=True),
        Binding("escape", "app.pop_screen", "ui.key.back"),
    ]

    class Loaded(Message):
        def __init__(self, values: dict[str, str]) -> None:
            super().__init__()
            self.values = values

    class Saved(Message):
        def __init__(self, problems: list[Problem]) -> None:
            super().__init__()
            self.problems = problems

    def compose(self) -> ComposeResult:
        yield Static(t("ui.settings.title"), classes="screen-title")
        yield FormBody(SPECS, id="settings-form")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @db_work(group="settings")
    def load(self) -> None:
        self.post_message(self.Loaded(profile.current(self.app.sessions.get())))

    def on_settings_screen_loaded(self, message: Loaded) -> None:
        body = self.query_one(FormBody)
        body.set_values(message.values)
        body.rows[SPECS[0].path].control.focus()

    def action_save(self) -> None:
        self.save(self.query_one(FormBody).values())

    @db_work(group="save")
    def save(self, values: dict[str, str]) -> None:
        try:
            profile.update(self.app.sessions.get(), values)
        except ValidationFailed as refused:
            self.post_message(self.Saved(refused.problems))
            return
        self.post_message(self.Saved([]))

    def on_settings_screen_saved(self, message: Saved) -> None:
        if message.problems:
            self.query_one(FormBody).show_problems(message.problems)
            return
        self.app.sessions.invalidate()
        self.notify(t("ui.settings.saved"))
        self.app.dashboard.query_one(SidePanel).check()  # the central URL may have changed
        self.app.records_changed(then=self.dismiss)
