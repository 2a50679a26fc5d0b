"""Small modal questions: confirm a discard, give a reason to void."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui_app.i18n import t
from tui_app.ui.guard import Guarded


class ConfirmScreen(Guarded, ModalScreen[bool]):
    """Yes or no, answered with one key."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "ui.key.yes"),
        Binding("n,escape", "answer(False)", "ui.key.no"),
    ]

    def __init__(self, question: str, keys: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.keys = keys or t("ui.confirm.keys")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Static(self.keys, classes="hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ReasonScreen(Guarded, ModalScreen[str | None]):
    """Asks why a record is voided; an empty reason is refused in place."""

    BINDINGS = [Binding("escape", "cancel", "ui.key.cancel")]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Input(id="reason", compact=True)
            yield Static("", classes="field-error")
            yield Static(t("ui.reason.keys"), classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one(".field-error", Static).update(t("record.void_needs_reason"))
            self.query_one(".dialog").add_class("-invalid")  # shows the reason's line
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
