"""执法文书: which documents a record calls for, their 文号, and the .docx from templates.

A document's number is given the first time it is printed and stored on the record (a
new revision, synced like any other), so printing again gives the same number. Numbers
come from blocks the central store hands out at sync (`refill_blocks`); a laptop with
no block left numbers with its device's prefix (`A1B2-3`), so two laptops working
offline can never print the same 文号.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_app.domain import documents as rules
from tui_app.domain.documents import DocumentSpec, Due
from tui_app.domain.ids import utc_now
from tui_app.domain.pack import Pack
from tui_app.domain.values import fen_to_yuan, local_display
from tui_app.errors import FieldLogError, PackError
from tui_app.i18n import pick
from tui_app.services import record as record_service
from tui_app.services.context import PACKS_DIR, Context
from tui_app.store import packs as pack_store
from tui_app.store import paperwork as store

BLOCK = 20  # numbers asked for at a time, per series and year
LOW = 5  # ask again when fewer than this are left


@dataclass(frozen=True)
class Printed:
    key: str
    name: str
    number: str
    path: Path


# ---------------------------------------------------------------------- templates


def _template_path(folder: Path, spec: DocumentSpec) -> Path:
    """The template beside the pack file, else the shipped one of that name (a bureau
    that copies the shipped pack to change its constants keeps its documents)."""
    beside = folder / spec.template
    return beside if beside.is_file() else PACKS_DIR / spec.template


def check_templates(pack: Pack, folder: Path, source: str, limit: int) -> dict[str, bytes]:
    """Every template of `pack` (see `_template_path`), refused with the file and the tag
    when it names a tag no record gives it, or past `limit` bytes (it travels as a blob,
    under the attachments' limit)."""
    from tui_app.report.paperwork import CONTEXT_NAMES, unknown_tags

    found: dict[str, bytes] = {}
    for spec in pack.documents:
        path = _template_path(folder, spec)
        if not path.is_file():
            raise PackError(source, f"documents.{spec.id}.template", "pack.template_missing",
                            path=str(folder / spec.template))
        content = path.read_bytes()
        if len(content) > limit:
            raise PackError(source, f"documents.{spec.id}.template", "pack.template_too_big",
                            path=str(path), size=f"{len(content) / 1024 / 1024:.2f}",
                            limit=f"{limit / 1024 / 1024:.2f}")
        unknown = unknown_tags(content, str(path))
        if unknown:
            raise PackError(source, f"documents.{spec.id}.template", "pack.template_unknown_tag",
                            path=str(path), tags=", ".join(unknown),
                            known=", ".join(sorted(CONTEXT_NAMES)))
        found[spec.template] = content
    return found


def _template(ctx: Context, pack: Pack, spec: DocumentSpec) -> bytes:
    """An imported pack's templates are in the database, and so are a pulled pack's once
    fetched (never the shipped one of that name meanwhile); a shipped pack's (and one
    pulled that names shipped templates) in the package."""
    stored = store.template(ctx.db, pack.id, spec.template)
    if stored is not None:
        return stored
    if store.is_due(ctx.db, pack.id, spec.template):
        raise FieldLogError("doc.template_not_fetched", path=spec.template, pack=pack.id)
    path = PACKS_DIR / spec.template
    if path.is_file():
        return path.read_bytes()
    raise FieldLogError("pack.template_missing", path=spec.template)


# ---------------------------------------------------------------------- numbers


def _next_number(ctx: Context, spec: DocumentSpec, year: int) -> str:
    n = store.take_from_block(ctx.db, spec.number, year)
    label: str | int = n if n is not None else \
        f"{ctx.device_id[-4:].upper()}-{store.take_local(ctx.db, spec.number, year)}"
    return rules.number_text(spec.number, year, label)


def refill_blocks(ctx: Context, reserve: Any, epoch: str) -> int:
    """Ask the central store (`reserve` = its `reserve_numbers`) for a block of every
    series of every installed pack that is running low this year; return blocks got."""
    year = ctx.today().year
    got = 0
    series = {spec.number for pack_id, _s, _o in pack_store.all_sources(ctx.db)
              for spec in ctx.pack(pack_id).documents}
    for pattern in sorted(series):
        if store.left_in_blocks(ctx.db, pattern, year) >= LOW:
            continue
        first, last = reserve(pattern, year, BLOCK, ctx.inspector_id, ctx.device_id,
                              store.highest(ctx.db, pattern, year))
        store.add_block(ctx.db, pattern, year, first, last, epoch)
        got += 1
    return got


# ---------------------------------------------------------------------- printing


def documents_folder(ctx: Context) -> Path:
    """Where the app writes documents: the `doc_dir` setting, else ~/Documents/FieldLog."""
    chosen = ctx.settings.get("doc_dir")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_documents_path

    return user_documents_path() / "FieldLog"


def due_documents(ctx: Context, ref: str) -> tuple[dict[str, Any], list[Due]]:
    kind, current = record_service.resolve_id(ctx, ref)
    if kind != "inspection":
        raise FieldLogError("doc.only_inspections")
    return current, rules.due(ctx.pack(current["campaign"]).documents, current)


def print_documents(ctx: Context, ref: str, kind: str | None = None,
                    output: Path | None = None) -> list[Printed]:
    """Write the documents `ref` calls for (or the one `kind` names); number the new ones."""
    current, found = due_documents(ctx, ref)
    wanted = rules.chosen(found, kind)
    if not wanted:
        raise FieldLogError("doc.none_apply", id=current["id"], kind=f"（{kind}）" if kind else "")
    current = _numbered(ctx, current, wanted)
    pack = ctx.pack(current["campaign"])
    context = base_context(ctx, current, pack)
    single = output is not None and output.suffix.lower() == ".docx" and len(wanted) == 1
    folder = output.parent if single and output else (output or Path.cwd())
    printed = []
    for item in wanted:
        number = current["documents"][item.key]["number"]
        name = pick(item.spec.name)
        target = output if single and output else folder / _file_name(name, number, current["id"])
        filled = {**context, "doc": {"name": name, "number": number, "index": item.index,
                                     "count": item.count, "key": item.key,
                                     "date": _chinese_date(ctx.today())}}
        from tui_app.report.paperwork import render

        render(_template(ctx, pack, item.spec), item.spec.template, filled, target)
        printed.append(Printed(item.key, name, number, target))
    return printed


def _numbered(ctx: Context, current: dict[str, Any], wanted: Sequence[Due]) -> dict[str, Any]:
    """The record with a number for every document in `wanted`: new numbers are taken and
    stored in one new revision (so the next print finds them)."""
    numbers = dict(current.get("documents") or {})
    missing = [d for d in wanted if d.key not in numbers]
    if not missing:
        return {**current, "documents": numbers}
    if current["voided"]:
        raise FieldLogError("record.is_voided", id=current["id"])
    if current.get("inspector_id") != ctx.inspector_id:
        raise FieldLogError("attach.not_yours", id=current["id"])
    year = ctx.today().year
    now = utc_now()
    with ctx.db.transaction():
        for item in missing:
            numbers[item.key] = {"number": _next_number(ctx, item.spec, year), "kind": item.spec.id,
                                 "printed_at": now}
        row = {k: v for k, v in current.items() if k != "entity_name"}
        record_service.save(ctx, "inspection", {**row, "documents": numbers}, current)
    return {**current, "documents": numbers}


def _file_name(name: str, number: str, record_id: str) -> str:
    safe = "".join(ch for ch in f"{name}-{number}" if ch not in '/\\:*?"<>|' and ch >= " ")
    return f"{safe}-{record_id[-8:]}.docx"


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def base_context(ctx: Context, record: Mapping[str, Any], pack: Pack) -> dict[str, Any]:
    """Everything a template may name (report/paperwork.py lists the names)."""
    entity = _entity(ctx, record)
    action = pack.action(record.get("action") or "")
    labels = {f.id: pick(f.label) for f in action.fields} if action else {}
    officers = [{"name": o.get("name", ""), "badge": o.get("badge", "")}
                for o in record.get("officers") or []]
    blank = {"name": "", "badge": ""}
    measures = dict(record.get("measures") or {})
    numbers = {key: value["number"] for key, value in (record.get("documents") or {}).items()}
    numbers.update({key.partition(".")[0]: value for key, value in list(numbers.items())
                    if key.partition(".")[0] not in numbers})
    return {
        "numbers": _Blank(numbers),
        "unit": ctx.settings.get("unit") or pack.unit,
        "campaign": {"name": pick(pack.name)},
        "action": {"id": record.get("action"), "name": pick(action.name) if action else ""},
        "record": {**record, "started_local": local_display(record.get("started_at"), ctx.tz)},
        "entity": entity,
        "officers": officers,
        "officer1": officers[0] if officers else blank,
        "officer2": officers[1] if len(officers) > 1 else blank,
        "fields": [{"label": labels.get(k, k), "value": _plain(v)}
                   for k, v in (record.get("fields") or {}).items()],
        "measures": measures,
        "items": _items(measures, record),
        "findings": record.get("findings") or "",
        "result": record.get("result") or "",
        "attachments": [{"name": a["name"], "media_type": a["media_type"],
                         "exif_time": a.get("exif_time", "")}
                        for a in record.get("attachments") or [] if not a.get("removed_at")],
        "inspector": {"name": ctx.settings.get("inspector_name", ""),
                      "badge": ctx.settings.get("badge", "")},
    }


class _Blank(dict):
    """Numbers by key; a document not printed (yet) reads as blank, not as an error."""

    def __missing__(self, key: str) -> str:
        return "____"


def _entity(ctx: Context, record: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("name", "uscc", "kind", "category", "address", "township", "contact")
    if record.get("entity_id"):
        _kind, body = record_service.resolve_id(ctx, record["entity_id"])
        return {k: body.get(k) or "" for k in keys}
    return {**{k: "" for k in keys}, "name": record.get("place") or "", "address": record.get("place") or ""}


def _items(measures: Mapping[str, Any], record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The 清单's rows: seized goods, then the sealed equipment (n 台)."""
    rows = [{"item": s["item"], "unit": s.get("unit", "件"), "quantity": s.get("quantity", 0),
             "value": fen_to_yuan(s.get("value_fen", 0))} for s in measures.get("seized") or []]
    if measures.get("sealed_units"):
        kinds = (record.get("fields") or {}).get("equipment_types") or []
        rows.append({"item": "、".join(kinds) if kinds else "特种设备", "unit": "台",
                     "quantity": measures["sealed_units"], "value": ""})
    return [{"n": i, **row} for i, row in enumerate(rows, start=1)]


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)
