"""Attachments reach both central stores by hash: ask first, send the missing, resume a
killed upload where it stopped, verify on arrival, never send a blob twice."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.evidence_support import photo
from tests.sync_support import Laptop
from tui_app.sync import central as central_module
from tui_app.sync.blobs import CHUNK
from tui_app.sync.central import open_central


class CountingStore:
    """The real central store, counting the blob bytes written into it."""

    def __init__(self, store: Any, counts: dict[str, int]) -> None:
        self._store = store
        self._counts = counts

    def put_blob_chunk(self, sha256: str, offset: int, data: bytes) -> int:
        self._counts["chunks"] += 1
        self._counts["bytes"] += len(data)
        return self._store.put_blob_chunk(sha256, offset, data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"chunks": 0, "bytes": 0}
    real = central_module.open_central
    monkeypatch.setattr(central_module, "open_central",
                        lambda url, **kw: CountingStore(real(url, **kw), counts))
    return counts


def laptop_with_photos(tmp_path: Path, n: int = 3) -> tuple[Laptop, list[Path]]:
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    [record_id] = laptop.add(1)
    photos = [photo(tmp_path / f"p{i}.jpg", noise=2 * CHUNK + 1000 * i) for i in range(n)]
    laptop("attach", record_id, *map(str, photos))
    return laptop, photos


def central_bytes(url: str, sha: str) -> bytes:
    store = open_central(url)
    try:
        return b"".join(store.read_blob(sha))
    finally:
        store.close()


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_push_sends_each_blob_once_and_verified(tmp_path: Path, central_url: str,
                                               counted: dict[str, int]) -> None:
    laptop, photos = laptop_with_photos(tmp_path)
    total = sum(p.stat().st_size for p in photos)
    first = laptop.sync(central_url)
    assert "上传 3 个" in first.stdout or "sent 3" in first.stdout
    assert counted["bytes"] == total and counted["chunks"] == 3 * 3
    for path in photos:
        assert central_bytes(central_url, sha_of(path)) == path.read_bytes()
    again = laptop.sync(central_url)
    assert counted["bytes"] == total and counted["chunks"] == 9  # nothing twice
    assert "sent 0" not in again.stdout or "0.0 MB" in again.stdout
    # a second laptop attaching the same photo: the store is asked and already holds it
    other = Laptop(tmp_path / "b", "王五", "3201003")
    [rid] = other.add(1, badge="3201003")
    other("attach", rid, str(photos[0]))
    out = other.sync(central_url)
    assert "already held 1" in out.stdout and counted["bytes"] == total
    blobs = laptop.db.with_name("fieldlog.blobs")
    assert all((blobs / sha_of(p)[:2] / sha_of(p)).is_file() for p in photos)  # never deleted
    conn = sqlite3.connect(laptop.db)
    assert conn.execute("SELECT COUNT(*) FROM blob WHERE confirmed_epoch IS NULL").fetchone()[0] == 0


def test_killed_upload_resumes_where_it_stopped(tmp_path: Path, central_url: str,
                                               counted: dict[str, int]) -> None:
    laptop, photos = laptop_with_photos(tmp_path)
    total = sum(p.stat().st_size for p in photos)
    killed = laptop.sync_process(central_url, crash_at="mid_blob:5")  # 2nd blob, 2nd chunk
    assert killed.returncode == 137
    store = open_central(central_url)
    try:
        sizes = {sha_of(p): p.stat().st_size for p in photos}
        missing = store.missing_blobs(list(sizes))
        received = sorted(store.blob_received(sha) for sha in missing)
        assert len(missing) == 2 and received == [0, 2 * CHUNK]  # one whole, one half-sent
        kept = total - sum(sizes[sha] for sha in missing) + 2 * CHUNK
    finally:
        store.close()
    laptop.sync(central_url)
    assert counted["bytes"] == total - kept  # the resumed run sent only the rest
    for path in photos:
        assert central_bytes(central_url, sha_of(path)) == path.read_bytes()


def test_a_corrupt_local_blob_is_refused_centrally_and_kept_locally(tmp_path: Path,
                                                                    central_url: str) -> None:
    laptop, photos = laptop_with_photos(tmp_path, n=1)
    sha = sha_of(photos[0])
    local = laptop.db.with_name("fieldlog.blobs") / sha[:2] / sha
    data = bytearray(local.read_bytes())
    data[-10] ^= 0xFF
    local.write_bytes(bytes(data))
    out = laptop.sync(central_url, ok=False)
    assert out.exit_code == 1 and "could not be sent" in out.stderr and "Traceback" not in out.output
    store = open_central(central_url)
    try:
        assert store.missing_blobs([sha]) == [sha] and store.blob_received(sha) == 0
    finally:
        store.close()
    assert local.is_file()


def test_store_refuses_bad_hashes_and_wrong_bytes(central_url: str) -> None:
    from tui_app.errors import FieldLogError

    store = open_central(central_url)
    try:
        with pytest.raises(FieldLogError):
            store.put_blob_chunk("../../etc/passwd", 0, b"x")
        data = b"evidence" * 1000
        wrong = hashlib.sha256(b"something else").hexdigest()
        assert store.put_blob_chunk(wrong, 0, data) == len(data)
        assert store.put_blob_chunk(wrong, 5, b"late") == len(data)  # not at the end: told where
        assert store.finish_blob(wrong, len(data)) is False
        assert store.missing_blobs([wrong]) == [wrong] and store.blob_received(wrong) == 0
        right = hashlib.sha256(data).hexdigest()
        store.put_blob_chunk(right, 0, data[:100])
        store.put_blob_chunk(right, 100, data[100:])
        assert store.finish_blob(right, len(data)) is True and store.missing_blobs([right]) == []
        assert b"".join(store.read_blob(right)) == data
    finally:
        store.close()


def test_every_blob_is_on_disk_before_it_is_confirmed(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The flushes are batched (issued together, not one after another), never dropped:
    every blob file and the folder naming it were fsynced, on the laptop by the end of
    `attach` and centrally by the time the sync confirms."""
    import os

    flushed: set[int] = set()
    real_fsync = os.fsync

    def noting(fd: int) -> None:
        real_fsync(fd)
        flushed.add(os.fstat(fd).st_ino)

    monkeypatch.setattr(os, "fsync", noting)
    laptop, photos = laptop_with_photos(tmp_path)

    def assert_flushed(root: Path) -> None:
        for path in photos:
            blob = root / sha_of(path)[:2] / sha_of(path)
            assert blob.stat().st_ino in flushed and blob.parent.stat().st_ino in flushed

    assert_flushed(laptop.db.with_name("fieldlog.blobs"))
    url = f"sqlite:///{tmp_path / 'central.db'}"
    laptop("central", "init", url)
    flushed.clear()
    laptop.sync(url)
    central = tmp_path / "central.blobs"
    assert_flushed(central)
    assert not list((central / ".ready").iterdir())  # nothing left waiting for its flush
    conn = sqlite3.connect(laptop.db)
    assert conn.execute("SELECT COUNT(*) FROM blob WHERE confirmed_epoch IS NULL").fetchone()[0] == 0


