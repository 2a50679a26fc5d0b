"""Attachment bytes between a laptop and a central store: ask first, send what is missing.

The replication port for blobs is a few small methods every central store offers (and the
HTTP service can carry one for one):

    missing_blobs(hashes)             -> the hashes it does not hold whole
    blob_received(sha256)             -> bytes of an interrupted upload it kept
    put_blob_chunk(sha256, offset, data) -> bytes it now holds (write only at that point)
    finish_blob(sha256, size)         -> True when the bytes hash to the name, else the
                                         partial upload is dropped and False returned
    flush_blobs()                     -> every blob finished so far is on disk (a store
                                         may flush a batch at once rather than each)
    read_blob(sha256)                 -> the bytes of a blob it holds, a chunk at a time

A killed upload resumes from `blob_received`; the store hashes the bytes as they arrive
(`IncomingHashes`) and keeps a blob only when they hash to its name, so a laptop can
never plant wrong bytes under a hash. The laptop forgets nothing: it only notes which
store epoch confirmed each blob.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from tui_app.errors import FieldLogError
from tui_app.sync.crash import crash_point

CHUNK = 1 << 20  # bytes per put_blob_chunk: one PostgreSQL row, one resume point
ASK = 500  # hashes per missing_blobs question
MAX_BLOB = 512 * 1024 * 1024  # what any store accepts for one blob, whatever a laptop's setting
_SHA = re.compile(r"^[0-9a-f]{64}$")


def is_sha(value: object) -> bool:
    """64 lowercase hex digits: what a blob's name must be."""
    return isinstance(value, str) and bool(_SHA.match(value))


def check_sha(sha256: str) -> str:
    """A hash from a laptop is a file name centrally: only 64 hex digits pass."""
    if not is_sha(sha256):
        raise FieldLogError("sync.bad_blob", sha=str(sha256)[:70])
    return sha256


class IncomingHashes:
    """SHA-256 of uploads in progress, so a blob is hashed once, as it arrives.

    After a restart (a resumed upload, another process) the kept prefix is read back
    once through `prefix` and hashed, then the upload goes on as before. A store whose
    uploads may go on through another connection names each `upload` (which start at
    offset 0 the kept bytes belong to): a running hash of another upload of the same
    blob, at the same offset, is not taken for this one's."""

    def __init__(self) -> None:
        self._open: dict[str, tuple[object, int, hashlib._Hash]] = {}

    def _state(self, sha256: str, offset: int, prefix: Callable[[], Iterable[bytes]],
               upload: object) -> hashlib._Hash:
        held = self._open.get(sha256)
        if held is not None and held[:2] == (upload, offset):
            return held[2]
        digest, seen = hashlib.sha256(), 0
        for chunk in prefix():
            digest.update(chunk)
            seen += len(chunk)
        if seen != offset:
            raise FieldLogError("sync.blob_offset", sha=sha256[:12], offset=offset, held=seen)
        return digest

    def add(self, sha256: str, offset: int, data: bytes,
            prefix: Callable[[], Iterable[bytes]], upload: object = None) -> None:
        digest = self._state(sha256, offset, prefix, upload)
        digest.update(data)
        self._open[sha256] = (upload, offset + len(data), digest)

    def now_at(self, sha256: str, upload: object) -> None:
        """The upload of `sha256` in progress is now named `upload` (a store whose name
        for it changes with every write: a file's inode and modification time)."""
        held = self._open.get(sha256)
        if held is not None:
            self._open[sha256] = (upload, *held[1:])

    def matches(self, sha256: str, size: int, prefix: Callable[[], Iterable[bytes]],
                upload: object = None) -> bool:
        """Do the `size` bytes received hash to `sha256`? The upload's state is dropped."""
        digest = self._state(sha256, size, prefix, upload)
        self._open.pop(sha256, None)
        return digest.hexdigest() == sha256


class BlobPort(Protocol):
    """The blob half of a central store (see the module docstring)."""

    def missing_blobs(self, hashes: Sequence[str]) -> list[str]: ...

    def blob_received(self, sha256: str) -> int: ...

    def put_blob_chunk(self, sha256: str, offset: int, data: bytes) -> int: ...

    def finish_blob(self, sha256: str, size: int) -> bool: ...

    def flush_blobs(self) -> None: ...


class BlobSource(Protocol):
    """The laptop half: its blobs, what the store confirmed (services/sync.py)."""

    def unconfirmed_blobs(self, epoch: str) -> list[tuple[str, int]]: ...

    def open_blob(self, sha256: str) -> BinaryIO: ...

    def confirm_blobs(self, hashes: list[str], epoch: str) -> None: ...


@dataclass
class BlobSummary:
    """What one sync did with blobs: sent whole, bytes sent, already held centrally, and
    the ones that could not be sent (gone or corrupt here: `fieldlog doctor` tells)."""

    sent: int = 0
    bytes: int = 0
    held: int = 0
    failed: list[str] = field(default_factory=list)


Progress = Callable[[str, int, int | None], None]


def push_blobs(local: BlobSource, central: BlobPort, epoch: str,
               progress: Progress | None = None, *, only: set[str] | None = None,
               into: BlobSummary | None = None) -> BlobSummary:
    """Send every blob (of `only`, when given) the store of `epoch` has not confirmed and
    does not hold; count into `into` (a pack's templates were sent earlier in the run)."""
    report = progress or (lambda _phase, _done, _total: None)
    summary = into or BlobSummary()
    pending = [(sha, size) for sha, size in local.unconfirmed_blobs(epoch)
               if only is None or sha in only]
    total = sum(size for _sha, size in pending)
    report("blobs", 0, total)
    for start in range(0, len(pending), ASK):
        batch = pending[start:start + ASK]
        missing = set(central.missing_blobs([sha for sha, _size in batch]))
        held = [sha for sha, _size in batch if sha not in missing]
        local.confirm_blobs(held, epoch)
        summary.held += len(held)
        sent = []
        for sha, size in batch:
            if sha in missing:
                _send(local, central, sha, size, summary, lambda: report("blobs", summary.bytes, total))
                if sha not in summary.failed:
                    sent.append(sha)
        central.flush_blobs()  # the batch onto the store's disk at once, then confirmed
        local.confirm_blobs(sent, epoch)  # a kill before this: the next sync asks, and confirms
    return summary


def _send(local: BlobSource, central: BlobPort, sha: str, size: int, summary: BlobSummary,
          tick: Callable[[], None]) -> None:
    """One blob, from where the store's copy stopped; a local file that is gone or no
    longer matches its hash is noted as failed and the sync goes on."""
    offset = central.blob_received(sha)
    if offset > size:
        offset = 0  # nonsense kept centrally: put_blob_chunk at 0 starts it again
    try:
        data = local.open_blob(sha)
    except OSError:
        summary.failed.append(sha)
        return
    with data:
        data.seek(offset)
        while offset < size:
            chunk = data.read(CHUNK)
            if not chunk:
                break
            held = central.put_blob_chunk(sha, offset, chunk)
            summary.bytes += len(chunk) if held == offset + len(chunk) else 0
            if held != offset + len(chunk):  # someone else sent these bytes: go on from there
                data.seek(held)
            offset = held
            crash_point("mid_blob")
            tick()
    if central.finish_blob(sha, size):
        summary.sent += 1
    else:
        summary.failed.append(sha)
