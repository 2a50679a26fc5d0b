"""The sync loop: push the outbox in batches, then pull the team's work.

The loop knows nothing about the laptop's database: it talks to a `Local` (the
services layer implements it over the local store) and to a `ReplicationPort` (a
central store opened directly, or the HTTP service). Nothing
is forgotten locally before the central store has answered, and every local step is
one transaction, so a crash anywhere leaves a state the next run completes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tui_app.sync.blobs import BlobPort, BlobSource, BlobSummary, push_blobs
from tui_app.sync.central import ReplicationPort
from tui_app.sync.crash import crash_point
from tui_app.sync.protocol import Change, PullPage, PushResult
from tui_app.sync.snapshot import SnapshotPort
from tui_app.sync.templates import BlobReader, TemplateSink, fetch_templates, hashes_of

# phase ("push", "blobs" (in bytes), "pull"; "snapshot" (bytes) and "snapshot_copy" when a
# new laptop takes the district's snapshot), done, total (None when unknown)
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Note:
    """A change set aside in this run: a conflict (kept centrally) or a rejection."""

    record_id: str
    kind: str
    rev: int
    change_id: str
    detail: str | None = None  # the winning change id, or the rejection reason


@dataclass
class Acknowledged:
    """What the laptop did with one batch's answers."""

    settled: int = 0
    duplicates: int = 0
    conflicts: list[Note] = field(default_factory=list)
    rejected: list[Note] = field(default_factory=list)


@dataclass
class SyncSummary:
    """One sync run, as the CLI and the TUI report it."""

    central: str
    pushed: int = 0
    duplicates: int = 0
    pulled: int = 0
    from_snapshot: int = 0  # revisions a new laptop took from the district's snapshot
    snapshot_built_at: str = ""
    conflicts: list[Note] = field(default_factory=list)
    rejected: list[Note] = field(default_factory=list)
    new_epoch: bool = False
    seconds: float = 0.0
    # warnings for the user as catalog keys with their parameters (e.g. plain http)
    notices: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    blobs: BlobSummary = field(default_factory=BlobSummary)
    templates_failed: list[str] = field(default_factory=list)  # hashes of pulled templates

    @property
    def complete(self) -> bool:
        """Everything sent was acknowledged, nothing was refused, every template came."""
        return not self.rejected and not self.blobs.failed and not self.templates_failed


class Central(ReplicationPort, BlobPort, BlobReader, SnapshotPort, Protocol):
    """What the loop talks to: the replication port and the blob port of a central store,
    or the HTTP service carrying both."""


class Taken(Protocol):
    """What a laptop's snapshot step did (services/snapshot.py: `Taken`)."""

    cursor: str | None  # where the pull goes on from (None: from nothing)
    records: int
    built_at: str
    notices: list[tuple[str, dict[str, str]]]


class Local(BlobSource, TemplateSink, Protocol):
    """The laptop side of the loop (services/sync.py implements it)."""

    def pending(self) -> int: ...

    def pack_changes(self) -> list[Change]: ...

    def outbox_batch(self, limit: int) -> list[Change]: ...

    def acknowledge(self, sent: Sequence[Change],
                    results: Sequence[PushResult]) -> Acknowledged: ...

    def pull_state(self) -> tuple[str | None, str | None]: ...

    def start_epoch(self, epoch: str, resend: bool) -> None: ...

    def take_snapshot(self, central: SnapshotPort, epoch: str, report: Progress) -> Taken: ...

    def apply_page(self, page: PullPage) -> Acknowledged: ...

    def finished(self, summary: SyncSummary) -> None: ...


def _merge(summary: SyncSummary, ack: Acknowledged) -> None:
    summary.conflicts += ack.conflicts
    summary.rejected += ack.rejected


def run(local: Local, central: Central, inspector_id: str, device_id: str,
        progress: Progress | None = None, *, batch: int = 1000, page: int = 1000,
        first_page: int | None = None) -> SyncSummary:
    """Push everything, then pull everything; return what happened.

    A laptop that holds nothing may first take the district's snapshot and pull on from
    its cursor (`Local.take_snapshot`). A pull that starts from nothing (a new laptop, a
    new epoch) asks for pages of `first_page` when given: each page is one local
    transaction, and a first pull of a district is all pages, so fewer and bigger ones
    cost less per change."""
    report = progress or (lambda _phase, _done, _total: None)
    started = time.monotonic()
    summary = SyncSummary(central.url)
    epoch = central.epoch()
    known_epoch, cursor = local.pull_state()
    if known_epoch != epoch:
        local.start_epoch(epoch, resend=known_epoch is not None)
        summary.new_epoch = known_epoch is not None
        cursor = None
    size = first_page if cursor is None and first_page else page
    if cursor is None:  # a new laptop may start from the district's snapshot
        taken = local.take_snapshot(central, epoch, report)
        cursor, summary.from_snapshot = taken.cursor, taken.records
        summary.snapshot_built_at = taken.built_at
        summary.notices += taken.notices

    packs = local.pack_changes()
    if packs:  # their templates first: a store logs no pack it lacks the templates of
        templates = {sha for change in packs for sha in hashes_of(change.body)}
        summary.blobs = push_blobs(local, central, epoch, report, only=templates)
        _merge(summary, local.acknowledge(packs, central.push(inspector_id, device_id, packs)))
    total = local.pending()
    done = 0
    report("push", 0, total)
    while True:
        changes = local.outbox_batch(batch)
        if not changes:
            break
        crash_point("before_send")
        results = central.push(inspector_id, device_id, changes)
        crash_point("after_answer")
        ack = local.acknowledge(changes, results)
        summary.pushed += ack.settled - ack.duplicates
        summary.duplicates += ack.duplicates
        _merge(summary, ack)
        done += len(changes)
        report("push", done, max(total, done))
    summary.blobs = push_blobs(local, central, epoch, report, into=summary.blobs)

    pulled = 0
    while True:
        result = central.pull(cursor, size)
        ack = local.apply_page(result)
        _merge(summary, ack)
        summary.pulled += ack.settled
        pulled += len(result.changes)
        report("pull", pulled, None)
        cursor = result.next_cursor
        if not result.more:
            break
        crash_point("between_pages")
    summary.templates_failed = fetch_templates(local, central)
    summary.seconds = time.monotonic() - started
    local.finished(summary)
    return summary
