"""Type-ahead: keys pressed while the app is busy are kept and delivered in order.

Textual hands each key to whatever has focus the moment the app reads it. An inspector
types ahead: `1` opens a form and `cgz` follows before the form exists, `enter` follows
before the entity search has answered, a character follows an `enter` before the focus
has moved on. Textual would give those keys to the old screen, to nothing, or to the
wrong field. Here every key waits in a queue until the app has settled (the screen on
top is mounted, every widget of it has handled its messages, nothing holds the keys),
then goes on exactly as Textual would have sent it. Waiting is bounded: after
`MAX_WAIT` (10 s) a key goes on regardless, so a stuck worker can delay typing but never
swallow it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.app import App

POLL_SECONDS = 0.004
MAX_WAIT = 10.0  # seconds; longer than any screen takes to build on a loaded laptop

Blocks = Callable[[events.Key], bool]


def every_key(_key: events.Key) -> bool:
    return True


@dataclass
class Hold:
    """Something the next keys depend on (a screen being built, a search under way)."""

    blocks: Blocks
    since: float


class TypeAhead:
    """The queue of keys between the terminal and Textual's own delivery, for one app."""

    def __init__(self, app: App[object]) -> None:
        self.app = app
        self.keys: deque[events.Key] = deque()
        self.holds: dict[object, Hold] = {}
        self._waiting_since: float | None = None
        self._retry_scheduled = False
        self.last_key = time.monotonic()

    def hold(self, owner: object, blocks: Blocks = every_key) -> None:
        """Keep keys that `blocks` accepts until `release(owner)` (or `MAX_WAIT`)."""
        self.holds[owner] = Hold(blocks, time.monotonic())

    def release(self, owner: object) -> None:
        if self.holds.pop(owner, None) is not None:
            self._retry()

    def take(self, key: events.Key) -> None:
        self.keys.append(key)
        self.last_key = time.monotonic()

    def idle_for(self) -> float:
        """Seconds since the last key arrived (or since the app started)."""
        return time.monotonic() - self.last_key

    def next_ready(self) -> events.Key | None:
        """The next key, if it may go now; else None (a retry is scheduled)."""
        if not self.keys:
            return None
        key = self.keys[0]
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < MAX_WAIT and not self._settled(key, now):
            self._schedule_retry()
            return None
        self._waiting_since = None
        return self.keys.popleft()

    def _settled(self, key: events.Key, now: float) -> bool:
        for owner, hold in list(self.holds.items()):
            if now - hold.since > MAX_WAIT:
                del self.holds[owner]
            elif hold.blocks(key):
                return False
        stack = self.app.screen_stack  # empty until Textual pushes the first screen
        if not stack or not stack[-1].is_mounted:
            return False
        screen = stack[-1]
        if any(not _fresh_key(m) for m in _queued(self.app)):
            return False  # a key bubbling up to the app's bindings, a focus change...
        return not any(_queued(node) for node in screen.walk_children(with_self=True))

    def _schedule_retry(self) -> None:
        if not self._retry_scheduled:
            self._retry_scheduled = True
            self.app.set_timer(POLL_SECONDS, self._retry)

    def _retry(self) -> None:
        self._retry_scheduled = False
        if self.keys:
            self.app.post_message(Deliver())


class Deliver(events.Event):
    """Ask the app to deliver whatever type-ahead may go now."""


def _queued(node: object) -> deque[object]:
    """The messages waiting in a node's queue (textual._queue.Queue keeps them in
    `values`). A message being handled is in no queue, but handling a key never
    suspends, so the app's task never looks while one is half handled."""
    queue = getattr(node, "_message_queue", None)
    return getattr(queue, "values", deque())


def _fresh_key(message: object) -> bool:
    """A key from the terminal not yet taken into the type-ahead queue."""
    return isinstance(message, events.Key) and not message.is_forwarded
