"""The central store as one SQLite file (an office share, a USB stick).

Rollback journal, not WAL: WAL needs shared memory and is unsafe on network file
systems, where this file often lives. FULL sync: an answer "applied" is a promise the
change survives a power cut. Writers take BEGIN IMMEDIATE, so there is one writer at
a time and `seq` order is commit order: a plain `seq > cursor` never skips a row.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_app.domain.ids import utc_now
from tui_app.errors import FieldLogError
from tui_app.store import migrate
from tui_app.store.db import immediate
from tui_app.sync.blobs import CHUNK, MAX_BLOB, check_sha
from tui_app.sync.central import Known, contended, decide, from_log, sqlite_path
from tui_app.sync.protocol import BUREAU, Change, PushResult
from tui_app.sync.sql_central import LOG_COLUMNS, SqlCentral
from tui_app.sync.templates import missing_templates

if TYPE_CHECKING:
    from tui_app.store.blobs import Flusher

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
# `.ready/` files this process verified as they arrived (any of its stores: the service
# lends several): trusted without hashing them again; any other is hashed again.
_VERIFIED: set[Path] = set()


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class SqliteCentral(SqlCentral):
    """A central store in one SQLite file."""

    mark = "?"
    engine = "sqlite"

    def __init__(self, url: str, *, create: bool = False, catch_up_on_push: bool = True) -> None:
        super().__init__(url, catch_up_on_push=catch_up_on_push)
        path = sqlite_path(url)
        if not create and not path.is_file():
            raise FieldLogError("sync.central_missing", url=url)
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            mode = "rwc" if create else "rw"
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                                   isolation_level=None, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=FULL")
        except (sqlite3.Error, OSError) as exc:
            raise FieldLogError("sync.unreachable", url=url, detail=str(exc)) from None
        self.conn = conn
        self.blob_root = path.with_name(path.stem + ".blobs")
        if not create:
            self._check_schema()

    # ------------------------------------------------------------------ schema

    def _versions(self) -> set[int]:
        try:
            return {r[0] for r in self.conn.execute("SELECT version FROM _migrations")}
        except sqlite3.DatabaseError:  # not a database, or no `_migrations`: not a store yet
            return set()

    def upgrade(self) -> list[str]:
        try:
            return migrate.upgrade(self.conn, self.migrations())
        except sqlite3.DatabaseError as exc:
            raise FieldLogError("sync.unreachable", url=self.url, detail=str(exc)) from None

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """Reads need no transaction: each statement sees what is committed."""
        yield self.conn

    @contextmanager
    def _writing(self, lock: str | None = None) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT: one writer at a time, nothing half-written (the file
        has one lock: `lock` names none of its own)."""
        try:
            with immediate(self.conn):
                yield self.conn
        except sqlite3.OperationalError as exc:  # locked for too long, disk full, share gone
            if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
                raise FieldLogError("sync.central_full", url=self.url) from None
            raise FieldLogError("sync.central_error", url=self.url, detail=str(exc)) from None

    def sql(self, statement: str, args: Sequence[Any] = (), *,
            write: bool = False) -> list[tuple[Any, ...]]:
        """One statement (in a write transaction when `write`): for the tables whose SQL is
        the same on both engines (tokens, owners; `sync/tokens.py`)."""
        if not write:
            return self.conn.execute(statement, args).fetchall()
        with self._writing() as conn:
            return conn.execute(statement, args).fetchall()

    def _rows_in(self, cur: sqlite3.Connection, statement: str,
                 ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The rows of `statement` for `ids`, a bounded `IN (?, …)` list at a time."""
        rows: list[tuple[Any, ...]] = []
        for part in _chunks(ids):
            rows += cur.execute(statement.format(ids=f"IN ({_marks(len(part))})"), part)
        return rows

    # ------------------------------------------------------------------ push

    def _known(self, cur: sqlite3.Connection, changes: Sequence[Change]) -> Known:
        known = Known()
        ids = [c.change_id for c in changes]
        records = sorted({c.record_id for c in changes})
        known.logged.update(r[0] for r in self._rows_in(
            cur, "SELECT change_id FROM change WHERE change_id {ids}", ids))
        known.lost.update(self._rows_in(
            cur, "SELECT change_id, kept_change_id FROM conflict WHERE change_id {ids}", ids))
        slots = self._rows_in(cur, "SELECT record_id, rev, kind, pushed_by, change_id FROM change"
                                   " WHERE record_id {ids}", records)
        for record_id, rev, _kind, _by, change_id in slots:
            known.slots[(record_id, rev)] = change_id
        from_log(known, (s[:4] for s in slots))
        known.owners.update(self._rows_in(  # records moved since (`from_log`)
            cur, "SELECT record_id, inspector_id FROM record_owner WHERE record_id {ids}",
            sorted(known.owners)))
        for change_id, kind, record_id, rev, body in self._rows_in(
                cur, f"SELECT {LOG_COLUMNS} FROM change WHERE change_id {{ids}}",
                contended(changes, known)):
            known.held[change_id] = Change(change_id, kind, record_id, rev, json.loads(body),
                                           raw=body)
        return known

    def push(self, inspector_id: str, device_id: str, changes: Sequence[Change], *,
             role: str = BUREAU, strict: bool = False) -> list[PushResult]:
        """Decide and store a batch in one transaction; answer per change after COMMIT
        (`SqlCentral._answer`)."""
        now = utc_now()
        blobless = missing_templates(changes, self.held_blobs)  # blobs are never deleted
        with self._writing() as conn:
            known = self._known(conn, changes)
            known.blobless = blobless
            decision = decide(changes, inspector_id, known, role=role, strict=strict)
            self._log(conn, decision.applied, inspector_id, device_id, now)
            conn.executemany(
                "INSERT OR IGNORE INTO conflict (change_id, kind, record_id, rev, base,"
                " kept_change_id, pushed_by, device_id, body, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(c.change_id, c.kind, c.record_id, c.rev, c.base, kept, inspector_id, device_id,
                  c.body_json(), now) for c, kept in decision.lost])
            current = self._stale_current(conn, changes, decision)
        return self._answer(decision, changes, current)

    @staticmethod
    def _log(cur: sqlite3.Connection, changes: Sequence[Change], inspector_id: str,
             device_id: str, now: str) -> None:
        """Add decided changes to the log (inside the caller's write transaction)."""
        cur.executemany(
            "INSERT INTO change (change_id, kind, record_id, rev, pushed_by, device_id, body,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(c.change_id, c.kind, c.record_id, c.rev, inspector_id, device_id,
              c.body_json(), now) for c in changes])

    def _current(self, cur: sqlite3.Connection, record_ids: Sequence[str]) -> dict[str, Change]:
        rows = self._rows_in(cur, f"SELECT {LOG_COLUMNS} FROM change AS c WHERE record_id {{ids}}"
                             " AND rev = (SELECT MAX(rev) FROM change WHERE record_id = c.record_id)",
                             record_ids)
        return {rid: Change(cid, kind, rid, rev, json.loads(body))
                for cid, kind, rid, rev, body in rows}

    # ------------------------------------------------------------------ the log's order

    positions = 1  # `seq`: one writer at a time, so its order is commit order

    @staticmethod
    def _after(cur: sqlite3.Connection, position: tuple[int, ...],
               limit: int) -> list[tuple[Any, ...]]:
        return cur.execute(f"SELECT seq, {LOG_COLUMNS} FROM change WHERE seq > ?"
                           " ORDER BY seq LIMIT ?", (*position, limit)).fetchall()

    head_sql = "SELECT seq FROM change ORDER BY seq DESC LIMIT 1"

    # ------------------------------------------------------------------ blobs (sync/blobs.py)

    def _blob_file(self, sha256: str) -> Path:
        return self.blob_root / sha256[:2] / sha256

    def _partial(self, sha256: str) -> Path:
        return self.blob_root / ".partial" / sha256

    def _waiting(self) -> dict[str, list[Path]]:
        """Verified uploads waiting in `.ready/` for their flush, by hash. Each upload has
        a name of its own (`<sha>.<random>`), so the file a settle flushed is the file it
        moves: no other upload can swap unflushed bytes in under that name meanwhile."""
        waiting: dict[str, list[Path]] = {}
        folder = self.blob_root / ".ready"
        for name in sorted(os.listdir(folder)) if folder.is_dir() else []:
            waiting.setdefault(name[:64], []).append(folder / name)
        return waiting

    def held_blobs(self, hashes: Sequence[str]) -> dict[str, int]:
        """Of `hashes`, those held whole here, with their sizes. A blob's file is moved
        into the folder only once its bytes are verified and on disk, so the folder is the
        truth: holding a blob costs no transaction on this (often network) file. A verified
        blob still waiting for its flush (`flush_blobs`) is flushed before it is held."""
        wanted = [check_sha(h) for h in hashes]
        waiting = self._waiting()
        self._settle([path for h in wanted for path in waiting.get(h, [])])
        files = {h: self._blob_file(h) for h in wanted}
        return {h: path.stat().st_size for h, path in files.items() if path.is_file()}

    def blob_received(self, sha256: str) -> int:
        partial = self._partial(check_sha(sha256))
        return partial.stat().st_size if partial.is_file() else 0

    def put_blob_chunk(self, sha256: str, offset: int, data: bytes) -> int:
        """Append `data` at `offset` of the upload of `sha256`; answer how much is held.

        Bytes are written only at the end of what is held (offset 0 starts afresh): an
        answer other than offset + len(data) tells the sender where to go on from. A
        blob held whole is never written again: the answer is its size."""
        blob = self._blob_file(check_sha(sha256))
        if blob.is_file():
            return blob.stat().st_size
        partial = self._partial(sha256)
        held = partial.stat().st_size if offset and partial.is_file() else 0
        if offset != held:
            return held
        if offset + len(data) > MAX_BLOB:
            raise FieldLogError("sync.blob_too_big", sha=sha256[:12])
        self._incoming.add(sha256, offset, data, lambda: _read(partial, offset),
                           _version(partial) if offset else None)
        if offset:
            with partial.open("ab", buffering=0) as out:
                out.write(data)
        else:
            _start(partial, data)
        self._incoming.now_at(sha256, _version(partial))
        return offset + len(data)

    def finish_blob(self, sha256: str, size: int) -> bool:
        """Verify the upload as the blob `sha256`: its `size` bytes hash to that name.

        A verified upload waits in `.ready/` for `flush_blobs` (or the next question
        about it), which flushes every waiting blob to disk at once before moving them
        into the folder: no blob is said to be held before it is on disk."""
        partial = self._partial(check_sha(sha256))
        if not partial.is_file():
            return not self.missing_blobs([sha256])
        if partial.stat().st_size != size or not self._incoming.matches(
                sha256, size, lambda: _read(partial, size), _version(partial)):
            partial.unlink()
            return False
        ready = self.blob_root / ".ready" / f"{sha256}.{uuid.uuid4().hex}"
        ready.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, ready)
        _VERIFIED.add(ready)
        self._flusher.start(ready)  # on its way to the disk while the next blob arrives
        return True

    def flush_blobs(self) -> None:
        """Every verified upload onto the disk and into the folder, flushed together."""
        self._settle([path for paths in self._waiting().values() for path in paths])

    @cached_property
    def _flusher(self) -> Flusher:
        """The background fsyncs of uploads, made by the first blob: a store that is only
        read never imports store.blobs and its thread pool."""
        from tui_app.store.blobs import Flusher

        return Flusher()

    def _settle(self, waiting: Sequence[Path]) -> None:
        """Flush `waiting` and move each into the folder. A file this process did not
        verify (left by a crash, when its bytes may never have reached the disk, or by
        another process) is hashed again first, and dropped unless it matches its name.
        A copy of a blob already held (two uploads of it finished) is dropped too: a held
        blob's file is never written again."""
        moves: dict[str, Path] = {}
        spare = []
        for path in waiting:
            sha = path.name[:64]
            if sha in moves or self._blob_file(sha).is_file():
                spare.append(path)
            elif path in _VERIFIED or _hashes_to(path):
                moves[sha] = path
        from tui_app.store.blobs import settle

        settle([(path, self._blob_file(sha)) for sha, path in moves.items()], self._flusher)
        for path in spare:
            path.unlink(missing_ok=True)
        _VERIFIED.difference_update([*moves.values(), *spare])

    def drop_blobs(self, hashes: Sequence[str]) -> None:
        for sha in hashes:
            self._blob_file(check_sha(sha)).unlink(missing_ok=True)

    def read_blob(self, sha256: str) -> Iterator[bytes]:
        """The bytes of a blob held here, a chunk at a time."""
        self._check_held(sha256)
        return _read(self._blob_file(sha256), None)


