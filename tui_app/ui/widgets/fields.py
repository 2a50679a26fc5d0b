"""Form rows generated from FormFields: label, control, and the reason when refused.

Each row knows its path (e.g. "fields.place_type") and shows a validation problem
with that `where` right under its control; values are read back as typed (text for
numbers, money and dates, which the entry service parses).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static

from tui_app.errors import Problem
from tui_app.i18n import pick, t
from tui_app.ui.forms import OFFICERS, SEIZED, Spec
from tui_app.ui.widgets.entity_picker import EntityPicker

PLACEHOLDERS = {"money": "ui.ph.money", "date": "ui.ph.date", "int": "ui.ph.int"}
MAX_LIST_HEIGHT = 8


def dom_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


def make_control(spec: Spec) -> Widget:
    """The widget that edits one value of `spec`'s type."""
    f, wid = spec.field, dom_id(spec.path)
    if f.type == "bool":
        return Checkbox(t("ui.yes"), id=wid, compact=True)
    if f.type == "choice":
        return Select([(spec.labels.get(c, c), c) for c in f.choices], id=wid, compact=True,
                      prompt=t("ui.choose"))
    if f.type == "multi":
        control = SelectionList[str](*[(spec.labels.get(c, c), c) for c in f.choices], id=wid,
                                     compact=True)
        control.styles.height = min(len(f.choices), MAX_LIST_HEIGHT)
        return control
    if f.type == "entity":
        return EntityPicker(id=wid)
    placeholder = t(PLACEHOLDERS[f.type]) if f.type in PLACEHOLDERS else ""
    return Input(id=wid, compact=True, placeholder=placeholder, valid_empty=not f.required,
                 type="integer" if f.type == "int" else "text")


class FieldRow(Horizontal):
    """Label | control, with the refusal reason under the control."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(classes="field-row")
        self.spec = spec
        self.control = make_control(spec)

    def compose(self) -> ComposeResult:
        mark = " *" if self.spec.field.required else ""
        yield Label(pick(self.spec.field.label) + mark, classes="field-label")
        with Vertical(classes="field-body"):
            yield self.control
            yield Static("", classes="field-error")

    def value(self) -> Any:
        c = self.control
        if isinstance(c, Select):
            return None if c.value is Select.NULL else c.value
        if isinstance(c, SelectionList):
            return list(c.selected)
        if isinstance(c, EntityPicker):
            return c.entity_id
        return c.value  # type: ignore[attr-defined]

    def set_value(self, value: Any, display: str = "") -> None:
        c = self.control
        if isinstance(c, SelectionList):
            c.deselect_all()
            for item in value or []:
                c.select(item)
        elif isinstance(c, EntityPicker):
            c.set_entity(value, display)
        elif isinstance(c, Checkbox):
            c.value = bool(value)
        elif isinstance(c, Select):
            c.value = value if value is not None else Select.NULL
        else:
            c.value = "" if value is None else str(value)  # type: ignore[attr-defined]

    def show_error(self, message: str) -> None:
        if message == getattr(self, "_error", ""):
            return  # untouched rows cost nothing (no restyle of the whole form)
        self._error = message
        self.query_one(".field-error", Static).update(message)
        self.set_class(bool(message), "-invalid")


class OfficersRow(Horizontal):
    """The two officers of a visit (name and badge), prefilled with today's pair."""

    SLOTS = 2

    def __init__(self) -> None:
        super().__init__(classes="field-row")
        self.spec_path = OFFICERS

    def compose(self) -> ComposeResult:
        yield Label(t("ui.f.officers"), classes="field-label")
        with Vertical(classes="field-body"):
            for i in range(1, self.SLOTS + 1):
                with Horizontal(classes="pair"):
                    yield Input(id=f"officer-{i}-name", compact=True, placeholder=t("ui.ph.name"))
                    yield Input(id=f"officer-{i}-badge", compact=True,
                                placeholder=t("ui.ph.badge"))
            yield Static("", classes="field-error")

    def value(self) -> list[dict[str, str]]:
        officers = []
        for i in range(1, self.SLOTS + 1):
            name = self.query_one(f"#officer-{i}-name", Input).value.strip()
            badge = self.query_one(f"#officer-{i}-badge", Input).value.strip()
            if name or badge:
                officers.append({"name": name, "badge": badge})
        return officers

    def set_value(self, officers: list[dict[str, str]] | None, display: str = "") -> None:
        officers = officers or []
        for i in range(1, self.SLOTS + 1):
            officer = officers[i - 1] if i <= len(officers) else {}
            self.query_one(f"#officer-{i}-name", Input).value = officer.get("name", "")
            self.query_one(f"#officer-{i}-badge", Input).value = officer.get("badge", "")

    show_error = FieldRow.show_error


