"""`fieldlog import`, `record add|list|show|edit|void`, `case|complaint|activity add|list`.

Options become the same raw input an import line carries, and go through the same
service, so the CLI, the form and `import` can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from tui_app.cli.common import (
    day_option,
    echo_warnings,
    emit_csv,
    emit_json,
    emit_table,
    opened,
    parse_officers,
    parse_pairs,
    report_import,
    scope_options,
)
from tui_app.domain import records as rules
from tui_app.domain.values import BadValue, local_display, parse_yuan
from tui_app.errors import FieldLogError, Problem, ValidationFailed
from tui_app.i18n import t
from tui_app.services import importer, record_view
from tui_app.services import record as record_service
from tui_app.services.context import Context
from tui_app.services.officers import default_officers
from tui_app.services.record import ListQuery

FORMATS = click.Choice(["table", "json", "csv"])



def _yuan(value: str | None, option: str) -> int:
    if not value:
        return 0
    try:
        return parse_yuan(value)
    except BadValue as exc:
        raise ValidationFailed([Problem(option, exc.key, exc.params)]) from None


def _now(context: Context) -> str:
    return dt.datetime.now(context.tz).replace(microsecond=0).isoformat()


def short_id(record_id: str) -> str:
    """The random tail of a UUIDv7 (its head is a timestamp, alike for records made together)."""
    return record_id[-8:]


def _local(context: Context, value: Any) -> Any:
    """UTC instants (…Z) are shown in the inspector's local time."""
    if isinstance(value, str) and len(value) >= 20 and value.endswith("Z") and value[10] == "T":
        return local_display(value, context.tz)
    return value


# Record fields → the option a user typed for them, so a refusal names what was typed.
OPTION_NAMES = {
    "started_at": "--at", "filed_on": "--filed", "clue_on": "--clue", "received_at": "--received",
    "handled_at": "--handled", "case_type": "--type", "activity_type": "--type",
    "fine_fen": "--fine", "confiscated_fen": "--confiscated", "goods_value_fen": "--goods-value",
    "inspection_id": "--inspection", "officers": "--officer", "measures.directives": "--directives",
    "measures.sealed_units": "--sealed", "measures.seized": "--seize",
    "measures.rectification_ordered": "--rectify",
}


def option_name(where: str) -> str:
    """`started_at` → `--at`, `fields.place_type` → `--field place_type`; else as is."""
    if where.startswith("fields."):
        return f"--field {where.removeprefix('fields.')}"
    head = where.split("[")[0]
    return OPTION_NAMES.get(head, OPTION_NAMES.get(head.split(".")[0], where))


@contextmanager
def named_options() -> Iterator[None]:
    """Problems found by the validators, re-addressed to the options of this command."""
    try:
        yield
    except ValidationFailed as refused:
        raise ValidationFailed([Problem(option_name(p.where), p.key, p.params)
                                for p in refused.problems]) from None


def _add(context: Context, kind: str, raw: dict[str, Any]) -> record_service.Saved:
    with named_options():
        return record_service.add(context, kind, raw)


def _report_saved(saved: record_service.Saved) -> None:
    echo_warnings(saved.warnings)
    click.echo(t("cli.saved", kind=t(f"kind.{saved.kind}"), id=saved.id, rev=saved.rev))


# ------------------------------------------------------------------ import


@click.command("import", help=t("cli.import.help"))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--skip-bad", is_flag=True, help=t("cli.opt.skip_bad"))
@click.pass_context
def import_(ctx: click.Context, file: Path, skip_bad: bool) -> None:
    with opened(ctx) as context:
        report_import(importer.import_file(context, file, skip_bad=skip_bad))


# ------------------------------------------------------------------ listing


def _date_range(date: str | None, day_from: str | None, day_to: str | None,
                context: Context) -> tuple[str | None, str | None]:
    def norm(value: str | None, option: str) -> str | None:
        day = context.today() if value in ("today", "今天") else day_option(value, option)
        return day.isoformat() if day else None

    if date:
        day = norm(date, "--date")
        return day, day
    start, end = norm(day_from, "--from"), norm(day_to, "--to")
    if start and end and start > end:
        raise FieldLogError("report.bad_period", start=start, end=end)
    return start, end


COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "inspection": [
        ("col.id", lambda r: r["id"]),
        ("col.time", lambda r: r["started_at"]),
        ("col.action", lambda r: r["action"]),
        ("col.entity", lambda r: r["entity_name"] or r["place"]),
        ("col.officers", lambda r: "、".join(o["name"] for o in r["officers"])),
        ("col.findings", lambda r: r["findings"]),
        ("col.rev", lambda r: r["rev"]),
    ],
    "case": [
        ("col.id", lambda r: r["id"]),
        ("col.filed_on", lambda r: r["filed_on"]),
        ("col.action", lambda r: r["action"]),
        ("col.case_type", lambda r: r["case_type"]),
        ("col.entity", lambda r: r["entity_name"]),
        ("col.status", lambda r: r["status"]),
        ("col.penalty_yuan", lambda r: f"{(r['fine_fen'] + r['confiscated_fen']) / 100:.2f}"),
    ],
    "complaint": [
        ("col.id", lambda r: r["id"]),
        ("col.received_at", lambda r: r["received_at"]),
        ("col.channel", lambda r: r["channel"]),
        ("col.entity", lambda r: r["entity_name"] or r["subject"]),
        ("col.summary", lambda r: r["summary"]),
        ("col.status", lambda r: r["status"]),
    ],
    "activity": [
        ("col.id", lambda r: r["id"]),
        ("col.date", lambda r: r["day"]),
        ("col.action", lambda r: r["action"]),
        ("col.activity_type", lambda r: r["activity_type"]),
        ("col.quantity", lambda r: r["quantity"]),
        ("col.note", lambda r: r["note"]),
    ],
}


def list_options(fn: Any) -> Any:
    for option in reversed([
        click.option("--date", help=t("cli.opt.date")),
        click.option("--from", "day_from", help=t("cli.opt.from")),
        click.option("--to", "day_to", help=t("cli.opt.to")),
        click.option("--action", help=t("cli.opt.action_filter")),
        click.option("--text", "--search", "text", help=t("cli.opt.text")),
        click.option("--all", "include_voided", is_flag=True, help=t("cli.opt.include_voided")),
        click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000),
                     help=t("cli.opt.limit")),
        click.option("--page", default=1, show_default=True, type=click.IntRange(1, 10**12),
                     help=t("cli.opt.page")),
        click.option("--format", "fmt", type=FORMATS, default="table", help=t("cli.opt.format")),
        scope_options,
    ]):
        fn = option(fn)
    return fn


def list_records(ctx: click.Context, kind: str, date: str | None, day_from: str | None,
                 day_to: str | None, action: str | None, text: str | None, include_voided: bool,
                 limit: int, page: int, fmt: str, scope: str,
                 url: str | None) -> None:
    with opened(ctx, reading=True) as context:
        start, end = _date_range(date, day_from, day_to, context)
        query = ListQuery(kind=kind, campaign=context.campaign_id, day_from=start, day_to=end,
                          action=action, text=text, include_voided=include_voided, limit=limit,
                          offset=(page - 1) * limit)
        if scope == "central":
            from tui_app.services import central as central_service
            from tui_app.services.central_link import central_url

            rows, total = central_service.records(central_url(context, url), query)
        else:
            rows, total = record_service.page(context, query), None
        if fmt == "json":
            emit_json(rows)
            return
        columns = COLUMNS[kind]
        header = [t(key) for key, _ in columns]
        values = [[_local(context, get(r)) for _, get in columns] for r in rows]
        if fmt == "csv":
            emit_csv(header, values)
            return
        for row, shown in zip(rows, values, strict=True):
            shown[0] = short_id(row["id"]) + (" ✗" if row["voided"] else "")
        if total is None:
            total = record_service.total(context, query)
        emit_table(t("cli.list.title", kind=t(f"kind.{kind}"), shown=len(rows), total=total,
                     page=page), header, values)


def kind_group(name: str, kind: str, group_help: str, list_help: str) -> click.Group:
    """The `name` group with its `list`: every kind is listed by list_records with the same
    options, so one maker writes each kind's group and list command."""
    group = click.Group(name, help=group_help)

    @group.command("list", help=list_help)
    @list_options
    @click.pass_context
    def list_kind(ctx: click.Context, **options: Any) -> None:
        list_records(ctx, kind, **options)

    return group


# ------------------------------------------------------------------ record


record = kind_group("record", "inspection", t("cli.record.help"), t("cli.record.list.help"))


