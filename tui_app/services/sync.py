"""Sync use case: push the laptop's outbox to a central store, then pull the team's work.

This module is the laptop side of the loop in `sync/client.py`: it reads the outbox,
applies the central store's answers (forget what is held, quarantine what is refused,
set aside what lost a conflict) and applies pulled changes with their tally facts.
Each of those is one local transaction. The faces (CLI, TUI) call `run_sync` and the
small helpers below; nothing here prints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any, BinaryIO

from tui_app.domain import identity
from tui_app.domain.ids import utc_now
from tui_app.domain.tally import Delta
from tui_app.domain.tally import merge as merge_deltas
from tui_app.errors import FieldLogError
from tui_app.services import attachments, backups
from tui_app.services import snapshot as snapshots
from tui_app.services.central_link import link
from tui_app.services.context import Context, shipped_packs
from tui_app.services.documents import refill_blocks
from tui_app.services.record import fact_delta
from tui_app.services.snapshot import Taken
from tui_app.services.tally import rebuild_facts
from tui_app.store import blobs as blob_store
from tui_app.store import merges as merge_store
from tui_app.store import packs as pack_store
from tui_app.store import paperwork as paperwork_store
from tui_app.store import records as record_store
from tui_app.store import sync_ledger as ledger
from tui_app.sync.client import Acknowledged, Note, Progress, SyncSummary
from tui_app.sync.crash import crash_point
from tui_app.sync.protocol import PACK_KIND, Change, PullPage, PushResult, same_content
from tui_app.sync.snapshot import SnapshotPort
from tui_app.sync.templates import manifest_of, pulled_manifest

CENTRAL_ORIGIN = "central"


class LaptopSide:
    """The `sync.client.Local` of one open local database."""

    def __init__(self, ctx: Context, *, snapshots: bool = True) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.snapshots = snapshots  # off for the laptop that builds a snapshot

    # ------------------------------------------------------------------ push side

    def pending(self) -> int:
        return ledger.pending_count(self.db)

    def pack_changes(self) -> list[Change]:
        """Packs the bureau imported here (not shipped ones) that the central store lacks."""
        from tui_app.sync.central import pack_change_id

        shipped = set(shipped_packs())
        changes = []
        for pack_id, source, origin in pack_store.all_sources(self.db):
            if origin in shipped or origin == CENTRAL_ORIGIN:
                continue
            files = paperwork_store.templates(self.db, pack_id)
            manifest = manifest_of(files)
            change_id = pack_change_id(pack_id, source, manifest)
            if ledger.state(self.db, f"pack:{pack_id}") != change_id:
                attachments.keep_files(self.ctx, files.values())  # sent as blobs, first
                body = {"source": source, "origin": origin}
                changes.append(Change(change_id, PACK_KIND, pack_id, 0,
                                      {**body, "templates": manifest} if manifest else body))
        return changes

    def templates_due(self) -> list[tuple[str, int]]:
        return paperwork_store.due(self.db)

    def install_template(self, sha256: str, data: bytes) -> None:
        paperwork_store.install(self.db, sha256, data)

    def unconfirmed_blobs(self, epoch: str) -> list[tuple[str, int]]:
        return blob_store.unconfirmed(self.db, epoch)

    def open_blob(self, sha256: str) -> BinaryIO:
        return attachments.blobs(self.ctx).path(sha256).open("rb")

    def confirm_blobs(self, hashes: list[str], epoch: str) -> None:
        if hashes:
            blob_store.confirm(self.db, hashes, epoch)

    def outbox_batch(self, limit: int) -> list[Change]:
        return [Change(cid, kind, rid, rev, json.loads(body), base, raw=body)
                for cid, kind, rid, rev, body, base in ledger.outbox_batch(self.db, limit)]

    def acknowledge(self, sent: Sequence[Change], results: Sequence[PushResult]) -> Acknowledged:
        """Apply the central store's answers in one transaction (nothing before them)."""
        ack = Acknowledged()
        now = utc_now()
        by_id = {c.change_id: c for c in sent}
        aside: dict[str, list[tuple[Change, PushResult]]] = {}
        with self.db.transaction():
            for result in results:
                change = by_id[result.change_id]
                if change.kind == PACK_KIND:
                    if result.status != "rejected":
                        ledger.set_state(self.db, {f"pack:{change.record_id}": change.change_id})
                    else:
                        ack.rejected.append(self._note(change, result.reason))
                    continue
                if result.status in ("rejected", "stale"):
                    aside.setdefault(change.record_id, []).append((change, result))
                elif result.status == "duplicate" and result.current is not None \
                        and result.current.change_id != change.change_id:
                    self._adopt(change.change_id, result.current)
                ack.duplicates += result.status == "duplicate"
                ack.settled += result.status != "rejected"
            ledger.forget_outbox(self.db, [r.change_id for r in results])
            for record_changes in aside.values():
                conflicts, rejected = self._set_aside(record_changes, now)
                ack.conflicts += conflicts
                ack.rejected += rejected
            crash_point("in_ack")
        return ack

    def _note(self, change: Change, detail: str | None) -> Note:
        return Note(change.record_id, change.kind, change.rev, change.change_id, detail)

    def _set_aside(self, changes: list[tuple[Change, PushResult]],
                   now: str) -> tuple[list[Note], list[Note]]:
        """Local versions the central store will not hold (lost a conflict, or refused):
        into the conflict or quarantine table with their full body, out of the history.
        The record falls back to its newest remaining version, then adopts the central
        one, so this laptop ends up holding what the central store holds."""
        kind, record_id = changes[0][0].kind, changes[0][0].record_id
        conflicts, rejected = [], []
        taken = ledger.take_revisions(self.db, [c.change_id for c, _ in changes])
        for change, result in changes:
            body = taken.get(change.change_id) or json.dumps(change.body, ensure_ascii=False)
            if result.status == "rejected":
                ledger.quarantine(self.db, [(change.change_id, kind, record_id, change.rev, body,
                                             result.reason or "", now)])
                rejected.append(self._note(change, result.reason))
            elif ledger.add_conflict(self.db, record_id, kind, change.rev, result.kept_change_id,
                                     change.change_id, body, now):
                conflicts.append(self._note(change, result.kept_change_id))
        before = record_store.get(self.db, kind, record_id)
        fallback = ledger.latest_revision(self.db, record_id)
        if before is not None and (fallback is None or fallback.get("rev") != before.get("rev")):
            ledger.set_current(self.db, kind, record_id, fallback)
            record_store.apply(self.db.conn, fact_delta(self.ctx, kind, before, fallback))
        current = next((r.current for _c, r in changes if r.current is not None), None)
        if current is not None and not ledger.pending_for(self.db, record_id):
            self._apply_change(current, now, flag=False)
        return conflicts, rejected

    def _adopt(self, own_change_id: str, central: Change) -> None:
        """Take the central revision in place of our own that says the same thing (an
        entity imported here and on another laptop): the same slot and content, so no
        tally moves; later edits build on the central change id."""
        ledger.adopt(self.db, own_change_id, central.change_id, central.body)
        current = record_store.get(self.db, central.kind, central.record_id)
        if current is not None and current["rev"] == central.rev:
            ledger.set_current(self.db, central.kind, central.record_id, central.body)

    # ------------------------------------------------------------------ pull side

    def pull_state(self) -> tuple[str | None, str | None]:
        return ledger.state(self.db, "epoch"), ledger.state(self.db, "cursor")

    def start_epoch(self, epoch: str, resend: bool) -> None:
        """A central store we have not seen (or a restored one): pull everything afresh,
        and resend our own revisions, which a restored store may have lost."""
        with self.db.transaction():
            if resend:
                ledger.enqueue_own(self.db, self.ctx.inspector_id)
            ledger.set_state(self.db, {"epoch": epoch, "cursor": None})

    def take_snapshot(self, central: SnapshotPort, epoch: str, report: Progress) -> Taken:
        """A new laptop starts from the district's snapshot (`services/snapshot.py`)."""
        if not self.snapshots:
            return Taken()
        try:
            return snapshots.take(self.ctx, central, epoch, report)
        finally:
            self.db = self.ctx.db  # opened again when a snapshot was copied in

    def apply_page(self, page: PullPage) -> Acknowledged:
        """Apply a pulled page and move the cursor, in one transaction.

        The page is applied in its order, in runs: a run of records new to this laptop
        (a first pull is all of them) is written set-based (`_apply_new`), every other
        change one by one (`_apply_change`); both leave the same rows.
        Foreign keys are off for it: the central store's order is the truth, and a
        reference to a record it does not hold must not stall every later pull."""
        ack = Acknowledged()
        now = utc_now()
        with self.db.foreign_keys_off(), self.db.transaction():
            for new, run in self._runs(page.changes):
                if new:
                    self._apply_new(run)
                    ack.settled += len(run)
                    continue
                for change in run:
                    outcome = self._apply_change(change, now, flag=True)
                    if outcome == "applied":
                        ack.settled += 1
                    elif isinstance(outcome, Note):
                        ack.conflicts.append(outcome)
            crash_point("mid_pull")
            ledger.set_state(self.db, {"epoch": page.epoch, "cursor": page.next_cursor})
        return ack

    def _runs(self, changes: Sequence[Change]) -> list[tuple[bool, list[Change]]]:
        """`changes` in order, cut into runs; a run is new (True) when each of its changes
        is the first of its record this laptop sees: no revision or outbox change of it
        here, none earlier in the page, and not an entity merge (which moves facts).
        For such a change `_apply_change` finds nothing to adopt, skip or flag, and
        writes it over no current row."""
        records = [c.record_id for c in changes if c.kind != PACK_KIND]
        seen = ledger.held_records(self.db, records)
        logged = ledger.held_changes(self.db, [c.change_id for c in changes])
        runs: list[tuple[bool, list[Change]]] = []
        for change in changes:
            new = (change.kind != PACK_KIND and change.record_id not in seen
                   and change.change_id not in logged
                   and not (change.kind == "entity" and identity.merged_into(change.body)))
            if change.kind != PACK_KIND:
                seen.add(change.record_id)
            if runs and runs[-1][0] == new:
                runs[-1][1].append(change)
            else:
                runs.append((new, [change]))
        return runs

    def _apply_new(self, changes: Sequence[Change]) -> None:
        """Records new to this laptop, set-based: their survivors read once, their tally
        deltas summed, each table written by one executemany (`records.write_many_in`)."""
        survivors = merge_store.survivors(self.db.conn, [c.body.get("entity_id") for c in changes])
        tallies = merge_deltas(fact_delta(self.ctx, c.kind, None, c.body, survivors)
                               for c in changes if c.kind != "entity")
        record_store.write_many_in(
            self.db.conn, [record_store.Change(c.kind, c.body, c.change_id) for c in changes],
            tallies)

    def _apply_change(self, change: Change, now: str, *, flag: bool) -> str | Note:
        """One central change into the local store: 'applied', 'skipped' or a conflict."""
        if change.kind == PACK_KIND:
            return self._apply_pack(change)
        if ledger.has_revision(self.db, change.change_id):
            return "skipped"  # an echo of our own change, or already pulled
        held = ledger.revision_at(self.db, change.record_id, change.rev)
        if held is not None and same_content(held[1], change.body):
            self._adopt(held[0], change)  # made here too (even if not yet pushed): one revision
            return "applied"
        holder = held[0] if held else None
        pending = [cid for cid, rev in ledger.pending_for(self.db, change.record_id)
                   if rev <= change.rev]
        if holder is not None or pending:
            if not flag:
                return "skipped"
            body = json.dumps(change.body, ensure_ascii=False)
            kept = holder or pending[0]
            if ledger.add_conflict(self.db, change.record_id, change.kind, change.rev, kept,
                                   change.change_id, body, now):
                return Note(change.record_id, change.kind, change.rev, change.change_id, kept)
            return "skipped"
        old = record_store.get(self.db, change.kind, change.record_id)
        newer = old is None or change.rev > old["rev"]
        facts = fact_delta(self.ctx, change.kind, old, change.body) if newer else Delta()
        record_store.write(self.db, record_store.Change(change.kind, change.body, change.change_id),
                           facts, outbox=False)
        survivor = identity.merged_into(change.body) if newer and change.kind == "entity" else None
        if survivor:  # the bureau merged this entity: its facts move to the survivor
            merge_store.apply(self.db.conn, [(change.record_id, survivor, change.body["void_reason"],
                                              change.change_id, change.body["updated_at"])])
        return "applied"

    def _apply_pack(self, change: Change) -> str:
        """A pulled pack: its source now, its templates once fetched (`templates_due`)."""
        source = change.body.get("source", "")
        stored = pack_store.get(self.db, change.record_id)
        ledger.set_state(self.db, {f"pack:{change.record_id}": change.change_id})
        wanted = pulled_manifest(change.body, _template_paths(source, change.record_id))
        if wanted is not None:
            paperwork_store.expect_templates(self.db, change.record_id, wanted)
        if stored is not None and stored[0] == source:
            return "skipped"
        pack_store.put(self.db, change.record_id, source, CENTRAL_ORIGIN, utc_now())
        self.ctx.forget_packs()
        rebuild_facts(self.ctx, change.record_id)
        return "applied"

    def finished(self, summary: SyncSummary) -> None:
        with self.db.transaction():
            ledger.set_state(self.db, {"last_sync": utc_now(),
                                       "last_sync_central": summary.central})


