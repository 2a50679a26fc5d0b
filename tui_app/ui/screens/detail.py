"""One record whole, with every revision; edit (a new revision), void, open a case.

Enforcement records are never overwritten: an edit opens the record's form and saves
a new revision, a void asks for the reason, and the history stays readable here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui_app.domain.values import fen_to_yuan, local_display
from tui_app.errors import FieldLogError
from tui_app.i18n import pick, t
from tui_app.services import attachments as attachment_service
from tui_app.services import documents as document_service
from tui_app.services import entry as entry_service
from tui_app.services import record as record_service
from tui_app.ui import forms
from tui_app.ui.guard import Guarded
from tui_app.ui.screens.dialogs import ReasonScreen
from tui_app.ui.screens.entry import EntryScreen
from tui_app.ui.screens.evidence import AttachScreen, attachments_table

# Shown elsewhere (title, entity line) or of no use to a reader.
HIDDEN = {"id", "campaign", "entity_id", "inspector_id", "device_id", "warnings", "voided",
          "void_reason", "attachments", "documents"}
MEASURE_LABELS = {"rectification_ordered": "ui.f.rectify", "directives": "ui.f.directives",
                  "sealed_units": "ui.f.sealed"}


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
                     entity_name: str) -> None:
            super().__init__()
            self.kind = kind
            self.current = current
            self.revisions = revisions
            self.entity_name = entity_name

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
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load(self) -> None:
        ctx = self.app.sessions.get()
        kind, current, revisions = record_service.show(ctx, self.record_id)
        name = ""
        if current.get("entity_id"):
            name = record_service.show(ctx, current["entity_id"])[1]["name"]
        self.post_message(self.Loaded(kind, current, revisions, name))

    def on_detail_screen_loaded(self, message: Loaded) -> None:
        self.record = message
        current = message.current
        title = t("cli.show.title", kind=t(f"kind.{message.kind}"), id=current["id"],
                  rev=current["rev"])
        if current["voided"]:
            title += "  " + t("cli.show.voided", reason=current["void_reason"])
        self.query_one("#detail-title", Static).update(title)
        body = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        body.add_column(style="bold")
        body.add_column()
        if message.entity_name:
            body.add_row(t("col.entity"), message.entity_name)
        labels = self._labels()
        for key, value in current.items():
            if key not in HIDDEN:
                body.add_row(labels.get(key, key), self._shown(message.kind, current, key, value))
        self.query_one("#detail-body", Static).update(body)
        self.query_one("#detail-attachments", Static).update(
            attachments_table(current.get("attachments") or [], self.app.tz))
        history = Table(title=t("cli.show.history"), title_justify="left", box=None,
                        header_style="bold")
        for key in ("col.rev", "col.updated_at", "col.device", "col.change"):
            history.add_column(t(key))
        for prev, rev in zip([None, *message.revisions], message.revisions, strict=False):
            history.add_row(str(rev["rev"]), local_display(rev["updated_at"], self.app.tz),
                            rev["device_id"][-12:], _diff(prev, rev))
        self.query_one("#detail-history", Static).update(history)

    def _labels(self) -> dict[str, str]:
        """Field names as the form shows them (what is not on a form keeps its key)."""
        labels = {"fields": t("ui.sec.form"), "measures": t("ui.sec.measures"),
                  "officers": t("ui.f.officers"), "rev": t("col.rev"), "action": t("col.action"),
                  "created_at": t("ui.f.created_at"), "updated_at": t("col.updated_at"),
                  "day": t("col.date")}
        try:
            specs = self._specs() or []
        except FieldLogError:
            specs = []
        labels.update({s.path: pick(s.field.label) for s in specs if "." not in s.path})
        for money in ("fine_fen", "confiscated_fen", "goods_value_fen"):
            if money in labels:
                labels[money] += t("ui.yuan_suffix")
        return labels

    def _shown(self, kind: str, row: dict[str, Any], key: str, value: Any) -> str:
        pack = self.app.pack
        if key == "fields" and isinstance(value, dict):
            action = pack.action(row.get("action", "")) if pack else None
            labels = {f.id: pick(f.label) for f in action.fields} if action else {}
            return "\n".join(f"{labels.get(k, k)}: {_plain(v)}" for k, v in value.items())
        if key == "officers" and isinstance(value, list):
            return "、".join(f"{o['name']}（{o['badge']}）" for o in value)
        if key == "measures" and isinstance(value, dict):
            lines = [f"{t(MEASURE_LABELS[k]) if k in MEASURE_LABELS else k}: {_plain(v)}"
                     for k, v in value.items() if k != "seized"]
            lines += [f"{i['item']} {i['quantity']}{i['unit']} {fen_to_yuan(i['value_fen'])}"
                      for i in value.get("seized") or []]
            return "\n".join(lines)
        if key == "action" and pack is not None and pack.action(value or ""):
            return pick(pack.action(value).name)  # type: ignore[union-attr]
        if key.endswith("_fen") and isinstance(value, int):
            return fen_to_yuan(value)
        if isinstance(value, str) and value.endswith("Z") and "T" in value:
            return local_display(value, self.app.tz)
        return _plain(value)

    # ------------------------------------------------------------ actions

    def _specs(self) -> list[forms.Spec] | None:
        record = self.record
        pack = self.app.pack
        if record is None or pack is None:
            return None
        if record.current.get("campaign") != pack.id:
            raise FieldLogError("campaign.unknown", id=record.current.get("campaign"))
        if record.kind == "inspection":
            return forms.inspection_specs(pack, record.current["action"])
        return forms.SPECS[record.kind](pack)

    def action_edit(self) -> None:
        specs = self._specs()
        if specs is None or self.record is None:
            return
        record = self.record
        if record.current["voided"]:
            raise FieldLogError("record.is_voided", id=record.current["id"])
        values = entry_service.form_values(record.kind, record.current,
                                           {s.path: s.field for s in specs}, self.app.tz)
        if "officers" in record.current:
            values[forms.OFFICERS] = record.current["officers"]
        title = t("ui.entry.edit", kind=t(f"kind.{record.kind}"), id=record.current["id"][-8:])
        screen = EntryScreen(record.kind, title, specs, values=values,
                             names={"entity": record.entity_name}, record_id=record.current["id"])
        self.app.push_screen(screen, lambda _: self.load())

    def action_void(self) -> None:
        if self.record is None:
            return

        def given(reason: str | None) -> None:
            if reason:
                self.void(reason)

        self.app.push_screen(ReasonScreen(t("ui.void.question")), given)

    @work(thread=True, exit_on_error=False, group="save")
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

    @work(thread=True, exit_on_error=False, group="save")
    def attach(self, paths: list[Path]) -> None:
        done = attachment_service.attach(self.app.sessions.get(), self.record_id, paths)
        self.post_message(self.Attached(len(done.added)))

    @work(thread=True, exit_on_error=False, group="save")
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
        values = {"action": current["action"], "entity": current.get("entity_id")}
        self.app.push_screen(EntryScreen.new_record(
            self.app, "case", values=values, names={"entity": record.entity_name},
            extra={"inspection_id": current["id"]}))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("ui.yes") if value else t("ui.no")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _diff(prev: dict[str, Any] | None, rev: dict[str, Any]) -> str:
    if prev is None:
        return t("cli.show.created")
    skip = {"rev", "updated_at", "device_id"}
    return ", ".join(k for k in rev if k not in skip and rev.get(k) != prev.get(k))
