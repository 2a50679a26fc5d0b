"""Reading tallies: one covering-index aggregate over the fact table.

The fact table's primary key (campaign, tally_id, day, key) covers this query, so a
campaign's tallies cost a scan of its facts (a few rows per tally and day), never of
the records themselves. "Distinct" tallies (家) have a row per entity and day, by far
the most facts; over a period that holds all their facts they are counted from
`tally_key`, one row per entity for the whole campaign.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tui_app.domain.tally import Aggregate, MarkRow
from tui_app.store.db import Database
from tui_app.store.records import renew_latest_keys

Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]  # (SQL, args) → rows

# The same texts serve SQLite and PostgreSQL ({p} is the engine's placeholder), so the
# laptop and both central stores read tallies alike.
OUTSIDE_SQL = ("SELECT EXISTS (SELECT 1 FROM {table} WHERE campaign = {p} AND tally_id = {p} "
               "AND day < {p}) OR EXISTS (SELECT 1 FROM {table} WHERE campaign = {p} "
               "AND tally_id = {p} AND day > {p})")
# A period that cuts the campaign: per entity of the tally, its latest row up to the
# period's end (one primary-key seek: key, then day and moment descending). The entity
# has a row in the period when that row's day is not before the start: v = 2 + state
# (MATERIALIZED: the seek runs once per entity, not once per use of v).
LATEST_IN_PERIOD_SQL = (
    "WITH latest AS MATERIALIZED (SELECT (SELECT CASE WHEN l.day >= {p} THEN 2 ELSE 0 END "
    "+ l.state FROM tally_latest AS l WHERE l.campaign = k.campaign AND l.tally_id = k.tally_id "
    "AND l.key = k.key AND l.day <= {p} ORDER BY l.day DESC, l.moment DESC, l.record_id DESC "
    "LIMIT 1) AS v FROM tally_latest_key AS k WHERE k.campaign = {p} AND k.tally_id = {p}) "
    "SELECT SUM(CASE WHEN v >= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN v = 3 THEN 1 ELSE 0 END) "
    "FROM latest")
LATEST_WHOLE_SQL = ("SELECT COUNT(*), SUM(state) FROM tally_latest_key WHERE campaign = {p} "
                    "AND tally_id = {p}")


Statement = tuple[str, Sequence[Any]]  # (SQL, args)


def outside_statement(mark: str, table: str, campaign: str, tally_id: str, day_from: str,
                      day_to: str) -> Statement:
    """Whether any row of the tally in `table` lies outside the period (two index seeks)."""
    return (OUTSIDE_SQL.format(table=table, p=mark),
            (campaign, tally_id, day_from, campaign, tally_id, day_to))


def outside(query: Query, mark: str, table: str, campaign: str, tally_id: str, day_from: str,
            day_to: str) -> bool:
    """Does any row of the tally in `table` lie outside the period? (two index seeks)"""
    return bool(query(*outside_statement(mark, table, campaign, tally_id, day_from, day_to))[0][0])


def latest_statement(mark: str, cut: bool, campaign: str, tally_id: str, day_from: str,
                     day_to: str) -> Statement:
    """A `latest` tally's (keys, total) over the period; `cut`: the period leaves some of
    the tally's rows out (`outside`). See `latest_state`."""
    if cut:
        return LATEST_IN_PERIOD_SQL.format(p=mark), (day_from, day_to, campaign, tally_id)
    return LATEST_WHOLE_SQL.format(p=mark), (campaign, tally_id)


def latest_aggregate(rows: list[tuple[Any, ...]]) -> Aggregate:
    """The rows of a `latest_statement` as the tally's figures."""
    return Aggregate(total=int(rows[0][1] or 0), keys=int(rows[0][0] or 0))


def latest_state(query: Query, mark: str, campaign: str, tally_id: str, day_from: str,
                 day_to: str) -> Aggregate:
    """A `latest` tally: entities with a live row in the period (`keys`) and how many of
    them show the tally's match in their latest one (`total`).

    When the period holds every row of the tally (a whole-campaign report, or one up to
    today), its `tally_latest_key` rows answer: one per entity, kept on every write.
    Otherwise each entity's latest row up to the period's end is sought (one index seek
    per entity, never a sort of the period's rows)."""
    cut = outside(query, mark, "tally_latest", campaign, tally_id, day_from, day_to)
    return latest_aggregate(query(*latest_statement(mark, cut, campaign, tally_id, day_from,
                                                    day_to)))


def _query(db: Database) -> Query:
    return lambda sql, args: db.conn.execute(sql, args).fetchall()


