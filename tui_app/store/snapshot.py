"""A first-pull snapshot's file, in SQL: what it leaves out, and how a new laptop takes it.

A snapshot is a laptop database built by a pull from nothing (`services/snapshot.py`),
less what is any one laptop's own (OWN_TABLES, OWN_STATE). A new laptop takes it in ONE
transaction of its own database (`take`): a kill at any point leaves the database as it
was or with the whole snapshot in it, and its own rows (identity, settings, officers,
outbox, 文号 blocks) stay as they were. Alone with its database, it writes the file's
pages over it with SQLite's backup API, its own rows copied into the file first; with
other connections open, it copies the other tables row by row with INSERT … SELECT,
their secondary indexes and triggers dropped and made again at the end (a sorted build
instead of a million random inserts) and the search index's tables copied as they are,
with the records' rowids they point at: nothing is tokenised again. Measured at a
million inspections (README, "Speed at district scale"), the pages take a fraction of
the rows' time.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

from tui_app.store.db import Database

# a laptop's own: never in a snapshot, never written by taking one
OWN_TABLES = ("setting", "doc_block", "outbox", "blob", "quarantine", "conflict", "_migrations")
OWN_STATE = ("last_sync", "last_sync_central")
_ALIAS = "snap"

Step = Callable[[int, int], None]  # tables copied, tables in all


def is_new(db: Database) -> bool:
    """Has this laptop no record of its own and never pulled? Only then may it start
    from a snapshot: anything else it holds would have to be merged, which is a pull."""
    return _is_new(db.conn)


def _is_new(conn: sqlite3.Connection) -> bool:
    return (conn.execute("SELECT 1 FROM main.revision LIMIT 1").fetchone() is None
            and conn.execute("SELECT 1 FROM main.outbox LIMIT 1").fetchone() is None
            and conn.execute("SELECT 1 FROM main.sync_state WHERE k = 'cursor'"
                             " AND v IS NOT NULL").fetchone() is None)


class NotNew(Exception):
    """The laptop saved or pulled something since it was found new (the TUI saving while
    the sync downloads): taking the snapshot would write over it, so it pulls instead."""


def pack_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    """sha256 of the source of each pack that was not pulled (shipped or imported here):
    the tally facts of a snapshot are counted with them, so a laptop with another
    version of one must not take it."""
    return {pid: hashlib.sha256(source.encode("utf-8")).hexdigest() for pid, source in
            conn.execute("SELECT id, source FROM campaign_pack WHERE origin != 'central'")}


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM _migrations").fetchone()[0])


def existing(path: Path) -> str:
    """`path` as a URI SQLite opens only if the file is there (read-write): a download
    another sync cleared must fail to open, never be made afresh and empty."""
    return path.resolve().as_uri() + "?mode=rw"


def strip_own(path: Path) -> None:
    """Empty the builder's own rows out of a built file, then compact it (VACUUM): the
    file travels page-ordered and without free pages."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for table in OWN_TABLES:
            if table != "_migrations":
                conn.execute(f'DELETE FROM "{table}"')
        conn.execute(f"DELETE FROM sync_state WHERE k IN ({', '.join('?' * len(OWN_STATE))})",
                     OWN_STATE)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()


def take(db_path: Path, snapshot: Path, step: Step) -> int:
    """Put the snapshot file's state into the laptop database at `db_path`, the laptop's
    own rows kept; return the revisions taken. One transaction of that database either
    way: a kill leaves it as it was (a hot journal or an uncommitted WAL is rolled back
    at the next open) or whole.

    When no other connection has the database open (the caller closed its own), the
    laptop's own rows are first copied into the snapshot file, under an exclusive lock
    held until the end (so none can change meanwhile), and SQLite's backup API then
    writes the file's pages over the database in rollback-journal mode: its pages are
    replaced at disk speed, nothing is inserted or indexed again, and the journal holds
    only the few pages the new laptop had. Otherwise (the TUI's other threads have it
    open) the tables are copied row by row in WAL mode (`_copy_all`), and the other
    connections see the new state when it commits."""
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=0, uri=True)
    try:
        alone = _leave_wal(conn)
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("PRAGMA synchronous=FULL")
        if alone:
            return _replace_pages(conn, snapshot, step)
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: the index builds sort in memory
        conn.execute("ATTACH DATABASE ? AS " + _ALIAS, (existing(snapshot),))
        try:
            return _copy_all(conn, step)
        finally:
            conn.execute("DETACH DATABASE " + _ALIAS)
    finally:
        conn.close()


BACKUP_STEP = 256  # pages (1 MiB) per backup step: a progress report, one transaction still


