"""A guard for screens and widgets: an exception in a handler becomes a message.

Textual stops a widget's message loop after an unhandled exception and ends the
app; for an inspector in the middle of an entry that would lose what they typed.
"""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState


class Guarded(MessagePump):
    """Mix in before a Screen or Widget class to report handler failures and go on."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)
        except Exception as error:  # noqa: BLE001 - shown to the user, logged, app goes on
            self.app.report_failure(error)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Workers run with exit_on_error=False; their failures are reported here."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_failure(event.worker.error)  # type: ignore[attr-defined]
