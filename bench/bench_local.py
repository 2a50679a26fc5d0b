"""Local-store benchmark: a million inspections in the local database, then the real paths.

    .venv/bin/python bench/bench_local.py [--rows 1000000]

1. Bulk fill (not measured against a target): ~5k registry entities and `--rows`
   inspections over the 25 days of the "中秋守护" campaign, 7 actions, 10 officer pairs.
   Every inspection is built like a form would build it (the demo's per-action field
   builders → `domain.records.check_inspection`), its tally facts come from
   `domain.tally.facts`, and the rows go into the tables and columns `store.records.write`
   uses (current row + revision; facts and `latest` marks via `store.records.apply_facts`
   and `apply_marks`), with
   `executemany` in big transactions. The outbox stays empty, as if all were synced.
   Two worker processes build rows while the main process inserts.
2. Measured with the real code paths on a freshly opened context (synchronous=FULL):
   (a) `services.record.add` of one inspection: p50/p95 over --saves saves;
   (b) `services.tally.compute` for the campaign (every operation, `latest` included):
       median of --runs; and for one week, a period that cuts through the campaign;
   (c) the first page of `record list` (`services.record.page` + `total`): median;
   (c') the text filter (issue 12: first page ≤ 100 ms): page and total for five kinds of
        text, beside one plain scan of the list (the anchor);
   (d) process start of `fieldlog tally --format json` vs `python -c "import click,
       sqlite_utils"`, measured in the same run.
Prints a table and writes JSON to bench/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import figures

from tui_app.domain import records as rules
from tui_app.domain import tally as tally_rules
from tui_app.domain.ids import new_id, utc_now
from tui_app.services import demo
from tui_app.services import record as record_service
from tui_app.services import tally as tally_service
from tui_app.services.context import Context, open_context
from tui_app.store import records as store

SEED = 1_000_000
CHUNK = 50_000
TARGETS = {"save_p95_ms": 5.0, "tally_ms": 20.0, "start_s": 0.2}
OUT = Path(__file__).resolve().parent / "out"

# Filled in the parent before the worker pool forks, so workers inherit them.
_WORLD: dict[str, Any] = {}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="inspections to bulk-fill")
    parser.add_argument("--entities", type=int, default=5000)
    parser.add_argument("--pairs", type=int, default=10, help="officer pairs")
    parser.add_argument("--saves", type=int, default=300, help="single saves to time")
    parser.add_argument("--runs", type=int, default=15, help="repetitions of each read")
    parser.add_argument("--starts", type=int, default=7, help="process starts to time")
    parser.add_argument("--workers", type=int, default=2, help="row-building processes")
    parser.add_argument("--dir", type=Path, help="keep the database here instead of a temp dir")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database already in --dir (skip the fill)")
    figures.add_option(parser)
    return parser.parse_args()


# ------------------------------------------------------------------ the world


def _registry(count: int, rng: random.Random) -> list[demo.Business]:
    """`count` businesses in the demo's archetype proportions; names made unique by number."""
    weights = [a.count for a in demo.ARCHETYPES]
    businesses, seen = [], set()
    for _ in range(count):
        arch = rng.choices(demo.ARCHETYPES, weights=weights)[0]
        town = rng.choice(demo.TOWNS)
        name = rng.choice(arch.names).format(town=town, street=rng.choice(demo.STREETS),
                                             brand=rng.choice(demo.BRANDS),
                                             surname=rng.choice(demo.SURNAMES))
        if name in seen:
            name = f"{name}（{len(seen)}号）"
        seen.add(name)
        businesses.append(demo.Business(name, arch, town, vaccinates=arch.key == "hospital",
                                        insured=rng.random() < 0.8))
    return businesses


def _pairs(count: int) -> list[list[dict[str, str]]]:
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    officers = [{"name": f"{surnames[n % 20]}执法{n + 1}", "badge": f"34050{n + 1:02d}"}
                for n in range(2 * count)]
    return [officers[2 * i:2 * i + 2] for i in range(count)]


def _inspection_input(rng: random.Random, day: dt.date) -> dict[str, Any]:
    """One inspection as a form would send it, values drawn like the demo's week."""
    action = rng.choices(list(demo.ACTION_WEIGHTS), weights=list(demo.ACTION_WEIGHTS.values()))[0]
    business = rng.choice(_WORLD["by_action"][action])
    fields, measures, findings = demo.BUILDERS[action](rng, business)
    started = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 540))
    return {"action": action, "entity": business.name,
            "started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "officers": rng.choice(_WORLD["pairs"]), "fields": fields, "measures": measures,
            "findings": findings or "未发现问题",
            "result": "责令限期整改" if measures.get("rectification_ordered") else "检查合格"}


