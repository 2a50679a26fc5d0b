"""Every failure says what to do: a full disk during a save, an import or a sync; a
read-only database file, folder or disk; never `内部错误` or "cannot rollback"."""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import OFFICERS, SUPERMARKET, Fieldlog, write_jsonl
from tests.sync_support import Laptop, assert_converged
from tui_app.store import db as db_module

LINE = {"type": "inspection", "action": "food", "entity": SUPERMARKET["name"],
        "started_at": "2026-09-21T10:00", "officers": OFFICERS, "fields": {"place_type": "其他"}}


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch):
    """Make every database opened from now on full after `pages` more pages: SQLite's own
    SQLITE_FULL, raised where a real full disk raises it (any page write, the COMMIT)."""
    real_open = db_module._open

    def fill(pages: int) -> None:
        def opened(path: str) -> sqlite3.Connection:
            conn = real_open(path)
            used = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {used + pages}")
            return conn

        monkeypatch.setattr(db_module, "_open", opened)

    yield fill
    monkeypatch.setattr(db_module, "_open", real_open)


def _consistent(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = {
            "inspections": conn.execute("SELECT COUNT(*) FROM inspection").fetchone()[0],
            "revisions": conn.execute("SELECT COUNT(*) FROM revision WHERE kind = 'inspection'").fetchone()[0],
            "outbox": conn.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'inspection'").fetchone()[0],
        }
        return counts
    finally:
        conn.close()


def _says_disk_full(output: str) -> None:
    assert "磁盘已满" in output and "腾出磁盘空间" in output
    assert "内部错误" not in output and "cannot rollback" not in output and "Traceback" not in output


def test_a_full_disk_during_saves_says_so_and_keeps_every_save(fieldlog: Fieldlog, tmp_path: Path,
                                                               disk_full) -> None:
    fieldlog("import", str(write_jsonl(tmp_path / "e.jsonl", SUPERMARKET)))
    disk_full(6)
    saved = []
    for n in range(300):
        result = fieldlog("record", "add", "--action", "food", "--entity", SUPERMARKET["name"], "--at",
                          "2026-09-21T10:00", "--field", "place_type=其他", "--findings", "检" * 1500 + str(n),
                          ok=False)
        if result.exit_code:
            break
        saved.append(n)
    else:
        pytest.fail("the disk never filled")
    _says_disk_full(result.stderr)
    counts = _consistent(fieldlog.db)
    assert counts == {"inspections": len(saved), "revisions": len(saved), "outbox": len(saved)}
    english = fieldlog("--lang", "en", "record", "add", "--action", "food", "--entity", SUPERMARKET["name"],
                       "--at", "2026-09-21T10:00", "--field", "place_type=其他", "--findings", "x" * 9000,
                       ok=False)
    assert "The disk is full" in english.stderr and "Free some space" in english.stderr


def test_a_full_disk_during_an_import_imports_nothing(fieldlog: Fieldlog, tmp_path: Path, disk_full) -> None:
    fieldlog("import", str(write_jsonl(tmp_path / "e.jsonl", SUPERMARKET, LINE)))
    before = _consistent(fieldlog.db)
    disk_full(20)
    lines = [{**LINE, "findings": f"第{i}条" + "查" * 500} for i in range(400)]
    result = fieldlog("import", str(write_jsonl(tmp_path / "big.jsonl", *lines)), ok=False)
    assert result.exit_code == 1
    _says_disk_full(result.stderr)
    assert _consistent(fieldlog.db) == before


def test_a_full_disk_during_a_pull_says_so_and_the_next_sync_completes(tmp_path: Path, disk_full) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a("central", "init", url)
    a.add(300)
    a.sync(url)
    b = Laptop(tmp_path / "b", "王五", "3201005")
    disk_full(10)
    failed = b("--lang", "zh", "sync", "--central", url, ok=False)
    assert failed.exit_code == 1
    _says_disk_full(failed.stderr)
    assert sqlite3.connect(b.db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    disk_full(100_000)  # space freed
    b.sync(url)
    assert_converged(url, a, b)


# ---------------------------------------------------------------- read-only


@pytest.fixture
def read_only_db(fieldlog: Fieldlog, tmp_path: Path) -> Iterator[Path]:
    """The test's database on a medium this process cannot write.

    As a normal user, file and folder modes do it. Root writes whatever the mode, so for
    root the database goes onto a small tmpfs remounted read-only (a CD, a locked share)."""
    fieldlog("import", str(write_jsonl(tmp_path / "e.jsonl", SUPERMARKET, {**LINE, "findings": "只读"})))
    if os.geteuid() != 0:
        folder = fieldlog.db.parent
        fieldlog.db.chmod(0o444)
        folder.chmod(0o555)
        yield fieldlog.db
        folder.chmod(0o755)
        fieldlog.db.chmod(0o644)
        return
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("running as root without permission to mount a read-only filesystem")
    try:
        shutil.copy(fieldlog.db, mount / "fieldlog.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "fieldlog.db"
    finally:
        gc.collect()  # tracebacks of refused commands may still hold a connection to the file
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount)], check=False)  # never leave it mounted


def test_a_read_only_database_still_lists_and_counts_and_refuses_saves_clearly(read_only_db: Path,
                                                                              tmp_path: Path) -> None:
    ro = Fieldlog(read_only_db)
    assert [r["findings"] for r in ro.json("record", "list")] == ["只读"]
    assert ro.json("tally")["tallies"]["food.inspections"] == 1
    assert "只读" not in ro("report").stderr
    assert [e["name"] for e in ro.json("entity", "search", "超市")] == [SUPERMARKET["name"]]
    assert "只做了只读检查" in ro("doctor").stdout
    for args in (["record", "add", "--action", "food", "--entity", SUPERMARKET["name"], "--at",
                  "2026-09-21T11:00", "--field", "place_type=其他"],
                 ["import", str(write_jsonl(tmp_path / "more.jsonl", {**LINE, "findings": "新"}))],
                 ["campaign", "use", "zhongqiu"]):
        result = ro(*args, ok=False)
        assert result.exit_code == 1
        assert "只读" in result.stderr and "复制到可写的位置" in result.stderr, result.output
        assert "内部错误" not in result.stderr
    english = ro("--lang", "en", "record", "void", "x" * 8, "--reason", "r", ok=False)
    assert "read-only" in english.stderr and "Copy it somewhere writable" in english.stderr


def test_a_full_central_disk_says_so_and_nothing_is_lost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui_app.sync.sqlite_central import SqliteCentral

    url = f"sqlite:///{tmp_path / 'central.db'}"
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a("central", "init", url)
    a.add(200)
    checked = SqliteCentral._check_schema

    def full_soon(self: SqliteCentral) -> None:
        checked(self)
        used = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {used + 3}")

    monkeypatch.setattr(SqliteCentral, "_check_schema", full_soon)
    failed = a("--lang", "zh", "sync", "--central", url, ok=False)
    assert failed.exit_code == 1 and "中心库" in failed.stderr and "磁盘已满" in failed.stderr
    assert "内部错误" not in failed.stderr
    monkeypatch.setattr(SqliteCentral, "_check_schema", checked)
    a.sync(url)
    assert_converged(url, a)


async def test_the_app_opens_a_read_only_database_and_shows_its_figures(read_only_db: Path) -> None:
    from tests.ui_support import fixed_clock, settle
    from tui_app.ui.app import FieldLogApp
    from tui_app.ui.screens.dashboard import DashboardScreen

    app = FieldLogApp(read_only_db, clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen) and app.pack is not None
