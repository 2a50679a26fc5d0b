"""The records list's text filter by hands: a burst of keys, then the last query's rows."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.ui_support import running, seed, settle
from tui_app.ui.screens.records import RecordsScreen


async def test_typing_fast_shows_the_last_text_only(fieldlog, tmp_path: Path) -> None:  # noqa: ANN001
    seed(fieldlog, tmp_path)
    async with running(fieldlog, "l") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, RecordsScreen)
        # no pause between keys: every earlier query is replaced (and stopped) by the next
        await pilot.press("slash", *"仁和", "backspace", "backspace", *"第3次")
        await pilot.pause(0.5)
        await settle(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == "00000003"
        await pilot.press("backspace", "backspace", "backspace", *"仁和")
        await pilot.pause(0.5)
        await settle(pilot)
        assert {str(table.get_row_at(i)[0]) for i in range(table.row_count)} == {"00000009"}
