"""Opening the local database: pragmas, migrations, explicit transactions.

sqlite-utils gives the schema and ad-hoc queries; the hot write path uses the same
connection's `execute` directly, because each save must be one short transaction
(record + revision + outbox + tallies) and nothing more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tui_app.errors import FieldLogError
from tui_app.store import migrate

if TYPE_CHECKING:
    import sqlite_utils


_STEPS_PER_CHECK = 1000  # SQLite VM steps between two looks at `cancelled` (some µs)


class Interrupted(Exception):
    """A read was stopped because its caller no longer wants the answer."""


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error: one writer, nothing half-written.

    IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout instead
    of deadlocking when both try to upgrade a read transaction.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Database:
    """One open local database. Not shared across threads: open one per thread."""

    def __init__(self, path: Path | str, *, migrate_now: bool = True) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise FieldLogError("db.cannot_open", path=str(path), detail=str(exc)) from None
        # FULL: an inspection that was reported saved must survive a battery pull.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        self.conn = conn
        if migrate_now:
            migrate.upgrade(conn)

    @cached_property
    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, for schema and ad-hoc work (loaded on first
        use: it costs ~85 ms to import, which every CLI command and the TUI's start would
        otherwise pay)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error (nothing half-written)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        with immediate(self.conn):
            yield self.conn

    @contextmanager
    def foreign_keys_off(self) -> Iterator[None]:
        """Apply rows in someone else's order (a pulled page) without per-row FK checks.

        SQLite ignores this PRAGMA inside a transaction, so it wraps the transaction."""
        self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            yield
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def rolled_back(self) -> Iterator[sqlite3.Connection]:
        """Work that must leave no trace (a dry run): everything is rolled back after."""
        self.conn.execute("SAVEPOINT dry_run")
        try:
            yield self.conn
        finally:
            self.conn.execute("ROLLBACK TO dry_run")
            self.conn.execute("RELEASE dry_run")

    @contextmanager
    def interruptible(self, cancelled: Callable[[], bool] | None) -> Iterator[None]:
        """Reads that stop as soon as `cancelled()` turns true, raising `Interrupted`.

        SQLite asks a progress handler every few thousand virtual-machine steps, so a
        query that has gone stale (the user typed on) gives its thread back at once
        instead of running to its end."""
        if cancelled is None:
            yield
            return
        self.conn.set_progress_handler(lambda: 1 if cancelled() else 0, _STEPS_PER_CHECK)
        try:
            yield
        except sqlite3.OperationalError as exc:
            if cancelled() and "interrupt" in str(exc):
                raise Interrupted from None
            raise
        finally:
            self.conn.set_progress_handler(None, 0)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
