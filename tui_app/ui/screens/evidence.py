"""Evidence in the TUI: the attachments of a record as a table, and the attach dialog.

The dialog takes paths as an inspector has them: typed, or pasted from a file manager
(several at once, quoted when they hold spaces, `~` and globs like `~/照片/*.jpg`).
Checking and storing the files is the attachments service's job, as for the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui_app.domain.attachments import short_type
from tui_app.domain.values import local_display
from tui_app.errors import FieldLogError
from tui_app.i18n import t
from tui_app.services import attachments as attachment_service
from tui_app.ui.guard import Guarded


def attachments_table(items: Sequence[Mapping[str, Any]], tz: ZoneInfo) -> Table | str:
    """A record's live attachments, numbered as `attachment open N` takes them."""
    live = [a for a in items if not a.get("removed_at")]
    if not live:
        return ""
    table = Table(title=t("cli.show.attachments"), title_justify="left", box=None,
                  header_style="bold")
    for key in ("#", "col.file", "col.media_type", "col.taken", "col.added"):
        table.add_column(t(key) if key != "#" else key)
    for n, item in enumerate(live, start=1):
        where = item.get("gps")
        taken = " ".join(p for p in (item.get("exif_time", "").replace("T", " ")[:16],
                                     f"{where['lat']:.4f},{where['lon']:.4f}" if where else "") if p)
        table.add_row(str(n), item["name"], short_type(item["media_type"]), taken,
                      local_display(item.get("added_at"), tz))
    return table


class AttachScreen(Guarded, ModalScreen[list[Path] | None]):
    """Asks for the files to attach; a path that cannot be read is refused in place."""

    BINDINGS = [Binding("escape", "cancel", "ui.key.cancel")]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("ui.attach.question"))
            yield Input(id="paths", compact=True, placeholder="~/照片/*.jpg")
            yield Static("", classes="field-error")
            yield Static(t("ui.attach.keys"), classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            paths = attachment_service.expand_paths(event.value)
        except FieldLogError as refused:
            self.query_one(".field-error", Static).update(refused.message())
            return
        if not paths:
            self.query_one(".field-error", Static).update(t("ui.attach.none_given"))
            return
        self.dismiss(paths)

    def action_cancel(self) -> None:
        self.dismiss(None)
