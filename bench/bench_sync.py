"""Push benchmarks for the central stores (DESIGN.md §7).

- central SQLite: pushing N records through `CentralStore.push` in batches, as a ratio
  against a raw `executemany` of the same rows (same JSON encoding, same batches, same
  pragmas) in the same run. Target ≤ 2×.
- PostgreSQL: records/s through `CentralStore.push` (COPY under an advisory lock).
  Target ≥ 50k records/s.
- Also reported: replaying the same batches (all duplicates), pulling everything, and
  catching the district figures up (`materialize`) followed by a central tally read.

    python bench/bench_sync.py [--records 100000] [--batch 1000] [--pg URL] [--no-pg]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import figures

from tui_app.domain.ids import new_id, utc_now
from tui_app.sync.central import initialise, open_central
from tui_app.sync.protocol import Change, encode

INSPECTOR, DEVICE = "3201001", "bench-device"
ACTIONS = ("food", "drug", "equipment", "product", "fraud", "price", "epidemic")


def make_changes(n: int) -> list[Change]:
    """N new inspections shaped like the ones the app stores."""
    now = utc_now()
    changes = []
    for i in range(n):
        rid = new_id()
        body = {
            "id": rid, "rev": 1, "created_at": now, "updated_at": now, "inspector_id": INSPECTOR,
            "device_id": DEVICE, "voided": False, "void_reason": None, "warnings": [],
            "campaign": "zhongqiu", "action": ACTIONS[i % 7], "entity_id": None,
            "place": f"城关镇农贸市场{i % 500}号摊位",
            "started_at": f"2026-09-{14 + i % 20:02d}T02:30:00Z",
            "day": f"2026-09-{14 + i % 20:02d}",
            "officers": [{"name": "张三", "badge": INSPECTOR},
                         {"name": "李四", "badge": "3201002"}],
            "fields": {"place_type": "学校及周边", "cold_chain": i % 3 == 0},
            "findings": "现场检查未发现问题", "measures": {"rectification_ordered": i % 5 == 0,
                                                        "directives": i % 2, "sealed_units": 0,
                                                        "seized": []},
            "result": "合格",
        }
        # as the laptop sends it: the body's JSON text comes straight from its outbox row
        changes.append(Change(new_id(), "inspection", rid, 1, body, raw=encode(body)))
    return changes


def batches(changes: list[Change], size: int) -> list[list[Change]]:
    return [changes[i:i + size] for i in range(0, len(changes), size)]


def raw_executemany(path: Path, changes: list[Change], size: int) -> float:
    """The floor: the same rows inserted with executemany, in the same batches."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE change (change_id TEXT PRIMARY KEY, kind TEXT, record_id TEXT,"
                 " rev INTEGER, pushed_by TEXT, device_id TEXT, body TEXT, received_at TEXT)")
    start = time.perf_counter()
    for batch in batches(changes, size):
        now = utc_now()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO change VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [(c.change_id, c.kind, c.record_id, c.rev, INSPECTOR, DEVICE,
                           c.body_json(), now) for c in batch])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def raw_copy(url: str, changes: list[Change], size: int) -> float:
    """The PostgreSQL floor: COPY of the same rows into a table keyed by change id."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE raw_change (change_id TEXT PRIMARY KEY, kind TEXT,"
                     " record_id TEXT, rev INTEGER, pushed_by TEXT, device_id TEXT, body TEXT,"
                     " received_at TEXT)")
        start = time.perf_counter()
        for batch in batches(changes, size):
            with conn.transaction(), conn.cursor() as cur, cur.copy(
                    "COPY raw_change FROM STDIN") as copy:
                for c in batch:
                    copy.write_row((c.change_id, c.kind, c.record_id, c.rev, INSPECTOR, DEVICE,
                                    c.body_json(), utc_now()))
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE raw_change")
    return elapsed


def push_all(url: str, changes: list[Change], size: int) -> tuple[float, float, float, float]:
    """Seconds to push, to replay (all duplicates), to pull everything, to catch up + tally."""
    initialise(url)
    store = open_central(url)
    try:
        start = time.perf_counter()
        for batch in batches(changes, size):
            results = store.push(INSPECTOR, DEVICE, batch)
            assert all(r.status == "applied" for r in results)
        pushed = time.perf_counter() - start
        start = time.perf_counter()
        for batch in batches(changes, size):
            assert all(r.status == "duplicate" for r in store.push(INSPECTOR, DEVICE, batch))
        replayed = time.perf_counter() - start
        start = time.perf_counter()
        cursor, seen = None, 0
        while True:
            page = store.pull(cursor, 5000)
            seen += len(page.changes)
            cursor = page.next_cursor
            if not page.more:
                break
        assert seen == len(changes)
        pulled = time.perf_counter() - start
    finally:
        store.close()
    from tui_app.services.central import compute_tallies

    start = time.perf_counter()
    result = compute_tallies(url, "zhongqiu")
    assert result.values["food.inspections"] == len(changes[::7])
    caught_up = time.perf_counter() - start
    return pushed, replayed, pulled, caught_up


def tally_read(url: str) -> float:
    from tui_app.services.central import compute_tallies

    start = time.perf_counter()
    compute_tallies(url, "zhongqiu")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true")
    figures.add_option(parser)
    args = parser.parse_args()
    n, size = args.records, args.batch
    changes = make_changes(n)
    print(f"{n} records, batches of {size}")
    out: dict[str, float] = {"records": n, "batch": size}
    with tempfile.TemporaryDirectory() as folder:
        raw = raw_executemany(Path(folder) / "raw.db", changes, size)
        url = f"sqlite:///{Path(folder) / 'central.db'}"
        pushed, replayed, pulled, caught_up = push_all(url, changes, size)
        ratio = pushed / raw
        out.update(sqlite_raw_executemany_s=raw, sqlite_push_s=pushed, sqlite_ratio=ratio,
                   sqlite_records_per_s=n / pushed)
        print(f"central SQLite: raw executemany {raw:.2f} s; push {pushed:.2f} s "
              f"({n / pushed:,.0f} records/s) = {ratio:.2f}x raw (target <= 2x) "
              f"{'OK' if ratio <= 2 else 'MISSED'}")
        print(f"  replay (all duplicates) {replayed:.2f} s; pull all {pulled:.2f} s; "
              f"catch-up + first tally {caught_up:.2f} s; "
              f"next tally {tally_read(url) * 1000:.1f} ms")
    if args.no_pg:
        figures.write(args.json, out)
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.pg, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            url = f"{args.pg}?options=-csearch_path%3D{schema}"
            floor = raw_copy(url, changes, size)
            pushed, replayed, pulled, caught_up = push_all(url, changes, size)
            rate = n / pushed
            out.update(pg_raw_copy_s=floor, pg_raw_copy_rows_per_s=n / floor, pg_push_s=pushed,
                       pg_records_per_s=rate, pg_ratio=pushed / floor)
            print(f"PostgreSQL: raw COPY {floor:.2f} s ({n / floor:,.0f} rows/s); push "
                  f"{pushed:.2f} s = {rate:,.0f} records/s = {pushed / floor:.2f}x raw COPY "
                  f"(target >= 50,000 records/s) {'OK' if rate >= 50_000 else 'MISSED'}")
            print(f"  replay (all duplicates) {replayed:.2f} s; pull all {pulled:.2f} s; "
                  f"catch-up + first tally {caught_up:.2f} s; "
                  f"next tally {tally_read(url) * 1000:.1f} ms")
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
    figures.write(args.json, out)


if __name__ == "__main__":
    main()
