"""Evidence in the TUI, by keys: attach pasted paths (several, ~ and globs) in a record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.evidence_support import pdf, photo
from tests.ui_support import running, seed, settle, text_of
from tui_app.ui.screens.detail import DetailScreen
from tui_app.ui.screens.evidence import AttachScreen


async def test_attach_pasted_paths_with_glob_and_home(fieldlog, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    seed(fieldlog, tmp_path)
    home = tmp_path / "home"
    (home / "照片").mkdir(parents=True)
    photo(home / "照片" / "门头 1.jpg")
    photo(home / "照片" / "后厨.jpg", taken="2026:09:21 10:40:00", gps=None)
    pdf(tmp_path / "许可证.pdf")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    async with running(fieldlog, "l", "enter") as (app, pilot):  # the newest: the pharmacy visit
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AttachScreen)
        await pilot.press("enter")  # nothing typed: refused in place
        assert "至少一个" in text_of(app.screen.query_one(".field-error", Static))
        app.screen.query_one("#paths").insert_text_at_cursor(
            f"~/照片/*.jpg '{tmp_path / '许可证.pdf'}'")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        shown = text_of(app.screen.query_one("#detail-attachments", Static))
        assert "门头 1.jpg" in shown and "后厨.jpg" in shown and "许可证.pdf" in shown
        assert "2026-09-21 10:31" in shown and "24.4795" in shown
        await pilot.press("a")  # a refused file: a message, nothing attached, the app goes on
        await settle(pilot)
        app.screen.query_one("#paths").insert_text_at_cursor(str(tmp_path / "notes.txt"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
    shown = json.loads(fieldlog("record", "show", "0192a000-0000-7000-8000-000000000009",
                                "--format", "json").stdout)
    assert sorted(a["name"] for a in shown["current"]["attachments"]) == [
        "后厨.jpg", "许可证.pdf", "门头 1.jpg"]
    assert shown["current"]["rev"] == 2


async def test_p_prints_the_documents_and_numbers_them(fieldlog, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seed(fieldlog, tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "home" / "文档"))
    async with running(fieldlog, "l") as (app, pilot):
        await pilot.press("enter", "p")  # the pharmacy visit: its 现场检查笔录
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
    [written] = list((tmp_path / "home" / "文档" / "FieldLog").iterdir())
    assert written.name.startswith("现场检查笔录-思市监检〔2026〕")
    shown = json.loads(fieldlog("record", "show", "0192a000-0000-7000-8000-000000000009",
                                "--format", "json").stdout)
    assert shown["current"]["documents"]["inspection_record"]["number"] in written.name
