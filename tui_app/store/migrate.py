"""A small migrations runner: numbered SQL files, applied in order, each in a transaction.

The local database and the central SQLite store use the same runner over different
folders, so an upgrade is always "apply what is missing", recorded in `_migrations`.
A step SQL cannot express (uuid5 ids, say) is a numbered `.py` file whose
`upgrade(conn)` runs inside the same transaction as any SQL file would.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from pathlib import Path
from typing import Any

import tui_app
from tui_app.store.transactions import immediate

_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.(sql|py)$")


def migrations_root() -> Path:
    """The installed wheel carries migrations inside the package; a checkout keeps them on top."""
    package_dir = Path(tui_app.__file__).resolve().parent
    for candidate in (package_dir / "migrations", package_dir.parent / "migrations"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("migrations folder not found next to the tui_app package")


def available(folder: Path) -> list[tuple[int, Path]]:
    """Numbered migration files (.sql or .py) in `folder`, in order."""
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


class NewerSchema(Exception):
    """The database was written by a newer FieldLog: using it could lose what it holds."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"schema {found} > {known}")
        self.found = found
        self.known = known


def applied(conn: sqlite3.Connection) -> set[int]:
    """Versions recorded in `_migrations` (none on a new file). Reads only, so a
    read-only database can still be checked."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").fetchone()
    if not exists:
        return set()
    return {row[0] for row in conn.execute("SELECT version FROM _migrations")}


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
    )


def check_not_newer(done: set[int], files: list[tuple[int, Path]]) -> None:
    """Refuse a database that records a migration this program does not have."""
    known = max((version for version, _ in files), default=0)
    found = max(done, default=0)
    if found > known:
        raise NewerSchema(found, known)


def pending(conn: sqlite3.Connection, folder: Path | None = None) -> list[int]:
    """Versions this program would apply (none on an up-to-date database), without writing;
    NewerSchema when the database is newer than this program."""
    files = available(folder or migrations_root())
    done = applied(conn)
    check_not_newer(done, files)
    return [version for version, _ in files if version not in done]


def upgrade(conn: sqlite3.Connection, folder: Path | None = None, upto: int | None = None) -> list[str]:
    """Apply every missing migration up to `upto`; return the names applied.

    The connection must be in autocommit mode (isolation_level=None): each file runs
    inside its own BEGIN IMMEDIATE … COMMIT, so a failing file leaves no trace. The
    applied list is read again inside that transaction, after the write lock is held:
    two processes (or two app threads) opening one new file then apply each file once,
    the second finding it done, instead of both running `CREATE TABLE entity`.
    """
    files = available(folder or migrations_root())
    done = applied(conn)
    check_not_newer(done, files)
    names = []
    for version, path in files:
        if version in done or (upto is not None and version > upto):
            continue
        with immediate(conn):
            _ensure_table(conn)
            if version in applied(conn):
                continue  # another connection applied it while this one waited for the lock
            if path.suffix == ".py":
                run_python(path, conn)
            else:
                for statement in _statements(path.read_text(encoding="utf-8")):
                    conn.execute(statement)
            conn.execute("INSERT INTO _migrations (version, name) VALUES (?, ?)", (version, path.name))
        names.append(path.name)
    return names


def run_python(path: Path, conn: Any) -> None:
    """Run a `.py` migration's `upgrade(conn)` (a sqlite3 connection, or a psycopg
    cursor for the PostgreSQL central store) inside the caller's transaction."""
    spec = importlib.util.spec_from_file_location(f"fieldlog_migration_{path.parent.name}_{path.stem}",
                                                  path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.upgrade(conn)


def _statements(script: str) -> list[str]:
    """Split a migration file into statements (executescript would commit on its own)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not buffer.strip().startswith("--"):
        statements.append(buffer.strip())
    return statements
