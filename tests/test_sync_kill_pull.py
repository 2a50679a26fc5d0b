"""Random SIGKILLs that land in the pull and in the central catch-up (materialize), not
only in the push: the next sync (or central read) completes the work, nothing lost or twice.

As in test_sync_kill.py, kills are aimed by watching the work advance: the pulling
laptop's revisions grow page by page; the central catch-up runs inside one write
transaction of the central file, whose rollback journal exists exactly while it runs,
and on PostgreSQL inside one transaction holding the catch-up's advisory lock, whose
statements `pg_stat_activity` shows as they run.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.sync_support import Laptop, assert_converged

# Enough pages that 14 kills land in the pull before it ends: a page of new records is
# written set-based (services/sync.py), in a few ms, so each kill overshoots by a few pages.
RECORDS = 1500
ROUNDS = 14


def _revisions(watch: sqlite3.Connection) -> int:
    return watch.execute("SELECT COUNT(*) FROM revision").fetchone()[0]


def _start(db: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FIELDLOG_DB": str(db), "FIELDLOG_LANG": "en"}
    env.pop("FIELDLOG_CRASH_AT", None)
    return subprocess.Popen([sys.executable, "-m", "tui_app", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_sigkill_during_pull_then_resync(tmp_path: Path, central_url: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDLOG_SYNC_BATCH", "20")
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(RECORDS)
    assert a.sync_process(central_url).returncode == 0
    b = Laptop(tmp_path / "b", "王五", "3201005")
    rng = random.Random(20261002)
    watch = sqlite3.connect(f"{b.db.resolve().as_uri()}?mode=ro", uri=True)
    landed: set[int] = set()
    for _round in range(ROUNDS):
        have = _revisions(watch)
        target = min(RECORDS - 1, have + rng.randint(1, 60))
        proc = _start(b.db, "sync", "--central", central_url)
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if _revisions(watch) >= target:
                time.sleep(rng.uniform(0, 0.01))
                break
            time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.returncode == -signal.SIGKILL and _revisions(watch) < RECORDS:
            landed.add(_revisions(watch))
        assert watch.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    watch.close()
    assert len(landed) >= 8, landed  # kills at many different points of the pull
    done = b.sync_process(central_url)
    assert done.returncode == 0, done.stderr
    assert_converged(central_url, a, b)


def _watermark(central: Path) -> int:
    conn = sqlite3.connect(f"{central.resolve().as_uri()}?mode=rw", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT v FROM meta WHERE k = 'materialized'").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_during_the_central_catch_up_then_a_read_completes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDLOG_SYNC_BATCH", "3000")  # one push; the store catches up after it
    central = tmp_path / "central.db"
    url = f"sqlite:///{central}"
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a("central", "init", url)
    a.add(3000)
    pushed = a.sync_process(url, crash_at="before_catch_up")
    assert pushed.returncode == 137  # everything pushed, nothing caught up yet
    assert _watermark(central) == 0
    journal = central.with_name(central.name + "-journal")
    rng = random.Random(20261003)
    inside = 0
    for _round in range(8):
        proc = _start(a.db, "tally", "--scope", "central", "--central", url, "--format", "json")
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline and not journal.exists():
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, 0.05))
        was_inside = journal.exists() and proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        inside += was_inside and proc.returncode == -signal.SIGKILL
        assert _watermark(central) in (0, 3000)  # one transaction: all of it or none
    assert inside >= 5, inside
    central_figures = a.json("tally", "--scope", "central", "--central", url)["tallies"]
    assert _watermark(central) == 3000
    assert central_figures == a.json("tally")["tallies"]
    # the push died before its answer: the next sync hears "duplicate" and forgets its outbox
    assert a.sync_process(url).returncode == 0
    assert_converged(url, a)



def _pg_watermark(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT v FROM meta WHERE k = 'materialized'").fetchone()[0]


# The catch-up's chunk transaction, phase by phase, as the statement its backend last ran:
# reading the log, planning (after the pack's lookup), writing the current rows.
PHASES = ("SELECT xid::text", "SELECT body FROM change", "INSERT INTO current")


def _catch_up_phase(watch: Any, reader: str) -> int | None:
    """How far the backend of `reader` (an application_name) is in the catch-up's chunk
    transaction (an index of PHASES), or None when it does not hold the catch-up's lock:
    only the catch-up takes an advisory lock in a central read."""
    row = watch.execute(
        "SELECT a.query FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
        "WHERE a.application_name = %s AND l.locktype = 'advisory' AND l.granted",
        (reader,)).fetchone()
    if row is None:
        return None
    return max((i for i, text in enumerate(PHASES) if row[0].startswith(text)), default=-1)


def _gone(watch: Any, reader: str, timeout: float = 15) -> bool:
    """Wait (bounded) until PostgreSQL noticed the killed client and ended its backend,
    so the next round does not wait on the lock the dead one still holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not watch.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = %s",
                             (reader,)).fetchone():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.slow
def test_sigkill_during_the_postgresql_catch_up_then_a_read_completes_it(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    monkeypatch.setenv("FIELDLOG_SYNC_BATCH", "3000")  # one push; the store catches up after it
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a("central", "init", pg_url)
    a.add(3000)
    pushed = a.sync_process(pg_url, crash_at="before_catch_up")
    assert pushed.returncode == 137  # everything pushed, nothing caught up yet
    assert _pg_watermark(pg_url) == "0:0"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        xid, seq = conn.execute("SELECT xid::text, seq FROM change ORDER BY xid DESC, seq DESC"
                                " LIMIT 1").fetchone()
    caught_up = f"{xid}:{seq}"
    reader = f"fl_reader_{uuid.uuid4().hex[:8]}"  # names the readers' backends
    url = f"{pg_url}&application_name={reader}"
    rng = random.Random(20261004)
    landed: list[int] = []
    with psycopg.connect(pg_url, autocommit=True) as watch:
        for round_ in range(9):
            target = round_ % len(PHASES)
            proc = _start(a.db, "tally", "--scope", "central", "--central", url, "--format", "json")
            deadline = time.monotonic() + 30
            while proc.poll() is None and time.monotonic() < deadline:
                phase = _catch_up_phase(watch, reader)
                if phase is not None and phase >= target:
                    time.sleep(rng.uniform(0, 0.02))
                    break
                time.sleep(0.001)
            phase = _catch_up_phase(watch, reader)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            if phase is not None and proc.returncode == -signal.SIGKILL:
                landed.append(phase)
            assert _gone(watch, reader), "the killed reader's backend is still running"
            assert _pg_watermark(pg_url) in ("0:0", caught_up)  # one transaction: all or none
    assert len(landed) >= 5 and len(set(landed)) >= 3, landed  # in each phase of the catch-up
    central_figures = a.json("tally", "--scope", "central", "--central", pg_url)["tallies"]
    assert _pg_watermark(pg_url) == caught_up
    assert central_figures == a.json("tally")["tallies"]
    # the push died before its answer: the next sync hears "duplicate" and forgets its outbox
    assert a.sync_process(pg_url).returncode == 0
    assert_converged(pg_url, a)
