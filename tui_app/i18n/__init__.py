"""The one message catalog: every user-facing string is looked up here by key.

Chinese is the default language; English is chosen with `--lang en`. Sections of the
catalog live in sibling modules (one per area of the product) and are merged into a
single mapping, so a key is defined once and found in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

from tui_app.i18n import (
    core,
    demo,
    evidence,
    report,
    report_screen,
    safety,
    service,
    snapshot,
    sync,
    tui,
    tui_sync,
)

LANGS = ("zh", "en")
_state = {"lang": "zh"}

CATALOG: dict[str, tuple[str, str]] = {}
for _section in (
    core.MESSAGES,
    report.MESSAGES,
    report_screen.MESSAGES,
    safety.MESSAGES,
    sync.MESSAGES,
    snapshot.MESSAGES,
    service.MESSAGES,
    demo.MESSAGES,
    evidence.MESSAGES,
    tui.MESSAGES,
    tui_sync.MESSAGES,
):
    _dupes = CATALOG.keys() & _section.keys()
    if _dupes:  # pragma: no cover - guarded by a test, fails loudly during development
        raise RuntimeError(f"duplicate catalog keys: {sorted(_dupes)}")
    CATALOG.update(_section)


def set_lang(lang: str) -> None:
    """Choose the language for every later lookup (process-wide, like a locale)."""
    if lang not in LANGS:
        raise ValueError(lang)
    _state["lang"] = lang


def get_lang() -> str:
    return _state["lang"]


def t(key: str, **params: object) -> str:
    """The message `key` in the current language, with `params` filled in."""
    zh, en = CATALOG[key]
    text = en if _state["lang"] == "en" else zh
    return text.format(**params) if params else text


def shown(value: object, labels: Mapping[str, str]) -> str:
    """A stored value (a unit, a status, a choice) as the user reads it: in English, the
    pack's label for it (`[labels.en]`); in Chinese, the value itself."""
    text = "" if value is None else str(value)
    return labels.get(text, text) if _state["lang"] == "en" else text


def pick(label: Mapping[str, str] | str) -> str:
    """A pack label ({zh, en}) in the current language, falling back to Chinese."""
    if isinstance(label, str):
        return label
    return label.get(_state["lang"]) or label.get("zh") or next(iter(label.values()), "")
