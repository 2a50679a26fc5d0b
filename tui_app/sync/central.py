"""One interface over every central store, chosen by URL.

`sqlite:///path/central.db` (or a plain path) is a file on the office share or a USB
stick; `postgresql://…` is the bureau's database. The HTTP service (its own module,
later) serves the same interface over the network, so the sync client never knows
which one it talks to. Both stores decide each pushed change by the same pure rule
(`decide`), so they can never disagree about what is applied, stale or rejected.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tui_app.domain.identity import entity_id_of, merge_revision, merged_into
from tui_app.domain.tally import Aggregate
from tui_app.errors import FieldLogError
from tui_app.sync.protocol import (
    AUTHORIZATION_REASONS,
    BUREAU,
    PACK_KIND,
    CentralConflict,
    Change,
    PullPage,
    PushResult,
    check_change,
    same_content,
)
from tui_app.sync.snapshot import SnapshotInfo

_PACK_NAMESPACE = uuid.UUID("6f1c2a52-6f0e-4d7e-9a55-3f2b8c1d9e10")


def pack_change_id(pack_id: str, source: str,
                   templates: dict[str, dict[str, Any]] | None = None) -> str:
    """A pack's change id is a function of its content, its templates' hashes included:
    re-sending a pack is a duplicate, an edited template is a new version."""
    hashes = "".join(f"\0{path}\0{entry['sha256']}" for path, entry in sorted((templates or {}).items()))
    return str(uuid.uuid5(_PACK_NAMESPACE, f"{pack_id}\0{source}{hashes}"))


class ReplicationPort(Protocol):
    """All a laptop needs from a central store, and exactly what the HTTP service carries:
    the store's epoch, push a batch, pull a page. Each store materialises its own current
    rows and tally facts once a push has committed; the client never asks for it."""

    url: str

    def epoch(self) -> str: ...

    def push(self, inspector_id: str, device_id: str,
             changes: Sequence[Change]) -> list[PushResult]: ...

    def pull(self, cursor: str | None, limit: int = 1000) -> PullPage: ...

    def close(self) -> None: ...


class CentralReadModel(Protocol):
    """The bureau's side of a central store: current rows, tallies, pages, conflicts."""

    def materialize(self, chunk: int = 5000) -> int: ...

    def log_head(self) -> str:
        """Where the newest committed change sits in the log ("" when it is empty): it
        moves on every push of any worker, so the service's catch-up waits for it to stop."""
        ...

    def aggregate(self, campaign: str, day_from: str, day_to: str, summed: Sequence[str],
                  distinct: Sequence[str], latest: Sequence[str] = ()) -> dict[str, Aggregate]: ...

    def pack_source(self, campaign_id: str) -> str | None: ...

    def page(self, query: Any) -> list[dict[str, Any]]: ...

    def count(self, query: Any) -> int: ...

    def conflicts(self, limit: int = 1000) -> list[CentralConflict]: ...

    def publish_entities(self, rows: Sequence[dict[str, Any]], inspector_id: str,
                         device_id: str) -> Published: ...

    def merge_entities(self, loser: str, survivor: str, reason: str, inspector_id: str,
                       device_id: str) -> Change: ...

    def reserve_numbers(self, series: str, year: int, count: int, inspector_id: str,
                        device_id: str, after: int = 0) -> tuple[int, int]: ...

    # attachment bytes, by hash (sync/blobs.py says how they are used)
    def latest_snapshot(self) -> SnapshotInfo | None: ...

    def snapshots(self) -> list[SnapshotInfo]: ...

    def record_snapshot(self, info: SnapshotInfo) -> None: ...

    def missing_blobs(self, hashes: Sequence[str]) -> list[str]: ...

    def blob_received(self, sha256: str) -> int: ...

    def put_blob_chunk(self, sha256: str, offset: int, data: bytes) -> int: ...

    def finish_blob(self, sha256: str, size: int) -> bool: ...

    def flush_blobs(self) -> None: ...

    def read_blob(self, sha256: str) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class CentralStore(ReplicationPort, CentralReadModel, Protocol):
    """A store the bureau opens directly (SQLite file, PostgreSQL): both interfaces, plus
    its schema, the service's tokens (`tokens`) and record owners.

    `push` takes the pusher's role (a direct URL is the bureau's own machine, so packs are
    accepted) and `strict`: refuse the whole batch (`PushForbidden`) when any change is
    refused for who sent it, as the HTTP service answers 403."""

    def upgrade(self) -> list[str]: ...

    def renew_epoch(self) -> str: ...

    def push(self, inspector_id: str, device_id: str, changes: Sequence[Change], *,
             role: str = BUREAU, strict: bool = False) -> list[PushResult]: ...

    def sql(self, statement: str, args: Sequence[Any] = (), *,
            write: bool = False) -> list[tuple[Any, ...]]: ...

    def sql_steps(self, steps: Sequence[tuple[str, Sequence[Any]]]) -> None: ...

    mark: str


