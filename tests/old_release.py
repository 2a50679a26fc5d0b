"""Databases as the release before derived entity ids made them (local schema 003,
central schema 002): every laptop gave each registry entity its own random id.

The rows are written as that release wrote them: the same validators, the same tally
facts (`domain.tally`), the same local write path (`store.records.write_in`) and the
central log's own columns; only the entity ids are random, one set per laptop.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tui_app.domain import records as rules
from tui_app.domain import tally as tally_rules
from tui_app.domain.pack import parse_pack
from tui_app.services.record import initials
from tui_app.store import migrate, records
from tui_app.sync import materialize, pg_central, sqlite_central
from tui_app.sync.central import kind_of_url, sqlite_path

PACK = parse_pack(materialize.shipped_pack("zhongqiu") or "", "zhongqiu")
TZ = ZoneInfo("Asia/Shanghai")
Revision = tuple[str, str, dict[str, Any]]  # (change id, kind, body)


@dataclass
class OldLaptop:
    """One laptop's own revisions, as the old release made them."""

    badge: str
    device: str = field(default_factory=lambda: str(uuid.uuid4()))
    entities: dict[str, str] = field(default_factory=dict)  # USCC → this laptop's random id
    revisions: list[Revision] = field(default_factory=list)
    clock: int = 0

    def _meta(self) -> dict[str, Any]:
        self.clock += 1
        at = f"2026-09-20T0{self.clock // 60 % 10}:{self.clock % 60:02d}:00.000000Z"
        return {"rev": 1, "created_at": at, "updated_at": at, "inspector_id": self.badge,
                "device_id": self.device, "voided": False, "void_reason": None}

    def register(self, name: str, code: str, category: str) -> None:
        row = rules.check_entity({"name": name, "uscc": code, "category": category,
                                  "township": "城关镇"}, initials).row
        entity_id = str(uuid.uuid4())
        self.entities[code] = entity_id
        self.revisions.append((str(uuid.uuid4()), "entity",
                               {**row, **self._meta(), "id": entity_id}))

    def visit(self, code: str, action: str, fields: dict[str, Any], day: int) -> None:
        raw = {"action": action, "entity": code, "started_at": f"2026-09-{day}T10:{self.clock:02d}",
               "officers": [{"name": "张三", "badge": self.badge}, {"name": "李四", "badge": "3209999"}],
               "fields": fields}
        row = rules.check_inspection(raw, PACK, TZ, self.entities.get).row
        self.revisions.append((str(uuid.uuid4()), "inspection",
                               {**row, **self._meta(), "id": str(uuid.uuid4())}))


def _facts(kind: str, body: dict[str, Any]) -> tally_rules.Delta:
    """The additive facts a save wrote (that release had no `latest` marks)."""
    return tally_rules.Delta(tally_rules.delta(PACK, kind, None, body).facts)


def write_laptop(path: Path, laptop: OldLaptop, synced: list[Revision],
                 unsynced: list[Revision], epoch: str, cursor: str) -> None:
    """A laptop database at local schema 003 holding `synced` (its own and pulled
    revisions, acknowledged, pulled up to `cursor`) and `unsynced` (in the outbox)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrate.upgrade(conn, upto=3)
    conn.execute("BEGIN")
    settings = {"inspector_id": laptop.badge, "badge": laptop.badge, "name": laptop.badge,
                "device_id": laptop.device}
    conn.executemany("INSERT INTO setting (k, v) VALUES (?, ?)", settings.items())
    for revisions, outbox in ((synced, False), (unsynced, True)):
        for change_id, kind, body in revisions:
            records.write_in(conn, records.Change(kind, body, change_id), _facts(kind, body),
                             outbox=outbox)
    conn.executemany("INSERT INTO sync_state (k, v) VALUES (?, ?)",
                     [("epoch", epoch), ("cursor", cursor)])
    conn.execute("COMMIT")
    conn.close()


def write_central(url: str, log: list[tuple[OldLaptop, Revision]]) -> tuple[str, str]:
    """A central store at schema 002 whose log holds `log` in order; returns its epoch
    and the cursor past the end (what every laptop that pulled everything holds)."""
    rows = [(change_id, kind, body["id"], body["rev"], laptop.badge, laptop.device,
             json.dumps(body, ensure_ascii=False, sort_keys=True), body["updated_at"])
            for laptop, (change_id, kind, body) in log]
    insert = ("INSERT INTO change (change_id, kind, record_id, rev, pushed_by, device_id, body,"
              " received_at) VALUES ({})")
    if kind_of_url(url) == "sqlite":
        conn = sqlite3.connect(str(sqlite_path(url)), isolation_level=None)
        migrate.upgrade(conn, sqlite_central.SqliteCentral.migrations(), upto=2)
        conn.executemany(insert.format(", ".join("?" * 8)), rows)
        conn.close()
        store: Any = sqlite_central.SqliteCentral(url, create=True)
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                         " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            for version, path in migrate.available(pg_central.PgCentral.migrations())[:2]:
                conn.execute(path.read_text(encoding="utf-8"))
                conn.execute("INSERT INTO _migrations (version, name) VALUES (%s, %s)",
                             (version, path.name))
            with conn.cursor() as cur:
                cur.executemany(insert.format(", ".join(["%s"] * 8)), rows)
        store = pg_central.PgCentral(url, create=True)
    try:
        page = store.pull(None, 100_000)
        return page.epoch, page.next_cursor
    finally:
        store.close()
