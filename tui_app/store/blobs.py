"""Attachment bytes: content-addressed files beside the local database, never inside it.

A blob is named by the sha256 of its bytes (`<db>.blobs/ab/abcdef…`), so the same photo
attached twice is stored once, and any copy can be checked against its name. A blob is
written to a temporary file in the same folder, flushed to disk and renamed (the files
of one attach together, `settle`): a crash leaves either the whole blob or none. The
`blob` table lists what this laptop holds and what the central store has confirmed;
nothing here ever deletes a blob.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tui_app.store.db import Database

CHUNK = 1 << 20  # bytes read or sent at a time
FLUSHERS = 16  # threads issuing fsyncs at once (they wait on the disk, not a core)


@dataclass(frozen=True)
class Stored:
    """A file copied into the blob folder: its hash, size and first bytes (for its type)."""

    sha256: str
    size: int
    head: bytes


def folder_for(db_path: Path) -> Path:
    """`…/fieldlog.db` → `…/fieldlog.blobs`: beside the database, one folder per database."""
    return db_path.with_name(db_path.stem + ".blobs")


@dataclass(frozen=True)
class Staged:
    """A file copied into the blob folder under a temporary name, its flush under way."""

    stored: Stored
    temp: Path


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # another process settled it first (a central store)
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Flusher:
    """fsyncs that run in the background while the next files are copied: the disk
    writes one file while the CPU copies and hashes the next, and the fsyncs issued
    together are committed by the file system's journal as one group, where one fsync
    after another would wait for a disk flush each."""

    _pool: ThreadPoolExecutor | None = None

    def __init__(self) -> None:
        self._running: dict[Path, Future[None]] = {}

    @classmethod
    def _threads(cls) -> ThreadPoolExecutor:
        if cls._pool is None:
            cls._pool = ThreadPoolExecutor(max_workers=FLUSHERS, thread_name_prefix="fsync")
        return cls._pool

    def start(self, path: Path) -> None:
        self._running[path] = self._threads().submit(_fsync, path)

    def wait(self, paths: Iterable[Path]) -> None:
        """Every file of `paths` on disk: the flushes started, and the others, at once."""
        unique = list(dict.fromkeys(paths))
        for path in unique:
            if path not in self._running:
                self.start(path)
        for path in unique:
            self._running.pop(path).result()


def settle(moves: Sequence[tuple[Path, Path]], flusher: Flusher | None = None) -> None:
    """Make files durable under their final names: their bytes on disk (flushes issued
    together, or already started by `flusher`), then each renamed into place, then the
    folders that gained a name flushed. Only then may anyone be told they are held."""
    flusher = flusher or Flusher()
    flusher.wait(temp for temp, _target in moves)
    for temp, target in moves:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(temp, target)
        except FileNotFoundError:
            if not target.is_file():
                raise
    flusher.wait(target.parent for _temp, target in moves)


class BlobFolder:
    """The files of one database's blobs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._flusher = Flusher()

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def stage(self, source: BinaryIO, limit: int) -> Staged:
        """Copy `source` in under a temporary name, hashing as it goes (one pass over the
        bytes); refuse (ValueError) past `limit` bytes. `commit` makes it a blob."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size, head = 0, b""
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb", buffering=0) as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise ValueError("too big")
                    if not head:
                        head = chunk[:8192]
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._flusher.start(tmp)
        return Staged(Stored(digest.hexdigest(), size, head), tmp)

    def commit(self, staged: Sequence[Staged]) -> None:
        """Staged files become blobs, flushed to disk together (`settle`); a blob already
        held whole is not written again."""
        moves = []
        for item in staged:
            target = self.path(item.stored.sha256)
            if target.is_file() and target.stat().st_size == item.stored.size:
                self._flusher.wait([item.temp])
                item.temp.unlink(missing_ok=True)
            else:
                moves.append((item.temp, target))
        settle(moves, self._flusher)

    @staticmethod
    def discard(staged: Sequence[Staged]) -> None:
        for item in staged:
            item.temp.unlink(missing_ok=True)

    def store(self, source: BinaryIO, limit: int) -> Stored:
        """Copy one file in and make it a blob (see `stage`, `commit`)."""
        staged = self.stage(source, limit)
        try:
            self.commit([staged])
        except BaseException:
            self.discard([staged])
            raise
        return staged.stored

    def read(self, sha256: str, offset: int = 0) -> Iterator[bytes]:
        """The blob's bytes from `offset`, a chunk at a time."""
        with self.path(sha256).open("rb") as data:
            data.seek(offset)
            while chunk := data.read(CHUNK):
                yield chunk

    def verify(self, sha256: str) -> str:
        """'ok', 'missing' or 'corrupt' (its bytes no longer hash to its name)."""
        if not self.has(sha256):
            return "missing"
        digest = hashlib.sha256()
        for chunk in self.read(sha256):
            digest.update(chunk)
        return "ok" if digest.hexdigest() == sha256 else "corrupt"


# ---------------------------------------------------------------------- the blob table


def record(db: Database, sha256: str, size: int, media_type: str, now: str) -> None:
    """Note a blob this laptop holds (once; a blob seen again keeps its confirmation)."""
    db.conn.execute(
        "INSERT INTO blob (sha256, size, media_type, stored_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (sha256) DO NOTHING", (sha256, size, media_type, now))


def all_hashes(db: Database) -> list[tuple[str, int]]:
    return db.conn.execute("SELECT sha256, size FROM blob ORDER BY stored_at").fetchall()


def unconfirmed(db: Database, epoch: str) -> list[tuple[str, int]]:
    """Blobs the central store of `epoch` has not confirmed holding, oldest first."""
    return db.conn.execute(
        "SELECT sha256, size FROM blob WHERE confirmed_epoch IS NULL OR confirmed_epoch != ? "
        "ORDER BY stored_at, sha256", (epoch,)).fetchall()


def confirm(db: Database, hashes: list[str], epoch: str) -> None:
    with db.transaction() as conn:
        conn.executemany("UPDATE blob SET confirmed_epoch = ? WHERE sha256 = ?",
                         [(epoch, h) for h in hashes])
