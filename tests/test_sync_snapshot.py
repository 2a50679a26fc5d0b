"""A new laptop through the district's snapshot equals a new laptop through the plain
pull (`services/snapshot.py`), table for table and row for row, on both central engines
and through the service; a change made after the snapshot arrives by the pull; a kill
while taking it leaves the laptop as it was or whole; a damaged, tampered, newer or
otherwise unfit snapshot is said so and the laptop pulls from nothing instead.

The district is test_sync_pull_bulk's: every record kind, edits, voids, `latest`
tallies; the snapshot is built half-way, then a merge, a changed pack and more work
follow, which the snapshot does not hold.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.service_support import Service, issue
from tests.sync_support import Laptop
from tests.test_sync_pull_bulk import _district, _more_work, tables
from tui_app.cli import cli
from tui_app.services.context import shipped_packs
from tui_app.services.snapshot import Taken
from tui_app.services.sync import LaptopSide
from tui_app.store.db import Database
from tui_app.sync.central import open_central

SEARCHED = ("复查", "正常", "整改")


def _build(url: str) -> str:
    result = CliRunner().invoke(cli, ["--lang", "en", "central", "snapshot", url],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _plain(laptop: Laptop, url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A sync that pulls from nothing, as before snapshots."""
    with monkeypatch.context() as patch:
        patch.setattr(LaptopSide, "take_snapshot", lambda _self, *_args: Taken())
        return laptop.sync(url).output


def _index_ok(db: Path) -> None:
    """FTS5's own check: each search index holds exactly its records' text."""
    conn = sqlite3.connect(db)
    try:
        for table in ("inspection_text", "case_text", "complaint_text", "activity_text"):
            conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    finally:
        conn.close()


def _assert_same(got_laptop: Laptop, want_laptop: Laptop) -> None:
    got = tables(got_laptop.db, index_layout=False)
    want = tables(want_laptop.db, index_layout=False)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name
    assert want["inspection"] and want["tally_fact"] and want["inspection_text_docsize"]
    for laptop in (got_laptop, want_laptop):
        _index_ok(laptop.db)
    for text in SEARCHED:
        assert got_laptop.json("record", "list", "--search", text) == want_laptop.json(
            "record", "list", "--search", text)
    assert got_laptop.json("tally") == want_laptop.json("tally")


def _half_built(tmp_path: Path, url: str) -> tuple[Laptop, Laptop]:
    """The district, its snapshot built, then more work the snapshot does not hold."""
    a, b = _district(tmp_path, url)
    assert "District snapshot built" in _build(url)
    _more_work(tmp_path, url, a, b)
    return a, b