def _body(row: dict[str, Any], now: str) -> dict[str, Any]:
    """A first revision as `services.record.save` stamps it."""
    return {**row, "id": new_id(), "rev": 1, "created_at": now, "updated_at": now,
            "inspector_id": _WORLD["inspector_id"], "device_id": _WORLD["device_id"],
            "voided": False, "void_reason": None}


def _build_chunk(task: tuple[int, int]) -> tuple[list[list[Any]], list[tuple], Counter, list]:
    """Rows, revisions, summed tally facts and `latest` marks of one chunk (in a worker)."""
    index, size = task
    rng = random.Random(SEED + 2 + index)
    pack, tz, ids, columns = _WORLD["pack"], _WORLD["tz"], _WORLD["ids"], _WORLD["columns"]
    days, now = _WORLD["days"], utc_now()
    bodies, facts, marks = [], Counter(), []
    for _ in range(size):
        raw = _inspection_input(rng, rng.choice(days))
        body = _body(rules.check_inspection(raw, pack, tz, ids.get).row, now)
        bodies.append(body)
        facts.update(tally_rules.facts(pack, "inspection", body))
        marks.extend(tally_rules.mark_rows(pack.id, tally_rules.marks(pack, "inspection", body)))
    bodies.sort(key=lambda b: b["started_at"])  # index inserts in order land on hot pages
    rows = [store.to_row(body, columns) for body in bodies]
    revisions = [(body["id"], 1, "inspection", new_id(),
                  json.dumps(body, ensure_ascii=False, sort_keys=True)) for body in bodies]
    return rows, revisions, facts, marks


# ------------------------------------------------------------------ bulk fill


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _insert(conn: sqlite3.Connection, table: str, columns: list[str], rows: list) -> None:
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _fill_entities(ctx: Context, businesses: list[demo.Business],
                   rng: random.Random) -> dict[str, str]:
    """Entities through the real validator, inserted in one transaction; name → id."""
    columns = _columns(ctx.db.conn, "entity")
    now, ids, rows, revisions = utc_now(), {}, [], []
    for b in businesses:
        uscc = demo.make_uscc(rng, "92" if b.arch.kind == "个体工商户" else "91")
        raw = {"name": b.name, "kind": b.arch.kind, "category": b.arch.category,
               "township": b.town, "uscc": uscc}
        body = _body(rules.check_entity(raw, record_service.initials).row, now)
        ids[b.name] = body["id"]
        rows.append(store.to_row(body, columns))
        revisions.append((body["id"], 1, "entity", new_id(),
                          json.dumps(body, ensure_ascii=False, sort_keys=True)))
    with ctx.db.transaction() as conn:
        _insert(conn, "entity", columns, rows)
        _insert(conn, "revision", ["id", "rev", "kind", "change_id", "body"], revisions)
    return ids


def _chunks(rows: int) -> Iterator[tuple[int, int]]:
    for index, start in enumerate(range(0, rows, CHUNK)):
        yield index, min(CHUNK, rows - start)


def _world(ctx: Context, args: argparse.Namespace) -> list[demo.Business]:
    """The registry, pairs and days every row draws from (seeded: the same on every run)."""
    pack = ctx.pack()
    businesses = _registry(args.entities, random.Random(SEED))
    by_action: dict[str, list[demo.Business]] = {}
    for b in businesses:
        for action in b.arch.actions:
            by_action.setdefault(action, []).append(b)
    _WORLD.update(pack=pack, tz=ctx.tz, by_action=by_action, pairs=_pairs(args.pairs),
                  columns=_columns(ctx.db.conn, "inspection"),
                  inspector_id=ctx.inspector_id, device_id=ctx.device_id,
                  days=[pack.period_from + dt.timedelta(days=i)
                        for i in range((pack.period_to - pack.period_from).days + 1)])
    return businesses


def _size(path: Path, ctx: Context) -> dict[str, float]:
    fact_rows = ctx.db.conn.execute("SELECT COUNT(*) FROM tally_fact").fetchone()[0]
    latest_rows = ctx.db.conn.execute("SELECT COUNT(*) FROM tally_latest").fetchone()[0]
    return {"tally_fact_rows": fact_rows, "tally_latest_rows": latest_rows,
            "db_mb": path.stat().st_size / 2**20}


