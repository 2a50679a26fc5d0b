"""A guard for screens and widgets: an exception in a handler becomes a message.

Textual stops a widget's message loop after an unhandled exception and ends the
app; for an inspector in the middle of an entry that would lose what they typed.
The same base also puts key descriptions in the user's language when the widget is
made (class-level BINDINGS hold catalog keys, since `--lang` is chosen later).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from textual.binding import Binding, BindingsMap
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from tui_app.i18n import CATALOG, t

# Textual's own app-level key descriptions (English in Textual) → catalog keys.
TEXTUAL_KEYS = {"Quit": "ui.key.quit", "palette": "ui.key.palette",
                "Focus Next": "ui.key.focus_next", "Focus Previous": "ui.key.focus_previous",
                "Copy selected text": "ui.key.copy"}


def localized(bindings: BindingsMap) -> BindingsMap:
    """Bindings whose descriptions are catalog keys, described in the current language."""
    keys = {
        key: [_described(b) for b in found]
        for key, found in bindings.key_to_bindings.items()
    }
    return BindingsMap.from_keys(keys)


def _described(binding: Binding) -> Binding:
    key = TEXTUAL_KEYS.get(binding.description, binding.description)
    if key not in CATALOG:
        return binding
    return dataclasses.replace(binding, description=t(key), tooltip="")


class Guarded(MessagePump):
    """Mix in before a Screen or Widget class to report handler failures and go on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bindings = localized(self._bindings)

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)
        except Exception as error:  # noqa: BLE001 - shown to the user, logged, app goes on
            self.app.report_failure(error)  # type: ignore[attr-defined]

    # True while a "save" worker runs (screens ignore a second ctrl+s meanwhile); a save
    # that fails outright clears it here so the inspector can try again.
    saving = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Workers run with exit_on_error=False; their failures are reported here."""
        if event.worker.group == "save" and event.state in (WorkerState.ERROR,
                                                             WorkerState.CANCELLED):
            self.saving = False
            self.app.typeahead.release(self)  # type: ignore[attr-defined]
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_failure(event.worker.error)  # type: ignore[attr-defined]
