"""Scripted and bulk entry: `fieldlog import FILE.jsonl`.

Every line passes the same validation as the form. The whole file is checked before
anything is written: a file with bad lines imports nothing (or, with skip_bad, only
the good lines), and every bad line is listed with its number and reason. Lines that
carry an `id` make re-importing idempotent: an unchanged line adds nothing, a changed
one becomes a new revision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_app.domain import records as rules
from tui_app.domain.ids import is_uuid, new_id
from tui_app.domain.input_limits import MAX_DEPTH, MAX_LINE
from tui_app.domain.values import is_empty
from tui_app.errors import FieldLogError, Problem, ValidationFailed
from tui_app.services import record as record_service
from tui_app.services.context import Context
from tui_app.store import records as store
from tui_app.textfile import read_bytes

LINE_TYPES = (*rules.KINDS, "void")


@dataclass
class LineError:
    """A bad line: its 1-based number and every problem on it."""

    line: int
    problems: list[Problem]


@dataclass
class ImportReport:
    """What an import did (or, when it refused, would have done)."""

    added: int = 0
    revised: int = 0
    unchanged: int = 0
    voided: int = 0
    errors: list[LineError] = field(default_factory=list)
    warnings: list[tuple[int, Problem]] = field(default_factory=list)
    committed: bool = False


@dataclass
class _Planned:
    line: int
    kind: str
    row: dict[str, Any] | None  # None for a void
    old: dict[str, Any] | None
    record_id: str
    reason: str = ""
    warnings: list[Problem] = field(default_factory=list)


class _Resolver:
    """Finds entities in the database or among the entity lines earlier in the file."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.pending: dict[str, str] = {}

    def add(self, row: dict[str, Any], record_id: str) -> None:
        for ref in (row.get("uscc"), row.get("name"), record_id):
            if ref:
                self.pending[ref] = record_id

    def __call__(self, ref: str) -> str | None:
        return self.pending.get(ref) or self.pending.get(ref.upper()) or store.resolve_entity(
            self.ctx.db, ref)


Row = tuple[int, dict[str, Any] | Problem]  # (line number, parsed object or why it is not one)


def jsonl_rows(path: Path) -> Iterable[Row]:
    """Numbered JSON objects of a JSONL file; blank lines are skipped. A line that cannot
    be one (not UTF-8, too long, too deep, not JSON) is a Problem on its own number, so
    `--skip-bad` skips just that line."""
    data = read_bytes(path).removeprefix(b"\xef\xbb\xbf")
    for number, raw_line in enumerate(data.splitlines(), start=1):
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, Problem("-", "import.bad_bytes", {"position": exc.start + 1})
            continue
        if not line.strip():
            continue
        if len(line) > MAX_LINE:
            yield number, Problem("-", "import.line_too_long", {"length": len(line), "limit": MAX_LINE})
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, Problem("json", "import.bad_json", {"detail": exc.msg})
            continue
        except RecursionError:
            yield number, Problem("json", "input.too_deep", {"limit": MAX_DEPTH})
            continue
        yield number, raw if isinstance(raw, dict) else Problem("json", "import.not_object")


def import_file(ctx: Context, path: Path, *, skip_bad: bool = False) -> ImportReport:
    return import_rows(ctx, jsonl_rows(path), skip_bad=skip_bad)


def import_rows(ctx: Context, rows: Iterable[Row], *, skip_bad: bool = False) -> ImportReport:
    """Check every row, then write all good ones in one transaction (none if any is bad)."""
    report = ImportReport()
    resolver = _Resolver(ctx)
    planned: list[_Planned] = []
    seen: dict[str, int] = {}
    usccs: dict[str, int] = {}  # registry rows: one entity, one row
    for number, raw in rows:
        try:
            if isinstance(raw, Problem):
                raise ValidationFailed([raw])
            item = _plan(ctx, dict(raw), resolver)
            if item is not None and item.record_id in seen:
                first = seen[item.record_id]
                raise ValidationFailed([Problem("id", "import.duplicate_id", {"line": first})])
            uscc = _new_uscc(item)
            if uscc and usccs.setdefault(uscc, number) != number:
                raise ValidationFailed([Problem("uscc", "import.duplicate_uscc",
                                                {"uscc": uscc, "line": usccs[uscc]})])
        except ValidationFailed as exc:
            report.errors.append(LineError(number, exc.problems))
            continue
        except FieldLogError as exc:
            report.errors.append(LineError(number, [Problem("-", exc.key, exc.params)]))
            continue
        if item is None:
            report.unchanged += 1
            continue
        item.line = number
        seen[item.record_id] = number
        planned.append(item)
    if report.errors and not skip_bad:
        return report
    with ctx.db.transaction():
        for item in planned:
            _apply(ctx, item, report)
    report.committed = True
    return report


def _new_uscc(item: _Planned | None) -> str | None:
    """The USCC an entity line writes (None for other lines and unchanged entities)."""
    if item is None or item.kind != "entity" or item.row is None:
        return None
    return item.row.get("uscc")


def _plan(ctx: Context, raw: dict[str, Any], resolver: _Resolver) -> _Planned | None:
    kind = raw.pop("type", None)
    if kind not in LINE_TYPES:
        raise ValidationFailed([Problem("type", "record.unknown_type", {"type": kind,
                                        "known": ", ".join(LINE_TYPES)})])
    record_id = raw.pop("id", None)
    if record_id is not None and (not isinstance(record_id, str) or not record_id.strip()):
        raise ValidationFailed([Problem("id", "import.bad_id", {"id": record_id})])
    if record_id is not None and not is_uuid(record_id):
        raise ValidationFailed([Problem("id", "import.id_not_uuid", {"id": record_id[:60]})])
    if kind == "void":
        return _plan_void(ctx, record_id, raw)
    old = store.get(ctx.db, kind, record_id) if record_id else None
    checked = record_service.check(ctx, kind, raw, resolver)
    if kind == "entity" and old is None and record_id is None:
        old = store.entity_by_uscc_or_name(ctx.db, checked.row["uscc"], checked.row["name"])
    target_id = old["id"] if old else (record_id or new_id())
    if kind == "entity":
        resolver.add(checked.row, target_id)
    if old is not None and all(old.get(k) == v for k, v in checked.row.items()):
        return None
    return _Planned(0, kind, checked.row, old, target_id, warnings=checked.warnings)


def _plan_void(ctx: Context, record_id: str | None, raw: dict[str, Any]) -> _Planned:
    reason = raw.get("reason")
    if record_id is None:
        raise ValidationFailed([Problem("id", "value.required")])
    if is_empty(reason) or not isinstance(reason, str):
        raise ValidationFailed([Problem("reason", "record.void_needs_reason")])
    found = store.find(ctx.db, record_id)
    if found is None:
        raise ValidationFailed([Problem("id", "record.not_found", {"ref": record_id})])
    kind, old = found
    return _Planned(0, kind, None, old, record_id, reason.strip())


def _apply(ctx: Context, item: _Planned, report: ImportReport) -> None:
    if item.row is None:
        assert item.old is not None
        if item.old["voided"]:
            report.unchanged += 1
            return
        row = {k: v for k, v in item.old.items() if k != "entity_name"}
        row.update(voided=True, void_reason=item.reason)
        record_service.save(ctx, item.kind, row, item.old)
        report.voided += 1
        return
    record_service.save(ctx, item.kind, item.row, item.old, record_id=item.record_id)
    if item.old is None:
        report.added += 1
    else:
        report.revised += 1
    report.warnings += [(item.line, warning) for warning in item.warnings]
