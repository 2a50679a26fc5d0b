"""Bench: the district report over 1M central rows (DESIGN target: report ≤ 1 s).

Fills a fresh central store quickly: the inspections go straight into its change log
(`change`, one row per revision, the body JSON as a laptop pushes it) with one bulk
insert (SQLite executemany, PostgreSQL COPY), bypassing `push`'s per-batch decisions,
which bench/bench_sync.py measures. Then `services.central.catch_up` derives current
rows and tally facts from the log once; that is timed on its own, because a sync pays
for it in small pieces as laptops push, never all at once in front of a report. Last,
what `fieldlog report --scope central` does is timed: the district tallies and the
filled template (median of 5), and the whole command in a fresh process.

    .venv/bin/python bench/bench_report_central.py [--rows 1000000] [--pg URL] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import figures
from bench_report import DAYS, OFFICERS, START, TARGET_S, _fields, _median

from tui_app.domain.ids import new_id
from tui_app.services import central as central_service
from tui_app.services import report as report_service
from tui_app.services.context import open_context
from tui_app.sync import materialize as mat
from tui_app.sync.central import initialise, open_central
from tui_app.sync.protocol import Change

ACTIONS = ("food", "drug", "equipment", "product", "fraud", "price", "epidemic")
STAMP = "2026-09-14T00:00:00Z"
COLUMNS = ("change_id", "kind", "record_id", "rev", "pushed_by", "device_id", "body",
           "received_at")
END = dt.date(2026, 10, 8)
BLOCK = 1_000_000  # past a million inspections the bench's log repeats (see `log_rows`)
FIRST_PULL_PAGE = 5000  # what a pull from nothing asks for (services/sync.py)
TALLY_TARGET_S = 0.2  # issue 12: `fieldlog tally --scope central` at 10M central rows
FIRST_PULL_TARGET_S = 30.0  # issue 12: a new laptop's first full pull of a 1M-row district
CAMPAIGN = "zhongqiu"


def _meta(rid: str, badge: str) -> dict:
    return {"id": rid, "rev": 1, "created_at": STAMP, "updated_at": STAMP,
            "inspector_id": badge, "device_id": f"dev-{badge}", "voided": False,
            "void_reason": None, "warnings": []}


def log_rows(rows: int, seed: int = 7, block: int = BLOCK) -> Iterator[tuple]:
    """Change-log rows: a registry of entities, then `rows` inspections by 30 pairs of
    officers, each pushed by the first officer of the pair. Change ids are UUIDv7, as a
    laptop makes them. Past `block` inspections the first block's visits repeat under
    new record ids (the same entities, days and findings), so a bigger district's
    derived tables can be filled from the block's (`derived_tallies`)."""
    entities = [f"bench-entity-{i:06d}" for i in range(max(1000, min(rows, block) // 50))]
    for i, eid in enumerate(entities):
        body = {**_meta(eid, "3200000"), "name": f"市场主体{i}", "kind": "个体工商户"}
        yield (new_id(), "entity", eid, 1, "3200000", "dev-3200000",
               json.dumps(body, ensure_ascii=False), STAMP)
    for start in range(0, rows, block):
        rnd = random.Random(seed)
        for b in range(min(block, rows - start)):
            action = ACTIONS[b % len(ACTIONS)]
            day = (START + dt.timedelta(days=rnd.randrange(DAYS))).isoformat()
            pair = [OFFICERS[2 * (b % 30)], OFFICERS[2 * (b % 30) + 1]]
            fields, measures = _fields(rnd, action)
            rid = f"bench-{start + b:08d}"
            badge = pair[0]["badge"]
            body = {**_meta(rid, badge), "campaign": CAMPAIGN, "action": action,
                    "entity_id": rnd.choice(entities), "place": None,
                    "started_at": f"{day}T02:00:00Z", "day": day, "officers": pair,
                    "fields": fields, "findings": "现场检查未发现问题", "measures": measures,
                    "result": "合格"}
            yield (new_id(), "inspection", rid, 1, badge, f"dev-{badge}",
                   json.dumps(body, ensure_ascii=False), STAMP)


def food_visits(rows: int, block: int = BLOCK) -> int:
    """How many of `log_rows`' inspections are food visits (every 7th of each block)."""
    whole, rest = divmod(rows, block)
    return whole * len(range(0, block, len(ACTIONS))) + len(range(0, rest, len(ACTIONS)))


# ---------------------------------------------------------------------- derived tables, bulk


def derived_tallies(rows: int, block: int = BLOCK) -> tuple[Counter, set]:
    """The tally facts and `latest` marks the catch-up derives from `log_rows(rows)`: its
    own plan (`materialize.plan`, the domain's rules) over the first block's records,
    the facts times the number of blocks and the marks once per copy of each record
    (a mark names its record). tests/test_bench_fill.py holds it to `catch_up`."""
    if rows > block and rows % block:
        raise SystemExit(f"--rows past {block:,} must be a multiple of it")
    copies, base = max(1, rows // block), min(rows, block)
    packs = mat.PackCache(lambda _campaign: None)  # no pack in the log: the shipped one
    facts: Counter = Counter()
    marks: set = set()
    chunk: list[Change] = []
    for row in [*log_rows(base, block=block), None]:
        if row is not None and row[1] == "inspection":
            chunk.append(Change(row[0], row[1], row[2], row[3], json.loads(row[6])))
        if chunk and (row is None or len(chunk) == 5000):
            plan = mat.plan(chunk, {}, packs)
            facts.update(plan.facts)
            marks |= plan.added
            chunk = []
    scaled = Counter({fact: n * copies for fact, n in facts.items()})
    every = {(*m[:4], f"bench-{k * block + int(m[4].removeprefix('bench-')):08d}", *m[5:])
             for m in marks for k in range(copies)}
    return scaled, every


def _current_select(field: Callable[[str], str], voided: str, source: str) -> str:
    """The `current` rows (`materialize.current_row`) of every change in `source`, in
    SQL: the log holds one revision per record and no pack."""
    sort = " ".join(f"WHEN '{kind}' THEN {field(name)}" for kind, name in mat.SORT_FIELD.items())
    return (f"SELECT record_id, kind, rev, {field('campaign')}, {field('action')}, "
            f"{field('day')}, CASE kind {sort} ELSE {field('id')} END, {voided}, "
            f"{field('entity_id')}, body FROM {source} ORDER BY seq")


LATEST_KEYS_SQL = (
    "INSERT INTO tally_latest_key (campaign, tally_id, key, day, state) SELECT campaign,"
    " tally_id, key, day, state FROM (SELECT campaign, tally_id, key, day, state, ROW_NUMBER()"
    " OVER (PARTITION BY campaign, tally_id, key ORDER BY day DESC, moment DESC,"
    " record_id DESC) AS place FROM tally_latest) AS ranked WHERE place = 1")


def _derived_rows(rows: int, block: int) -> tuple[list[tuple], list[tuple], list[tuple], tuple]:
    """Rows for tally_fact, tally_key and tally_latest, and the meta `counted:` row."""
    facts, marks = derived_tallies(rows, block)
    fact_rows = [(*fact, n) for fact, n in facts.items()]
    counted = (mat.COUNTED + CAMPAIGN, mat.pack_hash(mat.source_in_force(lambda _c: None,
                                                                         CAMPAIGN)))
    return fact_rows, mat.key_rows(fact_rows), sorted(marks), counted


def derive_sqlite(path: Path, rows: int, block: int = BLOCK) -> float:
    """What `catch_up` derives from the bench's log, filled in bulk: current rows by one
    INSERT … SELECT, the tally tables from `derived_tallies`."""
    import sqlite3

    started = time.perf_counter()
    fact_rows, key_rows, marks, counted = _derived_rows(rows, block)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO current (record_id, kind, rev, campaign, action, day, sort_key,"
                 " voided, entity_id, body) " + _current_select(
                     lambda name: f"json_extract(body, '$.{name}')",
                     "CASE WHEN json_extract(body, '$.voided') THEN 1 ELSE 0 END", "change"))
    conn.executemany("INSERT INTO tally_fact (campaign, tally_id, day, key, n)"
                     " VALUES (?, ?, ?, ?, ?)", fact_rows)
    conn.executemany("INSERT INTO tally_key (campaign, tally_id, key, n) VALUES (?, ?, ?, ?)",
                     key_rows)
    conn.executemany("INSERT INTO tally_latest (campaign, tally_id, key, moment, record_id, day,"
                     " state) VALUES (?, ?, ?, ?, ?, ?, ?)", marks)
    conn.execute(LATEST_KEYS_SQL)
    conn.execute("INSERT INTO meta (k, v) VALUES (?, ?)", counted)
    conn.execute("UPDATE meta SET v = (SELECT MAX(seq) FROM change) WHERE k = 'materialized'")
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started


def derive_pg(url: str, rows: int, block: int = BLOCK) -> float:
    """As `derive_sqlite`, on PostgreSQL (then ANALYZE, as autovacuum would soon)."""
    import psycopg

    started = time.perf_counter()
    fact_rows, key_rows, marks, counted = _derived_rows(rows, block)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO current (record_id, kind, rev, campaign, action, day, sort_key,"
                    " voided, entity_id, body) " + _current_select(
                        lambda name: f"j ->> '{name}'",
                        "CASE WHEN (j ->> 'voided')::boolean THEN 1 ELSE 0 END",
                        "(SELECT seq, record_id, kind, rev, body, body::jsonb AS j FROM change) AS c"))
        for table, found in (("tally_fact (campaign, tally_id, day, key, n)", fact_rows),
                             ("tally_key (campaign, tally_id, key, n)", key_rows),
                             ("tally_latest (campaign, tally_id, key, moment, record_id, day, state)",
                              marks)):
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                for row in found:
                    copy.write_row(row)
        cur.execute(LATEST_KEYS_SQL)
        cur.execute("INSERT INTO meta (k, v) VALUES (%s, %s)", counted)
        cur.execute("UPDATE meta SET v = (SELECT xid::text || ':' || seq FROM change ORDER BY"
                    " xid DESC, seq DESC LIMIT 1) WHERE k = 'materialized'")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def fill_sqlite(path: Path, rows: int, block: int = BLOCK) -> float:
    import sqlite3

    initialise(f"sqlite:///{path}")
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO change ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     log_rows(rows, block=block))
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started


def fill_pg(url: str, rows: int, block: int = BLOCK) -> float:
    import psycopg

    initialise(url)
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur, cur.copy(
            f"COPY change ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in log_rows(rows, block=block):
            copy.write_row(row)
    return time.perf_counter() - started


def _log_pages(url: str, size: int) -> Iterator[list[tuple]]:
    """The change log's rows (change id, kind, record id, rev, body text), `size` at a
    time in log order, read with plain SQL: what a pull moves, without parsing a byte."""
    columns = "change_id, kind, record_id, rev, body"
    if url.startswith("sqlite:"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        after = 0
        while rows := conn.execute(f"SELECT seq, {columns} FROM change WHERE seq > ? "
                                   "ORDER BY seq LIMIT ?", (after, size)).fetchall():
            after = rows[-1][0]
            yield [r[1:] for r in rows]
        conn.close()
        return
    import psycopg

    # one server-side cursor down the pull's own index (xid, seq), as a pull reads it
    with psycopg.connect(url) as conn, conn.cursor(name="anchor") as cur:
        cur.execute(f"SELECT {columns} FROM change ORDER BY xid, seq")
        while rows := cur.fetchmany(size):
            yield rows


def raw_copy_anchor(url: str, folder: Path, size: int = FIRST_PULL_PAGE) -> float:
    """The first pull's in-run anchor: the same rows read page by page from the central
    log and written by one executemany per page into a bare table of a laptop-like file
    (WAL, synchronous=FULL, one transaction per page), with no parsing and no decision."""
    import sqlite3

    path = folder / "anchor.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE pulled (change_id TEXT, kind TEXT, record_id TEXT, rev INTEGER,"
                 " body TEXT)")
    started = time.perf_counter()
    for page in _log_pages(url, size):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO pulled VALUES (?, ?, ?, ?, ?)", page)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return seconds


def build_snapshot(name: str, url: str) -> float:
    """The bureau's side: `fieldlog central snapshot` in a fresh process, timed on its
    own (a cron job's work, not a laptop's)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tui_app", "--lang", "en", "central",
                           "snapshot", url], check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(f"{name}: `fieldlog central snapshot` (the bureau, once): {seconds:.1f} s; "
          f"{done.stdout.strip().splitlines()[-1]}", flush=True)
    return seconds


def first_pull(name: str, url: str, folder: Path) -> dict[str, float]:
    """A new laptop's first full pull: the bureau builds the district's snapshot (timed
    apart), then `fieldlog init` and `fieldlog sync` are timed as a user runs them (a
    fresh process, its progress bars, its backup after the sync), between two runs of the
    raw-copy anchor. The sync takes the snapshot, then pulls what came after it."""
    build_s = build_snapshot(name, url)
    laptop = folder / "new-laptop.db"
    command = [sys.executable, "-m", "tui_app", "--lang", "en", "--db", str(laptop)]
    before = raw_copy_anchor(url, folder)
    started = time.perf_counter()
    subprocess.run([*command, "init", "--name", "王五", "--badge", "3201005"], check=True,
                   capture_output=True)
    done = subprocess.run([*command, "sync", "--central", url], check=True, capture_output=True,
                          text=True)
    sync_s = time.perf_counter() - started
    after = raw_copy_anchor(url, folder)
    found = re.search(r"pulled (\d+), conflicts \d+, ([\d.]+) s", done.stdout)
    assert found, done.stdout
    taken = re.search(r"took (\d+) record revisions", done.stdout)
    assert taken, done.stdout  # the snapshot path, not a pull from nothing
    pulled, loop_s = int(taken.group(1)) + int(found.group(1)), float(found.group(2))
    anchor = (before + after) / 2
    for suffix in ("", "-wal", "-shm"):
        Path(f"{laptop}{suffix}").unlink(missing_ok=True)
    print(f"{name}: a new laptop's first full pull of {pulled:,} changes "
          f"({taken.group(1)} from the snapshot, {found.group(1)} pulled after it)")
    print(f"  `fieldlog init` + `fieldlog sync`, new processes: {sync_s:.1f} s (sync loop "
          f"{loop_s:.1f} s); target <= {FIRST_PULL_TARGET_S:.0f} s "
          f"{'OK' if sync_s <= FIRST_PULL_TARGET_S else 'MISSED'}")
    print(f"  anchor, raw read + executemany of the same rows: {before:.1f} s before, "
          f"{after:.1f} s after = {sync_s / anchor:.1f}x its mean", flush=True)
    return {"first_pull_s": sync_s, "first_pull_loop_s": loop_s, "first_pull_changes": pulled,
            "first_pull_anchor_s": anchor, "snapshot_build_s": build_s}


def _count_anchor(url: str) -> float:
    """The report's in-run anchor: a bare `SELECT count(*)` over the same current rows."""
    store = open_central(url)
    try:
        return _median(lambda: store.sql("SELECT count(*) FROM current"), runs=3)
    finally:
        store.close()


def _command(local: Path, *args: str) -> float:
    """Seconds of one `fieldlog` command in a fresh process, as a user runs it."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui_app", "--db", str(local), *args], check=True,
                   capture_output=True, env=figures.CHILD_ENV)
    return time.perf_counter() - started


def measure(name: str, url: str, rows: int, filled: float, folder: Path,
            derive: Callable[[], float] | None = None) -> dict[str, float]:
    """The district report and tallies over `url`, once its derived tables are there:
    derived in bulk by `derive` when given (then the catch-up finds nothing to do), else
    by the catch-up itself, timed."""
    derived = derive() if derive else 0.0
    started = time.perf_counter()
    read = central_service.catch_up(url)
    caught_up = time.perf_counter() - started
    local = folder / "laptop.db"
    ctx = open_context(local)
    # 中秋守护's report whatever today's date (out of its days the default is routine work)
    report = report_service.central(ctx, url, CAMPAIGN, day_to=END)
    assert report.result.values["food.inspections"] == food_visits(rows)
    md_s = _median(lambda: report_service.central(ctx, url, CAMPAIGN, day_to=END).markdown())
    tallies_s = _median(lambda: central_service.compute_tallies(url, CAMPAIGN,
                                                                START, END))
    ctx.close()
    central = ("--scope", "central", "--central", url, "--campaign", CAMPAIGN)
    count_s = _count_anchor(url)
    cli_s = _command(local, "report", *central, "--to", END.isoformat(), "--format", "docx",
                     "-o", str(folder / "central.docx"))
    local_report_s = _command(local, "report", "--campaign", CAMPAIGN, "--to", END.isoformat(),
                              "--format", "docx", "-o", str(folder / "local.docx"))
    period = ("--campaign", CAMPAIGN, "--from", START.isoformat(), "--to", END.isoformat(),
              "--format", "json")
    tally_cli_s = _median(lambda: _command(local, "tally", *central, *period[2:]), runs=3)
    # what any `fieldlog tally` costs here before it reads a figure: the same command on
    # this (empty) laptop's own tallies
    local_cli_s = _median(lambda: _command(local, "tally", *period), runs=3)
    print(f"{name}: {rows:,} inspections in the change log")
    print(f"  bulk fill of the change log:                        {filled:.1f} s")
    if derive:
        print(f"  derived tables filled in bulk (derive_*):           {derived:.1f} s; "
              f"then the catch-up read {read} changes")
    else:
        print(f"  catch-up (current rows + tally facts), once:        {caught_up:.1f} s "
              f"({read / caught_up:,.0f} changes/s)")
    print(f"  anchor, bare SELECT count(*) FROM current, median of 3: {count_s * 1000:.0f} ms")
    print(f"  district tallies, median of 5:                      {tallies_s * 1000:.1f} ms")
    print(f"  `fieldlog tally --scope central`, new process, median of 3: "
          f"{tally_cli_s * 1000:.0f} ms (target <= {TALLY_TARGET_S * 1000:.0f} ms); "
          f"the same command over the empty laptop's own tallies {local_cli_s * 1000:.0f} ms")
    print(f"  report (tallies + template → Markdown), median of 5: {md_s * 1000:.1f} ms")
    print(f"  `fieldlog report --scope central --format docx`, new process: "
          f"{cli_s * 1000:.0f} ms")
    print(f"  the same command over the empty laptop's own records: {local_report_s * 1000:.0f} ms")
    print(f"  target ≤ {TARGET_S:.1f} s: whole command at {cli_s / TARGET_S:.2f}× the target",
          flush=True)
    return {"rows": rows, "fill_s": filled, "catch_up_s": caught_up, "derive_s": derived,
            "tallies_s": tallies_s, "tally_cli_s": tally_cli_s, "count_anchor_s": count_s,
            "tally_local_cli_s": local_cli_s, "report_local_cli_s": local_report_s,
            "report_md_s": md_s, "report_cli_s": cli_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", help="PostgreSQL URL (a scratch schema is made and dropped)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--first-pull", action="store_true",
                        help="also time a new laptop's first full pull of the district")
    parser.add_argument("--bulk-derive", action="store_true",
                        help="fill current rows and tally tables in bulk instead of running "
                             "the catch-up over the whole log (for 10M rows)")
    figures.add_option(parser)
    args = parser.parse_args()
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="fieldlog-bench-") as name:
        folder = Path(name)
        if not args.no_sqlite:
            path = folder / "central.db"
            print(f"filling {args.rows:,} inspections into {path} ...", flush=True)
            filled = fill_sqlite(path, args.rows)
            found = first_pull("central SQLite", f"sqlite:///{path}", folder) if args.first_pull else {}
            derive = (lambda: derive_sqlite(path, args.rows)) if args.bulk_derive else None
            found.update(measure("central SQLite", f"sqlite:///{path}", args.rows, filled, folder,
                                 derive))
            out.update({f"sqlite_{name}": value for name, value in found.items()})
            path.unlink()  # 10M rows are ~20 GB: gone before PostgreSQL's fill
        if args.pg:
            with figures.scratch_schema(args.pg) as url:
                print(f"filling {args.rows:,} inspections into a scratch PostgreSQL schema ...",
                      flush=True)
                filled = fill_pg(url, args.rows)
                found = first_pull("central PostgreSQL", url, folder) if args.first_pull else {}
                derive = (lambda: derive_pg(url, args.rows)) if args.bulk_derive else None
                found.update(measure("central PostgreSQL", url, args.rows, filled, folder, derive))
                out.update({f"pg_{name}": value for name, value in found.items()})
    figures.write(args.json, out)


if __name__ == "__main__":
    main()
