"""Entry forms: a new inspection for an action, a case, a complaint, an activity; edits.

ctrl+s saves and closes, ctrl+n saves and starts the next entry for the same action
with the officers kept, escape asks before discarding. Saving runs on a worker
through the entry service (the validation the CLI and import use); a refusal puts
each reason next to its field and keeps everything typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui_app.domain.pack import DEFAULT_COMPLAINT_STATUS, Pack
from tui_app.errors import Problem, ValidationFailed
from tui_app.i18n import pick, t
from tui_app.services import entry as entry_service
from tui_app.services.record import Saved
from tui_app.ui import forms
from tui_app.ui.guard import Guarded
from tui_app.ui.screens.dialogs import ConfirmScreen
from tui_app.ui.sessions import db_work
from tui_app.ui.widgets.entity_picker import EntityPicker
from tui_app.ui.widgets.fields import FormBody
from tui_app.ui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from tui_app.ui.app import FieldLogApp

TIME_FORMAT = "%Y-%m-%d %H:%M"


class Outcome(Message):
    """What a save worker found: the saved record, or the problems that refused it."""

    def __init__(self, saved: Saved | None, problems: list[Problem], close: bool) -> None:
        super().__init__()
        self.saved = saved
        self.problems = problems
        self.close = close


class EntryScreen(Guarded, Screen[None]):
    """One record's form, generated from the pack."""

    BINDINGS = [
        Binding("ctrl+s", "save(True)", "ui.key.save", priority=True),
        Binding("ctrl+n", "save(False)", "ui.key.save_next", priority=True),
        Binding("escape", "leave", "ui.key.back"),
    ]

    def __init__(self, kind: str, title: str, specs: list[forms.Spec], *,
                 extra: dict[str, Any] | None = None, values: dict[str, Any] | None = None,
                 names: dict[str, str] | None = None, record_id: str | None = None) -> None:
        super().__init__(classes="entry-screen")
        self.kind = kind
        self.blank_title = title
        self.heading = title
        self.specs = specs
        self.base_extra = extra or {}
        self.extra = dict(self.base_extra)
        self.start_values = values or {}
        self.names = names or {}
        self.record_id = record_id
        self._initial: dict[str, Any] | None = None
        self._fresh = True  # the next time it is shown, the first field takes the focus

    # ------------------------------------------------------------ constructors

    @classmethod
    def blank(cls, app: FieldLogApp, pack: Pack, kind: str, action_id: str | None) -> EntryScreen:
        """The form of `kind` (an inspection of `action_id`) in `pack`, not yet filled."""
        if kind == "inspection":
            action = pack.action(action_id or "")
            assert action is not None
            return cls(kind, t("ui.entry.new_inspection", action=pick(action.name)),
                       forms.inspection_specs(pack, action.id), extra={"action": action.id})
        return cls(kind, t("ui.entry.new", kind=t(f"kind.{kind}")), forms.SPECS[kind](pack))

    def restart(self, *, values: dict[str, Any], title: str | None = None,
                names: dict[str, str] | None = None, extra: dict[str, Any] | None = None,
                record_id: str | None = None) -> None:
        """Open the kept form afresh: a new entry (or a revision of `record_id`) with
        `values`. Keys typed meanwhile wait until its first field has the focus."""
        self.app.typeahead.hold(self)
        self.heading = title or self.blank_title
        self.start_values = values
        self.names = names or {}
        self.extra = {**self.base_extra, **(extra or {})}
        self.record_id = record_id
        self.saving = False
        self._fresh = True
        if self.is_mounted:
            self.query_one(".screen-title", Static).update(self.heading)
            self.body.reset(values, self.names)
            self._remember_start()

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(self.heading, classes="screen-title")
        yield FormBody(self.specs, officers=self.kind in forms.WITH_OFFICERS,
                       seized=self.kind == "inspection", id="form")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.body.set_values(self.start_values, self.names)
        self.call_after_refresh(self._remember_start)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Opened afresh: the first field takes the focus once Textual has restored its
        own, and only then do the keys typed meanwhile go on (to that field). Back from a
        dialog (a new entity), the focus stays where the dialog left it.

        Textual restyles a whole screen each time it is shown again. A kept form is styled
        when it is built, and every later change to its look is styled where it happens
        (a refused field's class, the focus, the terminal's width on its resize), so the
        form skips that restyle: it was a third of the time a form took to open."""
        event.refresh_styles = False
        if self._fresh:
            self._fresh = False
            self.call_after_refresh(self._focus_first)

    def _remember_start(self) -> None:
        self._initial = self.body.typed()

    def _focus_first(self) -> None:
        first = self.body.rows[self.specs[0].path].control
        target = first.input if isinstance(first, EntityPicker) else first
        self.set_focus(target)
        self.app.typeahead.release(self)

    @property
    def body(self) -> FormBody:
        return self.query_one(FormBody)

    @property
    def dirty(self) -> bool:
        return self._initial is not None and self.body.typed() != self._initial

    # ------------------------------------------------------------ saving

    def action_save(self, close: bool) -> None:
        if self.saving:
            return
        self.saving = True
        # Keys typed after ctrl+s / ctrl+n belong to what comes next (the dashboard, the
        # next entry, or this form again if refused): they wait for the outcome.
        self.app.typeahead.hold(self)
        values = self.body.values()
        extra = dict(self.extra)
        if forms.OFFICERS in values:
            extra[forms.OFFICERS] = values.pop(forms.OFFICERS)
        self.save(values, extra, close)

    @db_work(group="save")
    def save(self, values: dict[str, Any], extra: dict[str, Any], close: bool) -> None:
        ctx = self.app.sessions.get()
        specs = {s.path: s.field for s in self.specs}
        try:
            if self.record_id:
                saved = entry_service.revise(ctx, self.record_id, specs, values, extra)
            else:
                saved = entry_service.submit(ctx, self.kind, specs, values, extra)
        except ValidationFailed as refused:
            self.post_message(Outcome(None, refused.problems, close))
            return
        self.post_message(Outcome(saved, [], close))

    def on_outcome(self, outcome: Outcome) -> None:
        # Cleared only here, on the UI thread: a second ctrl+s pressed before this
        # outcome arrived is ignored instead of saving the same entry twice.
        self.saving = False
        if outcome.saved is None:
            self.app.typeahead.release(self)
            self.body.show_problems(outcome.problems)
            self.notify(t("ui.refused", count=len(outcome.problems)), severity="error")
            return
        saved = outcome.saved
        self.body.clear_problems()
        for warning in saved.warnings:
            self.notify(warning.message(), severity="warning", timeout=6)
        self.notify(t("cli.saved", kind=t(f"kind.{saved.kind}"), id=saved.id[-8:], rev=saved.rev))
        if outcome.close or self.record_id:
            self.app.records_changed(then=self._close)
            return
        self.app.records_changed()
        self._start_next()

    def _close(self) -> None:
        if self.is_current:
            self.dismiss()
        self.app.typeahead.release(self)

    def _start_next(self) -> None:
        """Next entry for the same action: officers stay, everything else starts afresh."""
        officers = self.body.values().get(forms.OFFICERS, [])
        self.body.reset({**defaults(self.app, self.kind), forms.OFFICERS: officers})
        self._remember_start()
        self._focus_first()

    # ------------------------------------------------------------ leaving

    def action_leave(self) -> None:
        if not self.dirty:
            self.dismiss()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss()

        self.app.push_screen(ConfirmScreen(t("ui.confirm.discard")), answered)

    # ------------------------------------------------------------ new entity inline

    def on_entity_picker_create_requested(self, message: EntityPicker.CreateRequested) -> None:
        picker = message.picker

        def created(result: tuple[str, str] | None) -> None:
            if result:
                picker.set_entity(*result)
                self.focus_next()

        self.app.push_screen(EntityScreen(message.text), created)


def defaults(app: FieldLogApp, kind: str) -> dict[str, Any]:
    """Prefilled values: now, today, today's officers (from `fieldlog init`)."""
    now = app.now()
    values: dict[str, Any] = {}
    if kind == "inspection":
        values["started_at"] = now.strftime(TIME_FORMAT)
    if kind in forms.WITH_OFFICERS:
        values[forms.OFFICERS] = list(app.officers)
    if kind == "case":
        values["filed_on"] = now.date().isoformat()
        values["status"] = "立案"
    if kind == "complaint":
        values["received_at"] = now.strftime(TIME_FORMAT)
        values["status"] = DEFAULT_COMPLAINT_STATUS
    if kind == "activity":
        values["date"] = now.date().isoformat()
    return values