def _start(partial: Path, data: bytes) -> None:
    """A fresh upload at offset 0: a new file put in place of any earlier one, so its
    inode differs from the file another store's running hash was computed on."""
    import tempfile  # uploads only: a store that is only read does without

    partial.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=partial.parent, prefix=partial.name + ".")
    with os.fdopen(fd, "wb", buffering=0) as out:
        out.write(data)
    os.replace(name, partial)


def _version(partial: Path) -> tuple[int, int] | None:
    """Which upload a `.partial/` file holds: its inode (new at each start) and last
    write, so a running hash of a file others wrote to since is not trusted."""
    try:
        stat = partial.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _hashes_to(path: Path) -> bool:
    """Does the file `path` in `.ready/` hold the bytes its name promises? If not (or it
    is gone), it is removed: the upload is sent again."""
    digest = hashlib.sha256()
    try:
        for chunk in _read(path, None):
            digest.update(chunk)
    except FileNotFoundError:
        return False
    if digest.hexdigest() == path.name[:64]:
        return True
    path.unlink(missing_ok=True)
    return False


def _read(path: Path, upto: int | None) -> Iterator[bytes]:
    """The first `upto` bytes of `path` (all when None), a chunk at a time."""
    left = upto
    if left == 0:
        return
    with path.open("rb") as data:
        while left is None or left > 0:
            chunk = data.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk
