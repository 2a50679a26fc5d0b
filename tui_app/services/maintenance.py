"""Health of the local database (`doctor`): integrity, version, histories, tallies, backups."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_app.errors import FieldLogError
from tui_app.services import backups
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
    notes: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # fine, but worth saying


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
    if ctx.db.read_only:
        health.notes.append(("doctor.read_only", {}))
    else:
        for pack_id in campaign_ids(ctx):
            if not _tallies_match(ctx, pack_id):
                health.problems.append(("doctor.tallies_stale", {"campaign": pack_id}))
    health.problems += _blob_problems(ctx)
    _check_backups(ctx, health)
    return health


def _check_backups(ctx: Context, health: Health) -> None:
    """The newest backup must open and check whole: it is what a bad day falls back on."""
    failed = ctx.settings.get(backups.ERROR_KEY)
    if failed:
        health.problems.append(("doctor.backup_failed", {"detail": failed}))
    found = backups.listed(ctx)
    if not found:
        health.notes.append(("doctor.no_backup", {"folder": str(backups.folder(ctx))}))
        return
    try:
        backups.verify(found[0].path)
    except FieldLogError as exc:
        health.problems.append(("doctor.backup_bad", {"name": found[0].path.name,
                                                       "detail": exc.message()}))
        return
    health.notes.append(("doctor.backup_ok", {"name": found[0].path.name, "count": len(found)}))


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
