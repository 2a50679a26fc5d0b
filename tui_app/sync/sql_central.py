"""What both SQL central stores do alike, written once (`SqliteCentral`, `PgCentral`).

The two engines hold the same tables and answer by the same rules; what differs is how
SQL is spelled and how a unit of work is opened. A store subclasses `SqlCentral` and
supplies its dialect in a few hooks:

- `mark`: the placeholder (`?` or `%s`);
- `_reading()` / `_writing(lock)`: a handle for one unit of work, a sqlite3 connection
  or a psycopg cursor (both `execute(sql, args)` → rows and `executemany`), in a write
  transaction for `_writing` (PostgreSQL also takes the advisory lock `lock`);
- `_rows_in(cur, sql, ids)`: the rows of a statement whose `{ids}` is "this column is one
  of `ids`" (SQLite: `IN (?, …)` lists of bounded length; PostgreSQL: one array);
- `_versions()`: the migrations the store records (empty when it has none);
- `_reads(statements)`: the rows of several independent reads (PostgreSQL pipelines them
  with their BEGIN and COMMIT in one round trip; SQLite runs them one after another);
- `_log(cur, changes, …)` appends decided changes to the log (SQLite: executemany;
  PostgreSQL: binary COPY), `_current(cur, ids)` reads records' newest revisions;
- the log's order: a position is `positions` numbers (SQLite `(seq,)`, PostgreSQL
  `(xid, seq)`); `_after(cur, position, limit)` reads the changes after one, `head_sql`
  the newest, `_hidden(cur, position)` says whether committed changes after it are still
  hidden (PostgreSQL's horizon; waited for up to `horizon_wait_s`). A pull cursor is
  `epoch:position` and the materialised watermark is the position, numbers joined by `:`.

What is the engine's alone stays in its module: SQLite's file and its locking, blobs as
files; PostgreSQL's advisory locks, the push under the shared lock, COPY, the pull's
horizon, blobs as rows, SQLSTATE messages.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from tui_app.domain.ids import utc_now
from tui_app.domain.tally import Aggregate
from tui_app.errors import FieldLogError
from tui_app.store import merges, migrate
from tui_app.store.records import apply_facts, apply_marks
from tui_app.sync import materialize as mat
from tui_app.sync.blobs import IncomingHashes
from tui_app.sync.central import (
    Decision,
    Published,
    by_identity,
    plan_merge,
    plan_registry,
    split_cursor,
    with_current,
)
from tui_app.sync.crash import crash_point
from tui_app.sync.protocol import PACK_KIND, CentralConflict, Change, PullPage, PushResult
from tui_app.sync.snapshot import SNAPSHOT_COLUMNS, SnapshotInfo

Conn = Any  # a sqlite3 connection or a psycopg cursor: execute() → rows, executemany()
Position = tuple[int, ...]  # where a change sits in the log's order
KEPT_SNAPSHOTS = 2  # the newest first-pull snapshot and the one before it
# A change's columns in the log; `_after` reads its position's numbers before them.
LOG_COLUMNS = "change_id, kind, record_id, rev, body"
_CURRENT_UPSERT = (
    "INSERT INTO current (record_id, kind, rev, campaign, action, day, sort_key, voided,"
    " entity_id, body) VALUES ({marks}) ON CONFLICT (record_id) DO UPDATE SET"
    " kind = excluded.kind, rev = excluded.rev, campaign = excluded.campaign,"
    " action = excluded.action, day = excluded.day, sort_key = excluded.sort_key,"
    " voided = excluded.voided, entity_id = excluded.entity_id, body = excluded.body")


_PACK_SQL = ("SELECT body FROM change WHERE kind = {p} AND record_id = {p}"
             " ORDER BY rev DESC LIMIT 1")


def _pack_text(rows: Sequence[tuple[Any, ...]]) -> str | None:
    """The TOML of a pack change's body (the first of `rows`), if any."""
    return json.loads(rows[0][0])["source"] if rows else None


