"""Local settings (inspector, badge, unit, central URL, current campaign) in the database.

Settings travel with `--db`, so a demo database or a test database never reads the
inspector's real settings.
"""

from __future__ import annotations

from tui_app.store.db import Database


def get_all(db: Database) -> dict[str, str]:
    return dict(db.conn.execute("SELECT k, v FROM setting").fetchall())


def get(db: Database, key: str, default: str | None = None) -> str | None:
    row = db.conn.execute("SELECT v FROM setting WHERE k = ?", (key,)).fetchone()
    return row[0] if row else default


def put(db: Database, values: dict[str, str]) -> None:
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO setting (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
            list(values.items()),
        )


def put_missing(db: Database, values: dict[str, str]) -> dict[str, str]:
    """Store only the keys not set yet and return every setting, in one transaction: two
    first starts racing on one new file agree on one device id."""
    with db.transaction() as conn:
        conn.executemany("INSERT INTO setting (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING",
                         list(values.items()))
        return get_all(db)
