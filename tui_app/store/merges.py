"""Merged entities, in the laptop's database and in both central stores alike.

The functions take a sqlite3 connection (mark "?") or a psycopg cursor (mark "%s"):
the SQL is the same on both engines.

`entity_merge` holds one audit row per merged entity: the loser, its survivor (always
the end of the chain), why, and the revision that recorded it. Tally facts keyed on a
loser are moved to its survivor when the merge arrives, and facts made later are keyed
on the survivor (`domain.identity.rekey`), so a 家 figure counts the place once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tui_app.domain.identity import final_survivors

Merge = tuple[str, str, str, str, str]  # (loser, survivor, reason, change id, merged at)
Conn = Any  # Conn or psycopg.Cursor: both have execute() → rows, executemany()

_CHUNK = 500


def _marks(mark: str, n: int) -> str:
    return ", ".join([mark] * n)


def survivors(conn: Conn, ids: Iterable[str | None], mark: str = "?") -> dict[str, str]:
    """loser → survivor for those of `ids` that were merged."""
    wanted = sorted({i for i in ids if i})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start:start + _CHUNK]
        found.update(conn.execute(
            f"SELECT loser, survivor FROM entity_merge WHERE loser IN ({_marks(mark, len(part))})",
            part).fetchall())
    return found


def all_survivors(conn: Conn) -> dict[str, str]:
    return dict(conn.execute("SELECT loser, survivor FROM entity_merge").fetchall())


def apply(conn: Conn, merges: Sequence[Merge], mark: str = "?", *, marks: bool = True) -> None:
    """Record merges (inside the caller's transaction) and move the losers' facts.

    A survivor that was itself merged is followed to the end of its chain, and losers
    merged into a new loser earlier now point at its survivor too. A merge that would
    make an entity its own survivor is ignored here (services refuse it first).
    `marks=False` leaves the `latest` tables alone (the laptop's migration 004 runs
    before migration 005 makes them)."""
    if not merges:
        return
    known = survivors(conn, [m[0] for m in merges] + [m[1] for m in merges], mark)
    known.update(conn.execute(
        f"SELECT loser, survivor FROM entity_merge WHERE survivor IN "
        f"({_marks(mark, len(merges))})", [m[0] for m in merges]).fetchall())
    final, _cycle = final_survivors([(m[0], m[1]) for m in merges], known)
    details = {m[0]: m[2:] for m in merges}
    for loser, survivor in final.items():
        if loser in details:
            conn.execute(
                "INSERT INTO entity_merge (loser, survivor, reason, change_id, merged_at)"
                f" VALUES ({_marks(mark, 5)}) ON CONFLICT (loser) DO UPDATE SET"
                " survivor = excluded.survivor, reason = excluded.reason,"
                " change_id = excluded.change_id, merged_at = excluded.merged_at",
                (loser, survivor, *details[loser]))
        else:
            conn.execute(f"UPDATE entity_merge SET survivor = {mark} WHERE loser = {mark}",
                         (survivor, loser))
    rekey_facts(conn, final, mark, marks=marks)


def rekey_facts(conn: Conn, remap: dict[str, str], mark: str = "?", *, marks: bool = True) -> None:
    """Move every tally fact, campaign-wide key and `latest` mark of a loser onto its
    survivor; each survivor's latest row is then worked out again."""
    if not remap:
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS entity_remap"
                 " (loser TEXT PRIMARY KEY, survivor TEXT NOT NULL)")
    conn.execute("DELETE FROM entity_remap")
    conn.executemany(f"INSERT INTO entity_remap (loser, survivor) VALUES ({mark}, {mark})",
                     list(remap.items()))
    conn.execute(
        "INSERT INTO tally_fact (campaign, tally_id, day, key, n)"
        " SELECT f.campaign, f.tally_id, f.day, r.survivor, SUM(f.n) FROM tally_fact AS f"
        " JOIN entity_remap AS r ON r.loser = f.key GROUP BY f.campaign, f.tally_id, f.day, r.survivor"
        " ON CONFLICT (campaign, tally_id, day, key) DO UPDATE SET n = tally_fact.n + excluded.n")
    conn.execute("DELETE FROM tally_fact WHERE key IN (SELECT loser FROM entity_remap)")
    conn.execute(
        "INSERT INTO tally_key (campaign, tally_id, key, n)"
        " SELECT k.campaign, k.tally_id, r.survivor, SUM(k.n) FROM tally_key AS k"
        " JOIN entity_remap AS r ON r.loser = k.key GROUP BY k.campaign, k.tally_id, r.survivor"
        " ON CONFLICT (campaign, tally_id, key) DO UPDATE SET n = tally_key.n + excluded.n")
    conn.execute("DELETE FROM tally_key WHERE key IN (SELECT loser FROM entity_remap)")
    if marks:
        _rekey_marks(conn)
    conn.execute("DELETE FROM entity_remap")


def _rekey_marks(conn: Conn) -> None:
    """A record has one entity, so its mark moves to the survivor without a clash."""
    conn.execute("UPDATE tally_latest SET key = (SELECT survivor FROM entity_remap"
                 " WHERE loser = tally_latest.key) WHERE key IN (SELECT loser FROM entity_remap)")
    conn.execute("DELETE FROM tally_latest_key WHERE key IN (SELECT loser FROM entity_remap)"
                 " OR key IN (SELECT survivor FROM entity_remap)")
    conn.execute(
        "INSERT INTO tally_latest_key (campaign, tally_id, key, day, state)"
        " SELECT campaign, tally_id, key, day, state FROM (SELECT campaign, tally_id, key, day,"
        " state, ROW_NUMBER() OVER (PARTITION BY campaign, tally_id, key"
        " ORDER BY moment DESC, record_id DESC) AS place FROM tally_latest"
        " WHERE key IN (SELECT survivor FROM entity_remap)) AS ranked WHERE place = 1")
