"""First-pull snapshots: the bureau builds the district's state once, a new laptop takes it.

A new laptop's first pull of a district is a million changes run through the tally rules,
the search index and the list indexes one page at a time. The district's state does not
depend on which laptop asks (every token pulls the whole log), so it is built once:

- `build` (the bureau: `fieldlog central snapshot`, from cron) pulls the whole log into
  a fresh laptop database with the laptop's own sync loop and `LaptopSide` (so the file
  equals a pull from nothing by construction), leaves out the builder's own rows, and
  keeps the file in the central store as blobs with a record of it (`sync/snapshot.py`);
- `take` (a laptop's sync, when it holds no record of its own and never pulled) fetches
  the newest record, checks it (same epoch, a schema it knows, the packs it counts with),
  downloads and verifies the parts, and copies the file into its database in one
  transaction (`store/snapshot.py`). The sync then pulls only what came after the
  snapshot's cursor. Whatever is wrong with a snapshot, the laptop says so in a notice
  and pulls from nothing, as it did before snapshots.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tui_app.domain.ids import utc_now
from tui_app.errors import FieldLogError
from tui_app.services.context import Context, open_context, shipped_packs
from tui_app.store import migrate
from tui_app.store import packs as pack_store
from tui_app.store import snapshot as snapshot_store
from tui_app.store.db import Database
from tui_app.sync.crash import crash_point
from tui_app.sync.snapshot import Damaged, Report, SnapshotInfo, SnapshotPort, download, upload

Notice = tuple[str, dict[str, str]]  # a catalog key and its parameters (SyncSummary.notices)


@dataclass
class Taken:
    """What a sync's snapshot step did: the cursor to pull on from (None: from nothing),
    the revisions the snapshot brought, and why none was taken when one was offered."""

    cursor: str | None = None
    records: int = 0
    built_at: str = ""
    notices: list[Notice] = field(default_factory=list)


def build(url: str, report: Report) -> tuple[SnapshotInfo, int]:
    """Build the district's snapshot from the central store at `url` (opened directly:
    the bureau's machine) and record it there; return its record and its revisions."""
    from tui_app.services.sync import FIRST_PULL_PAGE, LaptopSide
    from tui_app.sync import client
    from tui_app.sync.central import open_central

    store = open_central(url)
    try:
        with tempfile.TemporaryDirectory(prefix="fieldlog-snapshot-") as folder:
            path = Path(folder) / "snapshot.db"
            ctx = open_context(path)
            try:
                client.run(LaptopSide(ctx, snapshots=False), store, ctx.inspector_id,
                           ctx.device_id, report, page=FIRST_PULL_PAGE)
                cursor = ctx.db.conn.execute(
                    "SELECT v FROM sync_state WHERE k = 'cursor'").fetchone()[0]
                packs = snapshot_store.pack_hashes(ctx.db.conn)
                version = snapshot_store.schema_version(ctx.db.conn)
                revisions = ctx.db.conn.execute("SELECT COUNT(*) FROM revision").fetchone()[0]
            finally:
                ctx.close()
            snapshot_store.strip_own(path)
            sha, parts = upload(store, path, report)
            info = SnapshotInfo(sha, path.stat().st_size, parts, cursor, version, packs,
                                utc_now())
        store.record_snapshot(info)
        return info, int(revisions)
    finally:
        store.close()


def take(ctx: Context, central: SnapshotPort, epoch: str, report: Report) -> Taken:
    """Start a new laptop from the central store's newest snapshot, if it has one this
    laptop may take; otherwise nothing changes (and a notice says why, when it matters)."""
    if not snapshot_store.is_new(ctx.db) or _packs_of_its_own(ctx):
        return Taken()
    try:
        info = central.latest_snapshot()
    except FieldLogError:  # a service from before snapshots, or none offered: pull
        return Taken()
    if info is None:
        return Taken()
    refused = _refusal(ctx, info, epoch)
    if refused:
        return Taken(notices=[refused])
    _clear_leftovers(ctx.db.path)
    fd, name = tempfile.mkstemp(prefix=_PREFIX, suffix=".db", dir=ctx.db.path.parent)
    os.close(fd)
    path = Path(name)
    try:
        try:
            download(central, info, path, report)
        except Damaged:
            return Taken(notices=[("sync.snapshot_damaged", {"sha": info.sha256[:12]})])
        except FieldLogError as exc:  # a part gone, the link cut: pull instead
            return Taken(notices=[("sync.snapshot_unusable", {"detail": exc.message()})])
        crash_point("snapshot_downloaded")
        problem = _upgraded(path, info)
        if problem:
            return Taken(notices=[problem])
        records = _taken_alone(ctx, path, report)
    except snapshot_store.NotNew:  # saved meanwhile: its work is merged by the pull
        return Taken()
    except (OSError, sqlite3.Error) as exc:  # a full disk, say: rolled back, pull instead
        return Taken(notices=[("sync.snapshot_unusable", {"detail": str(exc)})])
    finally:
        _clear_leftovers(ctx.db.path)
    ctx.forget_packs()
    return Taken(info.cursor, records, info.built_at)


