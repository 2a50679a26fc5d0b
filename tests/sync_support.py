"""Shared pieces of the sync tests: a central store on each engine, and laptops.

The central store is parametrised over SQLite and PostgreSQL. Each PostgreSQL test gets
its own schema (dropped afterwards); when PostgreSQL is down the test is skipped with
the reason, or fails when FIELDLOG_REQUIRE_PG=1 (CI must run them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui_app.cli import cli
from tui_app.sync.central import open_central

PG_BASE = os.environ.get("FIELDLOG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
OFFICERS = [{"name": "张三", "badge": "3201001"}, {"name": "李四", "badge": "3201002"}]


def pg_schema_url(schema: str) -> str:
    return f"{PG_BASE}?options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, as a central URL."""
    try:
        import psycopg

        admin = psycopg.connect(PG_BASE, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "PG is down"
        if os.environ.get("FIELDLOG_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required (FIELDLOG_REQUIRE_PG=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_BASE} is unreachable: {exc}")
    schema = f"fl_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield pg_schema_url(schema)
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def central_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An initialised central store on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'central.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    result = CliRunner().invoke(cli, ["central", "init", url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return url


class Laptop:
    """One inspector's laptop: its own database, driven through the CLI."""

    def __init__(self, folder: Path, name: str, badge: str, *, init: bool = True) -> None:
        """`init=False`: the database is already there (made by an older release, say)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.db = folder / "fieldlog.db"
        self.runner = CliRunner()
        self.count = 0
        if init:
            self("init", "--name", name, "--badge", badge)

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = self.runner.invoke(cli, ["--lang", "en", "--db", str(self.db), *args],
                                    catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def add(self, n: int, *, badge: str = "3201001", day: int = 21) -> list[str]:
        """Import `n` inspections (and the entity they visit) through `fieldlog import`."""
        ids = [str(uuid.uuid4()) for _ in range(n)]
        self.count += 1
        lines = [{"type": "inspection", "id": rid, "action": "food",
                  "place": f"市场{self.count}-{i}", "started_at": f"2026-09-{day}T10:{i % 60:02d}",
                  "officers": [{"name": "张三", "badge": badge},
                               {"name": "李四", "badge": "3201002"}],
                  "fields": {"place_type": "学校及周边"}, "findings": "正常"}
                 for i, rid in enumerate(ids)]
        path = self.folder / f"import{self.count}.jsonl"
        path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
        self("import", str(path))
        return ids

    def edit(self, record_id: str, findings: str) -> None:
        self("record", "edit", record_id, "--findings", findings)

    def sync(self, url: str, ok: bool = True) -> Result:
        return self("sync", "--central", url, ok=ok)

    def sync_process(self, url: str, crash_at: str | None = None,
                     timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """`fieldlog sync` in its own process (so a crash point can really end it)."""
        env = {**os.environ, "FIELDLOG_DB": str(self.db), "FIELDLOG_LANG": "en"}
        env.pop("FIELDLOG_CRASH_AT", None)
        if crash_at:
            env["FIELDLOG_CRASH_AT"] = crash_at
        return subprocess.run([sys.executable, "-m", "tui_app", "sync", "--central", url],
                              env=env, capture_output=True, text=True, timeout=timeout)

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--format", "json").stdout)

    def records(self) -> dict[str, tuple[int, str]]:
        """Every local inspection: id → (rev, findings), voided included."""
        rows = self.json("record", "list", "--all", "--limit", "10000")
        return {r["id"]: (r["rev"], r["findings"]) for r in rows}

    def history(self, record_id: str) -> list[tuple[int, str]]:
        shown = self.json("record", "show", record_id)
        return [(r["rev"], r["findings"]) for r in shown["revisions"]]


def central_log(url: str) -> list[tuple[str, str, int]]:
    """The central change log as (change id, record id, rev), through the pull interface."""
    store = open_central(url)
    try:
        out, cursor = [], None
        while True:
            page = store.pull(cursor, 5000)
            out += [(c.change_id, c.record_id, c.rev) for c in page.changes]
            cursor = page.next_cursor
            if not page.more:
                return out
    finally:
        store.close()


def central_conflicts(url: str) -> list[str]:
    store = open_central(url)
    try:
        return sorted(c.change_id for c in store.conflicts(100000))
    finally:
        store.close()


def local_revisions(db: Path) -> set[tuple[str, str, int]]:
    """A laptop's revisions as (change id, record id, rev), read-only."""
    import sqlite3

    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return set(conn.execute("SELECT change_id, id, rev FROM revision").fetchall())
    finally:
        conn.close()


def unsynced(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    finally:
        conn.close()


def assert_converged(url: str, *laptops: Laptop) -> None:
    """Nothing lost, nothing twice: the central log is exactly the union of the laptops'
    revisions, row for row and revision for revision, and every laptop holds all of it."""
    log = central_log(url)
    assert len(log) == len(set(log)), "a change is stored twice"
    assert len({(r, v) for _c, r, v in log}) == len(log), "two changes hold one revision"
    union = set().union(*(local_revisions(lap.db) for lap in laptops))
    assert set(log) == union
    for laptop in laptops:
        assert unsynced(laptop.db) == 0
        assert local_revisions(laptop.db) == union