def _among(tally_ids: Sequence[str] | None) -> tuple[str, list[str]]:
    if tally_ids is None:
        return "", []
    return f" AND tally_id IN ({', '.join('?' for _ in tally_ids)})", list(tally_ids)


def aggregate(db: Database, campaign: str, day_from: str, day_to: str,
              tally_ids: Sequence[str] | None = None) -> dict[str, Aggregate]:
    """Σn, live (day, key) rows and distinct live keys per tally for the period.

    Given `tally_ids`, only those are read: each is a seek on the primary key.
    """
    among, params = _among(tally_ids)
    rows = db.conn.execute(
        "SELECT tally_id, SUM(n), COUNT(*), COUNT(DISTINCT key) FROM tally_fact "
        f"WHERE campaign = ? AND day BETWEEN ? AND ? AND n > 0{among} GROUP BY tally_id",
        (campaign, day_from, day_to, *params),
    )
    return {tally_id: Aggregate(total, n_rows, keys) for tally_id, total, n_rows, keys in rows}


def distinct_keys(db: Database, campaign: str, day_from: str, day_to: str,
                  tally_ids: Sequence[str]) -> dict[str, int]:
    """Live keys per tally over the period (what a "distinct" tally counts).

    Two primary-key seeks per tally tell whether any of its facts lie outside the
    period; if none do, its campaign-wide `tally_key` rows give the same answer from
    ~25× fewer rows (a whole-campaign report at 1M records: 110k facts → 4k keys).
    """
    whole, part = [], []
    for tally_id in tally_ids:
        cut = outside(_query(db), "?", "tally_fact", campaign, tally_id, day_from, day_to)
        (part if cut else whole).append(tally_id)
    keys = {tally_id: 0 for tally_id in tally_ids}
    if whole:
        among, params = _among(whole)
        keys.update(db.conn.execute(
            f"SELECT tally_id, COUNT(*) FROM tally_key WHERE campaign = ? AND n > 0{among} "
            "GROUP BY tally_id", (campaign, *params)).fetchall())
    if part:
        keys.update({tally_id: agg.keys for tally_id, agg
                     in aggregate(db, campaign, day_from, day_to, part).items()})
    return keys


def latest_states(db: Database, campaign: str, day_from: str, day_to: str,
                  tally_ids: Sequence[str]) -> dict[str, Aggregate]:
    """Each `latest` tally over the period (see `latest_state`)."""
    return {tally_id: latest_state(_query(db), "?", campaign, tally_id, day_from, day_to)
            for tally_id in tally_ids}


def daily_totals(db: Database, campaign: str, tally_id: str, day_from: str, day_to: str) -> dict[str, int]:
    """Σn per day for one tally (entries per day for a sparkline)."""
    rows = db.conn.execute(
        "SELECT day, SUM(n) FROM tally_fact WHERE campaign = ? AND tally_id = ? "
        "AND day BETWEEN ? AND ? GROUP BY day",
        (campaign, tally_id, day_from, day_to),
    )
    return dict(rows.fetchall())


def rebuild(db: Database, campaign: str, rows: list[tuple[str, str, str, str, int]],
            marks: list[MarkRow] = ()) -> None:
    """Replace a campaign's facts and marks wholesale (after a pack's tallies change)."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM tally_latest WHERE campaign = ?", (campaign,))
        conn.execute("DELETE FROM tally_latest_key WHERE campaign = ?", (campaign,))
        conn.executemany(
            "INSERT OR REPLACE INTO tally_latest (campaign, tally_id, key, moment, record_id, day,"
            " state) VALUES (?, ?, ?, ?, ?, ?, ?)", marks)
        renew_latest_keys(conn, sorted({row[:3] for row in marks}))
        conn.execute("DELETE FROM tally_fact WHERE campaign = ?", (campaign,))
        conn.executemany(
            "INSERT INTO tally_fact (campaign, tally_id, day, key, n) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (campaign, tally_id, day, key) DO UPDATE SET n = n + excluded.n",
            rows,
        )
        conn.execute("DELETE FROM tally_fact WHERE campaign = ? AND n = 0", (campaign,))
        conn.execute("DELETE FROM tally_key WHERE campaign = ?", (campaign,))
        conn.execute(
            "INSERT INTO tally_key (campaign, tally_id, key, n) "
            "SELECT campaign, tally_id, key, SUM(n) FROM tally_fact "
            "WHERE campaign = ? AND key != '' GROUP BY tally_id, key HAVING SUM(n) != 0",
            (campaign,),
        )