class PushForbidden(Exception):
    """A batch held changes the pusher may not make: (change id, record id, reason) each.
    Raised inside the push transaction, so nothing of the batch is stored."""

    def __init__(self, offending: list[tuple[str, str, str]]) -> None:
        super().__init__(f"{len(offending)} change(s) refused")
        self.offending = offending


@dataclass
class Known:
    """What the central store already holds about a batch, read in one go before deciding."""

    logged: set[str] = field(default_factory=set)             # change ids in the log
    lost: dict[str, str | None] = field(default_factory=dict)  # kept-aside id → winner
    slots: dict[tuple[str, int], str] = field(default_factory=dict)  # (record, rev) → id
    owners: dict[str, str] = field(default_factory=dict)      # record id → owner
    kinds: dict[str, str] = field(default_factory=dict)       # record id → its kind
    held: dict[str, Change] = field(default_factory=dict)  # holders of contended slots
    blobless: set[str] = field(default_factory=set)  # packs whose templates are not held


# Kinds no one owns: the shared entity registry, and campaign packs (the bureau's).
UNOWNED_KINDS = frozenset({"entity", PACK_KIND})


def from_log(known: Known, slots: Iterable[tuple[str, int, str, str]]) -> None:
    """Fill `known.owners` and `known.kinds` from the records' logged revisions (record
    id, rev, kind, pushed by). A record's owner is who first stored it: the pusher of its
    lowest revision of an owned kind. A push applies a revision only on top of the one
    before it, so that revision is the first of its kind stored centrally; the log is
    never pruned, so a record's owner is kept in the log itself, and `record_owner` holds
    only the records moved since (`tokens.reassign`), each overriding what the log says.
    A record's kind is its lowest revision's: a revision claiming another is refused
    (`protocol.check_change`), or anyone could revise an inspection by calling it an
    entity, which no one owns, or take a shared entity by calling it an inspection."""
    owned: dict[str, tuple[int, str]] = {}
    kinds: dict[str, tuple[int, str]] = {}
    for record_id, rev, kind, pushed_by in slots:
        held = kinds.get(record_id)
        if held is None or rev < held[0]:
            kinds[record_id] = (rev, kind)
        if kind not in UNOWNED_KINDS:
            held = owned.get(record_id)
            if held is None or rev < held[0]:
                owned[record_id] = (rev, pushed_by)
    known.owners.update({record_id: who for record_id, (_rev, who) in owned.items()})
    known.kinds.update({record_id: kind for record_id, (_rev, kind) in kinds.items()})


def contended(changes: Sequence[Change], known: Known) -> list[str]:
    """Change ids holding a slot that another change of the batch wants: the store
    reads their bodies into `known.held`, so `decide` can tell a duplicate (same
    content) from a conflict. A batch of new records contends for nothing."""
    wanted = set()
    for change in changes:
        holder = known.slots.get((change.record_id, change.rev))
        if holder is not None and holder != change.change_id:
            wanted.add(holder)
    return sorted(wanted)


@dataclass
class Decision:
    """Per-change answers (stale ones still lack `current`), plus what to write."""

    results: list[PushResult]
    applied: list[Change]
    lost: list[tuple[Change, str | None]]


