"""The report screen by keys: `r`, the figures, a new period, a .docx export, refusals."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from textual.widgets import Markdown, Static

from tests.ui_support import running, seed, settle, text_of
from tui_app.i18n import set_lang
from tui_app.ui.app import FieldLogApp
from tui_app.ui.screens.report import ReportScreen

FOOD_VISITS = re.compile(r"学校及周边食品经营单位(\d+)户次")


def _food_visits(app: FieldLogApp) -> int:
    found = FOOD_VISITS.search(app.screen.query_one("#report-md", Markdown).source)
    assert found, "the report shows the food figure"
    return int(found.group(1))


def _status(app: FieldLogApp) -> str:
    return text_of(app.screen.query_one("#report-status", Static))


async def _retype(pilot, text: str) -> None:  # noqa: ANN001 - a Textual Pilot
    await pilot.press("end", "ctrl+u", *text)


async def test_report_period_and_docx_export(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path)  # five food visits on 09-16 … 09-20, one drug visit on 09-21
    target = tmp_path / "out" / "汇报.docx"
    async with running(fieldlog, "r") as (app, pilot):
        assert isinstance(app.screen, ReportScreen)
        assert _food_visits(app) == 5
        assert "本机记录 | 2026-09-14 至 2026-10-08" in _status(app)
        assert app.screen.query_one("#report-path").value == "中秋守护工作汇报_2026-10-08.docx"

        await _retype(pilot, "2026-09-18")  # the period now starts on the third visit
        await pilot.press("enter")
        await settle(pilot)
        assert _food_visits(app) == 3

        await pilot.press("tab", "tab", "tab", "tab")  # to, scope, format, file
        await _retype(pilot, str(target))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"已导出 {target}" in _status(app)
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "关于2026年中秋节期间市场监管工作情况的汇报" in text
    assert FOOD_VISITS.search(text).group(1) == "3"


async def test_bad_date_and_missing_central_are_one_line(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog, "r") as (app, pilot):
        await _retype(pilot, "2026-13-01")
        await pilot.press("enter")
        await settle(pilot)
        assert "起始日期：“2026-13-01”不是日期，请按 2026-09-21 格式填写。" in _status(app)
        await _retype(pilot, "2026-10-09")  # after the end: refused by the service
        await pilot.press("enter")
        await settle(pilot)
        assert "起始日期 2026-10-09 晚于截止日期 2026-10-08。" in _status(app)
        await _retype(pilot, "2026-09-14")
        await pilot.press("tab", "tab", "enter", "down", "enter")  # scope: central
        await settle(pilot)
        assert "未设置中心库地址" in _status(app) and "按 i" in _status(app)
        assert isinstance(app.screen, ReportScreen)


async def test_central_scope_reads_the_team_store(fieldlog, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    seed(fieldlog, tmp_path)
    url = f"sqlite:///{tmp_path / 'central.db'}"
    monkeypatch.setenv("FIELDLOG_CENTRAL", str(tmp_path / "nowhere" / "central.db"))
    async with running(fieldlog, "r") as (app, pilot):
        await pilot.press("tab", "tab", "enter", "down", "enter")  # scope: central
        await settle(pilot)
        assert "中心库文件不存在" in _status(app)  # unreachable: one line, nothing changed
        assert app.screen.query_one("#report-md", Markdown).source == ""  # no local figures as central
        await pilot.press("ctrl+s")
        assert "还没有可导出的汇报" in _status(app)
        fieldlog("central", "init", url)
        fieldlog("sync", "--central", url)
        monkeypatch.setenv("FIELDLOG_CENTRAL", url)
        await pilot.press("shift+tab", "shift+tab", "enter")  # back to the start date: refresh
        await settle(pilot)
        assert "中心库（全体人员） | 2026-09-14 至 2026-10-08" in _status(app)
        assert _food_visits(app) == 5


async def test_messages_follow_the_language(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    set_lang("en")  # after the CLI seeding, which sets its own language
    try:
        async with running(fieldlog, "r") as (app, pilot):
            assert "This laptop | 2026-09-14 to 2026-10-08" in _status(app)
            await pilot.press("tab", *"09-30", "enter")  # the end date (selected on focus), mistyped
            await settle(pilot)
            assert "To: '09-30' is not a date; use the form 2026-09-21." in _status(app)
    finally:
        set_lang("zh")
