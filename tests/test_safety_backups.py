"""Automatic backups (first start of the day, after each sync), `backup list|restore`, doctor."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.conftest import OFFICERS, SUPERMARKET, write_jsonl

LINE = {"type": "inspection", "action": "food", "entity": SUPERMARKET["name"],
        "started_at": "2026-09-21T10:00", "officers": OFFICERS, "fields": {"place_type": "其他"}}


def _folder(db: Path) -> Path:
    return db.parent / "backups"


def _backups(db: Path) -> list[str]:
    return sorted(p.name for p in _folder(db).glob("fieldlog-*.db")) if _folder(db).exists() else []


def _set(db: Path, key: str, value: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("INSERT OR REPLACE INTO setting (k, v) VALUES (?, ?)", (key, value))
    conn.commit()
    conn.close()


def _findings(fieldlog) -> list[str]:
    return sorted(r["findings"] for r in fieldlog.json("record", "list"))


def _add(fieldlog, tmp_path: Path, findings: str) -> None:
    fieldlog("import", str(write_jsonl(tmp_path / f"{findings}.jsonl", SUPERMARKET, {**LINE, "findings": findings})))


def test_the_first_start_of_a_day_backs_up_once(fieldlog, db_path: Path, tmp_path: Path) -> None:
    _add(fieldlog, tmp_path, "昨天")
    assert _backups(db_path) == []  # a new database has nothing worth keeping yet
    _set(db_path, "backup_day", "2000-01-01")  # the last start was another day
    fieldlog("tally")
    [daily] = _backups(db_path)
    assert daily.endswith("-daily.db")
    with sqlite3.connect(_folder(db_path) / daily) as copy:
        assert copy.execute("SELECT findings FROM inspection").fetchall() == [("昨天",)]
    fieldlog("record", "list")
    assert _backups(db_path) == [daily]  # the same day: no second one


def test_a_successful_sync_backs_up(fieldlog, db_path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    fieldlog("central", "init", url)
    _add(fieldlog, tmp_path, "同步前")
    fieldlog("sync", "--central", url)
    assert [name for name in _backups(db_path) if name.endswith("-sync.db")]
    _add(fieldlog, tmp_path, "同步后")
    fieldlog("sync", "--central", url)  # minutes later: the app's auto-sync would make dozens
    failed = fieldlog("sync", "--central", f"sqlite:///{tmp_path / 'nowhere' / 'c.db'}", ok=False)
    assert failed.exit_code == 1
    assert len([n for n in _backups(db_path) if n.endswith("-sync.db")]) == 1


def test_only_the_last_n_are_kept(fieldlog, db_path: Path) -> None:
    fieldlog("backup")
    [first] = _backups(db_path)
    for day in range(1, 10):  # nine backups from earlier days
        shutil.copy(_folder(db_path) / first, _folder(db_path) / f"fieldlog-202609{day:02d}-080000-daily.db")
    fieldlog("backup", "--keep", "7")
    kept = _backups(db_path)
    assert len(kept) == 7 and first in kept and "fieldlog-20260909-080000-daily.db" in kept
    assert "fieldlog-20260902-080000-daily.db" not in kept
    fieldlog("backup", "--keep", "3")
    assert len(_backups(db_path)) == 3
    listed = fieldlog("backup", "list").stdout
    assert "保留最近 3 份" in listed and "手动" in listed and "每日首次启动" in listed
    assert "by hand" in fieldlog("--lang", "en", "backup", "list").stdout
    assert "20260909-080000" in listed
    fieldlog("backup", "restore", "20260909-080000")


def test_restore_keeps_the_current_file_aside(fieldlog, db_path: Path, tmp_path: Path) -> None:
    _add(fieldlog, tmp_path, "备份前")
    fieldlog("backup")
    _add(fieldlog, tmp_path, "备份后")
    restored = fieldlog("backup", "restore")
    assert "已从" in restored.stdout and "before-restore" in restored.stdout
    assert _findings(fieldlog) == ["备份前"]
    [aside] = [n for n in _backups(db_path) if n.endswith("-before-restore.db")]
    with sqlite3.connect(_folder(db_path) / aside) as copy:
        assert sorted(r[0] for r in copy.execute("SELECT findings FROM inspection")) == ["备份前", "备份后"]
    fieldlog("backup", "restore", aside)  # the undo
    assert _findings(fieldlog) == ["备份前", "备份后"]
    assert fieldlog("doctor").exit_code == 0


def test_a_bad_backup_is_refused_and_doctor_checks_the_newest(fieldlog, db_path: Path, tmp_path: Path) -> None:
    _add(fieldlog, tmp_path, "好")
    fieldlog("backup")
    assert "可以正常打开" in fieldlog("doctor").stdout
    newest = _folder(db_path) / "fieldlog-29990101-000000-manual.db"
    newest.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100 + b"garbage" * 1000)
    sick = fieldlog("doctor", ok=False)
    assert sick.exit_code == 1 and "最新备份" in sick.stderr and newest.name in sick.stderr
    refused = fieldlog("backup", "restore", ok=False)
    assert refused.exit_code == 1 and "无法使用" in refused.stderr and "内部错误" not in refused.stderr
    assert _findings(fieldlog) == ["好"]
    newer = tmp_path / "newer.db"
    shutil.copy(sorted(_folder(db_path).glob("*-manual.db"))[0], newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO _migrations (version, name) VALUES (99, '099_future.sql')")
    refused = fieldlog("backup", "restore", str(newer), ok=False)
    assert "升级 FieldLog" in refused.stderr
    assert "找不到备份" in fieldlog("backup", "restore", "nope", ok=False).stderr
