"""Faults on the way through the sync service, on PostgreSQL: the service SIGKILLed in
the middle of pushes (also right after the store committed, before the answer left),
the laptop killed mid-push, a relay that drops the connection mid-answer. After each,
the next sync completes: central content equals the laptop's, nothing lost or twice."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from tests.service_support import DroppingRelay, Service, issue
from tests.sync_support import Laptop, assert_converged, unsynced
from tui_app.cli import cli

# the laptop gives up quickly on a dead service, so each round is short
FAST_CLIENT = {"FIELDLOG_SYNC_BATCH": "10", "FIELDLOG_HTTP_ATTEMPTS": "2",
               "FIELDLOG_HTTP_BACKOFF": "0.05", "FIELDLOG_HTTP_TIMEOUT": "10"}


def _central_count(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT COUNT(*) FROM change").fetchone()[0]


def _init(pg_url: str) -> str:
    assert CliRunner().invoke(cli, ["central", "init", pg_url]).exit_code == 0
    return pg_url


def _laptop(tmp_path: Path, pg_url: str, url: str, records: int, edits: int) -> Laptop:
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    laptop("init", "--central", url, "--token", issue(pg_url, "3201001"))
    ids = laptop.add(records)
    for rid in ids[:edits]:
        laptop.edit(rid, "复查")
    return laptop


def _sync_env(laptop: Laptop, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FIELDLOG_CRASH_AT"}
    return {**env, "FIELDLOG_DB": str(laptop.db), "FIELDLOG_LANG": "en", **FAST_CLIENT, **extra}


def _sync(laptop: Laptop, **extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tui_app", "sync"], env=_sync_env(laptop, **extra),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_growth(url: str, proc: subprocess.Popen[bytes], target: int, rng: random.Random,
                     timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if _central_count(url) >= target:
            time.sleep(rng.uniform(0, 0.01))
            return
        time.sleep(0.002)


@pytest.mark.slow
def test_service_killed_mid_push_then_restarted(tmp_path: Path, pg_url: str) -> None:
    service = Service(_init(pg_url), tmp_path / "svc")
    # enough records that the last kills still land mid-push: a fast service takes in a
    # few batches more between seeing the log grow and the kill (with 500, a quiet machine
    # had pushed them all by the last rounds, whose moments then repeat)
    a = _laptop(tmp_path, pg_url, service.url, records=1000, edits=20)
    total = 1020
    rng = random.Random(20261202)
    moments: set[tuple[str, int, int]] = set()
    # right after the store committed a batch, before the answer left: the k-th push
    for k in (1, 2, 3, 4, 6, 9):
        service.start(env={"FIELDLOG_CRASH_AT": f"after_central_commit:{k}"})
        laptop = _sync(a)
        assert laptop.wait(timeout=60) == 1  # the service died under it: a clean failure
        assert service.proc is not None and service.proc.wait(timeout=30) == 137
        service.proc = None
        moments.add(("after_commit", _central_count(pg_url), unsynced(a.db)))
    # SIGKILL at random moments while pushes are under way
    for _round in range(16):
        service.start()
        before = _central_count(pg_url)
        laptop = _sync(a)
        _wait_for_growth(pg_url, laptop, before + rng.randint(1, 25), rng)
        service.kill()
        laptop.wait(timeout=60)
        moments.add(("kill", _central_count(pg_url), unsynced(a.db)))
    assert len(moments) >= 20, moments
    # the kills did land mid-push (all of it may have landed by the last round: the growth
    # each round waits for is random, and a loaded machine kills late)
    assert any(kind == "kill" and 0 < count < total for kind, count, _ in moments), moments
    with service:
        done = subprocess.run([sys.executable, "-m", "tui_app", "sync"], env=_sync_env(a),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert_converged(pg_url, a)
    assert _central_count(pg_url) == total


@pytest.mark.slow
def test_laptop_killed_mid_push_through_the_service(tmp_path: Path, pg_url: str) -> None:
    with Service(_init(pg_url), tmp_path / "svc") as service:
        a = _laptop(tmp_path, pg_url, service.url, records=300, edits=10)
        rng = random.Random(7)
        watch = sqlite3.connect(f"{a.db.resolve().as_uri()}?mode=ro", uri=True)
        kills = set()
        for _round in range(8):
            left = watch.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
            proc = _sync(a)
            deadline = time.monotonic() + 30
            while proc.poll() is None and time.monotonic() < deadline:
                if watch.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] <= left - 15:
                    time.sleep(rng.uniform(0, 0.02))
                    break
                time.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            kills.add((_central_count(pg_url), unsynced(a.db)))
        watch.close()
        assert len(kills) >= 5
        # the kills may have let most batches through (a fast start, a quiet machine):
        # the named points below need several batches still to push
        a.add(60)
        for point in ("before_send:2", "after_answer:3", "in_ack:2", "between_pages"):
            crashed = _sync(a, FIELDLOG_CRASH_AT=point)
            assert crashed.wait(timeout=60) == 137, point
        done = subprocess.run([sys.executable, "-m", "tui_app", "sync"], env=_sync_env(a),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert_converged(pg_url, a)
    assert _central_count(pg_url) == 370


def test_connection_dropped_mid_answer_is_retried_without_duplicates(tmp_path: Path,
                                                                    pg_url: str) -> None:
    with Service(_init(pg_url), tmp_path / "svc") as service:
        relay = DroppingRelay(service.port, drops=4)
        try:
            a = _laptop(tmp_path, pg_url, relay.url, records=60, edits=5)
            done = subprocess.run([sys.executable, "-m", "tui_app", "sync"],
                                  env=_sync_env(a, FIELDLOG_HTTP_ATTEMPTS="6"),
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
        finally:
            relay.close()
        assert relay.drops == 0  # every planned drop happened
        statuses = [line["status"] for line in service.access_log() if line["route"] == "/v1/push"]
        assert len(statuses) >= 7 + 4  # 65 changes in batches of 10, and four resends
    # the first batch committed, its answer cut four times: the fifth try hears "duplicate"
    assert "pushed 55 (duplicates 10)" in done.stdout
    assert_converged(pg_url, a)
    assert _central_count(pg_url) == 65
