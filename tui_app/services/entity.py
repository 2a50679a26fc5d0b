"""The entity registry (市场主体): import from CSV or .xlsx, and search as you type.

The registry is the bureau's: `publish_registry` writes it into the central store, and
every laptop's pull brings it; `import_registry` loads it into one laptop (offline use).
`merge` is the bureau's way to make two records of one place one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tui_app.domain import identity, input_limits
from tui_app.domain import uscc as uscc_rules
from tui_app.errors import FieldLogError, Problem, ValidationFailed
from tui_app.services import record as record_service
from tui_app.services.context import Context
from tui_app.services.importer import ImportReport, LineError, Row, import_rows
from tui_app.store import records as store
from tui_app.sync.protocol import Change

# Registry headers as bureaus write them → entity fields.
HEADERS = {
    "name": ("名称", "主体名称", "企业名称", "单位名称", "经营者名称", "name"),
    "uscc": ("统一社会信用代码", "信用代码", "统一社会信用代码（注册号）", "uscc"),
    "kind": ("主体类型", "类型", "市场主体类型", "kind"),
    "category": ("类别", "行业类别", "经营类别", "监管类别", "category"),
    "address": ("地址", "住所", "经营场所", "住所（经营场所）", "address"),
    "township": ("乡镇", "街道", "乡镇（街道）", "乡镇/街道", "township"),
    "contact": ("联系电话", "联系方式", "电话", "联系人", "contact"),
}


def _field_for(header: str) -> str | None:
    header = header.strip()
    return next((key for key, names in HEADERS.items() if header in names), None)


def _table_rows(path: Path) -> Iterator[list[Any]]:
    if not path.exists():
        raise FieldLogError("file.not_found", path=str(path))
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise FieldLogError("file.bad_xlsx", path=str(path), detail=str(exc)) from None
        for row in book.active.iter_rows(values_only=True):
            yield ["" if v is None else str(v) for v in row]
    elif suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                with path.open(encoding=encoding, newline="") as handle:
                    rows = list(csv.reader(handle))
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FieldLogError("file.not_utf8", path=str(path))
        yield from rows
    else:
        raise FieldLogError("entity.bad_format", path=str(path))


def registry_rows(path: Path, accept_bad_uscc: bool = False) -> Iterable[Row]:
    """Numbered entity objects from a registry sheet whose first row names the columns."""
    rows = _table_rows(path)
    header = next(rows, None)
    if header is None:
        raise FieldLogError("entity.empty_file", path=str(path))
    fields = [_field_for(h) for h in header]
    if "name" not in fields:
        raise FieldLogError("entity.no_name_column", path=str(path), names="、".join(HEADERS["name"]))
    first_line: dict[str, int] = {}  # USCC → the row that has it: one entity, one row
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(fields):
            yield number, Problem("-", "entity.extra_cells", {"count": len(row), "expected": len(fields)})
            continue
        raw: dict[str, Any] = {"type": "entity", "uscc_override": accept_bad_uscc}
        raw.update({f: cell.strip() for f, cell in zip(fields, row, strict=False) if f})
        code = uscc_rules.normalize(raw.get("uscc") or "")
        if code and first_line.setdefault(code, number) != number:
            yield number, Problem("uscc", "import.duplicate_uscc", {"uscc": code, "line": first_line[code]})
            continue
        yield number, raw


def import_registry(ctx: Context, path: Path, *, skip_bad: bool = False,
                    accept_bad_uscc: bool = False) -> ImportReport:
    """The registry into this laptop only (offline use); normally it arrives by sync."""
    return import_rows(ctx, registry_rows(path, accept_bad_uscc), skip_bad=skip_bad)


def publish_registry(ctx: Context, path: Path, url: str | None = None, *, skip_bad: bool = False,
                     accept_bad_uscc: bool = False) -> ImportReport:
    """The bureau's registry into the central store, where every laptop's next pull
    finds it: straight in on a direct URL, or through the sync service on an http(s)
    one (with a bureau token, as `sync` finds it). Every row is checked as a local
    import checks it, all or nothing (or only the good rows with `skip_bad`), every
    bad row listed."""

    report = ImportReport()
    rows = []
    for number, raw in registry_rows(path, accept_bad_uscc):
        try:
            if isinstance(raw, Problem):
                raise ValidationFailed([raw])
            rows.append(record_service.check(ctx, "entity", {k: v for k, v in raw.items()
                                                             if k != "type"}).row)
        except ValidationFailed as exc:
            report.errors.append(LineError(number, exc.problems))
    if report.errors and not skip_bad:
        return report
    central = _registry_target(ctx, url)
    try:
        published = central.publish_entities(rows, ctx.inspector_id, ctx.device_id)
    finally:
        central.close()
    report.added, report.revised, report.unchanged = (published.added, published.revised,
                                                      published.unchanged)
    report.committed = True
    return report


def _registry_target(ctx: Context, url: str | None) -> Any:
    """Where the bureau publishes: the store itself, or the service in front of it."""
    from tui_app.services.central_link import link
    from tui_app.sync.central import kind_of_url, open_central, open_replication

    target = link(ctx, url)
    if kind_of_url(target.url) != "http":
        return open_central(target.url)
    return open_replication(target.url, token=target.token, ca_file=target.ca_file,
                            insecure=target.insecure)


def central_entity_id(ref: str) -> str:
    """An entity id from an id or a USCC: a USCC's entity id is derived from it."""
    code = uscc_rules.normalize(ref)
    return identity.entity_id(code, None, None) if uscc_rules.problem(code) is None else ref.strip()


def merge(ctx: Context, loser: str, survivor: str, reason: str, url: str | None = None) -> Change:
    """The bureau merges two records of one place in the central store: a recorded
    revision of the loser (voided, naming its survivor), never a silent rewrite; every
    figure counts the survivor, centrally at once and on each laptop after its pull."""
    from tui_app.services.central_link import central_url
    from tui_app.sync.central import open_central

    if not reason or not reason.strip():
        raise FieldLogError("entity.merge_needs_reason")
    refused = input_limits.problems(reason, "reason")
    if refused:
        raise ValidationFailed(refused)
    central = open_central(central_url(ctx, url))
    try:
        change = central.merge_entities(central_entity_id(loser), central_entity_id(survivor),
                                        reason.strip(), ctx.inspector_id, ctx.device_id)
        central.materialize()
        return change
    finally:
        central.close()


def search(ctx: Context, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Entities matching a name fragment, pinyin initials or a USCC prefix."""
    return store.search_entities(ctx.db, text, limit)