def decide(changes: Sequence[Change], inspector_id: str, known: Known, *, role: str = BUREAU,
           strict: bool = False) -> Decision:
    """The push rule, in batch order. The first change committed centrally for a
    (record, rev) wins; a later one for the same slot that says the same thing (see
    `protocol.same_content`) is a duplicate of it; one that differs, or one made on top
    of a version that is not the central one, is stale and kept aside. Never a laptop
    clock.

    A record's owner is whoever first stored it (`known.owners`); `strict` raises
    `PushForbidden` instead of answering when any change is refused for who sent it."""
    results: list[PushResult] = []
    applied: list[Change] = []
    lost: list[tuple[Change, str | None]] = []
    seen: set[str] = set()
    alias: dict[str, str] = {}  # a duplicate's change id → the central one it repeats
    top: dict[str, int] = {}  # highest rev per pack id
    # the loop runs once per pushed change: what it reads is bound to locals
    slots, held, owners, kept_aside = known.slots, known.held, known.owners, known.lost
    kinds = known.kinds
    logged, blobless = known.logged, known.blobless
    for record_id, rev in slots:
        top[record_id] = max(top.get(record_id, 0), rev)
    for change in changes:
        cid = change.change_id
        if cid in seen or cid in logged:
            results.append(PushResult(cid, "duplicate"))
            continue
        if cid in kept_aside:
            results.append(PushResult(cid, "stale", kept_change_id=kept_aside[cid]))
            continue
        rid = change.record_id
        reason = check_change(change, inspector_id, owner=owners.get(rid), role=role,
                              kind=kinds.get(rid))
        if reason:
            results.append(PushResult(cid, "rejected", reason=reason))
            continue
        if cid in blobless:
            results.append(PushResult(cid, "rejected", reason="templates_missing"))
            continue
        kind = change.kind
        if kind == PACK_KIND:
            change = Change(cid, PACK_KIND, rid, top.get(rid, 0) + 1, change.body, raw=change.raw)
            top[rid] = change.rev
        else:
            rev = change.rev
            holder = slots.get((rid, rev))
            kept = held.get(holder) if holder is not None else None
            if kept is not None and same_content(kept.body, change.body):
                alias[cid] = kept.change_id
                results.append(PushResult(cid, "duplicate", kept_change_id=kept.change_id,
                                          current=kept))
                continue
            base = slots.get((rid, rev - 1)) if rev > 1 else None
            if holder is not None or base != alias.get(change.base or "", change.base):
                kept_id = holder if holder is not None else base
                results.append(PushResult(cid, "stale", kept_change_id=kept_id))
                kept_aside[cid] = kept_id
                lost.append((change, kept_id))
                continue
            if kind != "entity" and rid not in owners:
                owners[rid] = inspector_id  # the log keeps it: `from_log`
        kinds.setdefault(rid, kind)
        seen.add(cid)
        slots[(rid, change.rev)] = cid
        held[cid] = change
        applied.append(change)
        results.append(PushResult(cid, "applied"))
    if strict:
        record_of = {c.change_id: c.record_id for c in changes}
        offending = [(r.change_id, record_of[r.change_id], r.reason or "") for r in results
                     if r.status == "rejected" and r.reason in AUTHORIZATION_REASONS]
        if offending:
            raise PushForbidden(offending)
    return Decision(results, applied, lost)


@dataclass
class Published:
    """What publishing a registry did: the counts, and the revisions it wrote."""

    added: int = 0
    revised: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)


