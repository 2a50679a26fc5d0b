"""Local migration 004: one entity identity (issue 8).

Adds `entity_merge` (one audit row per merged entity) and repairs a database made
before entity ids were derived: every live entity kept under a random id is merged
into the entity with its derived id (made from the earliest such record when it is
missing), as new revisions that sync like any other; the losers' tally facts move to
the survivor. The central store's migration 003 plans the same revisions under the
same change ids, so a laptop pushing them finds them there already.
"""

from __future__ import annotations

import json
import sqlite3

from tui_app.domain import identity
from tui_app.domain.tally import Delta
from tui_app.store import merges, records

DDL = """
CREATE TABLE entity_merge (
    loser TEXT PRIMARY KEY,
    survivor TEXT NOT NULL,
    reason TEXT NOT NULL,
    change_id TEXT NOT NULL,
    merged_at TEXT NOT NULL
);
CREATE INDEX entity_merge_survivor ON entity_merge (survivor);
"""


def upgrade(conn: sqlite3.Connection) -> None:
    for statement in DDL.split(";"):
        if statement.strip():
            conn.execute(statement)
    current = [json.loads(body) for (body,) in conn.execute(
        "SELECT r.body FROM entity AS e JOIN revision AS r ON r.id = e.id AND r.rev = e.rev")]
    existing = {row[0] for row in conn.execute("SELECT id FROM entity")}
    plan = identity.repair(current, existing)
    done = []
    for body in plan.created + plan.merged:
        change_id = identity.repair_change_id(body)
        records.write_in(conn, records.Change("entity", body, change_id), Delta())
        if body.get("merged_into"):
            done.append((body["id"], body["merged_into"], body["void_reason"], change_id,
                         body["updated_at"]))
    merges.apply(conn, done, marks=False)  # migration 005 makes the `latest` tables
