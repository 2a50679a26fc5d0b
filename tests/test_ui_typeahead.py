"""Keys typed ahead are never lost: whole entries sent in one burst, as a fast typist's
terminal delivers them (no wait between keys), right after the app starts and right
after the form key; the entity picker's ctrl+e."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from textual import events
from textual.app import App
from textual.css.query import NoMatches

from tests.ui_support import SIZE, make_app, seed, settle
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.screens.entry import EntityScreen, EntryScreen
from tui_app.ui.widgets.tally_board import TallyBoard

FINDINGS = "冷柜温度正常 ok"
ROUTINE = [
    "1",                       # new food inspection
    "c", "g", "z", "enter",    # 城关镇好又多超市 by its pinyin initials
    "enter", "down", "enter",  # 重点场所 = 学校及周边
    "tab", "space",            # 冷链 = 是
    "tab", "1", "2",           # 接种 12 人
    "tab", "tab", "3",         # (节日食品 left empty) 抽检 3 批
    "tab", *FINDINGS,          # 检查情况, typed in full
    "ctrl+s",
]


def burst(app: App[object], keys: list[str]) -> None:
    """Every key handed to the app at once, as the terminal driver would."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        name = {" ": "space"}.get(key, key)
        char = " " if name == "space" else (key if len(key) == 1 else None)
        event = events.Key(name, char)
        event.set_sender(app)
        driver.send_message(event)


async def until(condition, seconds: float = 30.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _saved(fieldlog) -> list[dict]:  # noqa: ANN001
    return json.loads(fieldlog("record", "list", "--all", "--format", "json").stdout)


def _cold_chain_today(app: App[object]) -> str | None:
    """The dashboard's 冷链 figure for today, once the dashboard is on top and shows it."""
    if not app.screen_stack or not isinstance(app.screen, DashboardScreen):
        return None
    try:
        return app.screen.query_one(TallyBoard).figure("food.cold_chain", "today")
    except (NoMatches, KeyError):
        return None


def _check_routine(fieldlog) -> None:  # noqa: ANN001
    [saved] = _saved(fieldlog)
    assert saved["entity_name"] == "城关镇好又多超市"
    assert saved["fields"] == {"place_type": "学校及周边", "cold_chain": True,
                               "vaccinated_staff": 12, "samples": 3}
    assert saved["findings"] == FINDINGS.strip()


async def test_a_whole_entry_typed_as_the_app_starts(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, ROUTINE)  # before the dashboard has even painted
        await until(lambda: _cold_chain_today(app) == "1" and not app.typeahead.keys)
        await settle(pilot)
    _check_routine(fieldlog)


async def test_a_whole_entry_typed_right_after_the_form_key(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ROUTINE)
        await until(lambda: isinstance(app.screen, DashboardScreen) and not app.typeahead.keys
                    and bool(_saved(fieldlog)))
        _check_routine(fieldlog)
        await settle(pilot)
        # A second entry of the same form (now kept): again in one burst.
        burst(app, ["1", "r", "h", "enter", "enter", "down", "enter", "ctrl+s"])
        await until(lambda: len(_saved(fieldlog)) == 2 and not app.typeahead.keys)
    second = _saved(fieldlog)[0]
    assert second["entity_name"] == "仁和大药房"
    assert second["fields"] == {"place_type": "学校及周边", "cold_chain": False}  # as a fresh form


async def test_ctrl_e_in_the_entity_picker_opens_the_new_entity_form(fieldlog,
                                                                     tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["1", *"东街菜场", "ctrl+e"])
        await until(lambda: isinstance(app.screen, EntityScreen) and not app.typeahead.keys)
        await settle(pilot)
        assert app.screen.query_one("#f-name").value == "东街菜场"
        assert isinstance(app.screen_stack[-2], EntryScreen)


async def test_a_uscc_failing_its_check_is_saved_after_confirmation(fieldlog,
                                                                   tmp_path: Path) -> None:
    from tui_app.ui.screens.dialogs import ConfirmScreen

    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["1", *"东街菜场", "ctrl+e"])
        await until(lambda: isinstance(app.screen, EntityScreen) and not app.typeahead.keys)
        await settle(pilot)
        await pilot.press(*"92310115MA1K4L2X3N", "ctrl+s")  # a bad check character
        await settle(pilot)
        assert isinstance(app.screen, EntityScreen) and app.screen.check_failed
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.body.rows["entity"].control.entity_name == "东街菜场"
    [entity] = json.loads(fieldlog("entity", "search", "东街菜场", "--format", "json").stdout)
    assert entity["uscc"] == "92310115MA1K4L2X3N"
    current = json.loads(fieldlog("record", "show", entity["id"], "--format", "json").stdout)
    assert current["current"]["warnings"] == ["uscc.check_overridden"]  # recorded, as the CLI's
