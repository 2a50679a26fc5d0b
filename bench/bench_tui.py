"""TUI figures: start to a usable dashboard (100k records) against a bare Textual app,
and memory with 1M records while the list pages and filters.

    .venv/bin/python bench/bench_tui.py            # 100k start ratio + 1M memory
    .venv/bin/python bench/bench_tui.py --quick    # 10k / 100k, for a smoke run

Rows are generated straight into the store tables (executemany) with their tally
facts computed by `domain.tally`, as a week of a busy district would leave them.
Every start is a fresh interpreter (imports count), timed from spawn to exit, median of
N, the two apps interleaved so both see the same machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import figures  # noqa: E402 - bench/figures.py, next to this script

TODAY = "2026-09-21T10:30:00+08:00"
TARGET_RATIO = 1.3  # issue 10 (DESIGN §7 said 1.5)
TARGET_RSS_MB = 200

# Both apps run the same way (headless, an auto-pilot that waits for the screen to
# settle after its first paint, then exits), so the ratio compares like with like.
BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Static

class Bare(App):
    def compose(self):
        yield Static("hello")
        yield Footer()

async def until_usable(pilot):
    await pilot.pause()
    pilot.app.exit()

Bare().run(headless=True, size=(120, 36), auto_pilot=until_usable)
"""

FIELDLOG_APP = """
import asyncio, datetime as dt, sys
from pathlib import Path
from tui_app.ui.app import FieldLogApp

NOW = dt.datetime.fromisoformat({today!r})

async def until_usable(pilot):
    app = pilot.app
    while app.dashboard.snapshot is None:  # the figures are painted: the dashboard is usable
        await asyncio.sleep(0.005)
    await pilot.pause()
    app.exit()

FieldLogApp(Path({db!r}), clock=lambda: NOW).run(headless=True, size=(120, 36),
                                                  auto_pilot=until_usable)
"""

MEMORY_APP = """
import asyncio, datetime as dt, json, resource, time
from pathlib import Path
from tui_app.ui.app import FieldLogApp

NOW = dt.datetime.fromisoformat({today!r})
result = {{}}

async def drive(pilot):
    app = pilot.app
    while app.dashboard.snapshot is None:
        await asyncio.sleep(0.01)
    await pilot.press("l")
    await app.workers.wait_for_complete()
    for _ in range(5):
        await pilot.press("right_square_bracket")
        await app.workers.wait_for_complete()
    # A text filter is a scan of every row: the UI must keep answering meanwhile.
    gaps, last = [], time.perf_counter()
    def tick():
        nonlocal last
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    timer = app.set_interval(0.01, tick)
    started = time.perf_counter()
    await pilot.press("slash", "z", "z", "z")
    await asyncio.sleep(0.35)  # the list queries once typing pauses (0.3 s)
    while True:
        await asyncio.sleep(0.01)
        if not [w for w in app.workers if w.is_running]:
            break
    result["filter_seconds"] = time.perf_counter() - started
    timer.stop()
    result["max_ui_gap_ms"] = max(gaps) * 1000 if gaps else 0
    await pilot.press("escape")
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    app.exit()

FieldLogApp(Path({db!r}), clock=lambda: NOW).run(headless=True, size=(120, 36),
                                                  auto_pilot=drive)
print(json.dumps(result))
"""


# First open of each form, and a whole routine entry typed in one burst (every key
# handed to the app at once, as a fast typist's terminal does) right after the form key.
FORMS_APP = """
import asyncio, datetime as dt, json, sqlite3, time
from pathlib import Path
from textual import events
from tui_app.ui.app import FieldLogApp
from tui_app.ui.screens.dashboard import DashboardScreen
from tui_app.ui.screens.entry import EntryScreen

NOW = dt.datetime.fromisoformat({today!r})
DB = Path({db!r})
BURST = ["1", *"cgzd1999hcs", "enter", "enter", "down", "enter", "tab", "space", "ctrl+s"]

def inspections():
    with sqlite3.connect(DB) as conn:
        return conn.execute("SELECT count(*) FROM inspection").fetchone()[0]

def opened(app):
    screen = app.screen
    return isinstance(screen, EntryScreen) and screen.is_mounted and not app.typeahead.holds

async def open_ms(pilot, number):
    app = pilot.app
    began = time.perf_counter()
    app.dashboard.action_new(number)
    while not opened(app):
        await asyncio.sleep(0.001)
    ms = (time.perf_counter() - began) * 1000
    app.screen.dismiss()
    while not isinstance(app.screen, DashboardScreen):
        await asyncio.sleep(0.001)
    await pilot.pause()
    return ms

async def drive(pilot):
    app = pilot.app
    while app.dashboard.snapshot is None:
        await asyncio.sleep(0.005)
    await pilot.pause()
    cold = await open_ms(pilot, 1)  # built on demand, the moment the app is up
    while not app.forms_ready:  # the others are built ahead while nobody types
        await asyncio.sleep(0.05)
    count = len(app.pack.actions)
    warm = [await open_ms(pilot, n) for n in range(1, count + 1)]
    before = inspections()
    began = time.perf_counter()
    for key in BURST:
        event = events.Key(key, key if len(key) == 1 else (" " if key == "space" else None))
        event.set_sender(app)
        app._driver.send_message(event)
    while not (isinstance(app.screen, DashboardScreen) and not app.typeahead.keys
               and inspections() == before + 1):
        await asyncio.sleep(0.005)
    burst = time.perf_counter() - began
    print(json.dumps({{"form_open_cold_ms": cold, "form_open_max_ms": max(warm),
                      "form_open_median_ms": sorted(warm)[len(warm) // 2], "forms": count,
                      "burst_keys": len(BURST), "burst_s": burst}}))
    app.exit()

FieldLogApp(DB, clock=lambda: NOW).run(headless=True, size=(120, 36), auto_pilot=drive)
"""
TARGET_FORM_MS = 150