def _taken_alone(ctx: Context, path: Path, report: Report) -> int:
    """Copy the snapshot in with the context's own connection closed meanwhile (so the
    copy may use the rollback journal: `store/snapshot.py: take`), then open it again."""
    db_path = ctx.db.path
    ctx.db.close()
    try:
        return snapshot_store.take(db_path, path, lambda done, total: _copied(
            report, done, total))
    finally:
        ctx.db = Database(db_path)


def _copied(report: Report, done: int, total: int) -> None:
    """A step of the copy (inside the take's one transaction: a crash here undoes it all)."""
    crash_point("snapshot_copy")
    report("snapshot_copy", done, total)


def _packs_of_its_own(ctx: Context) -> bool:
    """Has a pack been imported here (neither shipped nor pulled)? It is the laptop's
    work, not yet pushed, and its campaign's tallies are the laptop's to count."""
    from tui_app.services.sync import CENTRAL_ORIGIN

    shipped = set(shipped_packs())
    return any(origin not in shipped and origin != CENTRAL_ORIGIN
               for _pack, _source, origin in pack_store.all_sources(ctx.db))


_PREFIX = ".fieldlog-snapshot-"  # a download beside the database, gone once taken


def _clear_leftovers(db_path: Path) -> None:
    """Downloads a killed sync left beside the database (never taken: taking is one
    transaction of the database itself)."""
    for stray in db_path.parent.glob(_PREFIX + "*"):  # its -wal and -shm too
        stray.unlink(missing_ok=True)


def _refusal(ctx: Context, info: SnapshotInfo, epoch: str) -> Notice | None:
    """Why this laptop must not take `info`, or None: another epoch (the store was
    restored since), a schema newer than this FieldLog, or a pack counted otherwise or
    not shipped with this FieldLog."""
    if info.cursor.split(":")[0] != epoch:
        return ("sync.snapshot_other_epoch", {"built_at": info.built_at})
    known = max((v for v, _ in migrate.available(migrate.migrations_root())), default=0)
    if info.schema_version > known:
        return ("sync.snapshot_newer", {"found": str(info.schema_version), "known": str(known)})
    ours = snapshot_store.pack_hashes(ctx.db.conn)
    for pack_id, sha in sorted(info.packs.items()):
        # a pack this FieldLog does not ship would stay as if imported here: pushed as
        # the bureau's at every sync (refused for an inspector), its tallies not ours
        if ours.get(pack_id) != sha:
            return ("sync.snapshot_other_pack", {"pack": pack_id})
    return None


def _upgraded(path: Path, info: SnapshotInfo) -> Notice | None:
    """Bring a downloaded file of an older schema up to this FieldLog's (the same
    migrations a laptop's own database runs), or say why it cannot be taken. The file
    must still be the download, at the record's cursor: another sync of this laptop
    clears the downloads beside it, and a file made afresh in its place would be taken
    as a district with nothing before that cursor."""
    try:
        if not path.exists():
            return ("sync.snapshot_damaged", {"sha": info.sha256[:12]})
        Database(path).close()
        conn = sqlite3.connect(snapshot_store.existing(path), uri=True)
        try:  # its pages are written over the laptop's as they are: no WAL to carry
            conn.execute("PRAGMA journal_mode=DELETE")
            held = conn.execute("SELECT v FROM sync_state WHERE k = 'cursor'").fetchone()
        finally:
            conn.close()
    except FieldLogError as exc:
        return ("sync.snapshot_unusable", {"detail": exc.message()})
    except sqlite3.Error as exc:
        return ("sync.snapshot_unusable", {"detail": str(exc)})
    if held is None or held[0] != info.cursor:
        return ("sync.snapshot_damaged", {"sha": info.sha256[:12]})
    return None
