"""The central store in PostgreSQL (psycopg 3).

A push is decided and written under a transaction-level advisory lock per schema. A batch
whose every change simply goes in (new records, next revisions, resends: the normal
case) is written under the lock's SHARED mode, side by side with other such pushes: what
it decided cannot be overturned by another, except by writing the same key, which the
log's keys (`change_id`, `(record_id, rev)`: a record's owner is its first revision's
pusher, `central.from_log`) refuse; then, or when the batch holds anything else (a
conflict, a pack, a contended revision), it is decided again under the EXCLUSIVE lock,
which no other push holds meanwhile. The bureau's writes take the exclusive lock too.
The batch goes in by COPY, the fast path (research/sync_perf.md §2).

A batch of first revisions of new records (the evening's common push) is not looked up
in the log at all: the log's own keys answer the lookup (`PgCentral._push_new`).

The pull cursor is (xid, seq), read only below the oldest transaction still running
(`pg_snapshot_xmin`): a plain sequence can commit out of order, and a reader that
passed seq 7 while seq 6 was still uncommitted would skip 6 for ever.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

import psycopg

from tui_app.domain.ids import utc_now
from tui_app.errors import FieldLogError
from tui_app.store import migrate
from tui_app.sync.blobs import MAX_BLOB, check_sha
from tui_app.sync.central import Decision, Known, contended, decide, from_log
from tui_app.sync.protocol import BUREAU, PACK_KIND, Change, PushResult
from tui_app.sync.sql_central import LOG_COLUMNS, SqlCentral
from tui_app.sync.templates import missing_templates

_VISIBLE = "xid < pg_snapshot_xmin(pg_current_snapshot())"
HORIZON_WAIT_S = 3.0  # how long a pull waits for committed changes hidden by the horizon
_SEP = "\x1f"  # unit separator: never inside an id
_SPLIT = "string_to_array(%s, chr(31))"
_LOCK = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || %s))"
_SHARED_LOCK = "SELECT pg_advisory_xact_lock_shared(hashtext(current_schema() || %s))"
# A push reads by key only, in short statements: its transaction's settings (`_push_txn`).
_BY_KEY = "".join(f", set_config('{name}', 'off', true)"
                  for name in ("enable_seqscan", "enable_bitmapscan", "jit"))
# Column types of the COPYs, in binary format: the server stores the values without
# parsing text (research/sync_perf.md §2: binary COPY is the fastest way in).
_CHANGE_TYPES = ("text", "text", "text", "int4", "text", "text", "text", "text")
_CONFLICT_TYPES = ("text", "text", "text", "int4", "text", "text", "text", "text", "text", "text")


def _joined(ids: Iterable[str]) -> str:
    return _SEP.join(ids)


def _probe(select: str) -> str:
    """`LATERAL (SELECT …)` that the planner cannot flatten into a join (`OFFSET 0`), so it
    runs once per row before it, as one key probe: a join of the batch's ids with the log
    was planned the other way round (the whole log, each row against every id) while the
    log's statistics still said it was small, 12 ms a lookup instead of 1."""
    return f"LATERAL (SELECT {select} OFFSET 0)"


class _LoggedElsewhere(Exception):
    """A pushed change id is in the log under another record: decide again, by change id."""


# The lookup's rows for the batch's change ids kept aside (`conflict`), every id: a change
# id kept aside is stale whatever record and rev it claims when sent again (as the SQLite
# file answers). One index scan for the id array, passed through a sub-select so the
# planner does not weigh its 1,000 elements, and none when nothing was ever kept aside:
# 0.07 ms of server time with the table empty, 0.33 with 100 conflicts, 0.50 with 10,000,
# against 0.41 / 0.49 / 0.67 ms probing id by id (`_probe`; README, issue 12).
_LOST_ROWS = ("SELECT 'lost', change_id, kept_change_id, NULL, NULL, NULL FROM conflict"
              f" WHERE change_id = ANY(CAST((SELECT {_SPLIT}) AS text[]))"
              " AND EXISTS (SELECT 1 FROM conflict)")
