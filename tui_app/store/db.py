"""Opening the local database: pragmas, migrations, explicit transactions.

sqlite-utils gives the schema and ad-hoc queries; the hot write path uses the same
connection's `execute` directly, because each save must be one short transaction
(record + revision + outbox + tallies) and nothing more.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tui_app.errors import FieldLogError
from tui_app.store import failures, migrate
from tui_app.store.transactions import immediate

if TYPE_CHECKING:
    import sqlite_utils


def _create_private(path: Path) -> None:
    """Create a new database file readable by its user only (0600): it holds personal
    data and the sync token. SQLite gives its -wal and -shm files the same mode."""
    import os

    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:  # it exists already, or sqlite3.connect below reports it in one line
        pass


_STEPS_PER_CHECK = 1000  # SQLite VM steps between two looks at `cancelled` (some µs)


class Interrupted(Exception):
    """A read was stopped because its caller no longer wants the answer."""


class Database:
    """One open local database. Not shared across threads: open one per thread.

    `read_only=True` opens it for reading only (lists, tallies, reports), which also
    works on a read-only file, folder or medium; any write then fails with
    `db.read_only`. Opening for writing refuses a read-only database up front.
    """

    def __init__(self, path: Path | str, *, migrate_now: bool = True, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        memory = str(path) == ":memory:"
        if not memory and not read_only:
            if not failures.writable(self.path):
                raise FieldLogError("db.read_only", path=str(path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
        try:
            conn = _open_read_only(self.path) if read_only else _open(str(path))
        except sqlite3.Error as exc:
            raise self._explained(exc) from exc
        try:
            if read_only and migrate.pending(conn):
                raise FieldLogError("db.read_only", path=str(path))  # it needs an upgrade
            if migrate_now and not read_only:
                migrate.upgrade(conn)
        except BaseException as exc:
            conn.close()  # a refused database is not kept open (nor its medium busy)
            if isinstance(exc, migrate.NewerSchema):
                raise failures.newer(self.path, exc) from None
            if isinstance(exc, sqlite3.Error):
                raise self._explained(exc) from exc
            raise
        self.conn = conn

    def make_private(self) -> None:
        """Narrow an existing database (and its WAL files) to its user only, 0600."""
        for suffix in ("", "-wal", "-shm"):
            part = self.path.with_name(self.path.name + suffix)
            if part.exists():
                part.chmod(0o600)

    def _explained(self, exc: sqlite3.Error) -> FieldLogError:
        return failures.explain(exc, self.path) or FieldLogError(
            "db.cannot_open", path=str(self.path), detail=str(exc))

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
        try:
            with immediate(self.conn):
                yield self.conn
        except sqlite3.Error as exc:
            explained = failures.explain(exc, self.path)
            if explained is None:
                raise
            raise explained from exc

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


def _open(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=5000")
    _use_wal(conn)
    # FULL: an inspection that was reported saved must survive a battery pull.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _use_wal(conn: sqlite3.Connection, attempts: int = 200) -> None:
    """Switch to WAL. Two first starts on one new file race here, and SQLite answers the
    loser "database is locked" at once, without waiting on busy_timeout: try again
    shortly (the winner's switch takes microseconds)."""
    for _ in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "") != "SQLITE_BUSY":
                raise
            time.sleep(0.005)
    conn.execute("PRAGMA journal_mode=WAL")


def _open_read_only(path: Path) -> sqlite3.Connection:
    """mode=ro; on a read-only folder SQLite cannot make the WAL's index file, so the
    file is opened as immutable (nobody can be writing to a medium this process
    cannot write either)."""
    if not path.exists():
        raise FieldLogError("db.not_found", path=str(path))
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None,
                               check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn
