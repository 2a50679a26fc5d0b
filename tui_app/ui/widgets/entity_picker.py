"""Find a market entity as you type: name, pinyin initials or USCC prefix.

The search runs on a worker thread (exclusive: a newer keystroke supersedes an older
search); up/down move in the results, enter takes the highlighted one, and the last
option creates a new entity from what was typed.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tui_app.i18n import t
from tui_app.services import entity as entity_service
from tui_app.ui.guard import Guarded
from tui_app.ui.sessions import db_work

RESULTS = 8
CREATE = "__create__"


NAME_CELLS, USCC_CELLS = 20, 18  # terminal cells (a Chinese character takes two); fits 80 columns


def match_line(row: dict[str, Any]) -> str:
    """Name, USCC and township in columns that line up whatever mix of Chinese and
    Latin characters the names have (padding counts cells, not characters); a longer
    name is shown whole."""
    return (_pad(row["name"], NAME_CELLS) + "  " + _pad(row["uscc"] or "", USCC_CELLS) + "  "
            + (row["township"] or ""))


def _pad(text: str, cells: int) -> str:
    return text if cell_len(text) >= cells else set_cell_size(text, cells)


def not_typing(key: events.Key) -> bool:
    """Keys that act on the matches (enter, arrows, tab...), not text typed into the search."""
    return not (key.is_printable or key.key == "backspace")


class EntityPicker(Guarded, Vertical):
    """An Input with a result list under it; `entity_id` is the chosen entity."""

    BINDINGS = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        # priority: the text input would otherwise take ctrl+e as "end of line"
        Binding("ctrl+e", "create", "ui.key.new_entity", priority=True),
    ]

    class Found(Message):
        def __init__(self, text: str, rows: list[dict[str, Any]]) -> None:
            super().__init__()
            self.text = text
            self.rows = rows

    class CreateRequested(Message):
        """The inspector wants a new entity named `text` (the form opens the entity form)."""

        def __init__(self, picker: EntityPicker, text: str) -> None:
            super().__init__()
            self.picker = picker
            self.text = text

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 - Textual's keyword
        super().__init__(id=id, classes="entity-picker")
        self.entity_id: str | None = None
        self.entity_name = ""
        self._names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("ui.ph.entity"), compact=True, classes="entity-input")
        yield OptionList(compact=True, classes="entity-results")

    def on_mount(self) -> None:
        results = self.query_one(OptionList)
        results.display = False
        results.can_focus = False  # tab goes to the next field; up/down work from the input

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def set_entity(self, entity_id: str | None, name: str) -> None:
        self.entity_id = entity_id
        self.entity_name = name if entity_id else ""
        self.input.value = self.entity_name
        self.query_one(OptionList).display = False

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.entity_id and event.value == self.entity_name:
            return
        self.entity_id = None
        if event.value.strip():
            # enter, arrows and the rest wait for the matches of what is typed now (type-ahead)
            self.app.typeahead.hold(self, blocks=not_typing)  # type: ignore[attr-defined]
            self.search(event.value)
        else:
            self.app.typeahead.release(self)  # type: ignore[attr-defined]
            self.query_one(OptionList).display = False

    @db_work(exclusive=True, group="entity-search")
    def search(self, text: str) -> None:
        rows = entity_service.search(self.app.sessions.get(), text, RESULTS)
        self.post_message(self.Found(text, rows))

    def on_entity_picker_found(self, message: Found) -> None:
        if message.text != self.input.value:
            return  # the inspector has typed on since
        self.app.typeahead.release(self)  # type: ignore[attr-defined]
        results = self.query_one(OptionList)
        results.clear_options()
        for row in message.rows:
            results.add_option(Option(match_line(row), id=row["id"]))
        results.add_option(Option(t("ui.entity.create", name=message.text.strip()), id=CREATE))
        self._names = {row["id"]: row["name"] for row in message.rows}
        results.highlighted = 0
        results.display = True

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if results.display and results.option_count:
            current = results.highlighted or 0
            results.highlighted = max(0, min(results.option_count - 1, current + step))

    def action_create(self) -> None:
        self.post_message(self.CreateRequested(self, self.input.value.strip()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one(OptionList)
        if results.display and results.highlighted is not None:
            self._take(results.get_option_at_index(results.highlighted).id or "")
        else:
            self.screen.focus_next()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._take(event.option.id or "")

    def _take(self, option_id: str) -> None:
        if option_id == CREATE:
            self.action_create()
            return
        self.set_entity(option_id, self._names.get(option_id, ""))
        self.screen.focus_next()
