"""Automatic and manual backups of the local database, and restoring one.

A laptop is dropped, a disk fills, a file is damaged: the last N copies (setting
`backup_keep`, default 7) are made by SQLite's backup API at the first start of each
day and after each successful sync, in `backups/` beside the database. An automatic
backup that fails never stops the start or the sync; `doctor` reports it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from tui_app.errors import FieldLogError
from tui_app.store import backups as files
from tui_app.store import migrate
from tui_app.store import settings as setting_store

if TYPE_CHECKING:
    from tui_app.services.context import Context

DEFAULT_KEEP = 7
# The app syncs on its own after saves; a full copy after each of those would cost a
# large database dearly, so sync backups are at least this far apart.
SYNC_GAP = dt.timedelta(minutes=10)
DAY_KEY = "backup_day"      # the local day of the last daily backup
ERROR_KEY = "backup_error"  # why the last automatic backup failed ("" when it did not)


def keep(ctx: Context) -> int:
    try:
        return max(1, int(ctx.settings.get("backup_keep", DEFAULT_KEEP)))
    except ValueError:
        return DEFAULT_KEEP


def set_keep(ctx: Context, count: int) -> None:
    if count < 1:
        raise FieldLogError("backup.bad_keep", count=count)
    ctx.update_settings({"backup_keep": str(count)})


def folder(ctx: Context) -> Path:
    return files.folder_for(ctx.db)


def listed(ctx: Context) -> list[files.BackupFile]:
    return files.listed(folder(ctx))


def make(ctx: Context, reason: str = "manual", target: Path | None = None) -> Path:
    """A backup now: at `target`, or in the backups folder (then the oldest beyond
    `backup_keep` are removed)."""
    if target is not None:
        if target.exists():
            raise FieldLogError("backup.exists", path=str(target))
        return _write(ctx, target)
    stamp = dt.datetime.now(ctx.tz).strftime("%Y%m%d-%H%M%S")
    path = folder(ctx) / f"{files.PREFIX}{stamp}-{reason}{files.SUFFIX}"
    if not path.exists():  # one backup per second and reason is plenty
        _write(ctx, path)
    files.prune(folder(ctx), keep(ctx))
    return path


def _write(ctx: Context, target: Path) -> Path:
    try:
        return files.write(ctx.db, target)
    except OSError as exc:
        raise FieldLogError("file.cannot_write", path=str(target), detail=exc.strerror) from None
    except sqlite3.Error as exc:
        raise FieldLogError("backup.failed", path=str(target), detail=str(exc)) from None


def automatic(ctx: Context, reason: str) -> Path | None:
    """A backup that must not get in the way: a failure is noted for `doctor`, not raised."""
    try:
        path = make(ctx, reason)
    except FieldLogError as exc:
        _note_error(ctx, exc.message())
        return None
    if ctx.settings.get(ERROR_KEY):
        _note_error(ctx, "")
    return path


def _note_error(ctx: Context, message: str) -> None:
    try:
        ctx.update_settings({ERROR_KEY: message})
    except FieldLogError:
        pass  # the disk that failed the backup may refuse this too; doctor then finds no backup


def after_sync(ctx: Context, moved: bool) -> Path | None:
    """After a successful sync that moved records (at most one per SYNC_GAP)."""
    if not moved:
        return None
    newest = next((b for b in listed(ctx) if b.reason == "sync"), None)
    now = dt.datetime.now(ctx.tz)
    if newest is not None and now - newest.made(ctx.tz) < SYNC_GAP:
        return None
    return automatic(ctx, "sync")


def daily(ctx: Context) -> Path | None:
    """At the first start of the local day: claim the day (two starts racing make one
    backup), then back up."""
    today = ctx.today().isoformat()
    if ctx.settings.get(DAY_KEY) == today:
        return None
    try:
        with ctx.db.transaction():
            if setting_store.get(ctx.db, DAY_KEY) == today:
                return None
            setting_store.put(ctx.db, {DAY_KEY: today})
    except FieldLogError:
        return None  # cannot even write a setting (disk full): the start goes on
    ctx.settings[DAY_KEY] = today
    return automatic(ctx, "daily")


def find(ctx: Context, ref: str | None) -> files.BackupFile | Path:
    """A backup by its file name or stamp in `backup list`, or any backup file's path;
    None means the newest."""
    found = listed(ctx)
    if ref is None:
        if not found:
            raise FieldLogError("backup.none", folder=str(folder(ctx)))
        return found[0]
    for backup in found:
        if ref in (backup.path.name, backup.stamp, str(backup.path)):
            return backup
    path = Path(ref)
    if path.is_file():
        return path
    raise FieldLogError("backup.not_found", ref=ref, folder=str(folder(ctx)))


def verify(path: Path) -> int | None:
    """The schema version of a backup file that opens and checks whole; else FieldLogError."""
    try:
        result, version = files.check(path)
    except sqlite3.Error as exc:
        raise FieldLogError("backup.bad", path=str(path), detail=str(exc)) from None
    if result != "ok":
        raise FieldLogError("backup.bad", path=str(path), detail=result)
    known = max((v for v, _ in migrate.available(migrate.migrations_root())), default=0)
    if version is None:
        raise FieldLogError("backup.bad", path=str(path), detail="no FieldLog schema")
    if version > known:
        raise FieldLogError("db.newer", path=str(path), found=version, known=known)
    return version


def restore(ctx: Context, ref: str | None = None) -> tuple[Path, Path]:
    """Put a backup's content in place of the database; the current content is first
    kept aside as a `before-restore` backup. Returns (restored from, kept aside)."""
    chosen = find(ctx, ref)
    source = chosen.path if isinstance(chosen, files.BackupFile) else chosen
    verify(source)
    aside = make(ctx, "before-restore")
    try:
        files.copy_into(source, ctx.db)
        migrate.upgrade(ctx.db.conn)
    except sqlite3.Error as exc:
        raise FieldLogError("backup.restore_failed", path=str(source), aside=str(aside),
                            detail=str(exc)) from None
    ctx.forget_packs()
    ctx.settings.clear()
    ctx.settings.update(setting_store.get_all(ctx.db))
    return source, aside
