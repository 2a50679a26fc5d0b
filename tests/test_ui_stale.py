"""Nothing stale: a screen shows what the services hold now when it comes back into view
(after an edit or a void, after a case saved from the cases list), and a failed sync
shows on the dashboard's panel at once."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.test_ui_sync import central, until  # noqa: F401 - the central store fixture
from tests.ui_support import running, seed, settle
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.screens.detail import DetailScreen
from tui_app.ui.screens.records import RecordsScreen
from tui_app.ui.widgets.side_panel import SidePanel


def _row(table: DataTable, index: int = 0) -> list[str]:
    return [str(cell) for cell in table.get_row_at(index)]


async def test_the_list_shows_an_edit_and_a_void_on_return(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path)
    async with running(fieldlog, "l") as (app, pilot):
        table = app.screen.query_one(DataTable)
        assert _row(table)[-1] == "1"  # rev
        await pilot.press("enter", "e")
        await settle(pilot)
        await pilot.press("tab", "tab", "space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen)
        assert _row(table)[-1] == "2"
        await pilot.press("enter", "v", *"重复录入", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "已作废" in _row(table)[0]


async def test_a_case_saved_from_the_cases_list_appears_in_it(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path)
    async with running(fieldlog, "c") as (app, pilot):
        table = app.screen.query_one(DataTable)
        assert table.row_count == 0
        await pilot.press("n")
        await settle(pilot)
        # 子行动 = the first action, 案件类型 = the first type, the rest prefilled
        await pilot.press("enter", "down", "enter", "tab", "enter", "down", "enter", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen)
        await until(pilot, lambda: table.row_count == 1)


async def test_a_failed_sync_turns_the_panel_offline(fieldlog, tmp_path: Path,
                                                    central: str) -> None:  # noqa: F811
    seed(fieldlog, tmp_path)
    async with running(fieldlog) as (app, pilot):
        panel = app.screen.query_one(SidePanel)
        await until(pilot, lambda: "在线" in panel.section("sync") and "离线" not in panel.section("sync"))
        (tmp_path / "central.db").unlink()  # the share is gone; the next check is minutes away
        await pilot.press("s")
        await until(pilot, lambda: not app.screen.running)  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "离线" in panel.section("sync")
