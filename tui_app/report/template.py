"""Filling the pack's report template (Jinja2) with a period's tallies.

The template is pack data, and packs can be imported from any file, so it runs in
Jinja's immutable sandbox with strict undefined names: a template cannot reach
Python internals, and a misspelt tally id stops the report with the pack key to fix
instead of printing an empty figure.

Tallies are reachable by their id (`{{ food.officers }}`). Each is a `Figure` that
prints itself in its unit's style (counts exact, money in 万元, percent with the
pack's decimals); the "余" forms are filters the template chooses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2.exceptions import SecurityError

from tui_app.domain.pack import Pack, Tally
from tui_app.errors import PackError
from tui_app.report import numbers
from tui_app.report.document import Filled
from tui_app.report.sandbox import LimitedEnvironment, TemplateLimit, render

RESERVED = ("campaign", "report", "const")


@dataclass(frozen=True)
class Figure:
    """One tally's value for the period, printed the way its unit is written."""

    tally: Tally
    value: int | float

    def __str__(self) -> str:
        if self.tally.is_money:
            return numbers.wan(int(self.value))
        if self.tally.unit == "%":
            return numbers.percent(float(self.value), self.tally.decimals)
        return str(int(self.value))

    def __bool__(self) -> bool:
        """`{% if equipment.elevator_units %}…{% endif %}`: a sentence only when it counts."""
        return self.value != 0


class FilterMisuse(TemplateError):
    """A filter was given a figure it cannot mean (money as a count, text as a date)."""


