"""Database sessions for worker threads: one open context per thread, reused.

SQLite connections belong to the thread that uses them, and Textual runs thread
workers on a pool, so each pool thread opens its own context once and keeps it;
the UI thread never touches the database.

A thread worker may still be inside a query when the app ends (Textual cannot stop
a thread), and closing a connection under a running statement crashes the process.
So database work runs inside `busy()` (`db_work` wraps a worker in it) and `close()`
waits for the last one to leave before it closes anything.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from textual import work

from tui_app.errors import FieldLogError
from tui_app.services.context import Context, open_for_reading

CLOSE_WAIT_SECONDS = 15.0  # a sync on a slow network may be finishing its last batch

Method = TypeVar("Method", bound=Callable[..., Any])


class Sessions:
    """Per-thread contexts on one database file, all closed when the app ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._idle = threading.Condition()
        self._opened: list[Context] = []
        self._busy = 0
        self._closed = False
        self._generation = 0

    def get(self) -> Context:
        ctx = getattr(self._local, "ctx", None)
        if ctx is None or self._local.generation != self._generation:
            ctx = open_for_reading(self.path)  # a read-only copy still shows its figures
            self._local.ctx = ctx
            self._local.generation = self._generation
            with self._idle:
                self._opened.append(ctx)
        return ctx

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Database work in progress: `close()` waits for it; after `close()` none starts."""
        with self._idle:
            if self._closed:
                raise FieldLogError("ui.closing")
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def invalidate(self) -> None:
        """Settings changed: every thread opens a fresh context on its next use."""
        self._generation += 1

    def close(self) -> None:
        """Close every context once no work is inside one. Work still running after the
        wait keeps its connections: the process ends them, never a crash under a query."""
        with self._idle:
            self._closed = True
            if not self._idle.wait_for(lambda: self._busy == 0, timeout=CLOSE_WAIT_SECONDS):
                return
            for ctx in self._opened:
                ctx.close()
            self._opened.clear()


def db_work(**options: Any) -> Callable[[Method], Method]:
    """`@work(thread=True, exit_on_error=False, ...)` for a method that uses the database:
    its body runs inside the app's `sessions.busy()`."""

    def wrap(method: Method) -> Method:
        @functools.wraps(method)
        def body(self: Any, *args: Any, **kwargs: Any) -> Any:
            with self.app.sessions.busy():
                return method(self, *args, **kwargs)

        return work(thread=True, exit_on_error=False, **options)(body)

    return wrap
