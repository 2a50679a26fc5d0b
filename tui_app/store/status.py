"""What the dashboard's pace and reminder panels read: entries per day, open items.

Kept apart from the record write path: small read-only queries over the per-day
index and the (few) cases and complaints.
"""

from __future__ import annotations

from typing import Any

from tui_app.store.db import Database


def entries_per_day(db: Database, day_from: str, day_to: str) -> dict[str, int]:
    """Inspections logged per local day (the (day, action) index covers this)."""
    rows = db.conn.execute(
        "SELECT day, COUNT(*) FROM inspection WHERE day BETWEEN ? AND ? GROUP BY day",
        (day_from, day_to),
    )
    return dict(rows.fetchall())


def cases_with_clue(db: Database, campaign: str) -> list[dict[str, Any]]:
    """Live cases that record when their lead was found (the filing clock starts there)."""
    rows = db.conn.execute(
        'SELECT c.id, c.clue_on, c.filed_on, c.status, e.name FROM "case" AS c '
        "LEFT JOIN entity AS e ON e.id = c.entity_id "
        "WHERE c.campaign = ? AND c.voided = 0 AND c.clue_on IS NOT NULL AND c.status != '结案' "
        "ORDER BY c.clue_on",
        (campaign,),
    )
    keys = ("id", "clue_on", "filed_on", "status", "entity_name")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def complaints_in_status(db: Database, campaign: str, status: str) -> list[dict[str, Any]]:
    """Live complaints in `status` (say 待受理, received and not yet accepted), oldest first."""
    rows = db.conn.execute(
        "SELECT c.id, c.day, c.status, c.subject, e.name FROM complaint AS c "
        "LEFT JOIN entity AS e ON e.id = c.entity_id "
        "WHERE c.campaign = ? AND c.voided = 0 AND c.status = ? ORDER BY c.day",
        (campaign, status),
    )
    keys = ("id", "day", "status", "subject", "entity_name")
    return [dict(zip(keys, row, strict=True)) for row in rows]
