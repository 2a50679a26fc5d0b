"""What the app shows when it cannot start on the database (newer version, read-only
medium, damaged file): the message that says what to do, in place of the dashboard."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui_app.i18n import t
from tui_app.ui.guard import Guarded


class StartupFailedScreen(Guarded, Screen[None]):
    """One clear message and one key: the inspector is never left on 正在读取…."""

    BINDINGS = [Binding("q", "app.quit", "ui.key.quit")]

    def __init__(self, message: str) -> None:
        super().__init__(id="startup-failed")
        self.message = message

    def compose(self) -> ComposeResult:
        yield Static(t("ui.startup_failed_title"), id="startup-title", classes="panel-title")
        yield Static(self.message, id="startup-message")
        yield Static(t("ui.startup_failed_hint"), id="startup-hint")
