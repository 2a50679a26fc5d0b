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
- `_versions()`: the migrations the store records (empty when it has none).

What is the engine's alone stays in its module: SQLite's file and its locking, blobs as
files; PostgreSQL's advisory locks, the push under the shared lock, COPY, the pull's
horizon, blobs as rows, SQLSTATE messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from tui_app.domain.ids import utc_now
from tui_app.domain.tally import Aggregate
from tui_app.errors import FieldLogError
from tui_app.store import migrate
from tui_app.sync import materialize as mat
from tui_app.sync.blobs import IncomingHashes
from tui_app.sync.protocol import PACK_KIND, CentralConflict

Conn = Any  # a sqlite3 connection or a psycopg cursor: execute() → rows, executemany()


class SqlCentral:
    """The shared skeleton of a central store in SQL; subclasses supply the dialect."""

    mark: str  # the placeholder of the engine's driver
    migrations: Callable[[], Path]  # the folder of the engine's central migrations
    conn: Any  # the engine's connection

    def __init__(self, url: str, *, catch_up_on_push: bool) -> None:
        self.url = url
        self.shown_url = url  # the URL as messages show it (PostgreSQL hides the password)
        self.catch_up_on_push = catch_up_on_push
        self._incoming = IncomingHashes()

    # ------------------------------------------------------------------ dialect hooks

    def _reading(self) -> AbstractContextManager[Conn]:
        raise NotImplementedError

    def _writing(self, lock: str | None = None) -> AbstractContextManager[Conn]:
        raise NotImplementedError

    def _rows_in(self, cur: Conn, statement: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _versions(self) -> set[int]:
        raise NotImplementedError

    # ------------------------------------------------------------------ schema

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

    # ------------------------------------------------------------------ district figures

    def pack_source(self, campaign_id: str) -> str | None:
        with self._reading() as cur:
            return self._pack_in(cur, campaign_id)

    def _pack_in(self, cur: Conn, campaign_id: str) -> str | None:
        """The TOML of the newest version of a campaign's pack in the log, if any."""
        row = cur.execute(f"SELECT body FROM change WHERE kind = {self.mark} AND record_id ="
                          f" {self.mark} ORDER BY rev DESC LIMIT 1",
                          (PACK_KIND, campaign_id)).fetchone()
        return json.loads(row[0])["source"] if row else None

    def aggregate(self, campaign: str, day_from: str, day_to: str, summed: Sequence[str],
                  distinct: Sequence[str], latest: Sequence[str] = ()) -> dict[str, Aggregate]:
        with self._reading() as cur:
            return mat.aggregate(lambda sql, args: cur.execute(sql, args).fetchall(), self.mark,
                                 campaign, day_from, day_to, summed, distinct, latest)

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

    # ------------------------------------------------------------------ blobs (sync/blobs.py)

    def held_blobs(self, hashes: Sequence[str]) -> dict[str, int]:
        raise NotImplementedError

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
