"""Record lists: a page at a time, filtered by action, day, entity or text.

Lists never load every row: each page is one `services.record.page` query (limit and
offset) on a worker thread, so a million records cost the same as a hundred.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static
from textual.worker import get_current_worker

from tui_app.domain.values import local_display
from tui_app.i18n import pick, shown, t
from tui_app.services import record as record_service
from tui_app.services.record import ListQuery
from tui_app.ui.guard import Guarded
from tui_app.ui.sessions import db_work
from tui_app.ui.widgets.footer import KeysFooter
from tui_app.ui.widgets.measured_table import MeasuredTable

PAGE = 50
STORED_CHOICES = ("status", "channel", "case_type", "activity_type")  # shown in the user's language
FILTER_PAUSE_SECONDS = 0.3


def _officers(row: dict[str, Any]) -> str:
    return t("ui.sep").join(o["name"] for o in row.get("officers") or [])


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


# Column catalog key → how a row shows it, per kind (times shown in local time).
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "inspection": [("col.time", "started_at"), ("col.action", "action"),
                   ("col.entity", "entity"), ("col.officers", "officers"),
                   ("col.findings", "findings"), ("col.rev", "rev")],
    "case": [("col.filed_on", "filed_on"), ("col.action", "action"),
             ("col.case_type", "case_type"), ("col.entity", "entity"),
             ("col.status", "status"), ("col.penalty_yuan", "penalty")],
    "complaint": [("col.received_at", "received_at"), ("col.channel", "channel"),
                  ("col.entity", "entity"), ("col.summary", "summary"),
                  ("col.status", "status")],
    "activity": [("col.date", "day"), ("col.action", "action"),
                 ("col.activity_type", "activity_type"), ("col.quantity", "quantity"),
                 ("col.note", "note")],
}


class RecordsScreen(Guarded, Screen[None]):
    """One kind of record, newest first, a page at a time."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "ui.key.back"),
        Binding("enter", "open", "ui.key.open", show=True),
        Binding("right_square_bracket", "page(1)", "ui.key.next_page", key_display="]"),
        Binding("left_square_bracket", "page(-1)", "ui.key.prev_page", key_display="["),
        Binding("slash", "find", "ui.key.find", key_display="/"),
        Binding("d", "today", "ui.key.today"),
        Binding("n", "new", "ui.key.new_record"),
        Binding("l", "kind('inspection')", "ui.key.records", show=False),
        Binding("c", "kind('case')", "ui.key.cases", show=False),
        Binding("t", "kind('complaint')", "ui.key.complaints", show=False),
        Binding("a", "kind('activity')", "ui.key.activities", show=False),
    ]

    class Page(Message):
        """One page of rows; `total` follows in a second message (a count can be slow)."""

        def __init__(self, query: ListQuery, rows: list[dict[str, Any]]) -> None:
            super().__init__()
            self.query = query
            self.rows = rows

    class Total(Message):
        def __init__(self, query: ListQuery, total: int) -> None:
            super().__init__()
            self.query = query
            self.total = total

    def __init__(self, kind: str = "inspection") -> None:
        super().__init__(classes="records-screen")
        self.kind = kind
        self.start = 0
        self.total = 0
        self.today_only = False
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="screen-title", id="records-title")
        with Horizontal(id="filters"):
            yield Input(placeholder=t("ui.ph.find"), id="filter-text", compact=True)
            yield Select(self._action_options(), id="filter-action", compact=True,
                         prompt=t("ui.filter.all_actions"))
            yield Input(placeholder=t("ui.ph.day_filter"), id="filter-day", compact=True)
        yield MeasuredTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Static("", id="page-info")
        yield KeysFooter()

    def _action_options(self) -> list[tuple[str, str]]:
        pack = self.app.pack
        return [(pick(a.name), a.id) for a in pack.actions] if pack else []

    def on_mount(self) -> None:
        self._set_columns()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Read the page afresh whenever the list comes (back) into view: a record edited,
        voided or added on a screen above it shows as it is now."""
        self.load()

    def _set_columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(t("col.id"), key="id")
        for key, name in COLUMNS[self.kind]:
            table.add_column(t(key), key=name)
        self.query_one("#records-title", Static).update(t(f"ui.records.title.{self.kind}"))

    def _query(self) -> ListQuery:
        day = self.query_one("#filter-day", Input).value.strip()
        if self.today_only:
            day = self.app.today().isoformat()
        action = self.query_one("#filter-action", Select).value
        return ListQuery(
            kind=self.kind, campaign=self.app.pack.id if self.app.pack else None,
            day_from=day or None, day_to=day or None,
            action=None if action is Select.NULL else str(action),
            text=self.query_one("#filter-text", Input).value.strip() or None,
            include_voided=True, limit=PAGE, offset=self.start)

    @db_work(exclusive=True, group="records")
    def fetch(self, query: ListQuery) -> None:
        """A newer fetch cancels this one (exclusive): its query then stops mid-way."""
        worker = get_current_worker()
        ctx = self.app.sessions.get()
        try:
            self.post_message(self.Page(query, record_service.page(
                ctx, query, lambda: worker.is_cancelled)))
            self.post_message(self.Total(query, record_service.total(
                ctx, query, lambda: worker.is_cancelled)))
        except record_service.Interrupted:
            return

    def load(self) -> None:
        self.query_one("#page-info", Static).update(t("ui.loading"))
        self.fetch(self._query())

    def on_records_screen_page(self, message: Page) -> None:
        if message.query != self._query():
            return  # the filters have moved on since
        table = self.query_one(DataTable)
        table.clear()
        for row in message.rows:
            table.add_row(*self._cells(row), key=row["id"])
        self.query_one("#page-info", Static).update(t("ui.records.counting"))

    def on_records_screen_total(self, message: Total) -> None:
        if message.query != self._query():
            return
        self.total = message.total
        pages = max(1, -(-self.total // PAGE))
        self.query_one("#page-info", Static).update(t(
            "ui.records.page", page=self.start // PAGE + 1, pages=pages, total=self.total))

    def _cells(self, row: dict[str, Any]) -> list[str]:
        pack = self.app.pack
        cells = [row["id"][-8:] + (" " + t("ui.records.voided") if row["voided"] else "")]
        for _key, name in COLUMNS[self.kind]:
            if name == "entity":
                value = row.get("entity_name") or row.get("place") or row.get("subject") or ""
            elif name == "officers":
                value = _officers(row)
            elif name == "action":
                action = pack.action(row.get("action") or "") if pack else None
                value = pick(action.name) if action else (row.get("action") or "")
            elif name == "penalty":
                value = _yuan(row["fine_fen"] + row["confiscated_fen"])
            elif name in ("started_at", "received_at"):
                value = local_display(row.get(name), self.app.tz)
            elif name in STORED_CHOICES:
                value = shown(row.get(name), pack.value_labels if pack else {})
            else:
                value = row.get(name)
            cells.append("" if value is None else str(value))
        return cells

    @on(Input.Changed, "#filters Input")
    @on(Select.Changed, "#filter-action")
    def _filters_changed(self) -> None:
        """Query once typing pauses (a query per keystroke would only be cancelled)."""
        self.start = 0
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(FILTER_PAUSE_SECONDS, self.load)

    @on(Input.Submitted, "#filters Input")
    def _filters_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_page(self, step: int) -> None:
        offset = self.start + step * PAGE
        if 0 <= offset < max(self.total, 1):
            self.start = offset
            self.load()

    def action_find(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_today(self) -> None:
        self.today_only = not self.today_only
        self.start = 0
        self.notify(t("ui.records.today_on" if self.today_only else "ui.records.today_off"))
        self.load()

    def action_kind(self, kind: str) -> None:
        self.kind = kind
        self.start = 0
        self._set_columns()
        self.load()

    def action_new(self) -> None:
        if self.kind == "inspection":
            self.app.pop_screen()
            self.notify(t("ui.records.pick_action"))
            return
        self.app.open_kind_form(self.kind)

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        from tui_app.ui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(str(row_key.value)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()
