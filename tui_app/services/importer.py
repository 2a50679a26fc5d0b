"""Scripted and bulk entry: `fieldlog import FILE.jsonl`.

Every line passes the same validation as the form. The whole file is checked before
anything is written: a file with bad lines imports nothing (or, with skip_bad, only
the good lines), and every bad line is listed with its number and reason. Lines that
carry an `id` make re-importing idempotent: an unchanged line adds nothing, a changed
one becomes a new revision. The file is a history read in order: a line with an id
seen earlier in the file is the next revision of that record, and a void may follow
the record it voids (a laptop's history replays so). An entity line is stored under
its derived id (domain/identity.py), so a registry imported anywhere is one registry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_app.domain import records as rules
from tui_app.domain.identity import entity_id_of
from tui_app.domain.ids import is_uuid, new_id
from tui_app.domain.input_limits import MAX_DEPTH, MAX_LINE
from tui_app.domain.values import is_empty
from tui_app.errors import FieldLogError, Problem, ValidationFailed
from tui_app.services import record as record_service
from tui_app.services.context import Context
from tui_app.store import merges
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
    record_id: str
    new: bool  # the record does not exist before this line
    reason: str = ""
    warnings: list[Problem] = field(default_factory=list)


class _State:
    """The records as they stand after the lines planned so far: the database plus
    the file read in order, so a later line with the same id is the next revision of
    the earlier one, and a void may follow the record it voids."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.planned: dict[str, tuple[str, dict[str, Any]]] = {}  # id → (kind, current)
        self.alias: dict[str, str] = {}  # an entity line's own id → the entity's derived id
        self.refs: dict[str, str] = {}  # USCC, name or id of entity lines → entity id

    def target(self, record_id: str) -> str:
        return self.alias.get(record_id, record_id)

    def find(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        """(kind, current row) of a record, as of the lines planned so far."""
        return self.planned.get(record_id) or store.find(self.ctx.db, record_id)

    def plan(self, kind: str, record_id: str, row: dict[str, Any]) -> None:
        self.planned[record_id] = (kind, row)
        if kind == "entity":
            self.point(row, record_id)

    def point(self, row: dict[str, Any], entity_id: str) -> None:
        """Later lines naming this entity line (USCC, name) mean `entity_id`."""
        for ref in (row.get("uscc"), row.get("name"), entity_id):
            if ref:
                self.refs[ref] = entity_id

    def survivor(self, entity_id: str) -> str | None:
        return merges.survivors(self.ctx.db.conn, [entity_id]).get(entity_id)

    def stored(self, record_id: str, row: dict[str, Any]) -> bool:
        """Is `row` one of the record's revisions in the database (and the file has not
        revised the record yet)? Re-importing a history then adds nothing."""
        if record_id in self.planned:
            return False
        return any(_says(revision, row) for revision in store.history(self.ctx.db, record_id))

    def resolve(self, ref: str) -> str | None:
        """An entity reference: entity lines earlier in the file first, then the database."""
        found = self.refs.get(ref) or self.refs.get(ref.upper()) or self.alias.get(ref)
        return found or store.resolve_entity(self.ctx.db, ref)


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
    """Check every row in file order, then write all good ones in one transaction
    (none if any is bad). A line with an id already seen is that record's next
    revision; a void may follow the record it voids."""
    report = ImportReport()
    state = _State(ctx)
    planned: list[_Planned] = []
    for number, raw in rows:
        try:
            if isinstance(raw, Problem):
                raise ValidationFailed([raw])
            item = _plan(ctx, dict(raw), state, number)
        except ValidationFailed as exc:
            report.errors.append(LineError(number, exc.problems))
            continue
        except FieldLogError as exc:
            report.errors.append(LineError(number, [Problem("-", exc.key, exc.params)]))
            continue
        if item is None:
            report.unchanged += 1
            continue
        planned.append(item)
    if report.errors and not skip_bad:
        return report
    with ctx.db.transaction():
        for item in planned:
            _apply(ctx, item, report)
    report.committed = True
    return report


def _plan(ctx: Context, raw: dict[str, Any], state: _State, line: int) -> _Planned | None:
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
        return _plan_void(state, record_id, raw, line)
    checked = record_service.check(ctx, kind, raw, state.resolve)
    target = _target(state, kind, record_id, checked.row)
    found = state.find(target)
    if found is not None and found[0] != kind:
        raise ValidationFailed([Problem("id", "import.other_kind", {"kind": found[0]})])
    old = found[1] if found else None
    survivor = state.survivor(target) if old is not None and old.get("voided") else None
    if survivor is not None:  # the bureau merged this place: the line is its survivor's
        state.point(checked.row, survivor)
        return None
    if old is not None and _says(old, checked.row):
        return None
    if old is not None and state.stored(target, checked.row):
        return None  # a replayed history: the database holds this revision already
    if old is not None and old.get("voided"):
        raise ValidationFailed([Problem("id", "record.is_voided", {"id": target})])
    state.plan(kind, target, {**(old or {}), **checked.row})
    return _Planned(line, kind, checked.row, target, old is None, warnings=checked.warnings)


def _says(old: dict[str, Any], row: dict[str, Any]) -> bool:
    """Does the stored `old` already say everything `row` says?"""
    return all(old.get(k) == v for k, v in row.items())


def _target(state: _State, kind: str, record_id: str | None, row: dict[str, Any]) -> str:
    """The id a line writes to. An entity is its derived id (one identity everywhere),
    unless the line names an entity that already exists under its own id (a replayed
    history); the line's id then still finds it in later lines."""
    if kind != "entity":
        return state.target(record_id) if record_id else new_id()
    if record_id is not None and state.find(state.target(record_id)) is not None:
        return state.target(record_id)
    derived = entity_id_of(row)
    if record_id is not None:
        state.alias[record_id] = derived
    return derived


def _plan_void(state: _State, record_id: str | None, raw: dict[str, Any],
               line: int) -> _Planned | None:
    reason = raw.get("reason")
    if record_id is None:
        raise ValidationFailed([Problem("id", "value.required")])
    if is_empty(reason) or not isinstance(reason, str):
        raise ValidationFailed([Problem("reason", "record.void_needs_reason")])
    target = state.target(record_id)
    found = state.find(target)
    if found is None:
        raise ValidationFailed([Problem("id", "record.not_found", {"ref": record_id})])
    kind, old = found
    if old.get("voided"):
        return None
    state.plan(kind, target, {**old, "voided": True, "void_reason": reason.strip()})
    return _Planned(line, kind, None, target, False, reason.strip())


def _apply(ctx: Context, item: _Planned, report: ImportReport) -> None:
    """Write one planned line as the next revision of what the earlier lines wrote."""
    old = store.get(ctx.db, item.kind, item.record_id)
    if item.row is None:
        assert old is not None
        row = {k: v for k, v in old.items() if k != "entity_name"}
        row.update(voided=True, void_reason=item.reason)
        record_service.save(ctx, item.kind, row, old)
        report.voided += 1
        return
    record_service.save(ctx, item.kind, item.row, old, record_id=item.record_id)
    if item.new:
        report.added += 1
    else:
        report.revised += 1
    report.warnings += [(item.line, warning) for warning in item.warnings]