def forms(db: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", FORMS_APP.format(db=str(db), today=TODAY)],
                         check=True, cwd=ROOT, capture_output=True, text=True, env=figures.CHILD_ENV).stdout
    return json.loads(out.strip().splitlines()[-1])


def generate(path: Path, count: int) -> None:
    """`count` inspections, 2000 entities, tally facts, the last 1000 changes unsynced."""
    from tui_app.domain import tally as tally_rules
    from tui_app.domain.ids import new_id
    from tui_app.services.context import open_context
    from tui_app.store.records import apply_facts, apply_marks, to_row

    ctx = open_context(path)
    ctx.update_settings({"inspector_name": "张三", "badge": "3201001",
                         "partner_name": "李四", "partner_badge": "3201002",
                         "campaign": "zhongqiu"})  # the rows are 中秋守护's, whatever the date
    pack = ctx.pack()
    conn = ctx.db.conn
    rng = random.Random(7)
    now = "2026-09-21T02:30:00Z"
    meta = {"rev": 1, "created_at": now, "updated_at": now, "inspector_id": "3201001",
            "device_id": "bench", "voided": False, "void_reason": None, "warnings": []}

    def columns(table: str) -> list[str]:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]

    entity_cols = columns("entity")
    entities = [{**meta, "id": new_id(), "name": f"城关镇第{i}号超市", "uscc": None,
                 "kind": "企业", "category": "食品销售", "township": "城关镇",
                 "initials": f"cgzd{i}hcs"} for i in range(2000)]
    days = [(dt.date(2026, 9, 14) + dt.timedelta(days=d)).isoformat() for d in range(25)]
    officers = [{"name": "张三", "badge": "3201001"}, {"name": "李四", "badge": "3201002"}]
    choices = {a.id: a.fields[0] for a in pack.actions}
    insp_cols = columns("inspection")
    facts: Counter = Counter()
    marks: list = []
    with ctx.db.transaction():
        conn.executemany(f"INSERT INTO entity ({', '.join(entity_cols)}) VALUES "
                         f"({', '.join('?' for _ in entity_cols)})",
                         [to_row(e, entity_cols) for e in entities])
        batch = []
        for i in range(count):
            action = pack.actions[i % len(pack.actions)]
            first = choices[action.id]
            value = (first.choices[i % len(first.choices)] if first.type == "choice"
                     else [first.choices[i % len(first.choices)]])
            day = days[i % len(days)]
            row = {**meta, "id": new_id(), "campaign": pack.id, "action": action.id,
                   "entity_id": entities[rng.randrange(len(entities))]["id"], "place": "",
                   "started_at": f"{day}T01:{i % 60:02d}:00Z", "day": day,
                   "officers": officers, "fields": {first.id: value},
                   "findings": "未发现问题", "measures": {}, "result": ""}
            facts.update(tally_rules.facts(pack, "inspection", row))
            marks.extend(tally_rules.mark_rows(pack.id, tally_rules.marks(pack, "inspection", row)))
            batch.append(to_row(row, insp_cols))
            if len(batch) == 20000:
                conn.executemany(f"INSERT INTO inspection ({', '.join(insp_cols)}) VALUES "
                                 f"({', '.join('?' for _ in insp_cols)})", batch)
                batch = []
        if batch:
            conn.executemany(f"INSERT INTO inspection ({', '.join(insp_cols)}) VALUES "
                             f"({', '.join('?' for _ in insp_cols)})", batch)
        conn.executemany(
            "INSERT INTO outbox (change_id, kind, record_id, rev, body, created_at) "
            "VALUES (?, 'inspection', ?, 1, '{}', ?)",
            [(new_id(), new_id(), now) for _ in range(1000)])
        # the store's own path, so the campaign-wide key table (家 tallies) is filled too
        apply_facts(conn, {(pack.id, *fact): n for fact, n in facts.items()})
        apply_marks(conn, [], marks)
    ctx.close()


