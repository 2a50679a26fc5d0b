"""`fieldlog doctor` finds stale tallies without changing anything; `backup` copies safely."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import OFFICERS, SUPERMARKET, write_jsonl


def test_doctor_backup(fieldlog, tmp_path: Path) -> None:
    line = {"type": "inspection", "action": "food", "entity": SUPERMARKET["name"],
            "started_at": "2026-09-21T10:00", "officers": OFFICERS, "fields": {"place_type": "其他"}}
    fieldlog("import", str(write_jsonl(tmp_path / "a.jsonl", SUPERMARKET, line)))
    healthy = fieldlog("doctor")
    assert "一切正常" in healthy.stdout and "检查 1" in healthy.stdout and "待同步 2" in healthy.stdout

    conn = sqlite3.connect(fieldlog.db)
    conn.execute("UPDATE tally_fact SET n = n + 5 WHERE tally_id = 'food.inspections'")
    conn.commit()
    conn.close()
    sick = fieldlog("doctor", ok=False)
    assert sick.exit_code == 1 and "doctor --repair" in sick.stderr
    assert fieldlog("doctor", ok=False).exit_code == 1  # looking did not repair it
    assert "一切正常" in fieldlog("doctor", "--repair").stdout
    assert fieldlog.json("tally")["tallies"]["food.inspections"] == 1

    copy = tmp_path / "b" / "copy.db"
    copy.parent.mkdir()  # -o names a file in a folder that exists (a typo is refused, issue 10)
    assert str(copy) in fieldlog("backup", "-o", str(copy)).stdout
    with sqlite3.connect(copy) as backup_conn:
        assert backup_conn.execute("SELECT COUNT(*) FROM inspection").fetchone() == (1,)
    assert "已存在" in fieldlog("backup", "-o", str(copy), ok=False).stderr