def _head_of(rows: Sequence[Sequence[Any]]) -> Position | None:
    """The position in the rows of `head_sql` (None for an empty log)."""
    return tuple(int(p) for p in rows[0]) if rows else None


def _position(row: Sequence[Any]) -> Position:
    return tuple(int(p) for p in row[:-5])


def _text(position: Position) -> str:
    return ":".join(str(p) for p in position)


def _changes(rows: Sequence[Sequence[Any]]) -> list[Change]:
    return [Change(cid, kind, rid, rev, json.loads(body), raw=body)
            for *_where, cid, kind, rid, rev, body in rows]


class SqlCentral(ABC):
    """The shared skeleton of a central store in SQL; subclasses supply the dialect."""

    mark: str  # the placeholder of the engine's driver
    positions: int  # how many numbers a position in the log has
    head_sql: str  # the newest position's numbers in the log (no row when it is empty)
    horizon_wait_s = 0.0  # how long a read waits for committed changes still hidden
    engine: str  # its central migrations are in migrations/central/<engine>/
    conn: Any  # the engine's connection

    def __init__(self, url: str, *, catch_up_on_push: bool) -> None:
        self.url = url
        self.shown_url = url  # the URL as messages show it (PostgreSQL hides the password)
        self.catch_up_on_push = catch_up_on_push
        self._incoming = IncomingHashes()

    # ------------------------------------------------------------------ dialect hooks

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Conn]:
        """A handle for one read-only unit of work."""

    @abstractmethod
    def _writing(self, lock: str | None = None) -> AbstractContextManager[Conn]:
        """A handle for one write transaction (PostgreSQL also takes the advisory lock `lock`)."""

    @abstractmethod
    def _rows_in(self, cur: Conn, statement: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The rows of `statement`, whose `{ids}` stands for "this column is one of `ids`"."""

    @abstractmethod
    def _versions(self) -> set[int]:
        """The migrations the store records (empty when it has none)."""

    @abstractmethod
    def _log(self, cur: Conn, changes: Sequence[Change], inspector_id: str, device_id: str,
             now: str) -> None:
        """Append decided changes to the log (SQLite: executemany; PostgreSQL: binary COPY)."""

    @abstractmethod
    def _current(self, cur: Conn, record_ids: Sequence[str]) -> dict[str, Change]:
        """The records' newest revisions, by record id."""

    @abstractmethod
    def _after(self, cur: Conn, position: Position, limit: int) -> list[tuple[Any, ...]]:
        """Up to `limit` log rows after `position`, in the log's order."""

    def _head(self, cur: Conn) -> Position | None:
        """The newest position in the log (None when it is empty)."""
        return _head_of(cur.execute(self.head_sql).fetchall())

    def _hidden(self, cur: Conn, position: Position) -> bool:
        """Are there committed changes after `position` that reads cannot see yet? Never
        on SQLite: one writer at a time, so a change is seen once committed."""
        return False

    def _reads(self, statements: Sequence[mat.Statement]) -> list[list[tuple[Any, ...]]]:
        """The rows of each of several independent reads, in order. On SQLite a statement
        costs no round trip: they simply run one after another."""
        with self._reading() as cur:
            return [cur.execute(sql, args).fetchall() for sql, args in statements]

    # ------------------------------------------------------------------ schema

    @classmethod
    def migrations(cls) -> Path:
        """The folder of the engine's central migrations."""
        return migrate.migrations_root() / "central" / cls.engine

    def _check_schema(self) -> None:
        """Refuse a store whose schema this program does not know exactly."""
        done = self._versions()
        known = {version for version, _ in migrate.available(self.migrations())}
        if not done:
            raise FieldLogError("sync.central_not_initialised", url=self.shown_url)
        if done - known:
            raise FieldLogError("sync.central_newer", url=self.shown_url)
        if known - done:
            raise FieldLogError("sync.central_old", url=self.shown_url)

    def epoch(self) -> str:
        with self._reading() as cur:
            return cur.execute("SELECT v FROM meta WHERE k = 'epoch'").fetchone()[0]

    def renew_epoch(self) -> str:
        import uuid

        with self._writing("push") as cur:
            cur.execute(f"UPDATE meta SET v = {self.mark} WHERE k = 'epoch'", (uuid.uuid4().hex,))
        return self.epoch()

    def sql_steps(self, steps: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Several statements in one write transaction (tokens, owners: `sync/tokens.py`)."""
        with self._writing() as cur:
            for statement, args in steps:
                cur.execute(statement, args)

    # ------------------------------------------------------------------ push: the shared ends

    def _stale_current(self, cur: Conn, changes: Sequence[Change],
                       decision: Decision) -> dict[str, Change]:
        """The central revision of each record a change of the batch lost on (read inside
        the push's transaction: what the stale answers carry)."""
        stale = {r.change_id for r in decision.results if r.status == "stale"}
        return self._current(cur, sorted({c.record_id for c in changes if c.change_id in stale}))

    def _answer(self, decision: Decision, changes: Sequence[Change], current: dict[str, Change],
                settle: Callable[[], object] | None = None) -> list[PushResult]:
        """The answers of a committed push, once the district figures have caught up with
        it (unless `catch_up_on_push` is off: the HTTP service catches up after answering);
        `settle` first waits until a catch-up can see the push (PostgreSQL's horizon)."""
        crash_point("after_central_commit")
        if self.catch_up_on_push and decision.applied:
            crash_point("before_catch_up")
            if settle is not None:
                settle()
            self.materialize()
        return with_current(decision.results, changes, current)

    # ------------------------------------------------------------------ the bureau's writes

    def publish_entities(self, rows: Sequence[dict[str, Any]], inspector_id: str,
                         device_id: str) -> Published:
        """Write the bureau's registry (validated entity rows) straight into the log, in
        one transaction under the push lock (`central.plan_registry`); every laptop gets
        it on its next pull. Bureau-only: a laptop's own entities travel by push."""
        now = utc_now()
        with self._writing("push") as cur:
            by_id = by_identity(rows)
            published = plan_registry(by_id, self._current(cur, sorted(by_id)), inspector_id,
                                      device_id, now)
            if published.changes:
                self._log(cur, published.changes, inspector_id, device_id, now)
        return published

    def merge_entities(self, loser: str, survivor: str, reason: str, inspector_id: str,
                       device_id: str) -> Change:
        """Merge two central entities (ids) as the bureau: the loser's merge revision
        goes into the log (`central.plan_merge`); materialising it moves the loser's
        tally facts to the survivor, here and on every laptop that pulls it."""
        now = utc_now()
        with self._writing("push") as cur:
            heads = self._current(cur, [loser, survivor])
            change = plan_merge(heads.get(loser), heads.get(survivor), reason, inspector_id,
                                device_id, now)
            self._log(cur, [change], inspector_id, device_id, now)
        return change

    # ------------------------------------------------------------------ pull

    def pull(self, cursor: str | None, limit: int = 1000) -> PullPage:
        """Committed changes after `cursor` in log order, never skipping a late one (a
        cursor past the end means a restore: from the start).

        Committed changes the engine still hides (`_hidden`) are waited for a moment, so
        one sync gets what is already committed; hidden for longer, they come with the
        next sync."""
        start = (0,) * self.positions
        deadline = time.monotonic() + self.horizon_wait_s
        while True:
            with self._reading() as cur:
                epoch = cur.execute("SELECT v FROM meta WHERE k = 'epoch'").fetchone()[0]
                after = tuple(split_cursor(cursor, epoch, self.positions) or start)
                if after > (self._head(cur) or start):
                    after = start  # the cursor is past the end: a restored store
                rows = self._after(cur, after, limit + 1)
                held_back = len(rows) <= limit and self._hidden(
                    cur, _position(rows[-1]) if rows else after)
            if not held_back or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        more = len(rows) > limit
        rows = rows[:limit]
        last = _position(rows[-1]) if rows else after
        return PullPage(_changes(rows), f"{epoch}:{_text(last)}", more, epoch)

    def log_head(self) -> str:
        with self._reading() as cur:
            head = self._head(cur)
        return _text(head) if head else ""

    # ------------------------------------------------------------------ district figures

    def materialize(self, chunk: int = 5000) -> int:
        """Catch current rows and tally facts up with the log; return changes read.

        Campaigns counted with another pack than the one in force are recounted first.
        Each chunk of the log goes in with its watermark in one write transaction. As a
        pull does, it waits a moment for committed changes still hidden, so a read right
        after a sync counts what that sync was told is stored. A read that finds nothing
        to do (`_caught_up`, the usual case after a sync) takes no lock and writes nothing."""
        if self._caught_up():
            return 0
        total = 0
        deadline = time.monotonic() + self.horizon_wait_s
        with self._writing("materialize") as cur:
            counted = cur.execute(f"SELECT k, v FROM meta WHERE k LIKE {self.mark}",
                                  (mat.COUNTED + "%",)).fetchall()
            for campaign in mat.stale_campaigns(counted, lambda c: self._pack_in(cur, c)):
                self._recount(cur, campaign)
        while True:
            with self._writing("materialize") as cur:
                mark = cur.execute("SELECT v FROM meta WHERE k = 'materialized'").fetchone()[0]
                after = tuple(int(p) for p in str(mark).split(":"))
                rows = self._after(cur, after, chunk)
                if rows:
                    self._apply_plan(cur, _changes(rows))
                    cur.execute(f"UPDATE meta SET v = {self.mark} WHERE k = 'materialized'",
                                (_text(_position(rows[-1])),))
                    total += len(rows)
                    continue
                if not self._hidden(cur, after) or time.monotonic() >= deadline:
                    return total
            time.sleep(0.05)

    def _caught_up(self) -> bool:
        """Nothing to catch up: no campaign counted with another pack than the one in
        force, and no change in the log after the watermark (a committed change the
        engine still hides is after it too, and `materialize` then waits for it as
        before). Read with no lock: a district read beside a sync's catch-up does not
        queue behind it, and on PostgreSQL it costs two round trips (`_reads`) where
        taking the lock twice and looking cost eleven."""
        counted, mark, head = self._reads([
            (f"SELECT k, v FROM meta WHERE k LIKE {self.mark}", (mat.COUNTED + "%",)),
            ("SELECT v FROM meta WHERE k = 'materialized'", ()), (self.head_sql, ())])
        newest = _head_of(head)
        if newest is not None and newest > tuple(int(p) for p in str(mark[0][0]).split(":")):
            return False
        campaigns = [key.removeprefix(mat.COUNTED) for key, _ in counted]
        sources = dict(zip(campaigns, self._pack_sources(campaigns), strict=True))
        return not mat.stale_campaigns(counted, sources.get)

    def _apply_plan(self, cur: Conn, changes: list[Change]) -> None:
        """One chunk of the log into current rows, facts, marks and merges."""
        m = self.mark
        packs = mat.PackCache(lambda campaign: self._pack_in(cur, campaign))
        ids = sorted({c.record_id for c in changes if c.kind != PACK_KIND})
        old = {rid: (kind, json.loads(body)) for rid, kind, body in self._rows_in(
            cur, "SELECT record_id, kind, body FROM current WHERE record_id {ids}", ids)}
        plan = mat.plan(changes, old, packs,
                        merges.survivors(cur, mat.referenced_entities(changes, old), m))
        if plan.current:
            cur.executemany(_CURRENT_UPSERT.format(marks=", ".join([m] * 10)),
                            list(plan.current.values()))
        apply_facts(cur, plan.facts, m)
        apply_marks(cur, plan.gone, plan.added, m)
        merges.apply(cur, plan.merges, m)
        for campaign in plan.renewed_packs:
            self._recount(cur, campaign)
        fresh = sorted(plan.campaigns - plan.renewed_packs)
        if fresh:
            cur.executemany(f"INSERT INTO meta (k, v) VALUES ({m}, {m}) ON CONFLICT (k) DO NOTHING",
                            [(mat.COUNTED + c, mat.pack_hash(self._in_force(cur, c)))
                             for c in fresh])

    def _in_force(self, cur: Conn, campaign: str) -> str | None:
        return mat.source_in_force(lambda c: self._pack_in(cur, c), campaign)

    def _recount(self, cur: Conn, campaign: str) -> None:
        """A campaign's facts and marks afresh from its current rows (its pack changed)."""
        m = self.mark
        for table in ("tally_fact", "tally_key", "tally_latest", "tally_latest_key"):
            cur.execute(f"DELETE FROM {table} WHERE campaign = {m}", (campaign,))
        packs = mat.PackCache(lambda c: self._pack_in(cur, c))
        packs.get(campaign)  # read before the rows stream: every row is of this campaign
        survivors = merges.all_survivors(cur)
        rows = cur.execute(f"SELECT kind, body FROM current WHERE campaign = {m}", (campaign,))
        facts, marks = mat.recount(packs, campaign, rows, survivors)
        apply_facts(cur, facts, m)
        apply_marks(cur, [], marks, m)
        cur.execute(f"INSERT INTO meta (k, v) VALUES ({m}, {m}) ON CONFLICT (k) DO UPDATE"
                    " SET v = excluded.v", (mat.COUNTED + campaign,
                                            mat.pack_hash(self._in_force(cur, campaign))))

    # ------------------------------------------------------------------ the read model

    def pack_source(self, campaign_id: str) -> str | None:
        return self._pack_sources([campaign_id])[0]

    def _pack_sources(self, campaign_ids: Sequence[str]) -> list[str | None]:
        """The TOML of each campaign's newest pack in the log (None where none was pushed),
        read as one batch (none for no campaigns: not even a round trip)."""
        if not campaign_ids:
            return []
        return [_pack_text(rows) for rows in self._reads(
            [(_PACK_SQL.format(p=self.mark), (PACK_KIND, c)) for c in campaign_ids])]

    def _pack_in(self, cur: Conn, campaign_id: str) -> str | None:
        """The TOML of the newest version of a campaign's pack in the log, if any."""
        return _pack_text(cur.execute(_PACK_SQL.format(p=self.mark),
                                      (PACK_KIND, campaign_id)).fetchall())

    def aggregate(self, campaign: str, day_from: str, day_to: str, summed: Sequence[str],
                  distinct: Sequence[str], latest: Sequence[str] = ()) -> dict[str, Aggregate]:
        return mat.aggregate(self._reads, self.mark, campaign, day_from, day_to, summed,
                             distinct, latest)

    def page(self, query: Any) -> list[dict[str, Any]]:
        where, params = mat.list_where(query, self.mark)
        direction = "" if query.kind == "entity" else " DESC"
        with self._reading() as cur:
            rows = cur.execute(f"SELECT body FROM current WHERE {where} ORDER BY"
                               f" sort_key{direction}, record_id{direction}"
                               f" LIMIT {self.mark} OFFSET {self.mark}",
                               [*params, query.limit, query.offset]).fetchall()
            bodies = [json.loads(r[0]) for r in rows]
            refs = sorted({b.get("entity_id") for b in bodies} - {None})
            names = {rid: json.loads(body).get("name") for rid, body in self._rows_in(
                cur, "SELECT record_id, body FROM current WHERE record_id {ids}", refs)}
        for body in bodies:
            body["entity_name"] = names.get(body.get("entity_id"))
        return bodies

    def count(self, query: Any) -> int:
        where, params = mat.list_where(query, self.mark)
        with self._reading() as cur:
            return cur.execute(f"SELECT COUNT(*) FROM current WHERE {where}", params).fetchone()[0]

    def conflicts(self, limit: int = 1000) -> list[CentralConflict]:
        with self._reading() as cur:
            rows = cur.execute("SELECT change_id, kind, record_id, rev, kept_change_id, pushed_by,"
                               " device_id, received_at, body FROM conflict"
                               f" ORDER BY received_at DESC LIMIT {self.mark}", (limit,)).fetchall()
        return [CentralConflict(*r[:8], json.loads(r[8])) for r in rows]

    # ------------------------------------------------------------------ 文号 blocks

    def reserve_numbers(self, series: str, year: int, count: int, inspector_id: str,
                        device_id: str, after: int = 0) -> tuple[int, int]:
        """A block of `count` numbers of `series` in `year` that no one else is given:
        after every block handed out here, and after `after` (the laptop's highest, in
        case this store was restored from an older copy)."""
        count = max(1, min(int(count), 1000))
        p = self.mark
        with self._writing("doc_block") as cur:
            top = cur.execute(f"SELECT COALESCE(MAX(last), 0) FROM doc_block WHERE series = {p}"
                              f" AND year = {p}", (series, year)).fetchone()[0]
            first = max(int(top), int(after)) + 1
            cur.execute("INSERT INTO doc_block (series, year, first, last, inspector_id,"
                        f" device_id, issued_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})",
                        (series, year, first, first + count - 1, inspector_id, device_id,
                         utc_now()))
        return first, first + count - 1

    # ------------------------------------------------------------------ first-pull snapshots

    def latest_snapshot(self) -> SnapshotInfo | None:
        """The newest first-pull snapshot recorded here (`services/snapshot.py`), if any."""
        found = self.snapshots()
        return found[0] if found else None

    def snapshots(self) -> list[SnapshotInfo]:
        """Every snapshot recorded here, newest first (at most KEPT_SNAPSHOTS). A row that
        cannot be read is none: it must stop no sync, nor the service's blob reads."""
        with self._reading() as cur:
            rows = cur.execute(f"SELECT {SNAPSHOT_COLUMNS} FROM snapshot"
                               " ORDER BY built_at DESC").fetchall()
        found = []
        for row in rows:
            try:
                found.append(SnapshotInfo.of_row(row))
            except FieldLogError:
                continue
        return found

    def record_snapshot(self, info: SnapshotInfo) -> None:
        """Record a built snapshot, whose blobs are held. Laptops take the newest; the one
        before it stays (with its blobs) for a laptop still downloading it, and older
        ones go, their blobs too (a part no kept snapshot names)."""
        with self._writing() as cur:
            cur.execute(f"INSERT INTO snapshot ({SNAPSHOT_COLUMNS}) VALUES"
                        f" ({', '.join([self.mark] * 7)}) ON CONFLICT (sha256) DO UPDATE"
                        " SET built_at = excluded.built_at", info.row())
        found = self.snapshots()
        kept, gone = found[:KEPT_SNAPSHOTS], found[KEPT_SNAPSHOTS:]
        if not gone:
            return
        with self._writing() as cur:
            for old in gone:
                cur.execute(f"DELETE FROM snapshot WHERE sha256 = {self.mark}", (old.sha256,))
        named = {sha for snapshot in kept for sha, _size in snapshot.parts}
        self.drop_blobs(sorted({sha for old in gone for sha, _ in old.parts} - named))

    # ------------------------------------------------------------------ blobs (sync/blobs.py)

    @abstractmethod
    def held_blobs(self, hashes: Sequence[str]) -> dict[str, int]:
        """Of `hashes`, those held whole here, with their sizes."""

    @abstractmethod
    def drop_blobs(self, hashes: Sequence[str]) -> None:
        """Forget the blobs `hashes` (a replaced snapshot's parts; never an attachment)."""

    def missing_blobs(self, hashes: Sequence[str]) -> list[str]:
        """Of `hashes`, those not held whole here."""
        held = self.held_blobs(hashes)
        return [h for h in hashes if h not in held]

    def _check_held(self, sha256: str) -> None:
        """Refuse to read a blob not held whole here."""
        if self.missing_blobs([sha256]):
            raise FieldLogError("sync.blob_missing", sha=sha256[:12])

    def close(self) -> None:
        self.conn.close()