def bulk_fill(path: Path, args: argparse.Namespace) -> dict[str, float]:
    started = time.perf_counter()
    with open_context(path) as ctx:
        ctx.update_settings({"inspector_id": "3405001", "badge": "3405001",
                             "inspector_name": "王建国", "partner_name": "李明",
                             "partner_badge": "3405002",
                             # the rows are 中秋守护's, whatever today's date (no routine fallback)
                             "campaign": "zhongqiu"})
        ctx.db.conn.execute("PRAGMA synchronous=OFF")  # bulk only; measurements reopen FULL
        pack = ctx.pack()
        businesses = _world(ctx, args)
        _WORLD["ids"] = _fill_entities(ctx, businesses, random.Random(SEED + 1))
        facts: Counter = Counter()
        marks: list = []
        done = 0
        revision_columns = ["id", "rev", "kind", "change_id", "body"]
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            for rows, revisions, chunk_facts, chunk_marks in pool.imap(_build_chunk,
                                                                       _chunks(args.rows)):
                with ctx.db.transaction() as conn:
                    _insert(conn, "inspection", _WORLD["columns"], rows)
                    _insert(conn, "revision", revision_columns, revisions)
                facts.update(chunk_facts)
                marks += chunk_marks
                done += len(rows)
                rate = done / (time.perf_counter() - started)
                print(f"\r  filled {done:,}/{args.rows:,} inspections ({rate:,.0f}/s)", end="",
                      file=sys.stderr, flush=True)
        print(file=sys.stderr)
        with ctx.db.transaction() as conn:
            store.apply_facts(conn, {(pack.id, *fact): n for fact, n in facts.items()})
            store.apply_marks(conn, [], marks)
        ctx.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = _size(path, ctx)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "settle_seconds": _settle(path.parent), **size}


def _settle(folder: Path, quiet: float = 0.002, needed: int = 20, limit: float = 300) -> float:
    """Wait until the disk is quiet again after the unsynced bulk load.

    The load leaves ~2 GB to write back (in the guest and, on a VM, in the host); until
    that is done every fsync of a save waits behind it, which says nothing about a
    laptop in use. Flush, then wait for `needed` consecutive small fsyncs under `quiet`.
    """
    started = time.perf_counter()
    os.sync()
    probe = folder / "settle.probe"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT)
    try:
        streak = 0
        while streak < needed and time.perf_counter() - started < limit:
            os.pwrite(fd, b"x" * 4096, 0)
            t0 = time.perf_counter()
            os.fsync(fd)
            streak = streak + 1 if time.perf_counter() - t0 < quiet else 0
            time.sleep(0.05)
    finally:
        os.close(fd)
        probe.unlink()
    return time.perf_counter() - started


# ------------------------------------------------------------------ measurements


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm: first run pays for cold pages and statement preparation
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_saves(ctx: Context, count: int) -> list[float]:
    rng = random.Random(SEED - 1)
    days = _WORLD["days"]
    inputs = [_inspection_input(rng, rng.choice(days)) for _ in range(count + 1)]
    record_service.add(ctx, "inspection", inputs.pop())  # warm the pack and the statements
    times = []
    for raw in inputs:
        start = time.perf_counter()
        record_service.add(ctx, "inspection", raw)
        times.append(time.perf_counter() - start)
    return times


def _search_texts(ctx: Context) -> dict[str, str]:
    """What inspectors type into the filter: an entity's whole name (its ~200 visits), two
    characters of a name (thousands), the start of the commonest findings (most rows), a
    word of other findings, a rare phrase, and text that matches nothing (the whole list
    must be ruled out)."""
    conn = ctx.db.conn
    name = conn.execute("SELECT name FROM entity ORDER BY id LIMIT 1 OFFSET 100").fetchone()[0]
    common = conn.execute("SELECT findings FROM inspection WHERE findings IS NOT NULL"
                          " GROUP BY findings ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    words = conn.execute("SELECT findings FROM inspection WHERE length(findings) > 8"
                         " LIMIT 1").fetchone()[0]
    return {"name": name, "two_chars": name[:2], "findings_common": common[:3],
            "findings_word": words[:4], "rare": words[2:8] + "x", "nothing": "没有这样的记录"}


