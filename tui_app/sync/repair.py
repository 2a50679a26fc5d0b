"""Central migration 003 on either engine: merge entities kept under random ids.

A central store filled by laptops of the release before derived entity ids holds one
entity per laptop and place. The repair appends, to the change log, the derived-id
entities that are missing and a merge revision of every old record into its survivor
(`domain.identity.repair`, the same plan and change ids as the laptop's migration 004).
Materialising the log then moves the losers' tally facts to the survivors and records
each merge in `entity_merge`, as for a merge the bureau makes.
"""

from __future__ import annotations

import json
from typing import Any

from tui_app.domain import identity
from tui_app.domain.ids import utc_now

DDL = ("CREATE TABLE entity_merge (loser TEXT PRIMARY KEY, survivor TEXT NOT NULL,"
       " reason TEXT NOT NULL, change_id TEXT NOT NULL, merged_at TEXT NOT NULL)",
       "CREATE INDEX entity_merge_survivor ON entity_merge (survivor)")

REPAIRED_BY = "migration"  # `pushed_by` of the repair's changes: no laptop pushed them


def upgrade(conn: Any, mark: str) -> int:
    """Create `entity_merge` and append the repair; return the changes appended.
    `conn` is a sqlite3 connection (mark "?") or a psycopg cursor (mark "%s")."""
    for statement in DDL:
        conn.execute(statement)
    heads = [json.loads(body) for (body,) in conn.execute(
        "SELECT body FROM change AS c WHERE kind = 'entity' AND rev ="
        " (SELECT MAX(rev) FROM change WHERE record_id = c.record_id)").fetchall()]
    plan = identity.repair(heads, {body["id"] for body in heads})
    now = utc_now()
    rows = [(identity.repair_change_id(body), "entity", body["id"], body["rev"], REPAIRED_BY,
             "central", json.dumps(body, ensure_ascii=False, sort_keys=True), now)
            for body in plan.created + plan.merged]
    if rows:
        conn.executemany(
            "INSERT INTO change (change_id, kind, record_id, rev, pushed_by, device_id, body,"
            f" received_at) VALUES ({', '.join([mark] * 8)})", rows)
    return len(rows)
