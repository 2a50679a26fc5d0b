"""Migrations: applied in order, recorded, upgrade keeps data, and a wheel carries them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

from tui_app.store import migrate

ROOT = Path(__file__).resolve().parents[1]


def _conn(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), isolation_level=None)


def test_upgrade_from_first_migration_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = _conn(path)
    assert migrate.upgrade(conn, upto=1) == ["001_local_core.sql"]
    conn.execute("INSERT INTO entity (id, rev, created_at, updated_at, inspector_id, device_id, name)"
                 " VALUES ('e1', 1, 't', 't', 'i', 'd', '老字号超市')")
    conn.execute("INSERT INTO outbox (change_id, kind, record_id, rev, body, created_at)"
                 " VALUES ('c1', 'entity', 'e1', 1, '{}', 't')")
    conn.close()

    conn = _conn(path)
    applied = migrate.upgrade(conn)
    assert applied and applied[0] == "002_local_sync_ledger.sql"
    assert conn.execute("SELECT name FROM entity WHERE id = 'e1'").fetchone() == ("老字号超市",)
    assert conn.execute("SELECT change_id FROM outbox").fetchall() == [("c1",)]
    assert conn.execute("SELECT COUNT(*) FROM quarantine").fetchone() == (0,)
    versions = [r[0] for r in conn.execute("SELECT version FROM _migrations ORDER BY version")]
    assert versions == [v for v, _ in migrate.available(migrate.migrations_root())]
    assert migrate.upgrade(conn) == []  # idempotent


def test_failed_migration_leaves_no_trace(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "001_a.sql").write_text("CREATE TABLE a (x);", encoding="utf-8")
    (folder / "002_b.sql").write_text("CREATE TABLE b (x);\nCREATE TABLE a (y);", encoding="utf-8")
    conn = _conn(tmp_path / "x.db")
    try:
        migrate.upgrade(conn, folder)
    except sqlite3.OperationalError:
        pass
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "a" in tables and "b" not in tables
    assert [r[0] for r in conn.execute("SELECT version FROM _migrations")] == [1]


def test_installed_wheel_carries_and_applies_migrations(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True)
    [wheel] = tmp_path.glob("fieldlog-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "tui_app/migrations/001_local_core.sql" in names
        assert "tui_app/packs/zhongqiu.toml" in names
        archive.extractall(tmp_path / "site")
    code = (
        "import sys, sqlite3, tui_app; from tui_app.store import migrate;"
        "assert tui_app.__file__.startswith(sys.argv[1]), tui_app.__file__;"
        "c = sqlite3.connect(sys.argv[2], isolation_level=None);"
        "print(len(migrate.upgrade(c)))"
    )
    site = str(tmp_path / "site")
    out = subprocess.run([sys.executable, "-c", code, site, str(tmp_path / "w.db")],
                         env={"PYTHONPATH": site, "PATH": "/usr/bin:/bin"}, capture_output=True,
                         text=True, check=True, cwd=tmp_path)
    assert int(out.stdout) == len(migrate.available(migrate.migrations_root()))
