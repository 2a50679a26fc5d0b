"""Installed campaign packs: their TOML source, kept in the database."""

from __future__ import annotations

from tui_app.store.db import Database


def put(db: Database, pack_id: str, source: str, origin: str, at: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO campaign_pack (id, source, origin, imported_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET source = excluded.source, origin = excluded.origin, "
            "imported_at = excluded.imported_at",
            (pack_id, source, origin, at),
        )


def get(db: Database, pack_id: str) -> tuple[str, str] | None:
    row = db.conn.execute(
        "SELECT source, origin FROM campaign_pack WHERE id = ?", (pack_id,)).fetchone()
    return (row[0], row[1]) if row else None


def sources_from(db: Database, origin: str) -> list[str]:
    """The sources of the packs installed from `origin` (a shipped file's name)."""
    return [row[0] for row in db.conn.execute(
        "SELECT source FROM campaign_pack WHERE origin = ?", (origin,))]


def all_sources(db: Database) -> list[tuple[str, str, str]]:
    return db.conn.execute("SELECT id, source, origin FROM campaign_pack ORDER BY id").fetchall()


def ids(db: Database) -> list[str]:
    return [row[0] for row in db.conn.execute("SELECT id FROM campaign_pack ORDER BY id")]