def test_a_verified_blob_is_held_only_once_flushed(tmp_path: Path) -> None:
    """Central SQLite: a finished upload waits in `.ready/` for the batch's flush; asked
    about meanwhile (another laptop, a resumed sync), the store flushes it first."""
    url = f"sqlite:///{tmp_path / 'central.db'}"
    from tui_app.sync.central import initialise

    initialise(url)
    store = open_central(url)
    try:
        data = b"evidence" * 5000
        sha = hashlib.sha256(data).hexdigest()
        store.put_blob_chunk(sha, 0, data)
        assert store.finish_blob(sha, len(data)) is True
        final = tmp_path / "central.blobs" / sha[:2] / sha
        assert not final.exists() and len(list((tmp_path / "central.blobs" / ".ready").iterdir())) == 1
        assert store.missing_blobs([sha]) == [] and final.read_bytes() == data
        assert store.finish_blob(sha, len(data)) is True  # held: a repeated finish agrees
    finally:
        store.close()


def _sqlite_store(tmp_path: Path) -> Any:
    from tui_app.sync.central import initialise

    url = f"sqlite:///{tmp_path / 'central.db'}"
    initialise(url)
    return open_central(url)


def test_a_waiting_blob_left_by_a_crash_is_checked_before_it_is_held(tmp_path: Path) -> None:
    """Central SQLite after an OS crash: a file in `.ready/` this process did not verify
    may hold zeros or a part of its bytes (the rename reached the disk, the data did not).
    It is hashed again: a bad one is dropped and said to be missing, a good one is held."""
    blobs = [b"evidence" * 5000, b"photo" * 7000, b"scan" * 9000]
    sha = [hashlib.sha256(data).hexdigest() for data in blobs]
    ready = tmp_path / "central.blobs" / ".ready"
    ready.mkdir(parents=True)
    (ready / sha[0]).write_bytes(b"")  # as the previous release named them
    (ready / f"{sha[1]}.left").write_bytes(blobs[1][:1000] + bytes(len(blobs[1]) - 1000))
    (ready / f"{sha[2]}.left").write_bytes(blobs[2])
    store = _sqlite_store(tmp_path)
    try:
        assert store.missing_blobs(sha) == sha[:2]
        assert not list(ready.iterdir())
        assert b"".join(store.read_blob(sha[2])) == blobs[2]
        store.put_blob_chunk(sha[1], 0, blobs[1])
        assert store.finish_blob(sha[1], len(blobs[1])) is True
        store.flush_blobs()
        assert b"".join(store.read_blob(sha[1])) == blobs[1]
    finally:
        store.close()


