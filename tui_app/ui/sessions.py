"""Database sessions for worker threads: one open context per thread, reused.

SQLite connections belong to the thread that uses them, and Textual runs thread
workers on a pool, so each pool thread opens its own context once and keeps it;
the UI thread never touches the database.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tui_app.services.context import Context, open_for_reading


class Sessions:
    """Per-thread contexts on one database file, all closed when the app ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[Context] = []
        self._generation = 0

    def get(self) -> Context:
        ctx = getattr(self._local, "ctx", None)
        if ctx is None or self._local.generation != self._generation:
            ctx = open_for_reading(self.path)  # a read-only copy still shows its figures
            self._local.ctx = ctx
            self._local.generation = self._generation
            with self._lock:
                self._opened.append(ctx)
        return ctx

    def invalidate(self) -> None:
        """Settings changed: every thread opens a fresh context on its next use."""
        self._generation += 1

    def close(self) -> None:
        with self._lock:
            for ctx in self._opened:
                ctx.close()
            self._opened.clear()
