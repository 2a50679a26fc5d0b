"""Backup files of the local database: SQLite's online backup into a folder beside it.

A backup is written to a temporary name and renamed into place, so a backup folder
never holds half a file, even when the laptop dies during the copy.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from tui_app.store import migrate
from tui_app.store.db import Database

PREFIX = "fieldlog-"
SUFFIX = ".db"


@dataclass(frozen=True)
class BackupFile:
    """One backup: its file, when it was made (its name's stamp) and why."""

    path: Path
    stamp: str  # 20261202-163000
    reason: str  # daily, sync, manual, before-restore

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def made(self, tz: tzinfo) -> dt.datetime:
        return dt.datetime.strptime(self.stamp, "%Y%m%d-%H%M%S").replace(tzinfo=tz)


def folder_for(db: Database) -> Path:
    return db.path.parent / "backups"


def listed(folder: Path) -> list[BackupFile]:
    """Backups in `folder`, newest first."""
    found = []
    for path in folder.glob(f"{PREFIX}*{SUFFIX}") if folder.is_dir() else ():
        stem = path.name[len(PREFIX):-len(SUFFIX)]
        day, _, rest = stem.partition("-")
        clock, _, reason = rest.partition("-")
        if len(day) == 8 and len(clock) == 6 and (day + clock).isdigit():
            found.append(BackupFile(path, f"{day}-{clock}", reason or "manual"))
    return sorted(found, key=lambda b: (b.stamp, b.path.name), reverse=True)


def write(db: Database, target: Path) -> Path:
    """A consistent copy of `db` at `target` (SQLite's online backup, safe while others write)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    dest = sqlite3.connect(str(partial))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    os.replace(partial, target)
    return target


def copy_into(source: Path, db: Database) -> None:
    """Replace the whole content of `db` by `source`'s, through the backup API (one step,
    safe with WAL: other connections see the old database or the new one)."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        src.backup(db.conn)
    finally:
        src.close()


def check(path: Path) -> tuple[str, int | None]:
    """(quick_check result, schema version) of a backup file, opened read-only."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        return result, max(migrate.applied(conn), default=None)
    finally:
        conn.close()


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` automatic and manual backups (the copies kept
    aside before a restore are the user's undo and stay)."""
    candidates = [b for b in listed(folder) if b.reason != "before-restore"]
    removed = [b.path for b in candidates[keep:]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