def _inspection_input(context: Context, campaign: str | None, action: str | None,
                      entity: str | None, place: str | None,
                      at: str | None, officers: tuple[str, ...], fields: tuple[str, ...],
                      findings: str | None, result: str | None, rectify: bool | None,
                      directives: int | None, sealed: int | None,
                      seize: tuple[str, ...]) -> dict[str, Any]:
    """Only the options given: `add` fills defaults, `edit` changes just these."""
    raw: dict[str, Any] = {}
    for key, value in (("action", action), ("entity", entity), ("place", place),
                       ("started_at", at), ("findings", findings), ("result", result)):
        if value is not None:
            raw[key] = value
    if officers:
        raw["officers"] = parse_officers(officers)
    if fields:
        action_id = action or raw.get("action")
        campaign = campaign or record_service.campaign_for(context, "inspection", raw)
        raw["fields"] = rules.fields_from_text(context.pack(campaign), action_id or "",
                                               parse_pairs(fields, "--field"))
    measures: dict[str, Any] = {}
    for key, value in (("rectification_ordered", rectify), ("directives", directives),
                       ("sealed_units", sealed)):
        if value is not None:
            measures[key] = value
    if seize:
        measures["seized"] = [rules.seized_from_text(s) for s in seize]
    if measures:
        raw["measures"] = measures
    return raw


def inspection_options(fn: Any) -> Any:
    for option in reversed([
        click.option("--action", help=t("cli.opt.action")),
        click.option("--entity", help=t("cli.opt.entity")),
        click.option("--place", help=t("cli.opt.place")),
        click.option("--at", help=t("cli.opt.at")),
        click.option("--officer", "officers", multiple=True, help=t("cli.opt.officer")),
        click.option("--field", "fields", multiple=True, help=t("cli.opt.field")),
        click.option("--findings", help=t("cli.opt.findings")),
        click.option("--result", help=t("cli.opt.result")),
        click.option("--rectify/--no-rectify", default=None, help=t("cli.opt.rectify")),
        click.option("--directives", type=int, help=t("cli.opt.directives")),
        click.option("--sealed", type=int, help=t("cli.opt.sealed")),
        click.option("--seize", multiple=True, help=t("cli.opt.seize")),
    ]):
        fn = option(fn)
    return fn


@record.command(help=t("cli.record.add.help"))
@inspection_options
@click.pass_context
def add(ctx: click.Context, **options: Any) -> None:
    with opened(ctx) as context, named_options():
        raw = _inspection_input(context, None, **options)
        raw.setdefault("started_at", _now(context))
        raw.setdefault("officers", default_officers(context))
        _report_saved(_add(context, "inspection", raw))


