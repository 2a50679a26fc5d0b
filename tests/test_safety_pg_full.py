"""A real full disk under the PostgreSQL central store: a push and a central read are
answered with SQLSTATE 53100 (disk_full), directly or through `fieldlog serve`, and the
user reads what happened and what to do, in zh and en; nothing local is lost, and once
there is space a sync completes.

The disk is real: a small tmpfs mounted as root, given to the `postgres` OS user, made a
tablespace that the test's central schema is created in. A ballast file next to the
tablespace's folder sets the free space exactly (filling 16 MB with inspections would take
too long). Without root, mount, a `postgres` OS user or a local server the test is skipped
with the reason, or fails when FIELDLOG_REQUIRE_PG=1 (CI is root on such a machine).
"""

from __future__ import annotations

import errno
import os
import pwd
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.service_support import Service, issue
from tests.sync_support import PG_BASE, Laptop, assert_converged, unsynced
from tui_app.cli import cli

SIZE = "16m"
RECORDS = 1500


def _unavailable(reason: str) -> None:
    if os.environ.get("FIELDLOG_REQUIRE_PG") == "1":
        pytest.fail(f"FIELDLOG_REQUIRE_PG=1 requires the full-disk test to run: {reason}")
    pytest.skip(reason)


@contextmanager
def _small_disk(admin: Any) -> Iterator[Path]:
    """A tmpfs of SIZE owned by the `postgres` OS user, unmounted and removed afterwards."""
    if os.geteuid() != 0:
        _unavailable("mounting a small disk for PostgreSQL needs root")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        _unavailable("there is no `postgres` OS user to own the small disk")
    if not admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
        _unavailable("CREATE TABLESPACE needs a PostgreSQL superuser")
    data_dir = admin.execute("SHOW data_directory").fetchone()[0]
    if not Path(data_dir).is_dir():
        _unavailable(f"PostgreSQL at {PG_BASE} is not on this machine ({data_dir} is not here)")
    folder = Path(tempfile.mkdtemp(prefix="fieldlog-pgfull-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},uid={owner.pw_uid},gid={owner.pw_gid},"
         "mode=0700", "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        folder.rmdir()
        _unavailable(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)  # a backend's open file
        folder.rmdir()


@contextmanager
def _tablespace(admin: Any, folder: Path) -> Iterator[str]:
    """A tablespace on `folder` (CREATE TABLESPACE cannot run in a transaction block:
    `admin` is in autocommit); dropped afterwards, when the caller emptied it."""
    name = f"fl_full_{uuid.uuid4().hex[:8]}"
    admin.execute(f"CREATE TABLESPACE {name} LOCATION '{folder}'")
    try:
        yield name
    finally:
        admin.execute(f"DROP TABLESPACE {name}")


class Ballast:
    """A root-owned file on the small disk: how much of it is free is up to the test."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "ballast"
        self.folder = folder

    def fill(self, leave: int = 0) -> None:
        """Grow until only `leave` bytes are free (0: until the disk refuses)."""
        with self.path.open("ab") as out:
            try:
                while True:
                    stat = os.statvfs(self.folder)
                    free = stat.f_bavail * stat.f_frsize - leave
                    if free <= 0:
                        return
                    out.write(b"\0" * min(free, 1 << 20))
                    out.flush()
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise

    def empty(self) -> None:
        self.path.unlink(missing_ok=True)


def _says_central_full(stderr: str) -> None:
    assert "The disk of the central store" in stderr and "is full" in stderr, stderr
    assert "IT person" in stderr and "nothing on this laptop is lost" in stderr, stderr
    assert "Traceback" not in stderr


def _run(laptop: Laptop, *args: str, lang: str = "en",
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FIELDLOG_DB": str(laptop.db), "FIELDLOG_LANG": lang, **(env or {})}
    env.pop("FIELDLOG_CRASH_AT", None)
    return subprocess.run([sys.executable, "-m", "tui_app", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def _watermark(admin: Any, schema: str) -> str:
    return admin.execute(f"SELECT v FROM {schema}.meta WHERE k = 'materialized'").fetchone()[0]


@dataclass
class SmallStore:
    """A central store (`url`) whose every table and index lives on the small disk."""

    url: str
    schema: str
    admin: Any
    ballast: Ballast

    def changes(self) -> int:
        return self.admin.execute(f"SELECT COUNT(*) FROM {self.schema}.change").fetchone()[0]


@pytest.fixture
def small_store(pg_url: str) -> Iterator[SmallStore]:
    import psycopg

    schema = pg_url.rsplit("%3D", 1)[1]
    admin = psycopg.connect(PG_BASE, autocommit=True)
    try:
        with _small_disk(admin) as folder, _tablespace(admin, folder) as space:
            ballast = Ballast(folder)
            try:
                made = CliRunner().invoke(cli, ["central", "init",
                                                f"{pg_url}%20-cdefault_tablespace%3D{space}"])
                assert made.exit_code == 0, made.output
                yield SmallStore(pg_url, schema, admin, ballast)
            finally:
                ballast.empty()
                # empty the schema off the small disk (the pg_url fixture drops it after)
                admin.execute(f"DROP SCHEMA {schema} CASCADE")
                admin.execute(f"CREATE SCHEMA {schema}")
        assert not folder.exists()
    finally:
        admin.close()


def test_a_full_disk_under_postgresql_says_so_and_loses_nothing(
        tmp_path: Path, small_store: SmallStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDLOG_SYNC_BATCH", str(RECORDS))
    url, ballast = small_store.url, small_store.ballast
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(RECORDS)
    ballast.fill(leave=256 * 1024)

    pushed = _run(a, "sync", "--central", url)
    assert pushed.returncode == 1, pushed.stderr
    _says_central_full(pushed.stderr)
    assert unsynced(a.db) == RECORDS  # the outbox is whole
    assert small_store.changes() == 0
    zh = _run(a, "sync", "--central", url, lang="zh")
    assert zh.returncode == 1 and "所在磁盘已满" in zh.stderr, zh.stderr
    assert "信息员" in zh.stderr and "一条未丢" in zh.stderr, zh.stderr

    # the log fits; the read's catch-up (current rows, tally facts) does not
    ballast.empty()
    assert a.sync_process(url, crash_at="before_catch_up").returncode == 137
    ballast.fill()
    read = _run(a, "tally", "--scope", "central", "--central", url)
    assert read.returncode == 1, read.stderr
    _says_central_full(read.stderr)
    assert _watermark(small_store.admin, small_store.schema) == "0:0"

    # space again: the next read and sync complete the work
    ballast.empty()
    figures = a.json("tally", "--scope", "central", "--central", url)["tallies"]
    assert figures == a.json("tally")["tallies"]
    assert a.sync_process(url).returncode == 0
    assert_converged(url, a)


def test_a_full_disk_behind_the_sync_service_says_so(tmp_path: Path,
                                                     small_store: SmallStore) -> None:
    """Through `fieldlog serve`: the service answers 503 with the store's reason, the
    laptop retries, then says the central disk is full, not "the service is failing"."""
    url, ballast = small_store.url, small_store.ballast
    with Service(url, tmp_path / "svc") as service:
        a = Laptop(tmp_path / "a", "张三", "3201001")
        a("init", "--central", service.url, "--token", issue(url, "3201001"))
        a.add(RECORDS)
        ballast.fill(leave=256 * 1024)
        quick = {"FIELDLOG_SYNC_BATCH": str(RECORDS), "FIELDLOG_HTTP_ATTEMPTS": "2",
                 "FIELDLOG_HTTP_BACKOFF": "0.05"}
        pushed = _run(a, "sync", env=quick)
        assert pushed.returncode == 1, pushed.stderr
        assert "behind the sync service" in pushed.stderr and "is full" in pushed.stderr
        assert "IT person" in pushed.stderr and "Traceback" not in pushed.stderr
        assert unsynced(a.db) == RECORDS and small_store.changes() == 0
        ballast.empty()
        assert _run(a, "sync", env=quick).returncode == 0
    assert_converged(url, a)


def test_a_postgresql_short_of_resources_says_whom_to_tell(tmp_path: Path, pg_url: str) -> None:
    """Any other class-53 answer (here 53400, a temp_file_limit the bureau's server sets)
    names the server's own reason and says to tell IT, not "cannot reach"."""
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a("central", "init", pg_url)
    a.add(300)
    a.sync(pg_url)
    limited = f"{pg_url}%20-cwork_mem%3D64kB%20-ctemp_file_limit%3D0"  # any sort on disk fails
    for lang, says in (("en", ("short of resources", "temp_file_limit", "IT person")),
                       ("zh", ("资源不足", "temp_file_limit", "信息员"))):
        listed = _run(a, "record", "list", "--scope", "central", "--central", limited,
                      "--limit", "1000", lang=lang)
        assert listed.returncode == 1, listed.stderr
        assert all(s in listed.stderr for s in says), listed.stderr
        assert "Traceback" not in listed.stderr
