"""Identifiers and clocks: UUIDv7 made on the laptop, UTC timestamps."""

from __future__ import annotations

import datetime as dt


def new_id() -> str:
    """A time-ordered UUIDv7: unique offline, and kind to SQLite's B-trees."""
    import uuid6  # imported on first use: it costs ~40 ms of every CLI start otherwise

    return str(uuid6.uuid7())


def is_uuid(text: str) -> bool:
    """A UUID in its usual 36-character form (any version): ids in files are checked so."""
    import uuid

    try:
        return len(text) == 36 and str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