@record.command(help=t("cli.record.show.help"))
@click.argument("record_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help=t("cli.opt.format"))
@click.pass_context
def show(ctx: click.Context, record_id: str, fmt: str) -> None:
    with opened(ctx, reading=True) as context:
        view = record_view.load(context, record_id)
        if fmt == "json":
            emit_json({"kind": view.kind, "current": view.current, "revisions": view.revisions})
            return
        current = view.current
        title = t("cli.show.title", kind=t(f"kind.{view.kind}"), id=current["id"],
                  rev=current["rev"])
        if current["voided"]:
            title += "  " + t("cli.show.voided", reason=current["void_reason"])
        emit_table(title, [t("col.field"), t("col.value")],
                   record_view.lines(current, view.pack, view.entity_name, context.tz))
        if current.get("attachments"):
            from tui_app.cli import evidence

            emit_table(t("cli.show.attachments"), evidence.header(),
                       evidence.rows(current["attachments"], True, context.tz))
        emit_table(t("cli.show.history"), [t("col.rev"), t("col.updated_at"), t("col.device"),
                                           t("col.change")],
                   [(r["rev"], local_display(r["updated_at"], context.tz), r["device_id"][-12:],
                     record_view.changes(prev, r, view.pack))
                    for prev, r in zip([None, *view.revisions], view.revisions, strict=False)])


@record.command(help=t("cli.record.edit.help"))
@click.argument("record_id")
@inspection_options
@click.option("--set", "sets", multiple=True, help=t("cli.opt.set"))
@click.pass_context
def edit(ctx: click.Context, record_id: str, sets: tuple[str, ...], **options: Any) -> None:
    with opened(ctx) as context:
        kind, current = record_service.resolve_id(context, record_id)
        if options["fields"] and not options["action"]:
            options["action"] = current.get("action")
        with named_options():
            changes = (_inspection_input(context, current.get("campaign"), **options)
                       if kind == "inspection" else {})
        if kind != "inspection" and any(v not in (None, ()) for v in options.values()):
            raise click.UsageError(t("cli.edit.use_set", kind=t(f"kind.{kind}")))
        changes.update(parse_pairs(sets, "--set"))
        if not changes:
            raise click.UsageError(t("cli.edit.nothing"))
        with named_options():
            saved = record_service.edit(context, current["id"], changes)
        if saved.rev == current["rev"]:
            click.echo(t("cli.edit.unchanged", id=saved.id))
            return
        _report_saved(saved)


@record.command(help=t("cli.record.void.help"))
@click.argument("record_id")
@click.option("--reason", required=True, help=t("cli.opt.reason"))
@click.pass_context
def void(ctx: click.Context, record_id: str, reason: str) -> None:
    with opened(ctx) as context:
        saved = record_service.void(context, record_id, reason)
        click.echo(t("cli.voided", kind=t(f"kind.{saved.kind}"), id=saved.id, rev=saved.rev))


# ------------------------------------------------------------------ case, complaint, activity


case = kind_group("case", "case", t("cli.case.help"), t("cli.case.list.help"))


@case.command("add", help=t("cli.case.add.help"))
@click.option("--action", required=True, help=t("cli.opt.action"))
@click.option("--type", "case_type", required=True, help=t("cli.opt.case_type"))
@click.option("--entity", help=t("cli.opt.entity"))
@click.option("--inspection", help=t("cli.opt.inspection"))
@click.option("--filed", help=t("cli.opt.filed"))
@click.option("--clue", help=t("cli.opt.clue"))
@click.option("--status", help=t("cli.opt.case_status"))
@click.option("--fine", help=t("cli.opt.fine"))
@click.option("--confiscated", help=t("cli.opt.confiscated"))
@click.option("--goods-value", help=t("cli.opt.goods_value"))
@click.option("--summary", help=t("cli.opt.summary"))
@click.pass_context
def case_add(ctx: click.Context, **o: Any) -> None:
    with opened(ctx) as context:
        raw = {
            "action": o["action"], "case_type": o["case_type"], "entity": o["entity"],
            "inspection_id": o["inspection"], "filed_on": o["filed"] or context.today().isoformat(),
            "clue_on": o["clue"], "summary": o["summary"],
            "fine_fen": _yuan(o["fine"], "--fine"),
            "confiscated_fen": _yuan(o["confiscated"], "--confiscated"),
            "goods_value_fen": _yuan(o["goods_value"], "--goods-value"),
        }
        if o["status"]:
            raw["status"] = o["status"]
        _report_saved(_add(context, "case", raw))


complaint = kind_group("complaint", "complaint", t("cli.complaint.help"), t("cli.complaint.list.help"))


@complaint.command("add", help=t("cli.complaint.add.help"))
@click.option("--channel", required=True, help=t("cli.opt.channel"))
@click.option("--summary", required=True, help=t("cli.opt.summary"))
@click.option("--received", help=t("cli.opt.received"))
@click.option("--entity", help=t("cli.opt.entity"))
@click.option("--subject", help=t("cli.opt.subject"))
@click.option("--status", help=t("cli.opt.complaint_status"))
@click.option("--handled", help=t("cli.opt.handled"))
@click.option("--action", help=t("cli.opt.action"))
@click.pass_context
def complaint_add(ctx: click.Context, **o: Any) -> None:
    with opened(ctx) as context:
        raw = {"channel": o["channel"], "summary": o["summary"],
               "received_at": o["received"] or _now(context), "entity": o["entity"],
               "subject": o["subject"], "handled_at": o["handled"], "action": o["action"]}
        if o["status"]:
            raw["status"] = o["status"]
        _report_saved(_add(context, "complaint", raw))


activity = kind_group("activity", "activity", t("cli.activity.help"), t("cli.activity.list.help"))


@activity.command("add", help=t("cli.activity.add.help"))
@click.option("--action", required=True, help=t("cli.opt.action"))
@click.option("--type", "activity_type", required=True, help=t("cli.opt.activity_type"))
@click.option("--quantity", type=int, default=0, help=t("cli.opt.quantity"))
@click.option("--date", help=t("cli.opt.activity_date"))
@click.option("--officer", "officers", multiple=True, help=t("cli.opt.officer"))
@click.option("--place", help=t("cli.opt.place"))
@click.option("--note", help=t("cli.opt.note"))
@click.pass_context
def activity_add(ctx: click.Context, **o: Any) -> None:
    with opened(ctx) as context:
        raw = {"action": o["action"], "activity_type": o["activity_type"],
               "quantity": o["quantity"], "date": o["date"] or context.today().isoformat(),
               "officers": parse_officers(o["officers"]) or default_officers(context),
               "place": o["place"], "note": o["note"]}
        _report_saved(_add(context, "activity", raw))
