"""Random SIGKILLs that land in the pull and in the central catch-up (materialize), not
only in the push: the next sync (or central read) completes the work, nothing lost or twice.

As in test_sync_kill.py, kills are aimed by watching the work advance: the pulling
laptop's revisions grow page by page; the central catch-up runs inside one write
transaction of the central file, whose rollback journal exists exactly while it runs.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sync_support import Laptop, assert_converged

RECORDS = 600
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