# What a batch of new records is checked for before its COPY (`_push_new`): its change ids
# kept aside, and whether its first or last change id is logged. A replay (a laptop that
# sends its batch again, having missed the answer) is thus looked up at once instead of
# sending the whole COPY to see it fail: the replay of 100k changes took 1.36 s that way,
# against 1.01 s for their first push.
_NEW_CHECK = (f"{_LOST_ROWS} UNION ALL SELECT 'logged', change_id, NULL, NULL, NULL, NULL"
              f" FROM change WHERE change_id = ANY(CAST((SELECT {_SPLIT}) AS text[]))")


def _all_new(changes: Sequence[Change]) -> bool:
    """Is every change a first revision (rev 1, no base) of a record, not a pack (whose rev
    the store assigns)? Then the log's keys can stand for its lookup (`_push_new`)."""
    return bool(changes) and all(c.rev == 1 and c.base is None and c.kind != PACK_KIND
                                 for c in changes)


class _Contended(Exception):
    """A push under the shared lock is not plain, or met another push's key: decide it
    again under the exclusive lock (nothing of it was stored)."""


def _plain(decision: Decision) -> bool:
    """Is a decision one no concurrent push can overturn but by a key it would collide
    on? Applied, resent (by change id) or refused changes only: no conflict kept aside,
    no pack (its rev is the store's next). (A batch that contends for a revision held
    centrally, or resends a change kept aside, is never plain: `_push` checks first.)"""
    return (not decision.lost
            and all(c.kind != PACK_KIND for c in decision.applied)
            and all(r.status in ("applied", "rejected")
                    or (r.status == "duplicate" and r.kept_change_id is None)
                    for r in decision.results))