def _replace_pages(conn: sqlite3.Connection, snapshot: Path, step: Step) -> int:
    """The laptop's own rows into the snapshot file, then its pages over the database."""
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")  # kept from the first write to the close
    conn.execute("ATTACH DATABASE ? AS " + _ALIAS, (existing(snapshot),))
    conn.execute("BEGIN EXCLUSIVE")
    try:
        if not _is_new(conn):  # checked again under the lock the copy keeps to its end
            raise NotNew
        for table in OWN_TABLES:
            conn.execute(f'DELETE FROM {_ALIAS}."{table}"')
            conn.execute(f'INSERT INTO {_ALIAS}."{table}" SELECT * FROM main."{table}"')
        _keep_sequences(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("DETACH DATABASE " + _ALIAS)
    source = sqlite3.connect(existing(snapshot), uri=True)
    try:
        source.backup(conn, pages=BACKUP_STEP,
                      progress=lambda _status, left, total: step(total - left, total))
    finally:
        source.close()
    taken = conn.execute("SELECT COUNT(*) FROM revision").fetchone()[0]
    conn.execute("PRAGMA locking_mode=NORMAL")
    conn.execute("PRAGMA journal_mode=WAL")  # as every laptop database is
    return int(taken)


def _keep_sequences(conn: sqlite3.Connection) -> None:
    """The AUTOINCREMENT counters of the laptop's own tables (its outbox's, say) go with
    them: a number once given is never given again."""
    own = ", ".join("?" * len(OWN_TABLES))
    conn.execute(f"DELETE FROM {_ALIAS}.sqlite_sequence WHERE name IN ({own})", OWN_TABLES)
    conn.execute(f"INSERT INTO {_ALIAS}.sqlite_sequence SELECT * FROM main.sqlite_sequence"
                 f" WHERE name IN ({own})", OWN_TABLES)


def _leave_wal(conn: sqlite3.Connection) -> bool:
    """Switch to the rollback journal if no other connection has the database open
    (SQLite refuses at once otherwise: nothing is waited for)."""
    try:
        return conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    except sqlite3.OperationalError:  # "database is locked": another connection
        return False


def _copy_all(conn: sqlite3.Connection, step: Step) -> int:
    """The copy's one transaction; the revisions it took."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not _is_new(conn):  # checked again in the copy's own transaction
            raise NotNew
        tables = _copied_tables(conn)
        rebuilt = _drop_extras(conn, tables)
        for done, table in enumerate(tables, 1):
            _copy(conn, table)
            step(done, len(tables))
        for statement in rebuilt:
            conn.execute(statement)
        taken = conn.execute("SELECT COUNT(*) FROM main.revision").fetchone()[0]
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return int(taken)


def _copied_tables(conn: sqlite3.Connection) -> list[str]:
    """The snapshot's ordinary tables (the search index's shadow tables included, its
    virtual tables not) that the laptop has too, but its own."""
    def names(schema: str) -> set[str]:
        return {name for name, sql in conn.execute(
            f"SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_") and not sql.upper().startswith("CREATE VIRTUAL")}

    return sorted((names(_ALIAS) & names("main")) - set(OWN_TABLES))


def _drop_extras(conn: sqlite3.Connection, tables: list[str]) -> list[str]:
    """Drop the copied tables' own indexes and triggers; return the SQL that makes them
    again (as the laptop's schema has them)."""
    found = conn.execute(
        "SELECT type, name, sql FROM main.sqlite_master WHERE type IN ('index', 'trigger')"
        f" AND sql IS NOT NULL AND tbl_name IN ({', '.join('?' * len(tables))})"
        " ORDER BY type = 'trigger', name", tables).fetchall()
    for kind, name, _sql in found:
        conn.execute(f'DROP {kind.upper()} main."{name}"')
    return [sql for _kind, _name, sql in found]


def _copy(conn: sqlite3.Connection, table: str) -> None:
    """One table, its rowids kept where it has them (the search index points at them).
    Rows the new laptop holds already (a pack shipped with it, the empty search index's
    header rows, the epoch) are replaced by the snapshot's."""
    columns = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')]
    listed = ", ".join(f'"{c}"' for c in columns)
    if _has_rowid(conn, table):
        listed = "rowid, " + listed
    conn.execute(f'INSERT OR REPLACE INTO main."{table}" ({listed}) '
                 f'SELECT {listed} FROM {_ALIAS}."{table}"')


def _has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    """A rowid table whose rowid is not one of its columns (an INTEGER PRIMARY KEY)."""
    sql = conn.execute("SELECT sql FROM main.sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    if "WITHOUT ROWID" in sql.upper():
        return False
    keys = [r for r in conn.execute(f'PRAGMA main.table_info("{table}")') if r[5]]
    return not (len(keys) == 1 and keys[0][2].upper() == "INTEGER")
