"""Sync in the app, by keys: the Sync screen against a real central SQLite file, the
dashboard's online indicator, and auto-sync from the Settings screen."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tests.conftest import Fieldlog
from tests.ui_support import SIZE, make_app, running, seed, settle, text_of
from tui_app.services import sync as sync_service
from tui_app.services.context import open_context
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.screens.sync import SyncScreen
from tui_app.ui.widgets import side_panel

SEEDED = 8  # 2 entities + 6 inspections, as tests/ui_support.seed writes them


@pytest.fixture
def central(fieldlog, tmp_path: Path) -> str:  # noqa: ANN001 - the conftest Fieldlog runner
    """A central SQLite file made by `fieldlog central init`, set as this laptop's store."""
    url = f"sqlite:///{tmp_path / 'central.db'}"
    fieldlog("central", "init", url)
    fieldlog("init", "--central", url)
    return url


def central_inspections(fieldlog, url: str) -> list[dict]:  # noqa: ANN001
    return json.loads(fieldlog("record", "list", "--scope", "central", "--central", url, "--all",
                               "--limit", "500", "--format", "json").stdout)


def local_state(db: Path) -> tuple[int, str | None]:
    with open_context(db) as ctx:
        return sync_service.unsynced_count(ctx), sync_service.last_sync(ctx)


def shown(pilot: Pilot, selector: str) -> str:
    return text_of(pilot.app.screen.query_one(selector, Static))


def sync_text(pilot: Pilot) -> str:
    """The dashboard's sync section, as its side panel paints it."""
    return pilot.app.screen.query_one(side_panel.SidePanel).section("sync")


async def until(pilot: Pilot, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait (not a keystroke) until background work has made `condition` true."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the background work"
        await settle(pilot)
        await pilot.pause(0.05)


async def test_s_syncs_and_the_dashboard_follows(fieldlog, tmp_path: Path, central: str) -> None:
    seed(fieldlog, tmp_path)
    async with running(fieldlog) as (app, pilot):
        assert f"待同步 {SEEDED} 条，上次同步 无" in sync_text(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SyncScreen) and not app.screen.running)
        assert central in shown(pilot, "#sync-central")
        outcome = shown(pilot, "#sync-outcome")
        assert f"上传 {SEEDED} 条（重复 0 条）" in outcome and "冲突 0 条" in outcome
        assert shown(pilot, "#sync-error").strip() == ""
        assert "冲突（共 0 条）" in shown(pilot, "#conflicts-title")
        assert app.screen.query_one("#bar-push").percentage == 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        panel = sync_text(pilot)
        assert "待同步 0 条" in panel and "上次同步 2026-" in panel and "在线" in panel
    unsynced, last = local_state(fieldlog.db)
    assert unsynced == 0 and last is not None
    held = central_inspections(fieldlog, central)
    assert sorted(r["id"] for r in held) == [f"0192a000-0000-7000-8000-00000000000{i}"
                                            for i in (1, 2, 3, 4, 5, 9)]


async def test_a_lost_conflict_is_listed(fieldlog, tmp_path: Path, central: str) -> None:
    """The same inspector's second laptop edits a record first; this laptop's edit of it
    loses, is listed on the Sync screen (as `fieldlog conflicts` lists it) and kept."""
    seed(fieldlog, tmp_path)
    fieldlog("sync")
    record = "0192a000-0000-7000-8000-000000000001"
    second = Fieldlog(tmp_path / "second.db")
    second("init", "--name", "张三", "--badge", "3201001", "--central", central)
    second("sync")
    second("record", "edit", record, "--findings", "复查：冷柜温度记录已补齐")
    second("sync")
    fieldlog("record", "edit", record, "--findings", "复查：冷柜温度记录仍缺两天")
    async with running(fieldlog) as (app, pilot):
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SyncScreen) and not app.screen.running)
        assert "冲突 1 条" in shown(pilot, "#sync-outcome")
        table = app.screen.query_one("#conflicts", DataTable)
        assert table.row_count == 1 and table.get_row_at(0)[2] == record[-8:]
    [kept] = fieldlog.json("conflicts")["conflicts"]
    assert kept["lost_body"]["findings"] == "复查：冷柜温度记录仍缺两天"
    shown_now = json.loads(fieldlog("record", "show", record, "--format", "json").stdout)
    assert shown_now["current"]["findings"] == "复查：冷柜温度记录已补齐"  # the central version


async def test_unreachable_central_says_so_and_changes_nothing(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path)
    fieldlog("init", "--central", str(tmp_path / "usb" / "central.db"))  # the stick is not in
    async with running(fieldlog) as (app, pilot):
        assert "离线" in sync_text(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SyncScreen) and not app.screen.running)
        error = shown(pilot, "#sync-error").strip()
        assert error.startswith("中心库文件不存在") and error.endswith("本机数据未做任何改动。")
        assert "Traceback" not in error and "Error" not in error
    assert local_state(fieldlog.db) == (SEEDED, None)
    assert not (tmp_path / "usb").exists()  # sync never creates a central store


async def test_without_a_central_url_the_screen_says_where_to_set_it(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog) as (app, pilot):
        assert "未设置中心库" in sync_text(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SyncScreen) and not app.screen.running)
        assert "按 i 打开设置" in shown(pilot, "#sync-central")
        assert app.screen.query_one("#conflicts", DataTable).row_count == 0
    assert local_state(fieldlog.db) == (2, None)


async def test_the_indicator_goes_offline_when_the_central_file_goes(
        fieldlog, tmp_path: Path, central: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(side_panel, "CHECK_SECONDS", 0.1)
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "在线" in sync_text(pilot))
        (tmp_path / "central.db").unlink()
        await until(pilot, lambda: "离线" in sync_text(pilot))


async def test_auto_sync_sends_a_saved_entry_without_pressing_s(
        fieldlog, tmp_path: Path, central: str) -> None:
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "在线" in sync_text(pilot))
        assert "自动同步" not in sync_text(pilot)  # off by default
        await pilot.press("i")
        await settle(pilot)
        await pilot.press(*["tab"] * 7, "space", "ctrl+s")  # past the 7 texts: 自动同步 on
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await until(pilot, lambda: "待同步 0 条" in sync_text(pilot))  # the 2 entities went
        assert "自动同步：开" in sync_text(pilot)
        await pilot.press("1", "c", "g", "z", "enter", "enter", "down", "enter", "tab", "space",
                          "ctrl+s")
        await until(pilot, lambda: len(central_inspections(fieldlog, central)) == 1)
        await until(pilot, lambda: "待同步 0 条" in sync_text(pilot))
    [sent] = central_inspections(fieldlog, central)
    assert sent["fields"] == {"place_type": "学校及周边", "cold_chain": True}
    assert local_state(fieldlog.db)[0] == 0
