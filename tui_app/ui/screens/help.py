"""The `?` help: every key that works on the screen below, in the user's language.

Textual's own help panel lists every binding of the focused widget chain, its text
inputs' cursor keys included, in English; this one lists what FieldLog's screens and
the app offer (each described from the catalog), and only keys whose action can run
there now (a screen's `check_action` hides the others, e.g. number keys past the
pack's last action).
"""

from __future__ import annotations

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui_app.i18n import t
from tui_app.ui.guard import Guarded


def working_keys(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key as shown, what it does) for each described, enabled binding of `screen`."""
    seen: set[str] = set()
    keys = []
    for _key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or not binding.description or binding.system:
            continue
        if not isinstance(active.node, Guarded | App):
            continue  # a Textual widget's own keys (cursor moves in a text input...)
        if binding.description in seen:
            continue  # one line per action, e.g. 1-7 once
        seen.add(binding.description)
        keys.append((screen.app.get_key_display(binding), binding.description))
    return keys


class HelpScreen(Guarded, ModalScreen[None]):
    """Keys of the screen it was opened over; any of `?`, `esc` closes it."""

    BINDINGS = [Binding("escape,question_mark", "close", "ui.key.close")]

    def __init__(self, over: Screen[object]) -> None:
        super().__init__(classes="dialog-screen")
        self.over = over

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        table.add_column(style="bold", justify="right")
        table.add_column()
        for key, description in working_keys(self.over):
            table.add_row(key, description)
        with Vertical(classes="dialog help"):
            yield Static(t("ui.help.title"), classes="screen-title")
            yield Static(table)
            yield Static(t("ui.help.hint"), classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