def _template_paths(source: str, pack_id: str) -> list[str]:
    """The document templates a pulled pack's source names (none if it does not parse:
    the central store checked it, so only a hand-edited store gets here)."""
    from tui_app.domain.pack import parse_pack

    try:
        return [d.template for d in parse_pack(source, pack_id).documents]
    except FieldLogError:
        return []


# ---------------------------------------------------------------------- what faces call


def run_sync(ctx: Context, url: str | None = None,
             progress_callback: Progress | None = None, *, ca_file: str | None = None,
             insecure: bool = False) -> SyncSummary:
    """Push then pull against the central store at `url` (or the configured one)."""
    from tui_app.sync import client
    from tui_app.sync.central import open_replication

    size = batch_size()
    target = link(ctx, url, ca_file=ca_file, insecure=insecure)
    central = open_replication(target.url, token=target.token, ca_file=target.ca_file,
                               insecure=target.insecure, inspector_id=ctx.inspector_id)
    try:
        summary = client.run(LaptopSide(ctx), central, ctx.inspector_id, ctx.device_id,
                             progress_callback, batch=size, page=size,
                             first_page=first_pull_page())
        refill_blocks(ctx, central.reserve_numbers, central.epoch())
    finally:
        central.close()
    backups.after_sync(ctx, moved=bool(summary.pushed or summary.pulled))  # today's work, kept twice
    if getattr(central, "insecure", False):
        summary.notices.append(("sync.insecure_warning", {"url": target.url}))
    return summary


