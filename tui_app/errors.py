"""Errors that reach the user carry a catalog key, never a preformatted string.

The faces (CLI, TUI) render them in the user's language; nothing below the faces
formats text for people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_app.i18n import t


class FieldLogError(Exception):
    """A failure the user can act on; `message()` says what is wrong and how to fix it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        return t(self.key, **self.params)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input field; `where` names the field (or a line)."""

    where: str
    key: str
    params: dict[str, object] = field(default_factory=dict)

    def message(self) -> str:
        return t(self.key, **self.params)


class ValidationFailed(FieldLogError):
    """Input was refused; every problem is listed so the user can fix all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("error.validation", count=len(problems))
        self.problems = problems

    def message(self) -> str:
        lines = [t("error.validation", count=len(self.problems))]
        lines += [f"  {p.where}: {p.message()}" for p in self.problems]
        return "\n".join(lines)


class PackError(FieldLogError):
    """A campaign pack is wrong: names the file, the key and what to do."""

    def __init__(self, source: str, where: str, key: str, **params: object) -> None:
        super().__init__(key, **params)
        self.source = source
        self.where = where

    def message(self) -> str:
        return t("pack.error", source=self.source, where=self.where, detail=t(self.key, **self.params))
