"""The dashboard, by keys: figures, live update after a save, reminders, palette, help, crashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sqlite3
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Static

from tests.conftest import SUPERMARKET
from tests.ui_support import SIZE, make_app, running, seed, settle, text_of
from tui_app.domain.pack import parse_pack
from tui_app.domain.workdays import add_workdays, is_workday, overdue_by
from tui_app.services.context import shipped_packs
from tui_app.ui.app import FieldLogApp
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.screens.entry import EntryScreen, Outcome
from tui_app.ui.screens.records import RecordsScreen
from tui_app.ui.widgets.footer import KeysFooter
from tui_app.ui.widgets.side_panel import SidePanel
from tui_app.ui.widgets.tally_board import TallyBoard


def _cell(app: FieldLogApp, tally: str, column: str) -> str:
    """A figure of the dashboard's board (whatever screen is on top)."""
    return app.dashboard.query_one(TallyBoard).figure(tally, column)


async def _back_on_dashboard(pilot, seconds: float = 10.0) -> None:  # noqa: ANN001
    """The form closes once the dashboard's new figures are in; on a loaded machine that
    can take longer than one settle. Waiting is not a keystroke."""
    deadline = time.monotonic() + seconds
    while not isinstance(pilot.app.screen, DashboardScreen):
        assert time.monotonic() < deadline, "the form never closed"
        await pilot.pause(0.02)


async def test_dashboard_shows_the_campaign_and_its_figures(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path)
    async with running(fieldlog) as (app, pilot):
        headline = text_of(app.screen.query_one("#headline", Static))
        assert "中秋守护" in headline and "2026-09-14" in headline and "2026-10-08" in headline
        assert "张三" in headline and "2026-09-21" in headline
        assert _cell(app, "food.inspections", "today") == "0"
        assert _cell(app, "food.inspections", "campaign") == "5"
        assert _cell(app, "food.cold_chain", "campaign") == "2"
        assert _cell(app, "drug.pharmacies", "today") == "1"
        assert _cell(app, "product.goods_value", "campaign") == "0.00"  # 万元
        side = app.screen.query_one(SidePanel)
        sync = side.section("sync")
        assert "待同步 8 条" in sync  # 2 entities + 6 inspections, none acknowledged
        pace = side.section("pace")
        assert "今日 1 条" in pace and "累计 6 条" in pace
        painted = "\n".join(side.render_line(y).text for y in range(side.size.height))
        assert all(line in painted for line in (*sync.splitlines(), pace, "超期提醒", "没有超期事项"))


async def test_the_dashboard_is_painted_once_at_start_with_its_figures(fieldlog, tmp_path: Path) -> None:
    """Its first paint waits (a moment) for the snapshot computed while Textual starts,
    and it has the class of its width before it is styled: no empty board painted and
    then repainted whole, no restyle at its first resize."""
    seed(fieldlog, tmp_path)
    seen: list[Message] = []
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE, message_hook=seen.append):
        assert app.dashboard.snapshot is not None  # no pause yet: the first paint had it
        assert not [m for m in seen if isinstance(m, DashboardScreen.Loaded)]  # not a worker's
        assert _cell(app, "food.inspections", "campaign") == "5"
        assert app.get_default_screen().has_class("-normal")  # 120 columns, from the start


async def test_tallies_update_in_place_within_100ms_of_a_save(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path)
    seen: list[tuple[float, Message]] = []
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE,
                            message_hook=lambda m: seen.append((time.perf_counter(), m))) as pilot:
        await settle(pilot)
        board = app.screen.query_one(TallyBoard)
        labels_before = [row[0] for row in board.rows()]
        await pilot.press("1", "c", "g", "z")
        await settle(pilot)
        await pilot.press("enter", "enter", "down", "enter", "ctrl+s")
        await settle(pilot)
        await _back_on_dashboard(pilot)
        assert _cell(app, "food.inspections", "today") == "1"
        assert _cell(app, "food.inspections", "campaign") == "6"
        assert [row[0] for row in board.rows()] == labels_before  # in place: no line moved
    saved_at = next(at for at, m in seen if isinstance(m, Outcome) and m.saved)
    shown_at = next(at for at, m in seen
                    if isinstance(m, DashboardScreen.Loaded) and at > saved_at)
    assert shown_at - saved_at < 0.1