def timed(code: str, tree: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds of one child run from `tree` (its `tui_app` is the one imported)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tree, env=figures.CHILD_ENV)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def start_ratio(db: Path, runs: int, against: Sequence[Path] = ()) -> dict[str, float]:
    """Medians of `runs` starts of the bare app and FieldLog, interleaved; with `against`
    (other checkouts, say the code before a change) their starts are interleaved too."""
    code = FIELDLOG_APP.format(db=str(db), today=TODAY)
    trees = {"fieldlog": ROOT} | {f"against{n}": tree for n, tree in enumerate(against)}
    timed(BARE_APP)  # warm the disk cache (and the bytecode cache) for every tree
    for tree in trees.values():
        timed(code, tree)
    seen: dict[str, list[tuple[float, float]]] = {"bare": []} | {name: [] for name in trees}
    for _ in range(runs):
        seen["bare"].append(timed(BARE_APP))
        for name, tree in trees.items():
            seen[name].append(timed(code, tree))
    out = {}
    for name, starts in seen.items():
        out[f"{name}_s"] = median(wall for wall, _ in starts)
        out[f"{name}_cpu_s"] = median(cpu for _, cpu in starts)
    for name in trees:
        out[f"{name}_ratio"] = out[f"{name}_s"] / out["bare_s"]
        out[f"{name}_cpu_ratio"] = out[f"{name}_cpu_s"] / out["bare_cpu_s"]
    out["best_ratio"] = min(wall for wall, _ in seen["fieldlog"]) / min(wall for wall, _ in seen["bare"])
    return out


def memory(db: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", MEMORY_APP.format(db=str(db), today=TODAY)],
                         check=True, cwd=ROOT, capture_output=True, text=True, env=figures.CHILD_ENV).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k start, 100k memory")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-only", action="store_true", help="skip the start ratio")
    parser.add_argument("--start-only", action="store_true", help="skip the memory run")
    parser.add_argument("--against", type=Path, action="append", default=[],
                        help="another checkout (e.g. a `git worktree` of main) whose start is timed "
                        "interleaved with this one's and the bare app's; may be given again")
    figures.add_option(parser)
    args = parser.parse_args()
    out: dict[str, float] = {}
    start_rows, memory_rows = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "start.db", Path(tmp) / "memory.db"
        if not args.memory_only:
            began = time.perf_counter()
            generate(small, start_rows)
            print(f"generated {start_rows} rows in {time.perf_counter() - began:.1f}s")
            start = start_ratio(small, args.runs, args.against)
            out.update(start_rows=start_rows, bare_textual_s=start["bare_s"],
                       fieldlog_start_s=start["fieldlog_s"], start_ratio=start["fieldlog_ratio"])
            opened = forms(small)
            out.update(opened)
            print(f"first open of each of {opened['forms']:.0f} forms, built ahead while idle: "
                  f"max {opened['form_open_max_ms']:.0f} ms, median {opened['form_open_median_ms']:.0f} ms "
                  f"(target <= {TARGET_FORM_MS} ms); built on demand right after start: "
                  f"{opened['form_open_cold_ms']:.0f} ms; {opened['burst_keys']:.0f} keys in one burst "
                  f"after the form key: saved in {opened['burst_s']:.2f} s, every key delivered")
            print(f"start to usable dashboard, {start_rows} records: "
                  f"{start['fieldlog_s']:.3f}s vs bare Textual {start['bare_s']:.3f}s "
                  f"= {start['fieldlog_ratio']:.2f}x, medians of {args.runs} (best of each: "
                  f"{start['best_ratio']:.2f}x; CPU {start['fieldlog_cpu_s']:.3f}s vs {start['bare_cpu_s']:.3f}s "
                  f"= {start['fieldlog_cpu_ratio']:.2f}x; target <= {TARGET_RATIO}x; load {os.getloadavg()[0]:.1f})")
            for n, tree in enumerate(args.against):
                name = f"against{n}"
                print(f"  {tree} in the same runs: {start[f'{name}_s']:.3f}s = {start[f'{name}_ratio']:.2f}x "
                      f"(CPU {start[f'{name}_cpu_s']:.3f}s = {start[f'{name}_cpu_ratio']:.2f}x)")
        if not args.start_only:
            began = time.perf_counter()
            generate(big, memory_rows)
            print(f"generated {memory_rows} rows in {time.perf_counter() - began:.1f}s")
            mem = memory(big)
            print(f"RSS with {memory_rows} records (dashboard, 6 list pages, a text filter): "
                  f"{mem['rss_mb']:.0f} MB (target <= {TARGET_RSS_MB} MB); "
                  f"filter over every row {mem['filter_seconds']:.2f}s after the typing pause, "
                  f"longest UI pause meanwhile {mem['max_ui_gap_ms']:.0f} ms")
            out.update(memory_rows=memory_rows, **mem)
    figures.write(args.json, out)


if __name__ == "__main__":
    main()
