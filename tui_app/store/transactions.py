"""One write transaction on a connection in autocommit mode, and how it ends on failure."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


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
        rollback(conn)
        raise
    conn.execute("COMMIT")


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open.

    SQLite ends the transaction itself on some errors (SQLITE_FULL, SQLITE_IOERR); a
    second ROLLBACK would then raise "cannot rollback - no transaction is active" and
    hide the error the user must see (the disk is full)."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the original error is the one that matters; SQLite rolls back on close