def measure_search(ctx: Context, runs: int) -> dict[str, float]:
    """First page (`services.record.page`) and total of the text filter, medians, beside
    the anchor: the plain scan (`store.page(plan="scan")`) ruling out every row, once."""
    out: dict[str, float] = {}
    for label, text in _search_texts(ctx).items():
        query = store.ListQuery(kind="inspection", campaign=ctx.campaign_id, text=text, limit=50)
        out[f"search_{label}_page_ms"] = statistics.median(
            _timed(lambda q=query: record_service.page(ctx, q), runs)) * 1000
        out[f"search_{label}_total_ms"] = statistics.median(
            _timed(lambda q=query: record_service.total(ctx, q), max(3, runs // 3))) * 1000
        out[f"search_{label}_rows"] = record_service.total(ctx, query)
    nothing = store.ListQuery(kind="inspection", campaign=ctx.campaign_id,
                              text=_search_texts(ctx)["nothing"], limit=50)
    start = time.perf_counter()
    store.page(ctx.db, nothing, plan="scan")
    out["search_scan_anchor_ms"] = (time.perf_counter() - start) * 1000
    out["search_page_worst_ms"] = max(v for k, v in out.items() if k.endswith("_page_ms"))
    return out


def _fieldlog() -> list[str]:
    script = Path(sys.executable).parent / "fieldlog"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui_app"]


def measure_start(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall time of whole processes: `fieldlog tally --format json` and the bare imports."""
    env = {**figures.CHILD_ENV, "FIELDLOG_DB": str(path)}
    commands = {"fieldlog": [*_fieldlog(), "tally", "--format", "json"],
                "imports": [sys.executable, "-c", "import click, sqlite_utils"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # one unmeasured start each: warm the page cache
        subprocess.run(command, env=env, check=True, capture_output=True)
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return times["fieldlog"], times["imports"]


def _query_plans(ctx: Context, reads: dict[str, Callable[[], object]]) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of the statements each measured read really runs (traced)."""
    conn, plans = ctx.db.conn, {}
    for name, read in reads.items():
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            read()
        finally:
            conn.set_trace_callback(None)
        plans[name] = sorted({f"{row[3]}" for sql in statements if sql.lstrip().startswith("SELECT")
                              for row in conn.execute("EXPLAIN QUERY PLAN " + sql)})
    return plans


_T0 = time.perf_counter()


def _stage(what: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {what} …", file=sys.stderr, flush=True)


def main() -> None:
    args = _args()
    with tempfile.TemporaryDirectory(prefix="fieldlog-bench-") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bench.db"
        if args.reuse and path.exists():
            with open_context(path) as ctx:
                _world(ctx, args)
                fill = {"seconds": 0.0, "settle_seconds": 0.0, **_size(path, ctx)}
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            _stage(f"filling {path}")
            fill = bulk_fill(path, args)
        _stage("measuring reads")
        with open_context(path) as ctx:
            query = store.ListQuery(kind="inspection", campaign=ctx.campaign_id, limit=50)
            week = (_WORLD["days"][7], _WORLD["days"][13])  # a period that cuts the campaign
            reads = {"tally": lambda: tally_service.compute(ctx),
                     "tally_week": lambda: tally_service.compute(ctx, None, *week),
                     "list_page": lambda: record_service.page(ctx, query),
                     "list_total": lambda: record_service.total(ctx, query)}
            tally_times = _timed(reads["tally"], args.runs)
            week_times = _timed(reads["tally_week"], args.runs)
            page_times = _timed(reads["list_page"], args.runs)
            total_times = _timed(reads["list_total"], args.runs)
            list_times = _timed(lambda: (reads["list_page"](), reads["list_total"]()), args.runs)
            _stage("measuring text search")
            search = measure_search(ctx, args.runs)
            _stage("measuring saves")
            save_times = measure_saves(ctx, args.saves)
            plans = _query_plans(ctx, reads)
            rows = record_service.total(ctx, store.ListQuery(kind="inspection",
                                                             campaign=ctx.campaign_id))
        _stage("measuring process starts")
        start_times, import_times = measure_start(path, args.starts)
    ms = 1000
    results = {
        "when": utc_now(),
        "command": " ".join(["bench/bench_local.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "sqlite": sqlite3.sqlite_version},
        "data": {"inspections": rows, "entities": args.entities, "pairs": args.pairs,
                 "days": len(_WORLD["days"]), **fill},
        "save_ms": {"p50": statistics.median(save_times) * ms,
                    "p95": _pct(save_times, 0.95) * ms, "max": max(save_times) * ms,
                    "n": len(save_times)},
        "tally_ms": {"median": statistics.median(tally_times) * ms, "min": min(tally_times) * ms,
                     "week_median": statistics.median(week_times) * ms},
        "list_ms": {"page": statistics.median(page_times) * ms,
                    "total": statistics.median(total_times) * ms,
                    "page_and_total": statistics.median(list_times) * ms},
        "start_s": {"fieldlog_tally_json": statistics.median(start_times),
                    "import_click_sqlite_utils": statistics.median(import_times),
                    "ratio": statistics.median(start_times) / statistics.median(import_times)},
        "search": search,
        "plans": plans,
        "targets": TARGETS,
    }
    _report(results)
    OUT.mkdir(exist_ok=True)
    stamp = results["when"][:19].replace(":", "")
    for name in (f"bench_local-{stamp}.json", "bench_local-latest.json"):
        (OUT / name).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    print(f"results: {OUT / f'bench_local-{stamp}.json'}")
    figures.write(args.json, _key_figures(results))


def _key_figures(r: dict[str, Any]) -> dict[str, float]:
    """The flat figures `bench/run_all.py` reads; the bare imports are the start's anchor."""
    return {"rows": r["data"]["inspections"], "save_p50_ms": r["save_ms"]["p50"],
            "save_p95_ms": r["save_ms"]["p95"], "save_max_ms": r["save_ms"]["max"],
            "tally_ms": r["tally_ms"]["median"], "tally_week_ms": r["tally_ms"]["week_median"],
            "list_page_ms": r["list_ms"]["page"],
            "list_total_ms": r["list_ms"]["total"],
            "start_fieldlog_s": r["start_s"]["fieldlog_tally_json"],
            "start_imports_s": r["start_s"]["import_click_sqlite_utils"],
            "start_ratio": r["start_s"]["ratio"], **r["search"]}


def _report(r: dict[str, Any]) -> None:
    def verdict(value: float, target: float) -> str:
        return "ok" if value <= target else "MISSED"

    d, s, start = r["data"], r["save_ms"], r["start_s"]
    lines = [
        f"local DB: {d['inspections']:,} inspections, {d['entities']:,} entities, "
        f"{d['days']} days, {d['pairs']} pairs; {d['tally_fact_rows']:,} tally facts, "
        f"{d['tally_latest_rows']:,} latest marks; "
        f"{d['db_mb']:,.0f} MB; filled in {d['seconds']:.0f} s, disk settled in "
        f"{d['settle_seconds']:.0f} s",
        f"machine: {r['machine']['cpus']} CPUs, Python {r['machine']['python']}, "
        f"SQLite {r['machine']['sqlite']}",
        "",
        f"{'measure':<44}{'value':>12}  {'target':>10}",
        f"{'save one inspection p50 (ms)':<44}{s['p50']:>12.2f}",
        f"{'save one inspection p95 (ms)':<44}{s['p95']:>12.2f}  {'≤ 5':>10}  "
        f"{verdict(s['p95'], TARGETS['save_p95_ms'])}",
        f"{'campaign tallies, median (ms)':<44}{r['tally_ms']['median']:>12.2f}  {'≤ 20':>10}  "
        f"{verdict(r['tally_ms']['median'], TARGETS['tally_ms'])}",
        f"{'tallies of one week (cuts the campaign), ms':<44}{r['tally_ms']['week_median']:>12.2f}",
        f"{'record list first page, median (ms)':<44}{r['list_ms']['page']:>12.2f}",
        f"{'record list total, median (ms)':<44}{r['list_ms']['total']:>12.2f}",
        f"{'record list page + total, median (ms)':<44}{r['list_ms']['page_and_total']:>12.2f}",
        f"{'start: fieldlog tally --format json (s)':<44}{start['fieldlog_tally_json']:>12.3f}  "
        f"{'≤ 0.2':>10}  {verdict(start['fieldlog_tally_json'], TARGETS['start_s'])}",
        f"{'start: python -c import click, sqlite_utils':<44}"
        f"{start['import_click_sqlite_utils']:>12.3f}",
        f"{'start ratio fieldlog / bare imports':<44}{start['ratio']:>12.2f}",
    ]
    lines += [f"{'search ' + k:<44}{v:>12.1f}" for k, v in r["search"].items()]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
