"""Read-only health probes of the local database, for `fieldlog doctor`."""

from __future__ import annotations

from tui_app.store.db import Database
from tui_app.store.records import TABLES


def integrity(db: Database) -> str:
    return db.conn.execute("PRAGMA integrity_check").fetchone()[0]


def counts(db: Database) -> dict[str, int]:
    """Current rows per kind, plus the outbox and quarantine."""
    tables = db.utils
    return {name: tables.table(name).count for name in (*TABLES, "outbox", "quarantine")}


def revision_gaps(db: Database) -> int:
    """Records whose revision history misses a rev (history must be whole)."""
    return db.conn.execute(
        "SELECT COUNT(*) FROM (SELECT id FROM revision GROUP BY id HAVING MAX(rev) != COUNT(*))"
    ).fetchone()[0]