ENTITY_SPECS = [
    forms.spec("name", "text", "ui.f.entity_name", required=True),
    forms.spec("uscc", "text", "ui.f.uscc"),
    forms.spec("category", "text", "ui.f.category"),
    forms.spec("township", "text", "ui.f.township"),
    forms.spec("address", "text", "ui.f.address"),
]


class EntityScreen(Guarded, ModalScreen[tuple[str, str] | None]):
    """A new entity, created inline from the entity picker; returns (id, name)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "ui.key.save", priority=True),
        Binding("ctrl+o", "override", "ui.key.override_uscc", priority=True),
        Binding("escape", "cancel", "ui.key.cancel"),
    ]

    class Done(Message):
        def __init__(self, result: tuple[str, str] | None, problems: list[Problem]) -> None:
            super().__init__()
            self.result = result
            self.problems = problems

    def __init__(self, name: str) -> None:
        super().__init__(classes="dialog-screen")
        self.start_name = name
        self.check_failed = False  # the USCC failed only its check character: it may be forced

    def compose(self) -> ComposeResult:
        yield Static(t("ui.entry.new", kind=t("kind.entity")), classes="screen-title")
        yield FormBody(ENTITY_SPECS, id="entity-form")
        yield KeysFooter()

    def on_mount(self) -> None:
        body = self.query_one(FormBody)
        body.set_values({"name": self.start_name})
        body.rows["uscc"].control.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ctrl+o (save despite the check character) is offered once the check has failed."""
        return self.check_failed if action == "override" else True

    def action_save(self, override: bool = False) -> None:
        if not self.saving:  # one entity per ctrl+s, however fast the keys come
            self.saving = True
            self.save(self.query_one(FormBody).values(), override)

    def action_override(self) -> None:
        """As `--accept-bad-uscc`: after a yes, saved with the mismatch recorded on it."""
        def answered(sure: bool | None) -> None:
            if sure:
                self.action_save(override=True)

        self.app.push_screen(ConfirmScreen(t("ui.entity.confirm_override"),
                                           t("ui.entity.override_keys")), answered)

    @db_work(group="save")
    def save(self, values: dict[str, Any], override: bool) -> None:
        ctx = self.app.sessions.get()
        try:
            saved = entry_service.submit(ctx, "entity", {s.path: s.field for s in ENTITY_SPECS},
                                         values, {"uscc_override": override})
        except ValidationFailed as refused:
            self.post_message(self.Done(None, refused.problems))
            return
        self.post_message(self.Done((saved.id, values["name"].strip()), []))

    def on_entity_screen_done(self, message: Done) -> None:
        self.saving = False
        if message.result is None:
            self.check_failed = any(p.key == "uscc.check" for p in message.problems)
            self.refresh_bindings()
            self.query_one(FormBody).show_problems(message.problems)
            return
        self.dismiss(message.result)

    def action_cancel(self) -> None:
        self.dismiss(None)
