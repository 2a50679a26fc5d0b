"""SVG snapshots in both languages at 80×24 (a small terminal: side panel folded under
the board, short headline, essential keys first), 120×36 and 200×60: the dashboard, a
refused form, the records list.

The clock, the data and the record ids are fixed, so a changed picture is a changed
screen. Accept a deliberate change with `pytest --snapshot-update` and look at it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tests.ui_support import SIZE, make_app, seed, settle, text_of
from tui_app.i18n import set_lang

LANGS = ["zh", "en"]
SIZES = {"80x24": (80, 24), "120x36": SIZE, "200x60": (200, 60)}


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return SIZES[request.param]


@pytest.fixture(autouse=True)
def _still_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(params=LANGS)
def app(fieldlog, tmp_path: Path, request: pytest.FixtureRequest):  # noqa: ANN001, ANN201
    seed(fieldlog, tmp_path)  # through the CLI, which sets its own language: choose after
    set_lang(request.param)
    yield make_app(fieldlog)
    set_lang("zh")


def test_dashboard(snap_compare, app, size) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_form_with_an_error(snap_compare, app, size) -> None:  # noqa: ANN001
    async def refused(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("1", "c", "g", "z")
        await settle(pilot)
        await pilot.press("enter", "tab", "tab", "9", "9", "9", "ctrl+s")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=refused)


def test_records_list(snap_compare, app, size) -> None:  # noqa: ANN001
    async def listed(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        steady = 0
        for _ in range(250):  # on a loaded machine the page and its count land a moment later
            # Rows, their count, and the widths DataTable measures on an idle moment (an
            # eight-digit id is wider than its heading), seen five times in a row.
            table = pilot.app.screen.query_one(DataTable)
            info = text_of(pilot.app.screen.query_one("#page-info", Static))
            ready = table.row_count and "…" not in info and all(
                column.get_render_width(table) >= 10 for column in table.ordered_columns[:1])
            steady = steady + 1 if ready else 0
            if steady == 5:
                break
            await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=listed)
