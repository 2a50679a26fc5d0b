"""Plain pushes into PostgreSQL run side by side under the shared push lock; one that
meets another push's key while it is being written is decided again under the exclusive
lock, so it gets the answer it would have had one after the other.

Each test holds "another push" open on a raw connection (shared lock taken, its row
written, not committed), starts a real push on a thread, commits the other, and checks
the answer: the race is made to happen every time, not hoped for."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from click.testing import CliRunner

from tests.test_sync_push_paths import DEVICE, INSPECTOR, _change
from tui_app.cli import cli
from tui_app.domain.ids import new_id
from tui_app.sync.central import open_central
from tui_app.sync.protocol import Change, PushResult

SHARED = "SELECT pg_advisory_xact_lock_shared(hashtext(current_schema() || 'push'))"


def _init(url: str) -> None:
    assert CliRunner().invoke(cli, ["central", "init", url]).exit_code == 0


def _log_row(conn: psycopg.Connection, change: Change) -> None:
    conn.execute("INSERT INTO change (change_id, kind, record_id, rev, pushed_by, device_id,"
                 " body, received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                 (change.change_id, change.kind, change.record_id, change.rev, INSPECTOR,
                  DEVICE, change.body_json(), "2026-09-20T03:00:00Z"))


def _race(url: str, other: Callable[[psycopg.Connection], None], batch: list[Change],
          trace: list[str] | None = None) -> list[PushResult]:
    """Push `batch` while `other` (another push's writes) is open, then commit `other`;
    `trace` gets the paths the push took (`PgCentral.push_trace`)."""
    answers: list[list[PushResult]] = []
    conn = psycopg.connect(url)
    conn.execute(SHARED)
    other(conn)
    store = open_central(url, catch_up_on_push=False)
    pusher = threading.Thread(target=lambda: answers.append(
        store.push(INSPECTOR, DEVICE, batch, role="inspector", strict=True)))
    pusher.start()
    time.sleep(1.0)  # the push has looked up, decided and now waits on the key
    assert not answers, "the push did not wait for the other one's key"
    conn.commit()
    conn.close()
    pusher.join(timeout=30)
    store.close()
    if trace is not None:
        trace += store.push_trace  # type: ignore[attr-defined]
    return answers[0]


def _log(url: str) -> list[tuple[str, str, int]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT change_id, record_id, rev FROM change ORDER BY seq").fetchall()


def test_a_rival_revision_written_meanwhile_makes_the_push_stale(pg_url: str) -> None:
    _init(pg_url)
    record = new_id()
    first = _change(record, 1)
    store = open_central(pg_url)
    store.push(INSPECTOR, DEVICE, [first])
    store.close()
    rival = _change(record, 2, first.change_id, findings="另一台电脑的复查")
    mine = _change(record, 2, first.change_id, findings="复查")
    fresh = _change(new_id(), 1)
    answers = _race(pg_url, lambda conn: _log_row(conn, rival), [fresh, mine])
    assert [(a.status, a.kept_change_id) for a in answers] == [
        ("applied", None), ("stale", rival.change_id)]
    assert answers[1].current is not None and answers[1].current.change_id == rival.change_id
    assert {(c, r) for c, r, _v in _log(pg_url)} == {
        (first.change_id, record), (rival.change_id, record), (fresh.change_id, fresh.record_id)}


def test_the_same_change_pushed_meanwhile_is_a_duplicate(pg_url: str) -> None:
    _init(pg_url)
    change = _change(new_id(), 1)
    answers = _race(pg_url, lambda conn: _log_row(conn, change), [change])
    assert [a.status for a in answers] == ["duplicate"]
    assert [c for c, _r, _v in _log(pg_url)] == [change.change_id]


def test_a_new_record_stored_meanwhile_sends_the_push_back_to_the_lookup(
        pg_url: str, tmp_path: Path) -> None:
    """A batch of new records goes in with no lookup (`PgCentral._push_new`); another push
    storing one of its records meanwhile makes its COPY wait on the key, then fail: it is
    looked up and decided again, and answers as the SQLite file does one after the other."""
    _init(pg_url)
    record = new_id()
    theirs = _change(record, 1, findings="另一台电脑的首版")
    batch = [_change(new_id(), 1), _change(record, 1)]
    trace: list[str] = []
    answers = _race(pg_url, lambda conn: _log_row(conn, theirs), batch, trace)
    assert trace == ["new", "shared", "exclusive"]
    sqlite = f"sqlite:///{tmp_path / 'central.db'}"
    _init(sqlite)
    store = open_central(sqlite)
    store.push(INSPECTOR, DEVICE, [theirs])
    expected = store.push(INSPECTOR, DEVICE, batch, role="inspector", strict=True)
    store.close()
    assert answers == expected
    assert [(a.status, a.kept_change_id) for a in answers] == [
        ("applied", None), ("stale", theirs.change_id)]


def test_plain_pushes_do_not_wait_for_each_other(pg_url: str) -> None:
    """Another plain push holding the shared lock does not hold this one up."""
    _init(pg_url)
    other = _change(new_id(), 1)
    mine = _change(new_id(), 1)
    answers: list[list[PushResult]] = []
    conn = psycopg.connect(pg_url)
    conn.execute(SHARED)
    _log_row(conn, other)
    store = open_central(pg_url, catch_up_on_push=False)
    pusher = threading.Thread(target=lambda: answers.append(
        store.push(INSPECTOR, DEVICE, [mine], role="inspector", strict=True)))
    pusher.start()
    pusher.join(timeout=10)
    done_before_the_other = bool(answers)
    conn.commit()
    conn.close()
    pusher.join(timeout=30)
    store.close()
    assert done_before_the_other
    assert [a.status for a in answers[0]] == ["applied"]
