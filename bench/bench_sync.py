"""Push benchmarks for the central stores (DESIGN.md §7).

- central SQLite: pushing N records through `CentralStore.push` in batches, as a ratio
  against a raw `executemany` of the same rows (same JSON encoding, same batches, same
  pragmas) in the same run. Target ≤ 2×.
- PostgreSQL: `CentralStore.push` against a raw COPY of the same rows into a table of the
  change log's shape, batch by batch, interleaved (issue 12: ≤ 1.25×; DESIGN: ≥ 50k
  records/s), at N records and at `--pg-big` records (e.g. 1000000).
- Also reported: replaying the same batches (all duplicates), pulling everything, and
  catching the district figures up (`materialize`) followed by a central tally read.

    python bench/bench_sync.py [--records 100000] [--batch 1000] [--pg URL] [--no-pg]
                               [--pg-big 1000000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import figures

from tui_app.domain.ids import new_id, utc_now
from tui_app.sync.central import initialise, open_central
from tui_app.sync.protocol import Change, encode

INSPECTOR, DEVICE = "3201001", "bench-device"
ACTIONS = ("food", "drug", "equipment", "product", "fraud", "price", "epidemic")


def make_changes(n: int, inspector: str = INSPECTOR, device: str = DEVICE) -> list[Change]:
    """N new inspections shaped like the ones the app stores, made by `inspector`."""
    now = utc_now()
    changes = []
    for i in range(n):
        rid = new_id()
        body = {
            "id": rid, "rev": 1, "created_at": now, "updated_at": now, "inspector_id": inspector,
            "device_id": device, "voided": False, "void_reason": None, "warnings": [],
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


CHANGE_COLUMNS = "change_id, kind, record_id, rev, pushed_by, device_id, body, received_at"


def _copy_rows(conn, table: str, batch: list[Change]) -> None:  # noqa: ANN001 - a psycopg connection
    """One raw binary COPY of a batch in its own transaction: no lookup, no decision."""
    now = utc_now()
    with conn.transaction(), conn.cursor() as cur, cur.copy(
            f"COPY {table} ({CHANGE_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["text", "text", "text", "int4", "text", "text", "text", "text"])
        for c in batch:
            copy.write_row((c.change_id, c.kind, c.record_id, c.rev, INSPECTOR, DEVICE,
                            c.body_json(), now))


def raw_copy(url: str, changes: list[Change], size: int) -> float:
    """Seconds for a raw COPY of `changes`, `size` rows a transaction, into a table like
    `change`: the in-run anchor for a push through any path (bench_service.py uses it)."""
    import psycopg

    initialise(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE raw_anchor (LIKE change INCLUDING ALL)")
        try:
            began = time.perf_counter()
            for batch in batches(changes, size):
                _copy_rows(conn, "raw_anchor", batch)
            return time.perf_counter() - began
        finally:
            conn.execute("DROP TABLE raw_anchor")


def pg_push_vs_copy(url: str, n: int, size: int,
                    changes: list[Change] | None = None) -> dict[str, float]:
    """`CentralStore.push` against a raw COPY of the same rows, batch by batch, interleaved.

    Each batch is first COPYed raw into a table made `LIKE change INCLUDING ALL` (the same
    columns, keys, indexes and defaults: what any write of these rows must maintain) and
    into a bare table keyed by change id, then pushed. Interleaving puts the three under
    the same load on a shared machine; batches are made as they go (or taken from
    `changes`), so a million rows never sit in memory at once."""
    import psycopg

    initialise(url)
    store = open_central(url, catch_up_on_push=False)  # the push alone; catch-up is timed apart
    spent = {"copy_same": 0.0, "copy_bare": 0.0, "push": 0.0}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE raw_same (LIKE change INCLUDING ALL)")
        conn.execute("CREATE TABLE raw_bare (change_id TEXT PRIMARY KEY, kind TEXT, record_id TEXT,"
                     " rev INTEGER, pushed_by TEXT, device_id TEXT, body TEXT, received_at TEXT)")
        try:
            for start in range(0, n, size):
                batch = (changes[start:start + size] if changes is not None
                         else make_changes(min(size, n - start)))
                for name, write in (("copy_same", lambda b: _copy_rows(conn, "raw_same", b)),
                                    ("copy_bare", lambda b: _copy_rows(conn, "raw_bare", b)),
                                    ("push", lambda b: store.push(INSPECTOR, DEVICE, b))):
                    began = time.perf_counter()
                    write(batch)
                    spent[name] += time.perf_counter() - began
        finally:
            store.close()
            conn.execute("DROP TABLE raw_same, raw_bare")
    return spent


def push_all(url: str, changes: list[Change], size: int) -> float:
    """Seconds to push every batch into a fresh central store."""
    initialise(url)
    store = open_central(url, catch_up_on_push=False)  # the push alone; catch-up is timed apart
    try:
        start = time.perf_counter()
        for batch in batches(changes, size):
            results = store.push(INSPECTOR, DEVICE, batch)
            assert all(r.status == "applied" for r in results)
        return time.perf_counter() - start
    finally:
        store.close()


def after_push(url: str, changes: list[Change], size: int) -> tuple[float, float, float]:
    """Seconds to replay every batch (all duplicates), to pull everything, to catch up + tally."""
    store = open_central(url, catch_up_on_push=False)
    try:
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
    return replayed, pulled, caught_up


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
    parser.add_argument("--pg-big", type=int, metavar="N",
                        help="also push N records into PostgreSQL, made batch by batch (figures "
                             "named pgbig_…), e.g. 1000000")
    figures.add_option(parser)
    args = parser.parse_args()
    n, size = args.records, args.batch
    changes = make_changes(n)
    print(f"{n} records, batches of {size}")
    out: dict[str, float] = {"records": n, "batch": size}
    with tempfile.TemporaryDirectory() as folder:
        raw = raw_executemany(Path(folder) / "raw.db", changes, size)
        url = f"sqlite:///{Path(folder) / 'central.db'}"
        pushed = push_all(url, changes, size)
        replayed, pulled, caught_up = after_push(url, changes, size)
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
    out.update(pg_bench(args.pg, n, size, changes))
    if args.pg_big:
        out.update(pg_bench(args.pg, args.pg_big, size, None))
    figures.write(args.json, out)


def pg_bench(base: str, n: int, size: int, changes: list[Change] | None) -> dict[str, float]:
    """PostgreSQL at `n` records in a scratch schema: push against raw COPY (figures named
    `pg_…` for the DESIGN size, `pgbig_…` for --pg-big), and, when `changes` are kept
    (the DESIGN size), replay, pull and catch-up."""
    prefix = "pg" if changes is not None else "pgbig"
    with figures.scratch_schema(base) as url:
        spent = pg_push_vs_copy(url, n, size, changes)
        push, same, bare = spent["push"], spent["copy_same"], spent["copy_bare"]
        ratio = push / same
        print(f"PostgreSQL, {n:,} records: raw COPY {same:.2f} s into a table like `change` "
              f"({bare:.2f} s into a bare one); push {push:.2f} s = {n / push:,.0f} records/s "
              f"= {ratio:.2f}x raw COPY (target <= 1.25x) {'OK' if ratio <= 1.25 else 'MISSED'}")
        out = {f"{prefix}_records": n, f"{prefix}_raw_copy_s": same,
               f"{prefix}_raw_copy_rows_per_s": n / same, f"{prefix}_raw_copy_bare_s": bare,
               f"{prefix}_push_s": push, f"{prefix}_records_per_s": n / push,
               f"{prefix}_ratio": ratio, f"{prefix}_ratio_bare": push / bare}
        if changes is not None:
            replayed, pulled, caught_up = after_push(url, changes, size)
            print(f"  replay (all duplicates) {replayed:.2f} s; pull all {pulled:.2f} s; "
                  f"catch-up + first tally {caught_up:.2f} s; "
                  f"next tally {tally_read(url) * 1000:.1f} ms")
        return out


if __name__ == "__main__":
    main()
