"""Settings by keys: a new partner for the day shows in the next form; a bad zone is refused."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Static

from tests.ui_support import running, seed, settle, text_of
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.screens.entry import EntryScreen
from tui_app.ui.screens.settings import SettingsScreen


async def test_settings_change_todays_pair(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog, "i") as (app, pilot):
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("tab", "tab", *"赵六", "tab", *"3201006")  # partner name and badge
        for _ in range(3):
            await pilot.press("tab")
        await pilot.press(*"Mars/Base", "ctrl+s")  # time zone
        await settle(pilot)
        error = app.screen.query_one(".field-row.-invalid .field-error", Static)
        assert "Mars/Base" in text_of(error)
        await pilot.press("shift+tab", "tab", *"Asia/Shanghai", "ctrl+s")  # focus selects it all
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.query_one("#officer-2-name", Input).value == "赵六"
    shown = fieldlog("init").stdout
    assert "赵六" in shown and "3201006" in shown and "Asia/Shanghai" in shown
    assert json.loads(fieldlog("record", "list", "--format", "json").stdout) == []
