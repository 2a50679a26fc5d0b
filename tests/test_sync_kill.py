"""Random SIGKILLs during push: the next sync completes the work, nothing lost or twice.

Kills are aimed by watching the central log grow (a kill at a random moment alone
mostly lands before or after the push), so they spread over the whole push: between
batches, inside a central transaction, between the answer and the local delete.
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

from tests.sync_support import Laptop, assert_converged, unsynced

RECORDS = 800
ROUNDS = 24


def _central_count(url: str) -> int:
    if url.startswith("sqlite"):
        path = Path(url[len("sqlite://"):].replace("//", "/", 1))
        # read-write: a reader may have to roll back the hot journal a killed writer left
        conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM change").fetchone()[0]
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT COUNT(*) FROM change").fetchone()[0]


def test_sigkill_during_push_then_resync(tmp_path: Path, central_url: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDLOG_SYNC_BATCH", "10")
    a = Laptop(tmp_path / "a", "张三", "3201001")
    ids = a.add(RECORDS)
    for rid in ids[:40]:
        a.edit(rid, "复查")
    total = RECORDS + 40
    env = {**os.environ, "FIELDLOG_DB": str(a.db), "FIELDLOG_LANG": "en"}
    rng = random.Random(20260921)
    # The laptop database is in WAL mode: this reader never blocks the sync it watches.
    watch = sqlite3.connect(f"{a.db.resolve().as_uri()}?mode=ro", uri=True)
    kill_points: set[tuple[int, int]] = set()
    for _round in range(ROUNDS):
        left = watch.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        target = left - rng.randint(1, 25)
        proc = subprocess.Popen([sys.executable, "-m", "tui_app", "sync", "--central", central_url],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if watch.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] <= target:
                time.sleep(rng.uniform(0, 0.01))
                break
            time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.returncode == -signal.SIGKILL:
            kill_points.add((_central_count(central_url), unsynced(a.db)))
    watch.close()
    assert len(kill_points) >= 20, kill_points
    done = a.sync_process(central_url)
    assert done.returncode == 0, done.stderr
    assert_converged(central_url, a)
    assert _central_count(central_url) == total
