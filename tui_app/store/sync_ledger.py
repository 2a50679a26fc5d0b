"""The laptop's side of sync, in SQL: outbox batches, acknowledgements, quarantine,
conflicts, pull state. The rules (what to do with each answer) live in services/sync.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from tui_app.store.db import Database
from tui_app.store.records import _COLUMNS, TABLES, to_row


def outbox_batch(db: Database, limit: int) -> list[tuple[str, str, str, int, str, str | None]]:
    """The oldest outbox changes with the change id of the revision each was made from."""
    return db.conn.execute(
        "SELECT o.change_id, o.kind, o.record_id, o.rev, o.body, r.change_id FROM outbox AS o "
        "LEFT JOIN revision AS r ON r.id = o.record_id AND r.rev = o.rev - 1 "
        "ORDER BY o.seq LIMIT ?", (limit,)).fetchall()


def pending_count(db: Database) -> int:
    return db.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def pending_for(db: Database, record_id: str) -> list[tuple[str, int]]:
    """Unacknowledged local changes of one record: (change id, rev)."""
    return db.conn.execute("SELECT change_id, rev FROM outbox WHERE record_id = ? ORDER BY rev",
                           (record_id,)).fetchall()


def forget_outbox(db: Database, change_ids: Sequence[str]) -> None:
    db.conn.executemany("DELETE FROM outbox WHERE change_id = ?", [(c,) for c in change_ids])


def quarantine(db: Database, rows: Iterable[tuple[str, str, str, int, str, str, str]]) -> None:
    """(change id, kind, record id, rev, body JSON, reason, at): set aside, never dropped."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO quarantine (change_id, kind, record_id, rev, body, reason,"
        " quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?)", list(rows))


def add_conflict(db: Database, record_id: str, kind: str, rev: int, kept: str | None,
                 lost: str, lost_body: str, at: str) -> bool:
    """Record a version sync kept aside; False if it was recorded before."""
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO conflict (record_id, kind, rev, kept_change_id, lost_change_id,"
        " lost_body, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (record_id, kind, rev, kept, lost, lost_body, at))
    return cursor.rowcount == 1


def conflicts(db: Database, limit: int = 1000) -> list[tuple[Any, ...]]:
    return db.conn.execute(
        "SELECT seq, record_id, kind, rev, kept_change_id, lost_change_id, lost_body, reported_at "
        "FROM conflict ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()


def quarantined(db: Database, limit: int = 1000) -> list[tuple[Any, ...]]:
    return db.conn.execute(
        "SELECT change_id, kind, record_id, rev, reason, quarantined_at FROM quarantine "
        "ORDER BY quarantined_at DESC LIMIT ?", (limit,)).fetchall()


def held_records(db: Database, record_ids: Sequence[str]) -> set[str]:
    """Of `record_ids`, those this laptop holds a revision or an outbox change of (one
    statement for a whole pulled page: the ids travel as one JSON array)."""
    ids = json.dumps(list(record_ids))
    return {row[0] for row in db.conn.execute(
        "SELECT id FROM revision WHERE id IN (SELECT value FROM json_each(?)) UNION "
        "SELECT record_id FROM outbox WHERE record_id IN (SELECT value FROM json_each(?))",
        (ids, ids))}


def held_changes(db: Database, change_ids: Sequence[str]) -> set[str]:
    """Of `change_ids`, those this laptop holds as revisions."""
    return {row[0] for row in db.conn.execute(
        "SELECT change_id FROM revision WHERE change_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(change_ids)),))}


def has_revision(db: Database, change_id: str) -> bool:
    return db.conn.execute(
        "SELECT 1 FROM revision WHERE change_id = ?", (change_id,)).fetchone() is not None


def revision_at(db: Database, record_id: str, rev: int) -> tuple[str, dict[str, Any]] | None:
    """The local revision holding (record, rev): its change id and body."""
    row = db.conn.execute("SELECT change_id, body FROM revision WHERE id = ? AND rev = ?",
                          (record_id, rev)).fetchone()
    return (row[0], json.loads(row[1])) if row else None


def adopt(db: Database, own_change_id: str, change_id: str, body: dict[str, Any]) -> None:
    """Hold the central revision `change_id` in place of our own identical one (a
    duplicate): same slot, same content, the central change id and metadata."""
    db.conn.execute("UPDATE revision SET change_id = ?, body = ? WHERE change_id = ?",
                    (change_id, json.dumps(body, ensure_ascii=False, sort_keys=True),
                     own_change_id))
    db.conn.execute("DELETE FROM outbox WHERE change_id = ?", (own_change_id,))


def take_revisions(db: Database, change_ids: Sequence[str]) -> dict[str, str]:
    """Remove revisions that lost a conflict from the history; return change id → body."""
    taken = {}
    for change_id in change_ids:
        row = db.conn.execute("SELECT body FROM revision WHERE change_id = ?",
                              (change_id,)).fetchone()
        if row:
            taken[change_id] = row[0]
            db.conn.execute("DELETE FROM revision WHERE change_id = ?", (change_id,))
    return taken


def latest_revision(db: Database, record_id: str) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT body FROM revision WHERE id = ? ORDER BY rev DESC LIMIT 1",
                          (record_id,)).fetchone()
    return json.loads(row[0]) if row else None


def set_current(db: Database, kind: str, record_id: str, body: dict[str, Any] | None) -> None:
    """Make `body` the record's current row even if its rev is lower (a lost edit undone)."""
    table = TABLES[kind]
    if body is None:
        db.conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))
        return
    columns = _COLUMNS.get(db.conn, kind)
    db.conn.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES "
                    f"({', '.join('?' for _ in columns)})", to_row(body, columns))


def enqueue_own(db: Database, inspector_id: str) -> int:
    """Queue again every revision this inspector may push (a restored central store may
    lack them); already-held ones come back as duplicates, which cost nothing."""
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO outbox (change_id, kind, record_id, rev, body, created_at) "
        "SELECT change_id, kind, id, rev, body, json_extract(body, '$.updated_at') FROM revision "
        "WHERE kind = 'entity' OR json_extract(body, '$.inspector_id') = ? ORDER BY rev, id",
        (inspector_id,))
    return cursor.rowcount


def state(db: Database, key: str) -> str | None:
    row = db.conn.execute("SELECT v FROM sync_state WHERE k = ?", (key,)).fetchone()
    return row[0] if row else None


def set_state(db: Database, values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            db.conn.execute("DELETE FROM sync_state WHERE k = ?", (key,))
        else:
            db.conn.execute("INSERT INTO sync_state (k, v) VALUES (?, ?) ON CONFLICT (k) DO "
                            "UPDATE SET v = excluded.v", (key, value))
