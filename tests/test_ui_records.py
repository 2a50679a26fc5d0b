"""Records, by keys: the paged list, filters, a record whole, edit, void, a case from it."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from tests.ui_support import make_app, running, seed, settle, text_of
from tui_app.ui.screens.detail import DetailScreen
from tui_app.ui.screens.entry import EntryScreen
from tui_app.ui.screens.records import RecordsScreen


def _show(fieldlog, record_id: str) -> dict:  # noqa: ANN001 - the conftest Fieldlog runner
    return json.loads(fieldlog("record", "show", record_id, "--format", "json").stdout)


async def test_list_filters_and_pages(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path)
    async with running(fieldlog, "l") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, RecordsScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 6
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0] == "00000009" and "仁和大药房" in first  # newest first
        await pilot.press("d")  # today only: the pharmacy visit of 2026-09-21
        await settle(pilot)
        assert table.row_count == 1
        await pilot.press("d", "slash", *"第3次")
        await pilot.pause(0.5)  # the filter queries once typing pauses
        await settle(pilot)
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == "00000003"
        assert "1/1" in text_of(screen.query_one("#page-info", Static))
        await pilot.press("enter", "c")  # back to the table, then the case list
        await settle(pilot)
        assert screen.kind == "case" and table.row_count == 0


async def test_open_edit_void_and_case_from_inspection(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path)
    record_id = "0192a000-0000-7000-8000-000000000009"
    async with running(fieldlog, "l", "enter") as (app, pilot):  # the newest: the pharmacy visit
        assert isinstance(app.screen, DetailScreen)
        assert "仁和大药房" in text_of(app.screen.query_one("#detail-body", Static))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        await pilot.press("tab", "tab", "space", "ctrl+s")  # 疫苗接种单位 = 是
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        history = text_of(app.screen.query_one("#detail-history", Static))
        assert "疫苗接种单位" in history and "fields" not in history  # labels, not field ids
        await pilot.press("c")  # a case from this inspection
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EntryScreen) and form.kind == "case"
        assert form.body.rows["entity"].control.entity_name == "仁和大药房"
        await pilot.press("tab", "enter", "down", "enter", "ctrl+s")  # 案件类型 = 虚假宣传
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("v", *"重复录入", "enter")
        await settle(pilot)
    shown = _show(fieldlog, record_id)
    assert [r["rev"] for r in shown["revisions"]] == [1, 2, 3]
    assert shown["revisions"][1]["fields"]["vaccination_site"] is True
    assert shown["current"]["voided"] and shown["current"]["void_reason"] == "重复录入"
    [case] = json.loads(fieldlog("case", "list", "--format", "json").stdout)
    assert case["inspection_id"] == record_id and case["action"] == "drug"
    assert case["entity_name"] == "仁和大药房" and case["case_type"] == "虚假宣传"


async def test_the_day_filter_shows_a_whole_date_at_80x24(fieldlog, tmp_path: Path) -> None:
    """At 80 columns the day filter used to run off the screen's right edge, its date cut."""
    seed(fieldlog, tmp_path)
    app = make_app(fieldlog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l", "slash", "tab", "tab", *"2026-09-21")
        await settle(pilot)
        day = app.screen.query_one("#filter-day", Input)
        assert app.screen.focused is day and day.value == "2026-09-21"
        shown = app.screen.get_widget_at(day.region.x, day.region.y)[0] is day
        assert shown and day.region.right <= 80
        assert day.render_line(0).text.strip() == "2026-09-21"  # every digit, none scrolled off
