"""The app's database sessions: closing never pulls a connection from under a query.

A thread worker still inside a query when the app ends used to have its connection
closed under it, and the process died of a segmentation fault (seen in CI)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tui_app.errors import FieldLogError
from tui_app.ui import sessions as sessions_module
from tui_app.ui.sessions import Sessions


def test_close_waits_for_work_inside_a_session(db_path: Path) -> None:
    sessions = Sessions(db_path)
    inside, leave, closed = threading.Event(), threading.Event(), threading.Event()
    seen: list[int] = []

    def worker() -> None:
        with sessions.busy():
            db = sessions.get().db
            inside.set()
            leave.wait(10)
            seen.append(db.conn.execute("SELECT count(*) FROM inspection").fetchone()[0])

    def closer() -> None:
        sessions.close()
        closed.set()

    threads = [threading.Thread(target=worker), threading.Thread(target=closer)]
    threads[0].start()
    assert inside.wait(10)
    threads[1].start()
    assert not closed.wait(0.3), "close() returned while a query was still to run"
    leave.set()
    for thread in threads:
        thread.join(10)
    assert seen == [0] and closed.is_set()
    with pytest.raises(FieldLogError) as refused, sessions.busy():
        pass
    assert refused.value.key == "ui.closing"


def test_work_that_outlives_the_wait_keeps_its_connection(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sessions_module, "CLOSE_WAIT_SECONDS", 0.05)
    sessions = Sessions(db_path)
    inside, leave = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        with sessions.busy():
            db = sessions.get().db
            inside.set()
            leave.wait(10)
            try:
                db.conn.execute("SELECT count(*) FROM inspection").fetchone()
            except sqlite3.Error as error:
                errors.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(10)
    sessions.close()
    leave.set()
    thread.join(10)
    assert errors == []
