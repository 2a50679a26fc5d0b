"""Every screen speaks one language: walked in zh, no visible English word that is not
an id, a code, a key name or a number; walked in en, no Chinese outside record data.

The walk opens, by keys, the dashboard, each action's form and the other forms, the
new-entity dialog, the four lists, a record, settings, sync, the report, the help and
the command palette, and reads what the screen shows (the text Textual paints).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.ui_support import make_app, seed, settle
from tui_app.i18n import set_lang

SIZE = (160, 50)
# What may stay Latin in Chinese text: key names, file formats, codes, commands, the
# product's own name, URL schemes, date placeholders, hex record ids.
ASCII_OK = {
    "ctrl", "esc", "enter", "tab", "shift", "space", "fieldlog", "FieldLog", "init", "campaign",
    "use", "auto", "ID", "md", "txt", "docx", "xlsx", "csv", "SVG", "sqlite", "postgresql",
    "http", "https", "YYYY", "MM", "DD", "USCC", "CCC", "Esc", "Ctrl",
    "zz",  # typed into the palette's search by the walk
}
HEX_ID = re.compile(r"^[0-9a-f]{6,}$")
# Record data typed by inspectors (and the sample entities) stays as typed in English.
DATA_CJK = re.compile(r"城关镇好又多超市|仁和大药房|张三|李四|第\d次检查，未发现问题|东街菜场|区市场监督管理局"
                      r"|城关镇|三无")


def screen_text(app: App[object]) -> str:
    """What the terminal shows now, as text (one line per row)."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(segment.text for segment in strip) for strip in update.strips)


async def walk(pilot: Pilot) -> list[tuple[str, str]]:
    """(where, text shown) for each screen and dialog of the app, reached by keys."""
    app = pilot.app
    seen: list[tuple[str, str]] = []

    async def look(where: str, *keys: str) -> None:
        await pilot.press(*keys)
        await settle(pilot)
        seen.append((where, screen_text(app)))

    async def back(times: int = 1) -> None:
        for _ in range(times):
            await pilot.press("escape")
            await settle(pilot)

    await settle(pilot)
    seen.append(("dashboard", screen_text(app)))
    await look("help", "question_mark")
    await back()
    await look("palette", "ctrl+p")
    await look("palette search", *"zz")
    await pilot.pause(0.7)  # the palette says it found nothing after half a second
    seen.append(("palette, nothing found", screen_text(app)))
    await back()
    for number in range(1, len(app.pack.actions) + 1):  # type: ignore[attr-defined]
        await look(f"form {number}", str(number))
        await back()
    await look("entity dialog", "1", *"东街菜场", "ctrl+e")
    await back()
    await look("discard?", "escape")
    await pilot.press("y")
    await settle(pilot)
    for key, kind in (("c", "case"), ("t", "complaint"), ("a", "activity"), ("l", "inspection")):
        await look(f"list {kind}", key)
        if kind != "inspection":
            await look(f"form {kind}", "n")
            await back()
            await back()
    await look("record", "enter")
    await look("void reason", "v")
    await back()
    await back(2)
    await look("settings", "i")
    await back()
    await look("sync", "s")
    await back()
    await look("report", "r")
    await back()
    return seen


@pytest.fixture
def walked(fieldlog, tmp_path: Path, request: pytest.FixtureRequest):  # noqa: ANN001, ANN201
    seed(fieldlog, tmp_path)
    set_lang(request.param)
    yield make_app(fieldlog)
    set_lang("zh")


@pytest.mark.parametrize("walked", ["zh"], indirect=True)
async def test_chinese_screens_show_no_stray_english(walked) -> None:  # noqa: ANN001
    async with walked.run_test(size=SIZE) as pilot:
        seen = await walk(pilot)
    stray = {(where, word) for where, text in seen for word in re.findall(r"[A-Za-z0-9]+", text)
             if len(word) > 1 and word not in ASCII_OK and not HEX_ID.match(word)
             and not any(c.isdigit() for c in word)}  # codes and numbers
    assert sorted(stray) == []
    assert "没有找到匹配的命令" in dict(seen)["palette, nothing found"]  # Textual's own line too


@pytest.mark.parametrize("walked", ["en"], indirect=True)
async def test_english_screens_show_no_chinese_but_record_data(walked) -> None:  # noqa: ANN001
    async with walked.run_test(size=SIZE) as pilot:
        seen = await walk(pilot)
    # The work report is the bureau's Chinese document, shown as it will be printed.
    stray = {(where, found) for where, text in seen if where != "report"
             for found in re.findall(r"[\u3000-\u9fff\uff00-\uffef]+", DATA_CJK.sub("", text))}
    assert sorted(stray) == []
