"""Attachment bytes: content-addressed files beside the local database, never inside it.

A blob is named by the sha256 of its bytes (`<db>.blobs/ab/abcdef…`), so the same photo
attached twice is stored once, and any copy can be checked against its name. A blob is
written to a temporary file in the same folder, flushed to disk and renamed: a crash
leaves either the whole blob or none. The `blob` table lists what this laptop holds and
what the central store has confirmed; nothing here ever deletes a blob.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tui_app.store.db import Database

CHUNK = 1 << 20  # bytes read or sent at a time


@dataclass(frozen=True)
class Stored:
    """A file copied into the blob folder: its hash, size and first bytes (for its type)."""

    sha256: str
    size: int
    head: bytes


def folder_for(db_path: Path) -> Path:
    """`…/fieldlog.db` → `…/fieldlog.blobs`: beside the database, one folder per database."""
    return db_path.with_name(db_path.stem + ".blobs")


class BlobFolder:
    """The files of one database's blobs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def store(self, source: BinaryIO, limit: int) -> Stored:
        """Copy `source` in, hashing as it goes; refuse (ValueError) past `limit` bytes."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size, head = 0, b""
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise ValueError("too big")
                    if not head:
                        head = chunk[:8192]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            if target.is_file() and target.stat().st_size == size:
                tmp.unlink()
            else:
                target.parent.mkdir(exist_ok=True)
                os.replace(tmp, target)
            return Stored(sha, size, head)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

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
