"""Health of the local database (`doctor`) and a consistent copy of it (`backup`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui_app.errors import FieldLogError
from tui_app.services.context import Context
from tui_app.services.tally import compute, rebuild_facts
from tui_app.store import health as probes
from tui_app.store import migrate
from tui_app.store import packs as pack_store


@dataclass
class Health:
    """What `doctor` found; `problems` are (catalog key, parameters)."""

    integrity: str
    schema_version: int
    latest_version: int
    counts: dict[str, int]
    problems: list[tuple[str, dict[str, object]]] = field(default_factory=list)


def check(ctx: Context) -> Health:
    """Integrity, schema version, whole histories, quarantine, tallies against a recount."""
    health = Health(
        integrity=probes.integrity(ctx.db),
        schema_version=max(migrate.applied(ctx.db.conn), default=0),
        latest_version=max((v for v, _ in migrate.available(migrate.migrations_root())), default=0),
        counts=probes.counts(ctx.db),
    )
    if health.integrity != "ok":
        health.problems.append(("doctor.integrity", {"detail": health.integrity}))
    if health.counts["quarantine"]:
        health.problems.append(("doctor.quarantined", {"count": health.counts["quarantine"]}))
    gaps = probes.revision_gaps(ctx.db)
    if gaps:
        health.problems.append(("doctor.revision_gaps", {"count": gaps}))
    for pack_id in campaign_ids(ctx):
        if not _tallies_match(ctx, pack_id):
            health.problems.append(("doctor.tallies_stale", {"campaign": pack_id}))
    health.problems += _blob_problems(ctx)
    return health


def _blob_problems(ctx: Context) -> list[tuple[str, dict[str, object]]]:
    """Attachment files that are gone or no longer match their hash, one line per kind."""
    from tui_app.services import attachments

    bad = attachments.verify(ctx)
    folder = str(attachments.blobs(ctx).root)
    problems: list[tuple[str, dict[str, object]]] = []
    for state in ("missing", "corrupt"):
        hashes = [sha for sha, found in bad if found == state]
        if hashes:
            problems.append((f"doctor.blob_{state}", {"count": len(hashes), "sha": hashes[0],
                                                      "folder": folder}))
    return problems


def campaign_ids(ctx: Context) -> list[str]:
    return [pack_id for pack_id, _source, _origin in pack_store.all_sources(ctx.db)]


def _tallies_match(ctx: Context, pack_id: str) -> bool:
    """Recount in a dry run: doctor only looks, it never changes the database."""
    stored = compute(ctx, pack_id).values
    with ctx.db.rolled_back():
        rebuild_facts(ctx, pack_id)
        return compute(ctx, pack_id).values == stored


def repair_tallies(ctx: Context) -> list[str]:
    """Recount every campaign's tallies from its records."""
    ids = campaign_ids(ctx)
    for pack_id in ids:
        rebuild_facts(ctx, pack_id)
    return ids


def backup(ctx: Context, target: Path) -> Path:
    if target.exists():
        raise FieldLogError("backup.exists", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    probes.copy_to(ctx.db, target)
    return target