def test_two_uploads_of_one_blob_never_share_a_waiting_file(tmp_path: Path) -> None:
    """Central SQLite, two requests finishing the same blob: each verified upload waits
    under a name of its own, so a settle moves the very file it flushed, never one
    another upload swapped in meanwhile, unflushed."""
    data = b"evidence" * 5000
    sha = hashlib.sha256(data).hexdigest()
    first, second = _sqlite_store(tmp_path), _sqlite_store(tmp_path)
    try:
        for store in (first, second):
            store.put_blob_chunk(sha, 0, data)
            assert store.finish_blob(sha, len(data)) is True
        ready = tmp_path / "central.blobs" / ".ready"
        assert len(list(ready.iterdir())) == 2
        second.flush_blobs()
        assert not list(ready.iterdir()) and first.missing_blobs([sha]) == []
        assert b"".join(first.read_blob(sha)) == data
    finally:
        first.close()
        second.close()


def test_a_held_blob_is_never_overwritten(tmp_path: Path, central_url: str) -> None:
    """A start at offset 0 of a blob the store holds (any inspector's token can send
    one) writes nothing: the blob stays held, its bytes intact, on both engines."""
    import httpx

    from tests.service_support import Service, issue

    data = b"template" * 5000
    sha = hashlib.sha256(data).hexdigest()
    store = open_central(central_url)
    try:
        store.put_blob_chunk(sha, 0, data)
        assert store.finish_blob(sha, len(data)) is True
        store.flush_blobs()
        assert store.put_blob_chunk(sha, 0, b"z") == len(data)
        with Service(central_url, tmp_path / "svc") as service:
            answer = httpx.put(f"{service.url}/v1/blobs/{sha}?offset=0", content=b"z",
                               headers={"Authorization": f"Bearer {issue(central_url, '3201001')}",
                                        "Content-Type": "application/octet-stream"}, timeout=30)
            assert answer.status_code == 200 and answer.json()["received"] == len(data)
        assert store.missing_blobs([sha]) == []
        assert b"".join(store.read_blob(sha)) == data
    finally:
        store.close()


def test_an_upload_restarted_on_another_connection_is_hashed_afresh(central_url: str) -> None:
    """Chunks through a service worker's pooled stores: one store still holds the running
    hash of an earlier upload of the blob when another restarts it at offset 0 with
    other bytes. Those bytes are what is kept, so they are what is hashed: the blob is
    refused, not held with bytes that do not match its name."""
    data = b"evidence" * 5000
    sha = hashlib.sha256(data).hexdigest()
    half = len(data) // 2
    first, second = open_central(central_url), open_central(central_url)
    try:
        assert first.put_blob_chunk(sha, 0, data[:half]) == half
        assert second.put_blob_chunk(sha, 0, b"x" * half) == half  # another start, other bytes
        assert first.put_blob_chunk(sha, half, data[half:]) == len(data)
        assert first.finish_blob(sha, len(data)) is False
        assert first.missing_blobs([sha]) == [sha]
    finally:
        first.close()
        second.close()
