"""SIGKILL during every kind of local write: nothing that was reported saved is lost,
nothing half-written is left, and rows, revisions, outbox and tally facts agree.

The writers run in children of a multiprocessing forkserver with FieldLog already
imported (tests/crash_support.py), so each child is writing within milliseconds and
is killed after a random short delay: most kills land inside a save's transaction or
its fsync, the rest between two saves. One database takes all the kills in turn, as a
laptop takes one power cut after another.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import crash_support
from tui_app.services import maintenance
from tui_app.services.context import open_context

SAVE_KILLS = 50
IMPORT_KILLS = 12
IMPORT_LINES = 400


@pytest.fixture(scope="module")
def forkserver() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.crash_support"])
    return ctx


def _kill_after(mp: multiprocessing.context.BaseContext, target: Callable[..., None], args: tuple,
                delay: float, *, after_first_save: bool = False,
                ) -> tuple[list[tuple[str, str, int]], bool, float]:
    """Run `target` in a child, SIGKILL it `delay` seconds after it is ready (or after its
    first save: the kill then lands among saves however loaded the machine is); return
    what it reported before dying, whether it was still running when killed, and for how
    long it ran after it was ready."""
    parent, child = mp.Pipe(duplex=False)
    proc = mp.Process(target=target, args=(*args[:1], child, *args[1:]), daemon=True)
    proc.start()
    child.close()
    messages: list[tuple[str, str, int]] = []
    assert parent.poll(30), "the writer never became ready"
    messages.append(parent.recv())
    ready = time.monotonic()
    if after_first_save and parent.poll(30):
        messages.append(parent.recv())
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and proc.is_alive():
        if parent.poll(max(0.0, deadline - time.monotonic())):
            try:
                messages.append(parent.recv())
            except EOFError:
                break
    alive = proc.is_alive()
    ran = time.monotonic() - ready
    if alive:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            alive = False  # it finished a moment before
    proc.join(10)
    while parent.poll(0):
        try:
            messages.append(parent.recv())
        except EOFError:
            break
    parent.close()
    return messages, alive and proc.exitcode == -signal.SIGKILL, ran


def _check_whole(db: Path) -> None:
    """Integrity, and every current row backed by its revision, outbox change and facts."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for table in ("inspection", "entity"):
            orphans = conn.execute(
                f"SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM revision r "
                "WHERE r.id = t.id AND r.rev = t.rev) OR NOT EXISTS (SELECT 1 FROM outbox o "
                "WHERE o.record_id = t.id AND o.rev = t.rev)").fetchone()[0]
            assert orphans == 0, f"{table} rows without their revision or outbox change"
        gaps = conn.execute("SELECT COUNT(*) FROM (SELECT id FROM revision GROUP BY id "
                            "HAVING MAX(rev) != COUNT(*))").fetchone()[0]
        assert gaps == 0, "a revision history has a hole"
        assert conn.execute("SELECT COUNT(*) FROM revision").fetchone()[0] == \
            conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    finally:
        conn.close()
    with open_context(db) as ctx:
        health = maintenance.check(ctx)
    stale = [p for p in health.problems if p[0] in ("doctor.tallies_stale", "doctor.revision_gaps")]
    assert stale == [], stale


def _revs(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT id, rev FROM inspection"))
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["services", "cli"])
def test_saves_survive_50_sigkills(forkserver, db_path: Path, writer: str) -> None:
    open_context(db_path).close()
    target = crash_support.save_with_services if writer == "services" else crash_support.save_with_cli
    rng = random.Random(f"saves-{writer}")
    acknowledged: dict[str, int] = {}
    kills = 0
    for round_ in range(SAVE_KILLS):
        messages, killed, _ = _kill_after(forkserver, target, (str(db_path), round_ * 1000),
                                          rng.uniform(0, 0.05), after_first_save=True)
        kills += killed
        for kind, record_id, rev in messages:
            if kind == "saved":
                acknowledged[record_id] = max(rev, acknowledged.get(record_id, 0))
        stored = _revs(db_path)
        lost = {rid: rev for rid, rev in acknowledged.items() if stored.get(rid, 0) < rev}
        assert not lost, f"kill {round_}: saves reported done are gone: {lost}"
        _check_whole(db_path)
    assert kills >= SAVE_KILLS - 2, kills  # each one really died by SIGKILL, mid-work
    assert len(acknowledged) >= SAVE_KILLS, len(acknowledged)  # among saves, not at a start


@pytest.mark.slow
def test_an_import_is_all_or_nothing_under_sigkill(forkserver, db_path: Path, tmp_path: Path) -> None:
    open_context(db_path).close()
    rng = random.Random("import")
    messages, _, took = _kill_after(forkserver, crash_support.run_import,
                                    (str(db_path), str(crash_support.import_file(tmp_path, IMPORT_LINES, 0))),
                                    60)
    assert ("imported", str(IMPORT_LINES), 1) in messages  # an import left alone takes `took` s
    outcomes: list[tuple[bool, int]] = []
    for round_ in range(1, 3 * IMPORT_KILLS):  # a loaded machine may finish some before the kill
        before = len(_revs(db_path))
        path = crash_support.import_file(tmp_path, IMPORT_LINES, round_)
        messages, killed, _ = _kill_after(forkserver, crash_support.run_import, (str(db_path), str(path)),
                                          rng.uniform(0.05, 0.9) * took)
        added = len(_revs(db_path)) - before
        assert added in (0, IMPORT_LINES), f"kill {round_}: {added} of {IMPORT_LINES} lines imported"
        if any(m[0] == "imported" for m in messages):
            assert added == IMPORT_LINES
        outcomes.append((killed, added))
        _check_whole(db_path)
        if sum(k for k, _ in outcomes) >= IMPORT_KILLS:
            break
    assert sum(killed for killed, _ in outcomes) >= IMPORT_KILLS, outcomes
    assert any(added == 0 for killed, added in outcomes if killed), outcomes
