"""First-pull snapshots as they travel: a record of one, and its file as blobs.

A snapshot is a laptop-shaped SQLite file of the district's state at a pull cursor
(`services/snapshot.py` builds and takes it). It travels through the blob machinery the
attachments already use (`sync/blobs.py`: a central SQLite file's blob folder, PostgreSQL's
`blob_chunk` rows, `GET /v1/blobs/{sha256}` through the service), cut into parts of at most
`PART` bytes: one blob stays far below the stores' `MAX_BLOB`, a PostgreSQL read holds one
part in memory at a time, and a broken download is known at the part it broke in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tui_app.errors import FieldLogError
from tui_app.sync.blobs import CHUNK, BlobPort, check_sha

PART = 64 * 1024 * 1024  # bytes of the file per blob
SNAPSHOT_COLUMNS = "sha256, size, parts, cursor, schema_version, packs, built_at"

Report = Callable[[str, int, int | None], None]  # phase, done, total: sync/client.py's Progress


@dataclass(frozen=True)
class SnapshotInfo:
    """One built snapshot, as the central store records it (migration 006)."""

    sha256: str  # of the whole file
    size: int
    parts: tuple[tuple[str, int], ...]  # the file's blobs in order: (sha256, size)
    cursor: str  # the pull cursor the file's state corresponds to (`epoch:position`)
    schema_version: int  # the local schema the file was built at
    packs: dict[str, str]  # pack id -> sha256 of the source it counted with (not pulled ones)
    built_at: str

    def row(self) -> tuple[Any, ...]:
        """The values of SNAPSHOT_COLUMNS."""
        return (self.sha256, self.size, json.dumps([list(p) for p in self.parts]), self.cursor,
                self.schema_version, json.dumps(self.packs, sort_keys=True), self.built_at)

    @classmethod
    def of_row(cls, row: Sequence[Any]) -> SnapshotInfo:
        """A record as the store keeps it; a malformed one (a hand-edited or damaged
        central file) is a FieldLogError, never a crash of the sync or the service."""
        try:
            sha, size, parts, cursor, version, packs, built_at = row
            return cls(check_sha(sha), int(size),
                       tuple((check_sha(s), int(n)) for s, n in json.loads(parts)),
                       str(cursor), int(version), dict(json.loads(packs)), str(built_at))
        except (KeyError, TypeError, ValueError) as exc:
            raise FieldLogError("sync.snapshot_bad", detail=str(exc)) from None

    def wire(self) -> dict[str, Any]:
        """The record as the service answers it (`GET /v1/snapshot`)."""
        return {"sha256": self.sha256, "size": self.size, "parts": [list(p) for p in self.parts],
                "cursor": self.cursor, "schema_version": self.schema_version,
                "packs": self.packs, "built_at": self.built_at}

    @classmethod
    def of_wire(cls, body: dict[str, Any]) -> SnapshotInfo:
        """A record from the service; a malformed one is the service's fault, said plainly."""
        try:
            return cls.of_row([body["sha256"], body["size"], json.dumps(body["parts"]),
                               str(body["cursor"]), body["schema_version"],
                               json.dumps(dict(body["packs"])), str(body["built_at"])])
        except (KeyError, TypeError, ValueError) as exc:
            raise FieldLogError("sync.snapshot_bad", detail=str(exc)) from None


class SnapshotPort(Protocol):
    """What a laptop asks of a central store (or the service) to take a snapshot."""

    def latest_snapshot(self) -> SnapshotInfo | None: ...

    def read_blob(self, sha256: str) -> Iterator[bytes]: ...


def upload(port: BlobPort, path: Path, report: Report) -> tuple[str, tuple[tuple[str, int], ...]]:
    """Store the file `path` as blobs of at most PART bytes; return its sha256 and parts.
    Each part is hashed first (a blob's name is its hash), then sent chunk by chunk."""
    whole = hashlib.sha256()
    parts = []
    size = path.stat().st_size
    done = 0
    with path.open("rb") as data:
        while part := data.read(PART):
            whole.update(part)
            sha = hashlib.sha256(part).hexdigest()
            if port.missing_blobs([sha]):
                for offset in range(0, len(part), CHUNK):
                    port.put_blob_chunk(sha, offset, part[offset:offset + CHUNK])
                if not port.finish_blob(sha, len(part)):
                    raise FieldLogError("sync.snapshot_upload", sha=sha[:12])
            parts.append((sha, len(part)))
            done += len(part)
            report("snapshot_upload", done, size)
    port.flush_blobs()
    return whole.hexdigest(), tuple(parts)


def download(port: SnapshotPort, info: SnapshotInfo, dest: Path, report: Report) -> None:
    """Write the snapshot's file to `dest`, each part checked against its hash and size
    as it comes (the parts in order are the file, so no byte goes unchecked; hashing the
    whole again would cost a second pass over it). `Damaged` when a part's bytes are not
    what the record names (damaged, or tampered with on the way or in the store); the
    store's own FieldLogError when a part cannot be read. `dest` is gone after either."""
    done = 0
    try:
        with dest.open("wb") as out:
            for sha, size in info.parts:
                part = hashlib.sha256()
                held = 0
                for chunk in port.read_blob(sha):
                    held += len(chunk)
                    if held > size:
                        break
                    part.update(chunk)
                    out.write(chunk)
                if held != size or part.hexdigest() != sha:
                    raise Damaged(sha)
                done += size
                report("snapshot", done, info.size)
        if done != info.size:
            raise Damaged(info.sha256)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


class Damaged(Exception):
    """A snapshot's bytes are not the ones its record names."""
