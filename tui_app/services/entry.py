"""Form entry: what a person typed in a form → a saved record, every problem at once.

A form hands over its values by *path* ("entity", "fields.place_type",
"measures.directives", "fine_fen") with the FormField that describes each one. Text a
person typed is parsed here (money typed in yuan, stored in fen) and the whole record
then goes through the same validation as the CLI and import. The paths are the
`where` of the problems, so the form can show each reason next to its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from tui_app.domain.pack import FormField
from tui_app.domain.values import BadValue, fen_to_yuan, from_text, is_empty, local_display
from tui_app.errors import Problem, ValidationFailed
from tui_app.services import record as record_service
from tui_app.services.context import Context

# Types whose widget gives text that still has to be parsed.
TYPED_AS_TEXT = ("int", "money", "date")
SEIZED = "measures.seized"
INSTANTS = ("started_at", "received_at", "handled_at")  # stored in UTC, typed in local time


def _nest(raw: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if rest:
        _nest(raw.setdefault(head, {}), rest, value)
    else:
        raw[head] = value


def build(specs: Mapping[str, FormField], values: Mapping[str, Any],
          extra: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Raw record input from form values, plus the problems found parsing typed text.

    `values["measures.seized"]`, when present, holds seized-goods rows as typed.
    """
    raw: dict[str, Any] = dict(extra or {})
    problems: list[Problem] = []
    if SEIZED in values:
        items, problems = seized(values[SEIZED])
        _nest(raw, SEIZED, items)
    for path, spec in specs.items():
        value = values.get(path)
        if spec.type in TYPED_AS_TEXT and isinstance(value, str):
            if is_empty(value.strip()):
                value = None
            else:
                try:
                    value = from_text(spec, value)
                except BadValue as exc:
                    problems.append(Problem(path, exc.key, exc.params))
                    continue
        if is_empty(value) and spec.required:
            problems.append(Problem(path, "value.required"))
            continue
        _nest(raw, path, value)
    return raw, problems


def _check_all(ctx: Context, kind: str, raw: Mapping[str, Any], problems: list[Problem],
               campaign: str | None = None) -> None:
    """Raise with the parse problems and the validators' problems together."""
    try:
        record_service.check(ctx, kind, raw, campaign=campaign)
    except ValidationFailed as exc:
        seen = {p.where for p in problems}
        problems = problems + [p for p in exc.problems if p.where not in seen]
    if problems:
        raise ValidationFailed(problems)


def submit(ctx: Context, kind: str, specs: Mapping[str, FormField], values: Mapping[str, Any],
           extra: Mapping[str, Any] | None = None) -> record_service.Saved:
    """Save a new record from a form (same validation as `record add` and import)."""
    raw, problems = build(specs, values, extra)
    if problems:
        _check_all(ctx, kind, raw, problems)
    return record_service.add(ctx, kind, raw)


def revise(ctx: Context, record_id: str, specs: Mapping[str, FormField],
           values: Mapping[str, Any], extra: Mapping[str, Any] | None = None,
           ) -> record_service.Saved:
    """Save a form's values as a new revision of `record_id` (cleared fields stay cleared)."""
    raw, problems = build(specs, values, extra)
    kind, old = record_service.resolve_id(ctx, record_id)
    if problems:
        _check_all(ctx, kind, {**record_service.as_input(kind, old), **raw}, problems,
                   campaign=old.get("campaign"))
    return record_service.edit(ctx, record_id, raw)


def _get(row: Mapping[str, Any], path: str) -> Any:
    head, _, rest = path.partition(".")
    value = row.get(head)
    return _get(value, rest) if rest and isinstance(value, Mapping) else value


def form_values(kind: str, row: Mapping[str, Any], specs: Mapping[str, FormField],
                tz: ZoneInfo) -> dict[str, Any]:
    """A stored row as the values a form shows (fen back to yuan, UTC back to local)."""
    raw = record_service.as_input(kind, row)
    for key in INSTANTS:
        if raw.get(key):
            raw[key] = local_display(raw[key], tz)
    values: dict[str, Any] = {}
    for path, spec in specs.items():
        value = _get(raw, path)
        if value is None:
            continue
        if spec.type == "money":
            value = fen_to_yuan(int(value))
        elif spec.type in ("int", "date"):
            value = str(value)
        values[path] = value
    items = (raw.get("measures") or {}).get("seized") or []
    if items:
        values[SEIZED] = [{"item": i["item"], "unit": i["unit"], "quantity": str(i["quantity"]),
                           "value": fen_to_yuan(i["value_fen"])} for i in items]
    return values


def seized(rows: Sequence[Mapping[str, str]]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Seized goods rows as typed (item, unit, quantity, value in yuan) → stored items."""
    from tui_app.domain.values import parse_int, parse_yuan

    items: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i, row in enumerate(rows, start=1):
        if not any((row.get(k) or "").strip() for k in ("item", "quantity", "value")):
            continue
        where = f"measures.seized[{i}]"
        item: dict[str, Any] = {"item": (row.get("item") or "").strip(),
                                "unit": (row.get("unit") or "").strip() or "件"}
        for key, parse, target in (("quantity", parse_int, "quantity"),
                                   ("value", parse_yuan, "value_fen")):
            text = (row.get(key) or "").strip() or "0"
            try:
                item[target] = parse(text)
            except BadValue as exc:
                problems.append(Problem(f"{where}.{key}", exc.key, exc.params))
                item[target] = 0
        items.append(item)
    return items, problems
