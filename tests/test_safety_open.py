"""Opening the local database safely: first starts racing, a newer schema, a read-only file."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tui_app.errors import FieldLogError
from tui_app.services.context import open_context
from tui_app.store import migrate
from tui_app.ui.sessions import Sessions


def _race(path: Path) -> list[BaseException | str]:
    """Two app threads start on one new file at the same moment, as the app's workers do."""
    sessions = Sessions(path)
    start = threading.Barrier(2)
    outcome: list[BaseException | str] = []

    def open_one() -> None:
        start.wait()
        try:
            outcome.append(sessions.get().device_id)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            outcome.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sessions.close()
    return outcome


def test_two_app_threads_open_one_new_database_50_times(tmp_path: Path) -> None:
    for attempt in range(50):
        outcome = _race(tmp_path / f"new-{attempt}.db")
        errors = [o for o in outcome if isinstance(o, BaseException)]
        assert not errors, f"attempt {attempt}: {errors!r}"
        assert len(set(outcome)) == 1, "both threads must agree on the device id"


def _bump_schema(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _migrations (version, name) VALUES (?, ?)", (version, f"{version}_future.sql"))
    conn.commit()
    conn.close()


def test_a_database_from_a_newer_version_is_refused_not_written(db_path: Path) -> None:
    open_context(db_path).close()
    _bump_schema(db_path, 99)
    before = db_path.read_bytes()
    with pytest.raises(FieldLogError) as caught:
        open_context(db_path)
    assert caught.value.key == "db.newer"
    assert "99" in caught.value.message() and "升级" in caught.value.message()
    assert db_path.read_bytes() == before
    with pytest.raises(migrate.NewerSchema):
        migrate.upgrade(sqlite3.connect(db_path, isolation_level=None))


def test_doctor_and_every_command_say_upgrade_on_a_newer_database(fieldlog, db_path: Path) -> None:
    _bump_schema(db_path, 99)
    for args in (["doctor"], ["tally"], ["record", "list"]):
        result = fieldlog(*args, ok=False)
        assert result.exit_code == 1
        assert "升级 FieldLog" in result.stderr and "内部错误" not in result.stderr
        assert "一切正常" not in result.output
    english = fieldlog("--lang", "en", "doctor", ok=False)
    assert "Upgrade FieldLog" in english.stderr


async def test_the_app_says_upgrade_on_its_first_screen(fieldlog, db_path: Path) -> None:
    from tests.ui_support import make_app, settle, text_of
    from tui_app.ui.screens.startup import StartupFailedScreen

    _bump_schema(db_path, 99)
    app = make_app(fieldlog)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StartupFailedScreen)
        shown = text_of(app.screen.query_one("#startup-message"))
        assert "升级 FieldLog" in shown and "99" in shown
        await pilot.press("q")
    assert app.return_code == 0
