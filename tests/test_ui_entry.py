"""The entry form, driven by keys: the routine entry, refusals in place, next entry, discard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.ui_support import running, seed, settle, text_of
from tui_app.i18n import set_lang
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.screens.entry import EntryScreen
from tui_app.ui.widgets.tally_board import TallyBoard


def _inspections(fieldlog) -> list[dict]:  # noqa: ANN001 - the conftest Fieldlog runner
    return json.loads(fieldlog("record", "list", "--all", "--format", "json").stdout)


async def test_routine_entry_takes_at_most_20_keystrokes(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    keys = [
        "1",                      # new food inspection, from the dashboard
        "c", "g", "z",            # pinyin initials of 城关镇好又多超市
        "enter",                  # take the first match; focus moves to the form
        "enter", "down", "enter",  # 重点场所 = 学校及周边
        "tab", "space",           # 冷链食品经营单位 = 是
        "ctrl+s",                 # save and close
    ]
    async with running(fieldlog, *keys) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query_one(TallyBoard).figure("food.cold_chain", "today") == "1"
    assert len(keys) <= 20
    [saved] = _inspections(fieldlog)
    assert saved["entity_name"] == "城关镇好又多超市"
    assert saved["fields"] == {"place_type": "学校及周边", "cold_chain": True}
    assert [o["badge"] for o in saved["officers"]] == ["3201001", "3201002"]
    assert saved["started_at"] == "2026-09-21T02:30:00Z"  # 10:30 in Beijing, stored in UTC


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_refusal_shows_why_next_to_the_field_and_keeps_the_input(
        fieldlog, tmp_path: Path, lang: str) -> None:
    seed(fieldlog, tmp_path, records=False)
    set_lang(lang)
    try:
        async with running(fieldlog, "1") as (app, pilot):
            # Skip the required 重点场所, type a vaccination count over the pack's maximum.
            await pilot.press("c", "g", "z", "enter")
            await settle(pilot)
            await pilot.press("tab", "tab", "9", "9", "9", "ctrl+s")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, EntryScreen)
            body = screen.body
            place = body.rows["fields.place_type"].query_one(".field-error", Static)
            staff = body.rows["fields.vaccinated_staff"].query_one(".field-error", Static)
            required = "必填" if lang == "zh" else "required"
            above = "大于最大值" if lang == "zh" else "above the maximum"
            assert required in text_of(place)
            assert above in text_of(staff)
            assert body.rows["fields.vaccinated_staff"].control.value == "999"
            assert body.rows["entity"].control.entity_name == "城关镇好又多超市"
    finally:
        set_lang("zh")
    assert _inspections(fieldlog) == []


async def test_save_and_next_keeps_officers_and_action(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog, "2") as (app, pilot):  # drug
        await pilot.press("r", "h", "enter")  # 仁和大药房 (rhdyf)
        await settle(pilot)
        await pilot.press("enter", "down", "enter", "ctrl+n")  # 单位类型 = 药店
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EntryScreen) and screen.extra == {"action": "drug"}
        assert screen.body.rows["entity"].control.entity_id is None
        assert screen.query_one("#officer-2-name", Input).value == "李四"
        await pilot.press("escape")  # nothing typed yet: leaves without asking
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    [saved] = _inspections(fieldlog)
    assert saved["action"] == "drug" and saved["fields"]["unit_type"] == "药店"


async def test_escape_asks_before_discarding(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog, "1") as (app, pilot):
        await pilot.press("x", "escape")
        await settle(pilot)
        assert "ConfirmScreen" in type(app.screen).__name__
        await pilot.press("n")  # keep editing: the text is still there
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.body.rows["entity"].control.input.value == "x"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_new_entity_inline_then_saved_with_it(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog, "1") as (app, pilot):
        await pilot.press(*"zzz")  # nothing matches: the only option creates it
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"92310115MA1K4L2X3N", "ctrl+s")  # a bad check character
        await settle(pilot)
        error = app.screen.query_one(".field-row.-invalid .field-error", Static)
        assert "校验位" in text_of(error)
        for _ in range(18):
            await pilot.press("backspace")
        await pilot.press("ctrl+s")  # no USCC (个体工商户 may have none)
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.body.rows["entity"].control.entity_name == "zzz"
        await pilot.press("enter", "down", "down", "enter", "ctrl+s")
        await settle(pilot)
    [saved] = _inspections(fieldlog)
    assert saved["entity_name"] == "zzz" and saved["fields"]["place_type"] == "农村集贸市场"
