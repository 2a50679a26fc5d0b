"""Named crash points: where a test may kill the sync process, as a power cut would.

`FIELDLOG_CRASH_AT=name` (or `name:k` for the k-th time the point is reached) makes
the process end with `os._exit(137)` right there: no `finally`, no atexit, no COMMIT,
exactly like SIGKILL. Random kills alone miss bugs whose window is microseconds wide
(research/sync_perf.md §4.4); these points pin each dangerous moment down.
"""

from __future__ import annotations

import os
from collections import Counter

POINTS = (
    "before_send",           # the batch is read from the outbox, nothing sent yet
    "after_central_commit",  # the central store committed the batch, no answer yet
    "after_answer",          # the laptop has the answer, the outbox is untouched
    "in_ack",                # inside the local acknowledgement transaction, before COMMIT
    "before_catch_up",       # everything pushed, the central figures not yet caught up
    "mid_pull",              # a pulled page is applied locally, cursor not yet committed
    "between_pages",         # one pulled page committed, the next not yet asked for
    "mid_blob",              # a blob chunk is held centrally, the rest not yet sent
)

_passes: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Die here if FIELDLOG_CRASH_AT names this point (and this pass)."""
    wanted = os.environ.get("FIELDLOG_CRASH_AT")
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _passes[name] += 1
    if _passes[name] >= int(nth or 1):
        os._exit(137)
