"""The work report (工作汇报) on screen: choose the period and the scope, read it, export it.

The report is built by `services.report` on a thread worker (the central scope may
wait on the network); the text is shown with Textual's Markdown widget, and the same
`Report` is written to .md, .txt or .docx on another worker, so the screen never
freezes. Errors (a bad date, no central store, a file that cannot be written) are one
line in the user's language on the status line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Markdown, Select, Static

from tui_app.domain.values import BadValue, parse_date
from tui_app.errors import FieldLogError
from tui_app.i18n import t
from tui_app.services import report as report_service
from tui_app.ui.guard import Guarded
from tui_app.ui.sessions import db_work
from tui_app.ui.widgets.footer import KeysFooter


class ReportScreen(Guarded, Screen[None]):
    """`r` from the dashboard: the report as it would be printed, for any period and scope."""

    BINDINGS = [
        Binding("ctrl+s", "export", "ui.key.export", priority=True),
        Binding("escape", "app.pop_screen", "ui.key.back"),
    ]

    class Loaded(Message):
        def __init__(self, report: report_service.Report, scope: str) -> None:
            super().__init__()
            self.report = report
            self.scope = scope

    class Failed(Message):
        """A one-line reason the report (`built=False`: nothing is shown any more, so a
        report of another scope or period is never taken for this one) or the export
        could not be made."""

        def __init__(self, text: str, *, built: bool = True) -> None:
            super().__init__()
            self.text = text
            self.built = built

    class Exported(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self) -> None:
        super().__init__(id="report")
        self.report: report_service.Report | None = None
        self._default_path = ""

    def compose(self) -> ComposeResult:
        yield Static(t("ui.report.title"), classes="screen-title")
        with Horizontal(classes="report-bar"):
            yield Label(t("ui.report.from"), classes="report-label")
            yield Input(placeholder="YYYY-MM-DD", id="report-from", classes="report-date")
            yield Label(t("ui.report.to"), classes="report-label")
            yield Input(placeholder="YYYY-MM-DD", id="report-to", classes="report-date")
            yield Label(t("ui.report.scope"), classes="report-label")
            yield Select([(t(f"ui.report.scope_{s}"), s) for s in report_service.SCOPES],
                         value="local", allow_blank=False, id="report-scope")
        with Horizontal(classes="report-bar"):
            yield Label(t("ui.report.export_as"), classes="report-label")
            yield Select([(fmt, fmt) for fmt in report_service.REPORT_FORMATS], value="docx",
                         allow_blank=False, id="report-format")
            yield Input(id="report-path")
        yield Static(t("ui.loading"), id="report-status", markup=False)
        with VerticalScroll(id="report-body"):
            yield Markdown(id="report-md")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#report-from", Input).focus()
        self.refresh_report()

    # ------------------------------------------------------------ building

    def _day(self, input_id: str, label_key: str) -> dt.date | None:
        text = self.query_one(f"#{input_id}", Input).value.strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except BadValue as bad:
            raise FieldLogError("ui.report.bad_date", field=t(label_key),
                                detail=t(bad.key, **bad.params)) from None

    def refresh_report(self) -> None:
        """Read the period and scope as typed and build the report again."""
        try:
            day_from = self._day("report-from", "ui.report.from")
            day_to = self._day("report-to", "ui.report.to")
        except FieldLogError as refused:
            self._status(refused.message(), error=True)
            return
        scope = str(self.query_one("#report-scope", Select).value)
        self._status(t("ui.loading"))
        self.build(scope, day_from, day_to)

    @db_work(exclusive=True, group="report")
    def build(self, scope: str, day_from: dt.date | None, day_to: dt.date | None) -> None:
        try:
            built = report_service.for_scope(self.app.sessions.get(), scope, None, day_from, day_to)
        except FieldLogError as error:
            self.post_message(self.Failed(self._reason(error), built=False))
            return
        self.post_message(self.Loaded(built, scope))

    @staticmethod
    def _reason(error: FieldLogError) -> str:
        """The error's one line; for a missing central store, how to set it from here."""
        if error.key == "sync.no_central":
            return t("ui.report.no_central")
        return error.message()

    async def on_report_screen_loaded(self, message: Loaded) -> None:
        report = message.report
        self.report = report
        for input_id, day in (("report-from", report.result.day_from), ("report-to", report.result.day_to)):
            field = self.query_one(f"#{input_id}", Input)
            if not field.value.strip():
                field.value = day.isoformat()
        self._suggest_path()
        self._status(t("ui.report.shown", scope=t(f"ui.report.scope_{message.scope}"),
                       start=report.result.day_from, end=report.result.day_to))
        await self.query_one("#report-md", Markdown).update(report.markdown())

    async def on_report_screen_failed(self, message: Failed) -> None:
        self._status(message.text, error=True)
        if not message.built:
            self.report = None
            await self.query_one("#report-md", Markdown).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("report-from", "report-to"):
            self.refresh_report()
        elif event.input.id == "report-path":
            self.action_export()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "report-scope":
            self.refresh_report()
        elif event.select.id == "report-format":
            self._suggest_path()

    # ------------------------------------------------------------ export

    def _format(self) -> str:
        return str(self.query_one("#report-format", Select).value)

    def _suggest_path(self) -> None:
        """The CLI's file name for this report and format, unless the user typed another."""
        if self.report is None:
            return
        field = self.query_one("#report-path", Input)
        suggested = str(report_service.default_name(self.report, self._format()))
        if not field.value.strip() or field.value == self._default_path:
            field.value = suggested
        self._default_path = suggested

    def action_export(self) -> None:
        path = self.query_one("#report-path", Input).value.strip()
        if self.report is None or not path:
            self._status(t("ui.report.nothing_to_export"), error=True)
            return
        self._status(t("ui.report.exporting", path=path))
        self.export(self.report, Path(path).expanduser(), self._format())

    @work(thread=True, group="export", exit_on_error=False)
    def export(self, report: report_service.Report, path: Path, fmt: str) -> None:
        try:
            self.post_message(self.Exported(report.write(path, fmt)))
        except FieldLogError as error:
            self.post_message(self.Failed(error.message()))

    def on_report_screen_exported(self, message: Exported) -> None:
        self._status(t("ui.report.exported", path=str(message.path)))
        self.notify(t("ui.report.exported", path=str(message.path)))

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#report-status", Static)
        status.update(text)
        status.set_class(error, "-error")