class SeizedRows(Horizontal):
    """Seized goods: item, unit, quantity, value in yuan; a new line opens as one is filled."""

    PARTS = ("item", "unit", "quantity", "value")

    def __init__(self) -> None:
        super().__init__(classes="field-row")
        self.spec_path = SEIZED
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Label(t("ui.f.seized"), classes="field-label")
        with Vertical(classes="field-body", id="seized-body"):
            yield Static("", classes="field-error")

    def on_mount(self) -> None:
        self.add_line()

    def add_line(self) -> Horizontal:
        self.count += 1
        n = self.count
        line = Horizontal(
            *[Input(id=f"seized-{n}-{part}", compact=True, placeholder=t(f"ui.ph.seized_{part}"),
                    valid_empty=True,
                    type="integer" if part == "quantity" else "text", classes=f"seized-{part}")
              for part in self.PARTS],
            classes="seized-line")
        body = self.query_one("#seized-body", Vertical)
        body.mount(line, before=body.query_one(".field-error"))
        return line

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == f"seized-{self.count}-item" and event.value.strip():
            self.add_line()

    def value(self) -> list[dict[str, str]]:
        return [{part: self.query_one(f"#seized-{n}-{part}", Input).value for part in self.PARTS}
                for n in range(1, self.count + 1)]

    def set_value(self, rows: list[dict[str, str]] | None, display: str = "") -> None:
        rows = rows or []
        for n in range(len(rows) + 1, self.count + 1):
            for part in self.PARTS:
                self.query_one(f"#seized-{n}-{part}", Input).value = ""
        for n, row in enumerate(rows, start=1):
            while self.count < n:
                self.add_line()
            for part in self.PARTS:
                self.query_one(f"#seized-{n}-{part}", Input).value = row.get(part, "")

    show_error = FieldRow.show_error


class FormBody(VerticalScroll):
    """The rows of one form, in tab order, with problems routed to their rows."""

    # The fields take the focus, not the scroll container around them: Textual would
    # focus it when the form is built and restyle all of it when the first field takes over.
    can_focus = False

    def __init__(self, specs: list[Spec], *, officers: bool = False, seized: bool = False,
                 id: str | None = None) -> None:  # noqa: A002 - Textual's own keyword
        super().__init__(id=id, classes="form-body")
        self.specs = specs
        self.rows: dict[str, FieldRow | OfficersRow | SeizedRows] = {}
        self._officers = officers
        self._seized = seized

    def compose(self) -> ComposeResult:
        yield Static("", id="form-problems")
        for spec in self.specs:
            if spec.section:
                yield Static(t(spec.section), classes="section")
            row = FieldRow(spec)
            self.rows[spec.path] = row
            yield row
            if self._seized and spec.path == "measures.sealed_units":
                self.rows[SEIZED] = SeizedRows()
                yield self.rows[SEIZED]
        if self._officers:
            self.rows[OFFICERS] = OfficersRow()
            yield self.rows[OFFICERS]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field goes on to the next one, as on a paper form."""
        event.stop()
        self.screen.focus_next()

    def values(self) -> dict[str, Any]:
        return {path: row.value() for path, row in self.rows.items()}

    def typed(self) -> dict[str, Any]:
        """Values plus text typed in entity pickers: what would be lost on discard."""
        typed = self.values()
        for path, row in self.rows.items():
            if isinstance(row, FieldRow) and isinstance(row.control, EntityPicker):
                typed[f"{path}:text"] = row.control.input.value
        return typed

    def set_values(self, values: dict[str, Any], names: dict[str, str] | None = None) -> None:
        for path, value in values.items():
            if path in self.rows:
                self.rows[path].set_value(value, (names or {}).get(path, ""))

    def reset(self, values: dict[str, Any], names: dict[str, str] | None = None) -> None:
        """Every row back to `values` or empty (the next entry of a series)."""
        self.clear_problems()
        for path, row in self.rows.items():
            row.set_value(values.get(path), (names or {}).get(path, ""))
        self.scroll_home(animate=False)

    def row_for(self, where: str) -> FieldRow | OfficersRow | SeizedRows | None:
        path = where.split("[")[0]
        while path:
            if path in self.rows:
                return self.rows[path]
            path = path.rpartition(".")[0]
        return None

    def show_problems(self, problems: list[Problem]) -> None:
        """Each reason next to its field; anything without a field at the top."""
        messages: dict[int, list[str]] = {}
        loose: list[str] = []
        for problem in problems:
            row = self.row_for(problem.where)
            if row is None:
                loose.append(f"{problem.where}: {problem.message()}")
            else:
                messages.setdefault(id(row), []).append(problem.message())
        for row in self.rows.values():
            row.show_error(" ".join(messages.get(id(row), [])))
        summary = self.query_one("#form-problems", Static)
        if loose or str(summary.content):
            summary.update("\n".join(loose))
        first = next((r for r in self.rows.values() if id(r) in messages), None)
        if first is not None:
            self.scroll_to_widget(first)

    def clear_problems(self) -> None:
        self.show_problems([])
