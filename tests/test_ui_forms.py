"""Complaint and activity forms, from their lists, by keys; money typed in yuan, kept in fen."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from textual.widgets import Static

from tests.ui_support import SIZE, make_app, running, seed, settle, text_of
from tui_app.ui.app import form_name
from tui_app.ui.screens.entry import EntryScreen
from tui_app.ui.screens.records import RecordsScreen


def _list(fieldlog, kind: str) -> list[dict]:  # noqa: ANN001 - the conftest Fieldlog runner
    return json.loads(fieldlog(kind, "list", "--format", "json").stdout)


async def test_complaint_and_activity_from_their_lists(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog) as (app, pilot):
        await pilot.press("t", "n")  # complaints, then a new one
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen) and app.screen.kind == "complaint"
        # received now (prefilled) → channel = 12315热线 → entity 仁和大药房 → subject → summary
        await pilot.press("tab", "enter", "down", "enter", "tab", "r", "h")
        await settle(pilot)
        await pilot.press("enter", "tab", *"过期药品", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen)
        await pilot.press("a", "n")  # activities, then a new one
        await settle(pilot)
        await pilot.press("enter", "down", "down", "down", "down", "down", "enter")  # 执法打假
        await pilot.press("tab", "enter", "down", "enter", "tab", "3", "0", "ctrl+s")  # 张贴公告 30
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen) and app.screen.kind == "activity"
    [complaint] = _list(fieldlog, "complaint")
    assert complaint["channel"] == "12315热线" and complaint["entity_name"] == "仁和大药房"
    assert complaint["summary"] == "过期药品" and complaint["status"] == "已受理"
    [activity] = _list(fieldlog, "activity")
    assert (activity["action"], activity["activity_type"], activity["quantity"]) == \
        ("fraud", "张贴公告", 30)
    assert [o["name"] for o in activity["officers"]] == ["张三", "李四"]


async def test_case_money_in_yuan_with_reasons_in_place(fieldlog, tmp_path: Path) -> None:
    seed(fieldlog, tmp_path, records=False)
    async with running(fieldlog) as (app, pilot):
        await pilot.press("c", "n")
        await settle(pilot)
        # action = food, case type = 虚假宣传
        await pilot.press("enter", "down", "enter", "tab", "enter", "down", "enter")
        for _ in range(4):  # entity, clue, filed (prefilled), status (prefilled)
            await pilot.press("tab")
        await pilot.press("tab", *"1.234", "tab", *"5000", "ctrl+s")  # fine, confiscated
        await settle(pilot)
        fine = app.screen.body.rows["fine_fen"].query_one(".field-error", Static)
        assert "两位小数" in text_of(fine)
        await pilot.press("shift+tab", *"1.23", "ctrl+s")  # focus selects the old text
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen)
    [case] = _list(fieldlog, "case")
    assert (case["fine_fen"], case["confiscated_fen"]) == (123, 500000)
    assert case["filed_on"] == "2026-09-21" and case["status"] == "立案"


async def test_a_form_built_ahead_opens_without_restyling_it(fieldlog, tmp_path: Path) -> None:
    """Opening a kept form only moves the focus and paints: restyling its hundred widgets
    (Textual's restyle on each show, the width class added late, the scroll container
    giving up the focus) and laying them out was most of the time its first open took."""
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        while not app.forms_ready:  # built ahead, off screen, while nobody types
            await pilot.pause(0.1)
        form = app.get_screen(form_name(app.pack, "inspection", "food"))
        assert form.size == app.size  # laid out off screen: its first show only paints
        restyled: list[object] = []
        update_nodes = app.stylesheet.update_nodes

        def counting(nodes, animate: bool = False) -> None:  # noqa: ANN001 - Textual's iterable
            nodes = list(nodes)
            restyled.extend(n for n in nodes if n is form or form in n.ancestors)
            update_nodes(nodes, animate=animate)

        app.stylesheet.update_nodes = counting
        await pilot.press("1")
        await settle(pilot)
        assert app.screen is form and app.screen.focused is form.body.rows["entity"].control.input
        widgets = len(list(form.walk_children(with_self=True)))
        assert widgets > 50 and len(restyled) < 10, f"{len(restyled)} of {widgets} restyled"


async def test_the_built_app_is_set_apart_from_the_garbage_collector(fieldlog,
                                                                    tmp_path: Path) -> None:
    """A full collection scanned every widget of the kept forms (130–330 ms that landed in
    the next form's opening): once they are built, what the app holds is frozen, and
    unfrozen when it exits."""
    seed(fieldlog, tmp_path, records=False)
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        while not app.forms_ready:
            await pilot.pause(0.1)
        form = app.get_screen(form_name(app.pack, "inspection", "food"))
        frozen = gc.get_freeze_count()
        assert frozen > len(list(form.walk_children(with_self=True)))
        assert frozen > len(gc.get_objects(generation=2))  # what a full collection still scans
    assert gc.get_freeze_count() == 0
