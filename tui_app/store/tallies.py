"""Reading tallies: one covering-index aggregate over the fact table.

The fact table's primary key (campaign, tally_id, day, key) covers this query, so a
campaign's tallies cost a scan of its facts (a few rows per tally and day), never of
the records themselves.
"""

from __future__ import annotations

from tui_app.domain.tally import Aggregate
from tui_app.store.db import Database


def aggregate(db: Database, campaign: str, day_from: str, day_to: str) -> dict[str, Aggregate]:
    """Σn, live (day, key) rows and distinct live keys per tally for the period."""
    rows = db.conn.execute(
        "SELECT tally_id, SUM(n), COUNT(*), COUNT(DISTINCT key) FROM tally_fact "
        "WHERE campaign = ? AND day BETWEEN ? AND ? AND n > 0 GROUP BY tally_id",
        (campaign, day_from, day_to),
    )
    return {tally_id: Aggregate(total, n_rows, keys) for tally_id, total, n_rows, keys in rows}


def daily_totals(db: Database, campaign: str, tally_id: str, day_from: str, day_to: str) -> dict[str, int]:
    """Σn per day for one tally (entries per day for a sparkline)."""
    rows = db.conn.execute(
        "SELECT day, SUM(n) FROM tally_fact WHERE campaign = ? AND tally_id = ? "
        "AND day BETWEEN ? AND ? GROUP BY day",
        (campaign, tally_id, day_from, day_to),
    )
    return dict(rows.fetchall())


def rebuild(db: Database, campaign: str, rows: list[tuple[str, str, str, str, int]]) -> None:
    """Replace a campaign's facts wholesale (after a pack's tallies change)."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM tally_fact WHERE campaign = ?", (campaign,))
        conn.executemany(
            "INSERT INTO tally_fact (campaign, tally_id, day, key, n) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (campaign, tally_id, day, key) DO UPDATE SET n = n + excluded.n",
            rows,
        )
        conn.execute("DELETE FROM tally_fact WHERE campaign = ? AND n = 0", (campaign,))