class PgCentral(SqlCentral):
    """A central store in a PostgreSQL database (the schema is the URL's search_path)."""

    mark = "%s"
    engine = "postgres"

    def __init__(self, url: str, *, create: bool = False, catch_up_on_push: bool = True) -> None:
        super().__init__(url, catch_up_on_push=catch_up_on_push)
        self.shown_url = _safe(url)
        self.push_trace: list[str] = []  # the paths the last push took (`push`)
        try:
            # autocommit: every unit of work is an explicit `transaction()` block below
            self.conn = psycopg.connect(url, connect_timeout=10, autocommit=True)
        except psycopg.Error as exc:
            raise FieldLogError("sync.unreachable", url=self.shown_url,
                                detail=_first_line(exc)) from None
        if not create:
            self._check_schema()

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """psycopg's errors as the messages a user reads."""
        try:
            yield
        except psycopg.Error as exc:
            raise _user_error(exc, self.shown_url) from None

    @contextmanager
    def _txn(self, lock: str | None = None) -> Iterator[psycopg.Cursor[Any]]:
        """One transaction; `lock` names an advisory lock held until it ends."""
        with self._errors(), self.conn.transaction(), self.conn.cursor() as cur:
            if lock:
                cur.execute(_LOCK, (lock,))
            yield cur

    def _reading(self) -> AbstractContextManager[psycopg.Cursor[Any]]:
        """A read is a transaction too: its statements see one snapshot."""
        return self._txn()

    def _writing(self, lock: str | None = None) -> AbstractContextManager[psycopg.Cursor[Any]]:
        return self._txn(lock)

    @staticmethod
    def _rows_in(cur: psycopg.Cursor[Any], statement: str,
                 ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The rows of `statement` for `ids`, passed as one array."""
        return cur.execute(statement.format(ids="= ANY(%s)"), (list(ids),)).fetchall()

    @contextmanager
    def _push_txn(self, lookup: str, params: Sequence[Any], *, shared: bool = False,
                  meanwhile: Callable[[], object] | None = None,
                  ) -> Iterator[tuple[psycopg.Cursor[Any], list[tuple[Any, ...]]]]:
        """A push's transaction, opened in ONE round trip: BEGIN, the push lock, sequential
        and bitmap scans and JIT off, and the batch's `lookup` (run after the lock is held, so it sees every
        push committed before), pipelined; yields a cursor and the lookup's rows.

        Sequential scans are off because a push only looks its batch up by key, and on a
        log whose statistics lag its growth (a fresh district loading fast, before
        autovacuum's ANALYZE) the planner read the whole log for the batch's record ids;
        bitmap scans, because with such statistics each id's probe built a bitmap; JIT,
        because such statistics (450 rows an id) put the lookup's estimate past
        `jit_above_cost`, and compiling it took 147 ms for a 1 ms lookup.

        `meanwhile` runs once the statements are sent, while the server works on them."""
        with self._errors(), self.conn.cursor() as cur, self.conn.cursor() as found:
            try:
                with self.conn.pipeline():
                    cur.execute("BEGIN")
                    cur.execute((_SHARED_LOCK if shared else _LOCK) + _BY_KEY, ("push",))
                    # a generic plan cannot see the arrays' size: 5-25x slower at 1M changes
                    found.execute(lookup, params, prepare=False)
                    if meanwhile is not None:
                        meanwhile()
                yield cur, found.fetchall()
            except BaseException:
                if not self.conn.broken:
                    cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def _versions(self) -> set[int]:
        """One statement, one round trip (every open checks the schema): a store with no
        `_migrations` table yet has none. The connection is in autocommit here, so the
        refused statement leaves no transaction to roll back."""
        with self._errors():
            try:
                return {r[0] for r in self.conn.execute("SELECT version FROM _migrations")}
            except psycopg.errors.UndefinedTable:
                return set()

    def _reads(self, statements: Sequence[tuple[str, Sequence[Any]]],
               ) -> list[list[tuple[Any, ...]]]:
        """Independent reads in ONE round trip: BEGIN, the statements, each on its own
        cursor, and COMMIT, pipelined. A district's tallies took ~25 round trips one
        statement after another, each a wake-up of the server's process on a busy machine."""
        with self._errors(), ExitStack() as stack:
            cursors = [stack.enter_context(self.conn.cursor()) for _ in statements]
            try:
                with self.conn.pipeline():
                    self.conn.execute("BEGIN")
                    for cur, (sql, args) in zip(cursors, statements, strict=True):
                        cur.execute(sql, args)
                    self.conn.execute("COMMIT")
            except BaseException:
                if not self.conn.broken:
                    self.conn.execute("ROLLBACK")
                raise
            return [cur.fetchall() for cur in cursors]

    def upgrade(self) -> list[str]:
        """Apply the missing numbered migrations (.sql, or .py steps), each in its own transaction."""
        names = []
        with self._txn("migrate") as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY,"
                        " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        for version, path in migrate.available(self.migrations()):
            with self._txn("migrate") as cur:
                cur.execute("SELECT 1 FROM _migrations WHERE version = %s", (version,))
                if cur.fetchone():
                    continue
                if path.suffix == ".py":
                    migrate.run_python(path, cur)
                else:
                    cur.execute(path.read_text(encoding="utf-8"))
                cur.execute("INSERT INTO _migrations (version, name) VALUES (%s, %s)",
                            (version, path.name))
            names.append(path.name)
        return names

    def sql(self, statement: str, args: Sequence[Any] = (), *,
            write: bool = False) -> list[tuple[Any, ...]]:
        """One statement, a transaction by itself (the connection autocommits: no BEGIN
        and COMMIT round trips around the token check of every request): for the tables
        whose SQL is the same on both engines (tokens, owners; `sync/tokens.py`)."""
        with self._errors(), self.conn.cursor() as cur:
            cur.execute(statement, args)
            return cur.fetchall() if cur.description else []

    # ------------------------------------------------------------------ push

    @staticmethod
    def _lookup(changes: Sequence[Change], *, by_change_id: bool) -> tuple[str, list[str]]:
        """ONE statement for what the log and the conflicts hold about the batch: the
        revisions of its records (with who pushed them: a record's owner is kept in the
        log, `central.from_log`), its change ids kept aside, and the records moved to
        another owner since. The ids travel as one string split server-side: cheaper than
        adapting a list element by element. Each id list is read once as a set (`unnest`),
        with one key probe per id (`_probe`): `= ANY(array)` made the planner weigh the
        array's 1,000 elements one by one and sort them, 0.7 ms of a lookup's 2.5 at a
        100k log.

        A logged change is one of its record's revisions, so the revisions tell which of
        the batch's change ids are logged, and the log's key is probed only when
        `by_change_id`: after a change id logged under another record (a laptop that
        reuses ids) made the COPY fail on that key. That saves a third of the lookups.
        The changes kept aside are probed by change id, all of them (`_LOST_ROWS`); the
        records moved to another owner, for the records found in the log."""
        ids = _joined(c.change_id for c in changes)
        records = _joined({c.record_id for c in changes})
        slot = _probe("change_id, record_id, rev, kind, pushed_by FROM change"
                      " WHERE record_id = r.id")
        moved = _probe("inspector_id, record_id FROM record_owner WHERE record_id = s.record_id")
        logged = _probe("change_id FROM change WHERE change_id = i.id")
        by_id = (" UNION ALL SELECT 'logged', c.change_id, NULL, NULL, NULL, NULL"
                 f" FROM unnest({_SPLIT}) AS i(id), {logged} AS c") if by_change_id else ""
        return (f"WITH slot AS MATERIALIZED (SELECT c.* FROM unnest({_SPLIT}) AS r(id), {slot} AS c),"
                " held AS MATERIALIZED (SELECT DISTINCT record_id FROM slot)"
                " SELECT 'slot', change_id, record_id, rev, kind, pushed_by FROM slot"
                f" UNION ALL {_LOST_ROWS}"
                " UNION ALL SELECT 'moved', o.inspector_id, o.record_id, NULL, NULL, NULL"
                f" FROM held AS s, {moved} AS o"
                f"{by_id}",
                [records, ids, *([ids] if by_change_id else [])])

    @staticmethod
    def _known(cur: psycopg.Cursor[Any], changes: Sequence[Change],
               rows: Iterable[tuple[Any, ...]]) -> Known:
        """`Known` from the lookup's rows, plus the bodies of the changes holding a slot
        that the batch contends for (one more lookup, only when there are any)."""
        known = Known()
        batch = {c.change_id for c in changes}
        slots, moved = [], {}
        for what, change_id, other, rev, kind, pushed_by in rows:
            if what == "slot":
                known.slots[(other, rev)] = change_id
                slots.append((other, rev, kind, pushed_by))
                if change_id in batch:
                    known.logged.add(change_id)
            elif what == "lost":
                known.lost[change_id] = other
            elif what == "moved":
                moved[other] = change_id
            else:
                known.logged.add(change_id)
        from_log(known, slots)
        known.owners.update(moved)
        holders = contended(changes, known)
        if holders:
            cur.execute("SELECT change_id, kind, record_id, rev, body FROM change"
                        f" WHERE change_id = ANY({_SPLIT})", (_joined(holders),), prepare=False)
            known.held.update({cid: Change(cid, kind, rid, rev, json.loads(body), raw=body)
                               for cid, kind, rid, rev, body in cur.fetchall()})
        return known

    def push(self, inspector_id: str, device_id: str, changes: Sequence[Change], *,
             role: str = BUREAU, strict: bool = False) -> list[PushResult]:
        """Decide and store a batch in one transaction; answer per change after COMMIT
        (`SqlCentral._answer`). A batch of new records without a lookup first
        (`_push_new`), then under the shared lock (module docstring), then exclusively.
        `push_trace` names the paths this push took, the last the one that stored it
        (for tests: "new", "shared", "exclusive", "by_change_id")."""
        self.push_trace = []
        blobless = missing_templates(changes, self.held_blobs)  # blobs are never deleted
        if _all_new(changes):
            try:
                return self._push_new(inspector_id, device_id, changes, role, blobless)
            except _Contended:
                pass  # not all applied as new, or the log or the conflicts know some of it
        try:
            return self._push(inspector_id, device_id, changes, role, strict, blobless,
                              by_change_id=False, shared=True)
        except _Contended:
            pass  # not a plain batch, or a key met meanwhile: decided again exclusively
        try:
            return self._push(inspector_id, device_id, changes, role, strict, blobless,
                              by_change_id=False)
        except _LoggedElsewhere:
            return self._push(inspector_id, device_id, changes, role, strict, blobless,
                              by_change_id=True)

    def _push_new(self, inspector_id: str, device_id: str, changes: Sequence[Change],
                  role: str, blobless: set[str]) -> list[PushResult]:
        """Store a batch of first revisions with no lookup of the log, if `decide` applies
        it whole as if the log held none of it (decided while the server takes the lock):
        the log's keys check that instead. The COPY into the log fails on `change_id` if
        a change id is logged (a replay), and on (record_id, rev) if a record is: a
        record's logged revisions start at 1 and run on without a gap (every writer adds
        rev n only on top of n-1), so (record, 1) absent means the record is absent, with
        no owner, kind, holder or move to weigh; then `decide` answers as it did here. A
        concurrent push of the same record (side by side under the shared lock) makes
        this COPY wait on the key until it ends, then fail (or succeed, if it rolled
        back). The changes kept aside are the only thing the keys do not tell: probed by
        change id, pipelined with BEGIN and the lock (`_NEW_CHECK`, with the replay
        check), and written only under the exclusive lock, so they cannot change
        meanwhile. Any of these, or a change `decide` does not apply (a change the log
        holds may be a duplicate, not a refusal), raises `_Contended`: nothing is stored,
        and the batch is looked up. (`strict` is not passed: a batch applied whole has
        nothing to refuse.)"""
        self.push_trace.append("new")
        now = utc_now()
        ids = _joined(c.change_id for c in changes)
        ends = _joined((changes[0].change_id, changes[-1].change_id))
        decided: list[Decision] = []

        def as_new() -> None:
            decided.append(decide(changes, inspector_id, Known(blobless=blobless), role=role))

        with self._push_txn(_NEW_CHECK, [ids, ends], shared=True,
                            meanwhile=as_new) as (cur, known):
            decision = decided[0]
            if known or any(r.status != "applied" for r in decision.results):
                raise _Contended
            try:
                self._log(cur, decision.applied, inspector_id, device_id, now)
            except (_LoggedElsewhere, psycopg.errors.UniqueViolation,
                    psycopg.errors.DeadlockDetected):
                raise _Contended from None
            pushed_in = self._pushed_in(cur, decision)
        return self._answer(decision, changes, {}, lambda: self._await_horizon(pushed_in))

    def _pushed_in(self, cur: psycopg.Cursor[Any], decision: Decision) -> int:
        """The push's transaction id, when a catch-up follows it (and waits for its
        horizon, `_await_horizon`); 0 when none does."""
        if not (self.catch_up_on_push and decision.applied):
            return 0
        cur.execute("SELECT pg_current_xact_id()::text")
        return int(cur.fetchone()[0])

    def _push(self, inspector_id: str, device_id: str, changes: Sequence[Change], role: str,
              strict: bool, blobless: set[str], *, by_change_id: bool,
              shared: bool = False) -> list[PushResult]:
        """The advisory lock makes deciding and writing atomic against other pushes that
        could overturn the decision (module docstring), so the applied changes go straight
        into the log by one binary COPY, and the ones kept aside by one COPY into a stage
        and one INSERT … SELECT. `shared`: only a plain batch, else `_Contended`."""
        self.push_trace.append("shared" if shared else "by_change_id" if by_change_id
                               else "exclusive")
        now = utc_now()
        lookup = self._lookup(changes, by_change_id=by_change_id)
        with self._push_txn(*lookup, shared=shared) as (cur, rows):
            known = self._known(cur, changes, rows)
            known.blobless = blobless
            if shared and (known.held or known.lost):  # decide() adds to both
                raise _Contended
            decision = decide(changes, inspector_id, known, role=role, strict=strict)
            if shared and not _plain(decision):
                raise _Contended
            try:
                self._write(cur, decision, inspector_id, device_id, now)
            except (_LoggedElsewhere, psycopg.errors.UniqueViolation,
                    psycopg.errors.DeadlockDetected):
                if shared:  # another push wrote one of these keys first
                    raise _Contended from None
                raise
            if decision.lost:
                self._keep_aside(cur, decision.lost, inspector_id, device_id, now)
            current = self._stale_current(cur, changes, decision)
            pushed_in = self._pushed_in(cur, decision)
        return self._answer(decision, changes, current, lambda: self._await_horizon(pushed_in))

    def _write(self, cur: psycopg.Cursor[Any], decision: Decision, inspector_id: str,
               device_id: str, now: str) -> None:
        """The applied changes (their records' owners are kept in the log itself)."""
        if decision.applied:
            self._log(cur, decision.applied, inspector_id, device_id, now)

    def _await_horizon(self, xid: int) -> None:
        """Wait (at most HORIZON_WAIT_S) until the changes of transaction `xid` lie below
        the horizon, so the catch-up that follows the push includes them: an older
        transaction still open elsewhere in the cluster would otherwise hide them."""
        deadline = time.monotonic() + HORIZON_WAIT_S
        while time.monotonic() < deadline:
            with self._txn() as cur:
                cur.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
                if int(cur.fetchone()[0]) > xid:
                    return
            time.sleep(0.02)

    @staticmethod
    def _log(cur: psycopg.Cursor[Any], applied: Sequence[Change], inspector_id: str,
             device_id: str, now: str) -> None:
        """The applied changes into the log: one binary COPY."""
        try:
            with cur.copy("COPY change (change_id, kind, record_id, rev, pushed_by, device_id,"
                          " body, received_at) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(_CHANGE_TYPES)
                for c in applied:
                    copy.write_row((c.change_id, c.kind, c.record_id, c.rev, inspector_id,
                                    device_id, c.body_json(), now))
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "change_pkey":
                raise
            raise _LoggedElsewhere from None

    @staticmethod
    def _keep_aside(cur: psycopg.Cursor[Any], lost: Sequence[tuple[Change, str | None]],
                    inspector_id: str, device_id: str, now: str) -> None:
        """The losing changes into `conflict`: staged by COPY, then one set-based INSERT
        (a replayed loser is already there: ON CONFLICT, which COPY cannot do)."""
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS conflict_stage"
                    " (LIKE conflict) ON COMMIT DELETE ROWS")
        with cur.copy("COPY conflict_stage (change_id, kind, record_id, rev, base, kept_change_id,"
                      " pushed_by, device_id, body, received_at) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_CONFLICT_TYPES)
            for c, kept in lost:
                copy.write_row((c.change_id, c.kind, c.record_id, c.rev, c.base, kept,
                                inspector_id, device_id, c.body_json(), now))
        cur.execute("INSERT INTO conflict SELECT * FROM conflict_stage ON CONFLICT DO NOTHING")

    @staticmethod
    def _current(cur: psycopg.Cursor[Any], record_ids: Sequence[str]) -> dict[str, Change]:
        if not record_ids:
            return {}
        cur.execute("SELECT DISTINCT ON (record_id) change_id, kind, record_id, rev, body "
                    f"FROM change WHERE record_id = ANY({_SPLIT}) ORDER BY record_id, rev DESC",
                    (_joined(record_ids),))
        return {rid: Change(cid, kind, rid, rev, json.loads(body), raw=body)
                for cid, kind, rid, rev, body in cur.fetchall()}

    # ------------------------------------------------------------------ the log's order

    positions = 2  # (xid, seq): the module docstring says why not a plain sequence
    horizon_wait_s = HORIZON_WAIT_S

    @staticmethod
    def _after(cur: psycopg.Cursor[Any], position: tuple[int, ...],
               limit: int) -> list[tuple[Any, ...]]:
        xid, seq = position
        cur.execute(
            f"SELECT xid::text AS xid_text, seq, {LOG_COLUMNS} FROM change"
            f" WHERE (xid, seq) > (%s::text::xid8, %s) AND {_VISIBLE}"
            " ORDER BY change.xid, change.seq LIMIT %s", (str(xid), seq, limit))
        return cur.fetchall()

    head_sql = ("SELECT xid::text AS xid_text, seq FROM change"  # the cursor's index, backwards
                " ORDER BY change.xid DESC, change.seq DESC LIMIT 1")

    @staticmethod
    def _hidden(cur: psycopg.Cursor[Any], position: tuple[int, ...]) -> bool:
        """Are there committed changes after `position` that the horizon still hides?"""
        xid, seq = position
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM change WHERE (xid, seq) > (%s::text::xid8, %s)"
                    f" AND NOT ({_VISIBLE}))", (str(xid), seq))
        return bool(cur.fetchone()[0])

    # ------------------------------------------------------------------ blobs (sync/blobs.py)

    def held_blobs(self, hashes: Sequence[str]) -> dict[str, int]:
        """Of `hashes`, those held whole here, with their sizes."""
        wanted = [check_sha(h) for h in hashes]
        with self._txn() as cur:
            cur.execute(f"SELECT sha256, size FROM blob WHERE sha256 = ANY({_SPLIT})",
                        (_joined(wanted),))
            return {sha: int(size) for sha, size in cur.fetchall()}

    @staticmethod
    def _held(cur: psycopg.Cursor[Any], sha256: str) -> int:
        """Bytes of the upload of `sha256` kept so far, with that upload locked."""
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || %s))",
                    ("blob:" + sha256,))
        cur.execute('SELECT COALESCE(SUM(octet_length(data)), 0) FROM blob_chunk WHERE sha256 = %s',
                    (sha256,))
        return int(cur.fetchone()[0])

    @staticmethod
    def _chunks(cur: psycopg.Cursor[Any], sha256: str, below: int = MAX_BLOB) -> Iterator[bytes]:
        """The kept chunks of `sha256` that start before `below`, in order."""
        cur.execute('SELECT "offset" FROM blob_chunk WHERE sha256 = %s AND "offset" < %s'
                    ' ORDER BY "offset"', (sha256, below))
        for (offset,) in cur.fetchall():
            cur.execute('SELECT data FROM blob_chunk WHERE sha256 = %s AND "offset" = %s',
                        (sha256, offset))
            yield bytes(cur.fetchone()[0])

    @staticmethod
    def _upload(cur: psycopg.Cursor[Any], sha256: str) -> str | None:
        """Which upload of `sha256` the kept chunks belong to: the transaction that wrote
        its first chunk (each start at offset 0 is a new one). Chunks of one upload come
        through any of a worker's connections, so a connection's running hash is used
        only for the upload it was computed on."""
        cur.execute('SELECT xmin::text FROM blob_chunk WHERE sha256 = %s AND "offset" = 0',
                    (sha256,))
        row = cur.fetchone()
        return row[0] if row else None

    @staticmethod
    def _held_size(cur: psycopg.Cursor[Any], sha256: str) -> int | None:
        cur.execute("SELECT size FROM blob WHERE sha256 = %s", (sha256,))
        row = cur.fetchone()
        return int(row[0]) if row else None

    def blob_received(self, sha256: str) -> int:
        with self._txn() as cur:
            return self._held(cur, check_sha(sha256))

    def put_blob_chunk(self, sha256: str, offset: int, data: bytes) -> int:
        """Store `data` as the chunk at `offset`, in its own transaction (a resume point);
        only at the end of what is held (0 starts afresh). Answers the bytes held.

        The chunk's commit does not wait for the disk (`synchronous_commit` off for it):
        the WAL is written in order, so `finish_blob`'s commit, which does wait, puts
        every chunk before it on disk too, before the blob is said to be held. A crash
        in between loses at most the last chunks, and the upload resumes from what is
        left (`blob_received`); one disk flush a blob instead of one a chunk. A blob held
        whole is never written again (a stray start at offset 0 would wipe its bytes while
        its `blob` row stayed): the answer is its size."""
        check_sha(sha256)
        if offset + len(data) > MAX_BLOB:
            raise FieldLogError("sync.blob_too_big", sha=sha256[:12])
        with self._txn() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            held = self._held(cur, sha256)
            size = self._held_size(cur, sha256)
            if size is not None:  # held whole: never written again
                return size
            if offset != held and offset != 0:
                return held
            if offset == 0 and held:
                cur.execute("DELETE FROM blob_chunk WHERE sha256 = %s", (sha256,))
            cur.execute('INSERT INTO blob_chunk (sha256, "offset", data) VALUES (%s, %s, %s)',
                        (sha256, offset, data))
            self._incoming.add(sha256, offset, data, lambda: self._chunks(cur, sha256, offset),
                               self._upload(cur, sha256))
        return offset + len(data)

    def finish_blob(self, sha256: str, size: int) -> bool:
        """Keep the upload as the blob `sha256` if its `size` bytes hash to that name;
        otherwise drop it."""
        check_sha(sha256)
        with self._txn() as cur:
            cur.execute("SELECT 1 FROM blob WHERE sha256 = %s", (sha256,))
            if cur.fetchone():
                return True
            held = self._held(cur, sha256)
            good = held == size and self._incoming.matches(
                sha256, size, lambda: self._chunks(cur, sha256), self._upload(cur, sha256))
            if not good:
                cur.execute("DELETE FROM blob_chunk WHERE sha256 = %s", (sha256,))
                return False
            cur.execute("INSERT INTO blob (sha256, size, stored_at) VALUES (%s, %s, %s)",
                        (sha256, size, utc_now()))
        return True

    def flush_blobs(self) -> None:
        """Nothing to do: a finished blob is committed, so on disk."""

    def drop_blobs(self, hashes: Sequence[str]) -> None:
        wanted = _joined(check_sha(h) for h in hashes)
        with self._txn() as cur:
            cur.execute(f"DELETE FROM blob WHERE sha256 = ANY({_SPLIT})", (wanted,))
            cur.execute(f"DELETE FROM blob_chunk WHERE sha256 = ANY({_SPLIT})", (wanted,))

    def read_blob(self, sha256: str) -> Iterator[bytes]:
        """The bytes of a blob held here, a chunk (one row) at a time."""
        self._check_held(sha256)
        with self._txn() as cur:
            chunks = list(self._chunks(cur, sha256))
        return iter(chunks)


def _user_error(exc: psycopg.Error, url: str) -> FieldLogError:
    """What a user reads for a PostgreSQL error. SQLSTATE class 53 (insufficient resources:
    53100 disk full, 53200 out of memory, 53400 a configured limit, …) is the bureau's
    server running short, not the network nor the data: the message says whom to tell.
    (A connection refused for too many clients carries no SQLSTATE in libpq: it stays
    "cannot reach", with the server's words.)"""
    state = exc.sqlstate or ""
    if state == "53100":
        return FieldLogError("sync.central_full", url=url)
    if state.startswith("53"):
        return FieldLogError("sync.central_overloaded", url=url, detail=_first_line(exc))
    if isinstance(exc, psycopg.OperationalError):
        return FieldLogError("sync.unreachable", url=url, detail=_first_line(exc))
    return FieldLogError("sync.central_error", url=url, detail=_first_line(exc))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