def _defined(value: Any) -> Any:
    """An undefined name reaching a filter is reported as the unknown name it is."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def _figure(value: Any, filter_name: str, money: bool) -> int:
    """The number behind a filter's argument, refusing a unit the filter cannot mean."""
    value = _defined(value)
    if isinstance(value, Figure):
        if value.tally.is_money != money or value.tally.unit == "%":
            raise FilterMisuse(f"{filter_name}: {value.tally.id} ({value.tally.unit})")
        return int(value.value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise FilterMisuse(f"{filter_name}: {value!r}")


def _approx(value: Any) -> str:
    return numbers.approx(_figure(value, "approx", money=False))


def _wan(value: Any) -> str:
    return numbers.wan(_figure(value, "wan", money=True))


def _wan_approx(value: Any) -> str:
    return numbers.wan_approx(_figure(value, "wan_approx", money=True))


def _pct(value: Any, decimals: int | None = None) -> str:
    value = _defined(value)
    if isinstance(value, Figure):
        return numbers.percent(float(value.value), value.tally.decimals if decimals is None
                               else decimals)
    return numbers.percent(float(value), 1 if decimals is None else decimals)


# How `clause` may print its figure: "{}" as the unit writes it, or through a filter.
_STYLES: dict[str, Callable[[Any], str]] = {"approx": _approx, "wan": _wan,
                                            "wan_approx": _wan_approx, "pct": _pct}
_PLACEHOLDER = re.compile(r"\{([a-z_]*)\}")


def _clause(value: Any, text: Any, zero: Any = "") -> str:
    """The bureau's wording at zero: `text` with the figure in it, or `zero` when it is 0.

    `{{ fraud.false_ad_penalties|clause("，罚没{}") }}` leaves the clause out at zero;
    `clause("共检查{approx}家", zero="暂未开展")` writes the other wording. Placeholders:
    `{}` (the figure as its unit prints it), `{approx}`, `{wan}`, `{wan_approx}`, `{pct}`.
    Both texts are checked whatever the figure, so a bad one is refused at import.
    """
    value = _defined(value)
    if not isinstance(text, str) or not isinstance(zero, str):
        raise FilterMisuse(f"clause: {text!r}, {zero!r}")
    if not isinstance(value, Figure | int) or isinstance(value, bool):
        raise FilterMisuse(f"clause: {value!r}")
    styles = [name for name in _PLACEHOLDER.findall(text) if name]
    unknown = sorted(set(styles) - set(_STYLES))
    if unknown:
        known = ", ".join("{" + name + "}" for name in ("", *_STYLES))
        raise FilterMisuse(f"clause: {{{unknown[0]}}} is not one of {known}")
    if _PLACEHOLDER.search(zero):
        raise FilterMisuse(f"clause: the zero wording {zero!r} has no figure to show")
    for name in styles:  # a style must suit the figure (money as 万元, counts as 余)
        _STYLES[name](value)
    number = value.value if isinstance(value, Figure) else value
    if number == 0:
        return zero
    return _PLACEHOLDER.sub(lambda m: _STYLES[m.group(1)](value) if m.group(1) else str(value),
                            text)


def _date_filter(fn: Callable[[dt.date], str]) -> Callable[[Any], str]:
    def apply(value: Any) -> str:
        if not isinstance(_defined(value), dt.date):
            raise FilterMisuse(f"{fn.__name__}: {value!r}")
        return fn(value)

    return apply


FILTERS: dict[str, Callable[..., str]] = {
    "approx": _approx,
    "wan": _wan,
    "wan_approx": _wan_approx,
    "pct": _pct,
    "clause": _clause,
    "cn_date": _date_filter(numbers.cn_date),
    "month_day": _date_filter(numbers.month_day),
}


def _environment() -> LimitedEnvironment:
    env = LimitedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update(FILTERS)
    return env


_ENV = _environment()


def _nest(figures: Mapping[str, Figure], source: str) -> dict[str, Any]:
    """`food.officers` → {"food": {"officers": Figure}} so templates read naturally."""
    tree: dict[str, Any] = {}
    for tally_id, figure in figures.items():
        *parents, leaf = tally_id.split(".")
        if (parents or [leaf])[0] in RESERVED:
            raise PackError(source, f"tallies.{tally_id}", "report.reserved_name",
                            name=(parents or [leaf])[0], reserved=", ".join(RESERVED))
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise PackError(source, f"tallies.{tally_id}", "report.name_clash",
                                id=tally_id)
        if leaf in node:
            raise PackError(source, f"tallies.{tally_id}", "report.name_clash", id=tally_id)
        node[leaf] = figure
    return tree


def context(pack: Pack, values: Mapping[str, int | float], day_from: dt.date,
            day_to: dt.date, source: str) -> dict[str, Any]:
    """Everything a template may name: tallies by id, `campaign`, `report`, `const`."""
    figures = {t.id: Figure(t, values[t.id]) for t in pack.tallies}
    spec = pack.report
    return {
        **_nest(figures, source),
        "campaign": {"id": pack.id, "name": pack.name.get("zh", ""), "unit": pack.unit,
                     "year": pack.period_from.year, "from": pack.period_from,
                     "to": pack.period_to},
        "report": {"from": day_from, "to": day_to, "date": day_to},
        "const": dict(spec.get("constants", {})),
    }


def _where(part: str) -> str:
    return f"[report] {part}"


def fill(pack: Pack, values: Mapping[str, int | float], day_from: dt.date,
         day_to: dt.date, source: str | None = None) -> Filled:
    """The pack's template filled for one period; a bad template names the pack key.

    `source` names the pack's file in errors (at import); otherwise the pack's id.
    """
    source = source or pack.id
    spec = pack.report
    if not isinstance(spec.get("template"), str) or not spec["template"].strip():
        raise PackError(source, _where("template"), "report.no_template")
    names = context(pack, values, day_from, day_to, source)
    title = _render(source, "title", spec.get("title", ""), names)
    body = _render(source, "template", spec["template"], names)
    signature = spec.get("signature", [])
    if not isinstance(signature, list) or not all(isinstance(s, str) for s in signature):
        raise PackError(source, _where("signature"), "pack.bad_type")
    lines = tuple(_render(source, f"signature[{i}]", s, names) for i, s in enumerate(signature))
    return Filled(title.strip(), body.strip(), lines)


# A pack is one file: a template that pulls in another names a file nobody shipped.
_OTHER_FILES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


def _render(source: str, part: str, text: Any, names: dict[str, Any]) -> str:
    """Render one part of the template; whatever goes wrong in it is the pack's to fix,
    so every failure names the pack and the part, never a Python error."""
    if not isinstance(text, str):
        raise PackError(source, _where(part), "pack.bad_type")
    try:
        tree = _ENV.parse(text)
        if next(tree.find_all(_OTHER_FILES), None) is not None:
            raise PackError(source, _where(part), "report.no_include")
        return render(_ENV.from_string(tree), names)
    except TemplateSyntaxError as exc:
        raise PackError(source, _where(f"{part}, line {exc.lineno}"), "report.bad_template",
                        detail=exc.message or "") from None
    except UndefinedError as exc:
        raise PackError(source, _where(part), "report.unknown_name", detail=exc.message or "",
                        names=", ".join(sorted(names))) from None
    except SecurityError as exc:
        raise PackError(source, _where(part), "report.unsafe", detail=exc.message or "") from None
    except FilterMisuse as exc:
        raise PackError(source, _where(part), "report.bad_filter", detail=exc.message or "") \
            from None
    except TemplateLimit as exc:
        raise PackError(source, _where(part), f"report.limit_{exc.limit}") from None
    except (RecursionError, MemoryError, SyntaxError):
        # Nesting deeper than Python can compile or run ({{ ((((…)))) }}, 200 nested ifs).
        raise PackError(source, _where(part), "report.too_deep") from None
    except PackError:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. {{ 1 / 0 }}: the template's fault, said so
        raise PackError(source, _where(part), "report.template_failed",
                        detail=f"{type(exc).__name__}: {exc}") from None