def test_working_days_follow_the_official_calendar() -> None:
    assert not is_workday(dt.date(2026, 10, 1))  # National Day
    assert is_workday(dt.date(2026, 9, 20))  # a make-up Sunday (调休)
    assert add_workdays(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert overdue_by(dt.date(2026, 9, 30), dt.date(2026, 10, 8), dt.date(2026, 12, 1), 1) == 0
    assert is_workday(dt.date(2031, 3, 3)) and not is_workday(dt.date(2031, 3, 2))  # no data yet


async def test_overdue_reminders_use_the_pack_rules(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    fieldlog("case", "add", "--action", "food", "--type", "食品安全", "--entity",
             SUPERMARKET["name"], "--clue", "2026-08-20", "--filed", "2026-09-15")
    fieldlog("case", "add", "--action", "food", "--type", "食品安全", "--entity",
             SUPERMARKET["name"], "--clue", "2026-09-10", "--filed", "2026-09-15")
    fieldlog("complaint", "add", "--channel", "网络", "--summary", "月饼过期", "--status", "待受理",
             "--subject", "东街月饼摊", "--received", "2026-09-15T09:00")
    # accepted on time and still being handled: the 7-day clock is for acceptance only
    fieldlog("complaint", "add", "--channel", "网络", "--summary", "价格不明",
             "--subject", "西街超市", "--received", "2026-09-15T10:00", "--status", "处理中")
    # default status 已受理 (arrived accepted via the 12315 platform)
    fieldlog("complaint", "add", "--channel", "12315热线", "--summary", "缺斤少两",
             "--subject", "北街菜场", "--received", "2026-09-14T10:00")
    # still waiting, but received within the last 7 working days
    fieldlog("complaint", "add", "--channel", "网络", "--summary", "无证经营", "--status", "待受理",
             "--subject", "南街小吃", "--received", "2026-09-30T10:00")
    end = dt.datetime(2026, 10, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    app = FieldLogApp(fieldlog.db, clock=lambda: end)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = app.screen.query_one(SidePanel).section("reminders")
    case_late = overdue_by(dt.date(2026, 8, 20), dt.date(2026, 9, 15), end.date(), 15)
    complaint_late = overdue_by(dt.date(2026, 9, 15), None, end.date(), 7)
    assert case_late > 0 and complaint_late > 0
    assert f"立案超期 {case_late} 个工作日" in shown
    assert f"东街月饼摊：2026-09-15 收到，超期 {complaint_late} 个工作日未受理" in shown
    assert shown.count("案件") == 1  # the case filed in time is not a reminder
    assert shown.count("投诉") == 1
    assert overdue_by(dt.date(2026, 9, 30), None, end.date(), 7) == 0


async def test_palette_and_help_reach_everything(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog, "question_mark") as (app, pilot):
        from tui_app.ui.screens.help import HelpScreen, working_keys

        assert isinstance(app.screen, HelpScreen)  # FieldLog's own help, in the catalog's words
        keys = [key for key, _ in working_keys(app.screen.over)]
        assert "1-7" in keys and "8" not in keys and "9" not in keys  # only keys that work
        await pilot.press("question_mark", "ctrl+p", *"新建投诉")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen) and app.screen.kind == "complaint"
        await pilot.press(*"summary", "ctrl+p", *"本页返回")  # the form's own keys are there too
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "ConfirmScreen" in type(app.screen).__name__  # esc's command: asks first


async def test_a_failure_is_shown_and_keeps_what_was_typed(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("1", "c", "g", "z")
        await settle(pilot)
        await pilot.press("enter", "enter", "down", "enter")
        await settle(pilot)
        with sqlite3.connect(fieldlog.db) as conn:  # the database breaks under the app
            conn.execute("DROP TABLE outbox")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.body.values()["fields.place_type"] == "学校及周边"
        assert sum("操作未完成" in n.message for n in app._notifications) == 1
        assert app.is_running and app._exception is None
        await pilot.press("ctrl+s")  # the failed save may be tried again (and fails again)
        await settle(pilot)
        assert sum("操作未完成" in n.message for n in app._notifications) == 2


async def test_a_wide_terminal_sets_the_actions_side_by_side(fieldlog, tmp_path: Path) -> None:
    """At 200×60 the seven actions stand in three sets of columns, whole actions each, every
    figure where the board says; made narrower, the board is one set again, and below 110
    columns the headline is the short one."""
    seed(fieldlog, tmp_path)
    app = make_app(fieldlog)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        board = app.dashboard.query_one(TallyBoard)
        tallies = len(app.pack.tallies)
        assert board.sets == 3 and len(board.rows()[0]) == 3 * 4
        assert len(board.rows()) < tallies / 2
        assert board.region.right <= 200 - 44 and board.virtual_size.width <= board.size.width
        assert board.figure("food.inspections", "campaign") == "5"
        last = app.pack.tallies[-1].id  # in the third set
        before = board.figure(last, "campaign")
        assert board.figure("drug.pharmacies", "today") == "1"
        await pilot.resize_terminal(120, 36)
        await settle(pilot)
        assert board.sets == 1 and len(board.rows()[0]) == 4
        assert len(board.rows()) > tallies and _cell(app, "food.inspections", "campaign") == "5"
        assert board.figure(last, "campaign") == before == _cell(app, last, "campaign")
        headline = app.dashboard.query_one("#headline", Static)
        assert "2026-09-14 至 2026-10-08" in text_of(headline)
        await pilot.resize_terminal(80, 24)  # the short headline, then the long one again
        await settle(pilot)
        assert "中秋守护 09-14~10-08 | 张三 | 今天 09-21" in text_of(headline)
        await pilot.resize_terminal(120, 36)
        await settle(pilot)
        assert "2026-09-14 至 2026-10-08" in text_of(headline)


async def test_a_resize_within_a_width_class_leaves_the_headline(fieldlog, tmp_path: Path,
                                                                monkeypatch) -> None:  # noqa: ANN001
    """The headline changes only when its text does: an update lays the whole screen out
    again and resizes it, which came back to the headline (two extra layouts at start)."""
    seed(fieldlog, tmp_path)
    app = make_app(fieldlog)
    updates: list[str] = []
    original = Static.update

    def update(self: Static, content: object = "", **kwargs: object) -> None:
        if self.id == "headline":
            updates.append(str(content))
        original(self, content, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Static, "update", update)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(updates) == 1  # the snapshot's headline, once
        await pilot.resize_terminal(130, 40)
        await settle(pilot)
        assert len(updates) == 1
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert len(updates) == 2 and "09-14~10-08" in updates[-1]


async def test_no_central_store_is_known_from_the_first_figures(fieldlog, tmp_path: Path,
                                                                 monkeypatch) -> None:  # noqa: ANN001
    """With no central store set, the first figures say so: no reachability check (a
    thread opening a second connection) and no second paint of the sync section."""
    seed(fieldlog, tmp_path)
    monkeypatch.delenv("FIELDLOG_CENTRAL", raising=False)
    checks: list[int] = []
    monkeypatch.setattr(SidePanel, "check", lambda self: checks.append(1))
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        side = app.dashboard.query_one(SidePanel)
        assert side.state == "unset" and checks == []
        assert "未设置中心库" in side.section("sync")


async def test_the_board_lines_up_in_terminal_cells(fieldlog, tmp_path: Path) -> None:
    """The figures stand right-aligned under their headings on every painted line, CJK
    labels counted two cells a character (a label measured in characters would push its
    figures one cell right per character)."""
    seed(fieldlog, tmp_path)
    async with running(fieldlog) as (app, _pilot):
        board = app.dashboard.query_one(TallyBoard)
        header, *lines = [board.render_line(y).text for y in range(board.size.height)]
        edges = [cell_len(header[:header.index(title) + len(title)]) for title in ("今日", "累计")]
        painted = {}
        for line in lines:
            label, *figures = re.split(r"\s{2,}", line.strip())
            if len(figures) >= 2:
                ends, at = [], line.index(label) + len(label)
                for figure in figures[:2]:
                    at = line.index(figure, at) + len(figure)
                    ends.append(cell_len(line[:at]))
                assert ends == edges, line
                painted[label] = figures[:2]
        assert painted["检查食品经营单位"] == ["0", "5"] and painted["检查药店"] == ["1", "1"]
        assert len(painted) > 20


async def test_at_80_columns_the_board_scrolls_under_its_heading(fieldlog, tmp_path: Path) -> None:
    """The board does not fit 80×24: it has the focus, and the keys scroll its lines
    while its heading row stays on top."""
    seed(fieldlog, tmp_path)
    app = make_app(fieldlog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        board = app.dashboard.query_one(TallyBoard)
        last = app.pack.tallies[-1].label["zh"]
        shown = lambda: [board.render_line(y).text for y in range(board.size.height)]  # noqa: E731
        assert app.focused is board and board.size.height < len(board.rows())
        assert not any(last in line for line in shown())
        await pilot.press("end")
        await settle(pilot)
        assert "统计项" in shown()[0] and last in shown()[-1]
        await pilot.press("home")
        await settle(pilot)
        assert "食品安全专项整治" in shown()[1]


async def test_the_footer_shows_the_keys_and_a_press_on_one_works(fieldlog, tmp_path: Path) -> None:
    """One line of keys, in binding order, the number keys as many as the pack has
    actions; pressing the words of a key does what the key does."""
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.dashboard.query_one(KeysFooter)
        line = footer.render_line(0).text
        assert re.sub(r"\s+", " ", line).strip() == (
            "s 同步 r 工作汇报 q 退出 ? 帮助 1-7 新建检查 l 检查记录 c 案件 t 投诉举报 "
            "a 工作记录 i 设置 ^p 命令")
        await pilot.click(KeysFooter, offset=(cell_len(line[:line.index("检查记录")]) + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen) and app.screen.kind == "inspection"


async def test_at_80_columns_the_footer_shows_only_whole_keys(fieldlog, tmp_path: Path) -> None:
    """The keys that do not fit are left out whole: a key cut mid-word ("t 投诉举") reads
    as another word. A press still lands on the key under the pointer."""
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.dashboard.query_one(KeysFooter)
        line = footer.render_line(0).text
        words = ("s 同步 r 工作汇报 q 退出 ? 帮助 1-7 新建检查 l 检查记录 c 案件 t 投诉举报 "
                 "a 工作记录 i 设置 ^p 命令").split(" ")
        shown = re.sub(r"\s+", " ", line).strip().split(" ")
        assert len(shown) % 2 == 0 and shown == words[:len(shown)]
        assert 8 <= len(shown) < len(words) and cell_len(line.rstrip()) <= 80
        await pilot.click(KeysFooter, offset=(cell_len(line[:line.index("检查记录")]) + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen) and app.screen.kind == "inspection"


class _BoardOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield TallyBoard()


async def test_a_pack_without_tallies_shows_an_empty_board_at_any_width() -> None:
    """A pack may list no tallies (the parser allows `tallies = []`): the board is empty,
    and neither its first figures nor a resize fails (it used to ask for 0 sets)."""
    shipped = parse_pack(shipped_packs()["zhongqiu.toml"], "zhongqiu.toml")
    empty = dataclasses.replace(shipped, tallies=())
    app = _BoardOnly()
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(TallyBoard)
        board.show(empty, {}, {})
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert board.rows() == [] and board.sets == 1


async def test_at_80_columns_the_side_panel_grows_with_a_longer_note(fieldlog, tmp_path: Path) -> None:
    """A sync failure's note replaced by a longer one that wraps: the panel, as tall as
    its wrapped lines at 80 columns, grows with it (it used to keep the old height while
    the count of its lines stayed the same, and cut the text)."""
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.dashboard.query_one(SidePanel)
        panel.sync_ended("连接失败")
        await settle(pilot)
        short = panel.size.height
        panel.sync_ended("连接失败：" + "中心库无法访问" * 12)
        await settle(pilot)
        assert panel.size.height > short
