"""执法文书 as data: which documents a record calls for, and their numbers (文号).

A pack declares its documents in `[[documents]]`: an id, a name, a .docx template, when
it applies (every inspection, rectification ordered, per directive, goods sealed or
seized) and its number pattern, e.g. `思市监责改〔{year}〕{n}号`. The pattern is the
series: documents with the same pattern share one sequence, bureau-wide.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# when = … : the record facts that make a document due
WHEN = ("always", "rectification", "directives", "seized")
PLACEHOLDERS = {"year", "n"}


@dataclass(frozen=True)
class DocumentSpec:
    """One kind of document a pack prints."""

    id: str
    name: dict[str, str]
    template: str  # path relative to the pack's folder
    when: str = "always"
    number: str = "{n}"
    actions: tuple[str, ...] = ()  # empty: every action


@dataclass(frozen=True)
class Due:
    """A document a record calls for: `key` names it on the record (`directive.2`)."""

    key: str
    spec: DocumentSpec
    index: int = 1
    count: int = 1


def pattern_problem(pattern: str) -> str | None:
    """Why a number pattern is unusable ({n} missing, an unknown {placeholder}), or None."""
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name is not None}
    except ValueError:
        return "bad"
    if "n" not in names:
        return "no_n"
    return "unknown" if names - PLACEHOLDERS else None


def number_text(pattern: str, year: int, n: str | int) -> str:
    return pattern.format(year=year, n=n)


def due(specs: Sequence[DocumentSpec], record: Mapping[str, Any]) -> list[Due]:
    """The documents `record` (an inspection) calls for, in the pack's order."""
    measures = record.get("measures") or {}
    found: list[Due] = []
    for spec in specs:
        if spec.actions and record.get("action") not in spec.actions:
            continue
        if spec.when == "always":
            found.append(Due(spec.id, spec))
        elif spec.when == "rectification" and measures.get("rectification_ordered"):
            found.append(Due(spec.id, spec))
        elif spec.when == "directives":
            count = int(measures.get("directives") or 0)
            found += [Due(f"{spec.id}.{i}", spec, i, count) for i in range(1, count + 1)]
        elif spec.when == "seized" and (measures.get("sealed_units") or measures.get("seized")):
            found.append(Due(spec.id, spec))
    return found


def chosen(found: Sequence[Due], kind: str | None) -> list[Due]:
    """`--kind` picks a document by its id (all of a kind) or its key (`directive.2`)."""
    if not kind:
        return list(found)
    return [d for d in found if kind in (d.key, d.spec.id)]