def test_a_laptop_through_the_snapshot_equals_the_plain_pull(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _half_built(tmp_path, central_url)
    fast = Laptop(tmp_path / "fast", "王五", "3201003")
    slow = Laptop(tmp_path / "slow", "王五", "3201003")
    shown = fast.sync(central_url).output
    assert "from the district snapshot" in shown
    pulled = int(shown.split("pulled ")[1].split(",")[0])
    assert 0 < pulled < len(tables(a.db)["revision"])  # only what came after the snapshot
    assert "from the district snapshot" not in _plain(slow, central_url, monkeypatch)
    _assert_same(fast, slow)
    assert fast.json("tally") == b.json("tally", "--scope", "central", "--central", central_url)
    own = sqlite3.connect(fast.db).execute("SELECT k, v FROM setting").fetchall()
    assert ("badge", "3201003") in own and ("inspector_name", "王五") in own  # still its own


def test_a_change_after_the_snapshot_and_the_laptops_own_work_travel_as_before(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, _b = _half_built(tmp_path, central_url)
    fast = Laptop(tmp_path / "fast", "王五", "3201003")
    fast.sync(central_url)
    mine = fast.add(3, badge="3201003")
    edited = sorted(a.records())[0]
    a.edit(edited, "快照之后的复查")
    a.sync(central_url)
    assert "from the district snapshot" not in fast.sync(central_url).output
    assert fast.records()[edited][1] == "快照之后的复查"
    assert set(mine) <= set(a.sync(central_url) and a.records())


def test_with_another_connection_open_the_copy_stays_in_wal_mode(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The TUI's other threads hold connections: the copy cannot leave WAL mode then,
    and takes the snapshot in it, to the same rows."""
    _half_built(tmp_path, central_url)
    fast = Laptop(tmp_path / "fast", "王五", "3201003")
    slow = Laptop(tmp_path / "slow", "王五", "3201003")
    other = Database(fast.db)
    try:
        assert "from the district snapshot" in fast.sync(central_url).output
        assert other.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.conn.execute("SELECT COUNT(*) FROM revision").fetchone()[0] > 0
    finally:
        other.close()
    _plain(slow, central_url, monkeypatch)
    _assert_same(fast, slow)


def test_through_the_service(tmp_path: Path, central_url: str,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    a, _b = _half_built(tmp_path, central_url)
    with Service(central_url, tmp_path / "svc") as service:
        fast = Laptop(tmp_path / "fast", "王五", "3201003")
        slow = Laptop(tmp_path / "slow", "王五", "3201003")
        for laptop in (fast, slow):
            laptop("init", "--central", service.url, "--token", issue(central_url, "3201003"))
        assert "from the district snapshot" in fast("sync").output
        _plain(slow, service.url, monkeypatch)
        reads = [line for line in service.access_log() if line["route"] == "/v1/blobs/{sha256}"]
        assert reads and all(line["status"] == 200 for line in reads)
    _assert_same(fast, slow)


def _snapshot_row(url: str) -> dict:
    store = open_central(url)
    try:
        found = store.latest_snapshot()
        assert found is not None
        return found.wire()
    finally:
        store.close()


def _set(url: str, column: str, value: object) -> None:
    store = open_central(url)
    try:
        store.sql(f"UPDATE snapshot SET {column} = {store.mark}", (value,), write=True)
    finally:
        store.close()


def _tamper_part(url: str, sha: str) -> None:
    """Another byte in the snapshot's first part, where the store keeps it."""
    store = open_central(url)
    try:
        if url.startswith("sqlite:"):
            path = store.blob_root / sha[:2] / sha  # type: ignore[attr-defined]
            data = bytearray(path.read_bytes())
            data[len(data) // 2] ^= 0xFF
            path.write_bytes(bytes(data))
        else:
            store.sql("UPDATE blob_chunk SET data = overlay(data placing '\\xff'::bytea from 5000)"
                      " WHERE sha256 = %s AND \"offset\" = 0", (sha,), write=True)
    finally:
        store.close()


def _drop_part(url: str, sha: str) -> None:
    store = open_central(url)
    try:
        store.drop_blobs([sha])
    finally:
        store.close()


@pytest.mark.parametrize("spoil", ["tampered", "part_missing", "newer_schema", "other_pack",
                                   "unshipped_pack", "other_epoch"])
def test_an_unfit_snapshot_is_said_so_and_the_laptop_pulls_from_nothing(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch, spoil: str) -> None:
    _half_built(tmp_path, central_url)
    record = _snapshot_row(central_url)
    expected = {"tampered": "did not match its hash", "part_missing": "could not be opened",
                "newer_schema": "built by a newer FieldLog",
                "other_pack": "another version of the pack 'zhongqiu'",
                "unshipped_pack": "another version of the pack 'newer_release'",
                "other_epoch": "predates the central store's restore"}[spoil]
    if spoil == "tampered":
        _tamper_part(central_url, record["parts"][0][0])
    elif spoil == "part_missing":
        _drop_part(central_url, record["parts"][0][0])
    elif spoil == "newer_schema":
        _set(central_url, "schema_version", 999)
    elif spoil == "other_pack":
        _set(central_url, "packs", json.dumps({**record["packs"], "zhongqiu": "0" * 64}))
    elif spoil == "unshipped_pack":  # built by a FieldLog shipping a pack this one lacks
        _set(central_url, "packs", json.dumps({**record["packs"], "newer_release": "1" * 64}))
    else:
        _set(central_url, "cursor", "an-older-epoch:" + record["cursor"].split(":", 1)[1])
    spoilt = Laptop(tmp_path / "spoilt", "王五", "3201003")
    slow = Laptop(tmp_path / "slow", "王五", "3201003")
    shown = spoilt.sync(central_url)
    assert expected in shown.stderr and "Traceback" not in shown.output
    assert "from the district snapshot" not in shown.stdout
    _plain(slow, central_url, monkeypatch)
    _assert_same(spoilt, slow)
    assert not list(spoilt.folder.glob(".fieldlog-snapshot-*"))


def test_a_laptop_with_records_of_its_own_pulls_as_before(tmp_path: Path,
                                                         central_url: str) -> None:
    _half_built(tmp_path, central_url)
    own = Laptop(tmp_path / "own", "王五", "3201003")
    own.add(2, badge="3201003")
    assert "from the district snapshot" not in own.sync(central_url).output
    assert len(own.records()) > 2


def test_a_laptop_with_a_pack_imported_here_pulls_as_before_and_keeps_it(
        tmp_path: Path, central_url: str) -> None:
    _half_built(tmp_path, central_url)
    """A pack of a new id, so no pack of the snapshot differs from it: the laptop is not
    new, and its pack is not written over."""
    shipped = shipped_packs()["routine.toml"]
    source = shipped.replace('id = "routine"', 'id = "bureau_extra"', 1)
    assert source != shipped
    (tmp_path / "bureau_extra.toml").write_text(source, encoding="utf-8")
    own = Laptop(tmp_path / "own", "王五", "3201003")
    own("campaign", "import", str(tmp_path / "bureau_extra.toml"))
    shown = own.sync(central_url)
    assert "from the district snapshot" not in shown.output and "snapshot" not in shown.stderr
    held = sqlite3.connect(own.db).execute(
        "SELECT source FROM campaign_pack WHERE id = 'bureau_extra'").fetchone()
    assert held == (source,)


def _revisions(db: Path) -> int:
    """Revisions held, opened as FieldLog opens it (a killed copy's hot journal is rolled
    back by the first connection that reads)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        return conn.execute("SELECT COUNT(*) FROM revision").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
def test_a_kill_while_taking_the_snapshot_leaves_the_old_database_or_the_whole_new_one(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(3000)
    a.sync(central_url)
    _build(central_url)
    a.add(5)
    a.sync(central_url)
    whole = _revisions(a.db)
    laptop = Laptop(tmp_path / "new", "王五", "3201003")
    for point in ("snapshot_downloaded", "snapshot_copy:1", "snapshot_copy:3"):
        assert laptop.sync_process(central_url, crash_at=point).returncode == 137, point
        assert _revisions(laptop.db) == 0, point  # as it was: no record, no cursor
    rng = random.Random(20261208)
    env = {**os.environ, "FIELDLOG_DB": str(laptop.db), "FIELDLOG_LANG": "en"}
    env.pop("FIELDLOG_CRASH_AT", None)
    seen = set()
    for _round in range(6):
        proc = subprocess.Popen([sys.executable, "-m", "tui_app", "sync", "--central",
                                 central_url], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        held = _revisions(laptop.db)
        seen.add(held)
        if held:  # the kill came after the take: the whole snapshot (and maybe the rest)
            assert held >= whole - 5
            break
    done = laptop.sync_process(central_url)
    assert done.returncode == 0, done.stderr
    assert _revisions(laptop.db) == whole
    assert not list(laptop.folder.glob(".fieldlog-snapshot-*"))
    slow = Laptop(tmp_path / "slow", "王五", "3201003")
    _plain(slow, central_url, monkeypatch)
    _assert_same(laptop, slow)


def test_a_new_snapshot_keeps_the_one_before_and_drops_older_ones_with_their_blobs(
        tmp_path: Path, central_url: str) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    built = []
    for _round in range(3):
        a.add(5)
        a.sync(central_url)
        _build(central_url)
        built.append(_snapshot_row(central_url))
    store = open_central(central_url)
    try:
        assert [s.sha256 for s in store.snapshots()] == [built[2]["sha256"], built[1]["sha256"]]
        first = [sha for sha, _size in built[0]["parts"]]
        assert store.missing_blobs(first) == first
        kept = [sha for record in built[1:] for sha, _size in record["parts"]]
        assert store.missing_blobs(kept) == []
    finally:
        store.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_while_taking_the_snapshot_says_so_and_loses_nothing(
        tmp_path: Path) -> None:
    """A real full disk (a small tmpfs) under a new laptop: the snapshot's download or
    copy fails, the pull after it too; the user reads one clear message, the laptop's
    database is whole and as it was, and no download is left beside it."""
    url = f"sqlite:///{tmp_path / 'central.db'}"
    assert CliRunner().invoke(cli, ["central", "init", url]).exit_code == 0
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(3000)
    a.sync(url)
    _build(url)
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("running as root without permission to mount a tmpfs")
    try:
        laptop = Laptop(mount, "王五", "3201003")
        shown = laptop.sync_process(url)
        assert shown.returncode == 1, shown.stderr
        assert "Traceback" not in shown.stderr and "disk is full" in shown.stderr, shown.stderr
        assert _revisions(laptop.db) == 0
        assert not list(mount.glob(".fieldlog-snapshot-*"))
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("other_open", [False, True], ids=["alone", "other_connection"])
def test_a_save_while_the_snapshot_downloads_is_kept_and_found(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch,
        other_open: bool) -> None:
    """The TUI saves a record after the sync found the laptop new and before the copy:
    the copy must not write the snapshot over it (its revision, its search index, its
    tallies), so the laptop pulls as before instead and keeps what it saved."""
    import tui_app.services.snapshot as snapshot_service

    _half_built(tmp_path, central_url)
    fast = Laptop(tmp_path / "fast", "王五", "3201003")
    real = snapshot_service.download
    saved: list[str] = []

    def download_then_save(*args: object) -> None:
        real(*args)  # type: ignore[arg-type]
        saved.extend(fast.add(2, badge="3201003"))
        fast.edit(saved[0], "快照下载时保存的记录")

    other = Database(fast.db) if other_open else None
    try:
        with monkeypatch.context() as patch:
            patch.setattr(snapshot_service, "download", download_then_save)
            shown = fast.sync(central_url).output
    finally:
        if other is not None:
            other.close()
    assert saved and "from the district snapshot" not in shown
    _index_ok(fast.db)
    found = fast.json("record", "list", "--search", "快照下载时保存")
    assert [r["id"] for r in found] == [saved[0]]  # type: ignore[union-attr, index]
    assert fast.json("tally") == fast.json("tally", "--scope", "central", "--central",
                                           central_url)
    assert set(saved) <= set(fast.records())


def test_a_download_cleared_by_a_second_sync_is_never_taken_as_empty(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second sync of the same new laptop (the TUI's and a terminal's) clears the
    downloads it finds beside the database, this one's too: the first must not then take
    a file made afresh in its place (no record, the snapshot's cursor) and never pull
    what came before that cursor; it pulls everything instead."""
    import tui_app.services.snapshot as snapshot_service

    _half_built(tmp_path, central_url)
    fast = Laptop(tmp_path / "fast", "王五", "3201003")
    slow = Laptop(tmp_path / "slow", "王五", "3201003")
    real = snapshot_service.download

    def download_then_cleared(port: object, info: object, dest: Path, report: object) -> None:
        real(port, info, dest, report)  # type: ignore[arg-type]
        snapshot_service._clear_leftovers(fast.db)  # the other sync's start

    with monkeypatch.context() as patch:
        patch.setattr(snapshot_service, "download", download_then_cleared)
        shown = fast.sync(central_url).output
    assert "from the district snapshot" not in shown
    _plain(slow, central_url, monkeypatch)
    _assert_same(fast, slow)


def test_a_malformed_snapshot_row_is_no_snapshot_and_the_sync_goes_on(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot row the store cannot read (a hand-edited or damaged central file) is
    not offered: the laptop pulls from nothing, and the sync is not stopped by it."""
    _half_built(tmp_path, central_url)
    _set(central_url, "parts", "not json")
    spoilt = Laptop(tmp_path / "spoilt", "王五", "3201003")
    slow = Laptop(tmp_path / "slow", "王五", "3201003")
    shown = spoilt.sync(central_url).output
    assert "from the district snapshot" not in shown
    _plain(slow, central_url, monkeypatch)
    _assert_same(spoilt, slow)
    store = open_central(central_url)
    try:
        assert store.latest_snapshot() is None and store.snapshots() == []
    finally:
        store.close()