def by_identity(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Validated entity rows under their derived ids (a row repeated later wins): ids
    come from the identity rule, never from what was sent."""
    return {entity_id_of(row): row for row in rows}


def plan_registry(by_id: dict[str, dict[str, Any]], heads: dict[str, Change], inspector_id: str,
                  device_id: str, now: str) -> Published:
    """The bureau's registry (`by_identity`) against the central entities: a new entity
    for each row whose id is unknown, a revision for each that says something new,
    nothing for the rest. A place the bureau merged stays merged."""
    from tui_app.domain.ids import new_id

    out = Published()
    for record_id, row in by_id.items():
        head = heads.get(record_id)
        old = head.body if head else None
        if old is not None and (merged_into(old) or all(old.get(k) == v for k, v in row.items())):
            out.unchanged += 1
            continue
        body = {**(old or {}), **row, "id": record_id, "rev": head.rev + 1 if head else 1,
                "created_at": old["created_at"] if old else now, "updated_at": now,
                "inspector_id": inspector_id, "device_id": device_id, "voided": False,
                "void_reason": None}
        out.changes.append(Change(new_id(), "entity", record_id, body["rev"], body,
                                  head.change_id if head else None))
        if head:
            out.revised += 1
        else:
            out.added += 1
    return out


def plan_merge(loser: Change | None, survivor: Change | None, reason: str, inspector_id: str,
               device_id: str, now: str) -> Change:
    """The bureau's merge of two central entities: the loser's next revision, voided
    and naming its survivor. Refused (FieldLogError) when either is not a live entity
    (a merged one is voided, so no chain can loop) or when they are one."""
    from tui_app.domain.ids import new_id

    for head in (loser, survivor):
        if head is None or head.kind != "entity":
            raise FieldLogError("entity.merge_unknown")
        if head.body.get("voided"):
            raise FieldLogError("entity.merge_voided", id=head.record_id)
    assert loser is not None and survivor is not None
    if loser.record_id == survivor.record_id:
        raise FieldLogError("entity.merge_self", id=loser.record_id)
    body = merge_revision(loser.body, survivor.record_id, reason, updated_at=now,
                          inspector_id=inspector_id, device_id=device_id)
    return Change(new_id(), "entity", loser.record_id, body["rev"], body, loser.change_id)


def with_current(results: list[PushResult], sent: Sequence[Change],
                 current: dict[str, Change]) -> list[PushResult]:
    """Attach the record's current central revision to each stale answer."""
    if not current:  # nothing to attach: the answers stand as decided
        return results
    record_of = {c.change_id: c.record_id for c in sent}
    return [PushResult(r.change_id, r.status, r.reason, r.kept_change_id,
                       current.get(record_of[r.change_id]))
            if r.status == "stale" else r for r in results]


def split_cursor(cursor: str | None, epoch: str, parts: int) -> list[int] | None:
    """The positions inside an opaque cursor, or None to start over (other epoch, junk)."""
    if not cursor:
        return None
    fields = cursor.split(":")
    if len(fields) != parts + 1 or fields[0] != epoch:
        return None
    try:
        return [int(f) for f in fields[1:]]
    except ValueError:
        return None


def kind_of_url(url: str) -> str:
    """'sqlite', 'postgresql' or 'http' for a central URL; a plain path is a SQLite file."""
    lowered = url.lower()
    if lowered.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    if lowered.startswith(("http://", "https://")):
        return "http"
    if lowered.startswith("sqlite://") or "://" not in url:
        return "sqlite"
    raise FieldLogError("sync.bad_url", url=url)


def sqlite_path(url: str) -> Path:
    """`sqlite:///abs/central.db` (or `sqlite:////abs/…`) → /abs/central.db;
    `sqlite://rel.db` or a plain path → that path."""
    if not url.lower().startswith("sqlite://"):
        return Path(url)
    rest = url[len("sqlite://"):]
    return Path(rest[1:] if rest.startswith("//") else rest)


def open_central(url: str, *, create: bool = False, catch_up_on_push: bool = True) -> CentralStore:
    """Open the central store at `url` (creating its schema only when `create`).

    An http(s) URL is not a store but the service in front of one: its read model is the
    bureau's, reached with a direct URL (`open_replication` opens the service)."""
    kind = kind_of_url(url)
    if kind == "sqlite":
        from tui_app.sync.sqlite_central import SqliteCentral

        return SqliteCentral(url, create=create, catch_up_on_push=catch_up_on_push)
    if kind == "postgresql":
        from tui_app.sync.pg_central import PgCentral

        return PgCentral(url, create=create, catch_up_on_push=catch_up_on_push)
    raise FieldLogError("sync.http_read_model", url=url)


def open_replication(url: str, *, token: str | None = None, ca_file: str | None = None,
                     insecure: bool = False, inspector_id: str | None = None) -> ReplicationPort:
    """What a laptop syncs with at `url`: the HTTP service for http(s) (refusing a token
    of another inspector than `inspector_id`), else the store itself."""
    if kind_of_url(url) == "http":
        from tui_app.sync.http_client import HttpCentral

        return HttpCentral(url, token, ca_file=ca_file, insecure=insecure,
                           expect_inspector=inspector_id)
    return open_central(url)


def initialise(url: str, *, new_epoch: bool = False) -> tuple[list[str], str]:
    """Create or upgrade the central store's schema; return the migrations applied and epoch."""
    store = open_central(url, create=True)
    try:
        applied = store.upgrade()
        if new_epoch and not applied:
            store.renew_epoch()
        return applied, store.epoch()
    finally:
        store.close()


def is_reachable(url: str, timeout: float = 2.0, *, ca_file: str | None = None,
                 insecure: bool = False) -> bool:
    """Cheap: can a central store be opened (or the service answer) within `timeout` s?"""
    import concurrent.futures

    if kind_of_url(url) == "http":
        from tui_app.sync.http_client import probe as probe_http

        return probe_http(url, timeout, ca_file=ca_file, insecure=insecure)

    def probe() -> bool:
        try:
            store = open_central(url)
        except FieldLogError:
            return False
        store.close()
        return True

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(probe).result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        return False
    finally:
        pool.shutdown(wait=False)
