"""What the TUI tests share: a seeded database (through the CLI), a fixed clock, settling."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from tests.conftest import OFFICERS, PHARMACY, SUPERMARKET, Fieldlog, write_jsonl
from tui_app.ui.app import FieldLogApp

NOW = dt.datetime(2026, 9, 21, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
SIZE = (120, 36)


def fixed_clock() -> dt.datetime:
    return NOW


def seed(fieldlog: Fieldlog, tmp: Path, *, records: bool = True) -> None:
    """Two entities and, optionally, a few records with fixed ids (stable screenshots)."""
    lines: list[object] = [SUPERMARKET, PHARMACY]
    if records:
        lines += [
            {"type": "inspection", "id": f"0192a000-0000-7000-8000-00000000000{i}",
             "action": "food", "entity": SUPERMARKET["name"],
             "started_at": f"2026-09-{15 + i}T09:{10 + i}:00", "officers": OFFICERS,
             "fields": {"place_type": "学校及周边", "cold_chain": i % 2 == 0},
             "findings": f"第{i}次检查，未发现问题"}
            for i in range(1, 6)
        ]
        lines.append({"type": "inspection", "id": "0192a000-0000-7000-8000-000000000009",
                      "action": "drug", "entity": PHARMACY["name"],
                      "started_at": "2026-09-21T08:05:00", "officers": OFFICERS,
                      "fields": {"unit_type": "药店"}})
    fieldlog("import", str(write_jsonl(tmp / "seed.jsonl", *lines)))


def make_app(fieldlog: Fieldlog) -> FieldLogApp:
    return FieldLogApp(fieldlog.db, clock=fixed_clock)


@asynccontextmanager
async def running(fieldlog: Fieldlog, *keys: str) -> AsyncIterator[tuple[FieldLogApp, Pilot]]:
    """The app at SIZE, settled, then each of `keys` pressed and settled: where a walk starts.

    Most TUI tests open the app and go to a screen before they look; this is that way in.
    """
    app = make_app(fieldlog)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        yield app, pilot


async def settle(pilot: Pilot) -> None:
    """Let workers finish and their messages land (waiting is not a keystroke)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (tables included)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()