def batch_size() -> int:
    """Changes per push batch and pull page: FIELDLOG_SYNC_BATCH (default 1000, at most
    5000); smaller batches suit a poor link, since a failed batch is sent again whole."""
    try:
        return max(1, min(5000, int(os.environ.get("FIELDLOG_SYNC_BATCH", "1000"))))
    except ValueError:
        return 1000


FIRST_PULL_PAGE = 5000  # the most a request may carry (sync/wire.py: HARD_MAX_BATCH)


def first_pull_page() -> int:
    """Changes per page of a pull from nothing: FIELDLOG_SYNC_BATCH when it is set (a poor
    link asks for small pages), else FIRST_PULL_PAGE."""
    return batch_size() if os.environ.get("FIELDLOG_SYNC_BATCH") else FIRST_PULL_PAGE


def unsynced_count(ctx: Context) -> int:
    """Changes saved here that the central store has not acknowledged yet."""
    return ledger.pending_count(ctx.db)


def last_sync(ctx: Context) -> str | None:
    """UTC time of the last complete sync, or None."""
    return ledger.state(ctx.db, "last_sync")


def conflicts(ctx: Context, limit: int = 1000) -> list[dict[str, Any]]:
    """Versions sync kept aside on this laptop, newest first, each with its body."""
    keys = ("seq", "record_id", "kind", "rev", "kept_change_id", "lost_change_id", "lost_body",
            "reported_at")
    rows = []
    for row in ledger.conflicts(ctx.db, limit):
        item = dict(zip(keys, row, strict=True))
        item["lost_body"] = json.loads(item["lost_body"])
        rows.append(item)
    return rows


def quarantined(ctx: Context, limit: int = 1000) -> list[dict[str, Any]]:
    """Changes the central store refused, with the reason."""
    keys = ("change_id", "kind", "record_id", "rev", "reason", "quarantined_at")
    return [dict(zip(keys, row, strict=True)) for row in ledger.quarantined(ctx.db, limit)]


def shown_url(url: str) -> str:
    """A central URL as it may be printed: never with its password."""
    from tui_app.services.profile import without_password

    return without_password(url)[0]


def init_central(url: str, new_epoch: bool = False) -> tuple[list[str], str]:
    """Create or upgrade the central store at `url`; return migrations applied and its epoch."""
    from tui_app.sync.central import initialise

    return initialise(url, new_epoch=new_epoch)
