"""PostgreSQL pulls read only below the oldest open transaction, and wait a moment for it.

A transaction that is open somewhere in the cluster (a push in flight, or the backend of
a sync that was just killed and has not noticed yet) hides every change committed after
it began. A pull waits briefly for it, so one sync still gets what is committed.
"""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg

from tests.sync_support import PG_BASE, Laptop


def test_pull_waits_for_an_older_open_transaction(tmp_path: Path, pg_url: str) -> None:
    from click.testing import CliRunner

    from tui_app.cli import cli

    assert CliRunner().invoke(cli, ["central", "init", pg_url]).exit_code == 0
    a = Laptop(tmp_path / "a", "张三", "3201001")
    b = Laptop(tmp_path / "b", "王五", "3201009")
    holder = psycopg.connect(PG_BASE)
    holder.execute("SELECT pg_current_xact_id()")  # an xid older than a's push, left open
    ids = a.add(3)
    a.sync(pg_url)
    timer = threading.Timer(0.5, holder.rollback)
    timer.start()
    try:
        b.sync(pg_url)
    finally:
        timer.join()
        holder.close()
    assert set(ids) <= set(b.records())


def test_a_central_read_waits_for_an_older_open_transaction(tmp_path: Path, pg_url: str) -> None:
    """District figures read right after a push include it, even while a transaction
    older than the push is still open somewhere in the cluster (for a moment)."""
    import json
    import sqlite3

    from tui_app.services import central as central_service
    from tui_app.sync.central import open_central
    from tui_app.sync.protocol import Change

    a = Laptop(tmp_path / "a", "张三", "3201001")
    a("central", "init", pg_url)
    a.add(3)
    with sqlite3.connect(a.db) as conn:
        changes = [Change(cid, kind, rid, rev, json.loads(body)) for cid, kind, rid, rev, body
                   in conn.execute("SELECT change_id, kind, record_id, rev, body FROM outbox")]
    holder = psycopg.connect(PG_BASE)
    holder.execute("SELECT pg_current_xact_id()")  # an xid older than the push, left open
    store = open_central(pg_url)
    try:
        store.push("3201001", "laptop-a", changes)  # committed, hidden by the horizon
    finally:
        store.close()
    timer = threading.Timer(0.5, holder.rollback)
    timer.start()
    try:
        values = central_service.compute_tallies(pg_url, "zhongqiu").values
    finally:
        timer.join()
        holder.close()
    assert values["food.inspections"] == 3
