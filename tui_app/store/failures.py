"""SQLite's failures as the user meets them: a full disk, a read-only file, a newer schema.

Each becomes a FieldLogError that says what happened to the data (nothing half-written)
and what to do, instead of `内部错误：OperationalError`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tui_app.errors import FieldLogError

# SQLite result codes (sqlite_errorname) → catalog key of the message to show.
_KEYS = {
    "SQLITE_FULL": "db.full",
    "SQLITE_READONLY": "db.read_only",
    "SQLITE_CANTOPEN": "db.read_only",
    "SQLITE_IOERR": "db.io_error",
    "SQLITE_CORRUPT": "db.corrupt",
    "SQLITE_NOTADB": "db.corrupt",
    "SQLITE_BUSY": "db.busy",
}


def explain(exc: sqlite3.Error, path: Path) -> FieldLogError | None:
    """The user's message for `exc`, or None when it is not one a user can act on."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, key in _KEYS.items():
        if name == prefix or name.startswith(prefix + "_"):
            if key == "db.read_only" and name == "SQLITE_CANTOPEN" and writable(path):
                return FieldLogError("db.cannot_open", path=str(path), detail=str(exc))
            return FieldLogError(key, path=str(path))
    return None


def writable(path: Path) -> bool:
    """Can this process write the database and the files SQLite keeps next to it?

    Checked up front because SQLite opens a read-only file without complaint and fails
    only at the first write; os.access also sees a read-only mount, even for root."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return os.access(folder, os.W_OK) if folder.exists() else True


def newer(path: Path, exc: Exception) -> FieldLogError:
    """A database written by a newer FieldLog (see migrate.NewerSchema)."""
    return FieldLogError("db.newer", path=str(path), found=getattr(exc, "found", "?"),
                         known=getattr(exc, "known", "?"))
