"""One record whole, with every revision; edit (a new revision), void, open a case.

Enforcement records are never overwritten: an edit opens the record's form and saves
a new revision, a void asks for the reason, and the history stays readable here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui_app.domain.pack import Pack
from tui_app.domain.values import local_display
from tui_app.errors import FieldLogError
from tui_app.i18n import t
from tui_app.services import attachments as attachment_service
from tui_app.services import documents as document_service
from tui_app.services import entry as entry_service
from tui_app.services import record as record_service
from tui_app.services import record_view
from tui_app.ui import forms
from tui_app.ui.guard import Guarded
from tui_app.ui.screens.dialogs import ReasonScreen
from tui_app.ui.screens.evidence import AttachScreen, attachments_table
from tui_app.ui.sessions import db_work
from tui_app.ui.widgets.footer import KeysFooter


class DetailScreen(Guarded, Screen[None]):
    """A record and its history."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "ui.key.back"),
        Binding("e", "edit", "ui.key.edit"),
        Binding("v", "void", "ui.key.void"),
        Binding("c", "case", "ui.key.open_case"),
        Binding("a", "attach", "ui.key.attach"),
        Binding("p", "print", "ui.key.print"),
    ]

    class Loaded(Message):
        def __init__(self, kind: str, current: dict[str, Any], revisions: list[dict[str, Any]],
                     entity_name: str, pack: Pack | None) -> None:
            super().__init__()
            self.kind = kind
            self.current = current
            self.revisions = revisions
            self.entity_name = entity_name
            self.pack = pack  # the pack of the record's own campaign (None: not installed)

    class Voided(Message):
        """The record was voided: lists showing it refresh."""

    def __init__(self, record_id: str) -> None:
        super().__init__(classes="detail-screen")
        self.record_id = record_id
        self.record: DetailScreen.Loaded | None = None

    def compose(self) -> ComposeResult:
        yield Static(t("ui.loading"), classes="screen-title", id="detail-title")
        with VerticalScroll():
            yield Static("", id="detail-body")
            yield Static("", id="detail-attachments")
            yield Static("", id="detail-history")
        yield KeysFooter()

    def on_screen_resume(self) -> None:
        """Read the record afresh whenever it comes (back) into view, e.g. after an edit."""
        self.load()

    @db_work(exclusive=True, group="detail")
    def load(self) -> None:
        view = record_view.load(self.app.sessions.get(), self.record_id)
        self.post_message(self.Loaded(view.kind, view.current, view.revisions, view.entity_name,
                                      view.pack))

    def on_detail_screen_loaded(self, message: Loaded) -> None:
        self.record = message
        self.refresh_bindings()
        current = message.current
        title = t("cli.show.title", kind=t(f"kind.{message.kind}"), id=current["id"],
                  rev=current["rev"])
        if current["voided"]:
            title += "  " + t("cli.show.voided", reason=current["void_reason"])
        self.query_one("#detail-title", Static).update(title)
        body = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        body.add_column(style="bold")
        body.add_column()
        for name, text in record_view.lines(current, message.pack, message.entity_name,
                                            self.app.tz):
            body.add_row(name, text)
        self.query_one("#detail-body", Static).update(body)
        self.query_one("#detail-attachments", Static).update(
            attachments_table(current.get("attachments") or [], self.app.tz))
        history = Table(title=t("cli.show.history"), title_justify="left", box=None,
                        header_style="bold")
        for key in ("col.rev", "col.updated_at", "col.device", "col.change"):
            history.add_column(t(key))
        for prev, rev in zip([None, *message.revisions], message.revisions, strict=False):
            history.add_row(str(rev["rev"]), local_display(rev["updated_at"], self.app.tz),
                            rev["device_id"][-12:], record_view.changes(prev, rev, message.pack))
        self.query_one("#detail-history", Static).update(history)

    # ------------------------------------------------------------ actions

    def _specs(self) -> list[forms.Spec] | None:
        record = self.record
        if record is None:
            return None
        if record.pack is None:
            raise FieldLogError("campaign.unknown", id=record.current.get("campaign"))
        if record.kind == "inspection":
            return forms.inspection_specs(record.pack, record.current["action"])
        return forms.SPECS[record.kind](record.pack)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A voided record can be read, not edited or voided again: those keys go away."""
        if action in ("edit", "void") and self.record is not None:
            return not self.record.current["voided"]
        return True

    def action_edit(self) -> None:
        specs = self._specs()
        if specs is None or self.record is None or self.record.pack is None:
            return
        record = self.record
        if record.current["voided"]:
            raise FieldLogError("record.is_voided", id=record.current["id"])
        values = entry_service.form_values(record.kind, record.current,
                                           {s.path: s.field for s in specs}, self.app.tz)
        if "officers" in record.current:
            values[forms.OFFICERS] = record.current["officers"]
        title = t("ui.entry.edit", kind=t(f"kind.{record.kind}"), id=record.current["id"][-8:])
        self.app.open_form(record.pack, record.kind, record.current.get("action")
                           if record.kind == "inspection" else None, title=title, values=values,
                           names={"entity": record.entity_name}, record_id=record.current["id"])

    def action_void(self) -> None:
        if self.record is None:
            return

        def given(reason: str | None) -> None:
            if reason:
                self.void(reason)

        self.app.push_screen(ReasonScreen(t("ui.void.question")), given)

    @db_work(group="save")
    def void(self, reason: str) -> None:
        record_service.void(self.app.sessions.get(), self.record_id, reason)
        self.post_message(self.Voided())

    def on_detail_screen_voided(self, _message: Voided) -> None:
        self.notify(t("ui.void.done"))
        self.app.records_changed()
        self.load()

    def action_attach(self) -> None:
        def given(paths: list[Path] | None) -> None:
            if paths:
                self.attach(paths)

        self.app.push_screen(AttachScreen(), given)

    @db_work(group="save")
    def attach(self, paths: list[Path]) -> None:
        done = attachment_service.attach(self.app.sessions.get(), self.record_id, paths)
        self.post_message(self.Attached(len(done.added)))

    @db_work(group="save")
    def action_print(self) -> None:
        ctx = self.app.sessions.get()
        folder = document_service.documents_folder(ctx)
        printed = document_service.print_documents(ctx, self.record_id, output=folder)
        self.post_message(self.Printed(len(printed), str(folder)))

    class Printed(Message):
        """Documents were written (and numbered on the record)."""

        def __init__(self, count: int, folder: str) -> None:
            super().__init__()
            self.count = count
            self.folder = folder

    def on_detail_screen_printed(self, message: Printed) -> None:
        self.notify(t("ui.doc.done", count=message.count, folder=message.folder), timeout=8)
        self.load()

    class Attached(Message):
        """Files were attached: the record is shown again with them."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def on_detail_screen_attached(self, message: Attached) -> None:
        self.notify(t("ui.attach.done", count=message.count))
        self.app.records_changed()
        self.load()

    def action_case(self) -> None:
        """A case opened from this inspection carries its action and entity over."""
        record = self.record
        if record is None or record.kind != "inspection":
            self.notify(t("ui.case.only_from_inspection"), severity="warning")
            return
        current = record.current
        if record.pack is None:
            raise FieldLogError("campaign.unknown", id=current.get("campaign"))
        values = {"action": current["action"], "entity": current.get("entity_id")}
        self.app.open_form(record.pack, "case", values=values,
                           names={"entity": record.entity_name},
                           extra={"inspection_id": current["id"]})
