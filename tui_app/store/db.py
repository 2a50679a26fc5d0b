"""Opening the local database: pragmas, migrations, explicit transactions.

sqlite-utils gives the schema and ad-hoc queries; the hot write path uses the same
connection's `execute` directly, because each save must be one short transaction
(record + revision + outbox + tallies) and nothing more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tui_app.errors import FieldLogError
from tui_app.store import migrate

if TYPE_CHECKING:
    import sqlite_utils


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


def _create_private(path: Path) -> None:
    """Create a new database file readable by its user only (0600): it holds personal
    data and the sync token. SQLite gives its -wal and -shm files the same mode."""
    import os

    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:  # it exists already, or sqlite3.connect below reports it in one line
        pass


class Database:
    """One open local database. Not shared across threads: open one per thread."""

    def __init__(self, path: Path | str, *, migrate_now: bool = True) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
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

    def make_private(self) -> None:
        """Narrow an existing database (and its WAL files) to its user only, 0600."""
        for suffix in ("", "-wal", "-shm"):
            part = self.path.with_name(self.path.name + suffix)
            if part.exists():
                part.chmod(0o600)

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

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
