"""One catalog: every key the code uses exists, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import tui_app
from tui_app.i18n import CATALOG, pick, set_lang, t

SOURCE = Path(tui_app.__file__).parent
PREFIXES = (
    "error", "pack", "value", "record", "uscc", "db", "campaign", "cli", "col", "kind", "file",
    "import", "entity",
    "doctor", "backup",
    "report", "ledger",
    "sync",
    "demo",
    "ui",
    "attach", "doc",
)
KEY = re.compile(r"""["']((?:""" + "|".join(PREFIXES) + r""")"""
                 r"""\.[a-z_]+(?:\.[a-z_]+)*)["']""")


def test_every_literal_key_is_in_the_catalog() -> None:
    used = set()
    for path in SOURCE.rglob("*.py"):
        if path.parent.name == "i18n":
            continue
        used |= set(KEY.findall(path.read_text(encoding="utf-8")))
    # keys that look like catalog keys but are TOML paths in pack error locations, or a file
    used -= {"campaign.id", "campaign.name", "campaign.period", "demo.db"}
    missing = sorted(k for k in used if k not in CATALOG)
    assert missing == []


def test_both_languages_present_and_formatting_agrees() -> None:
    for key, (zh, en) in CATALOG.items():
        assert zh and en, key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_switching_language() -> None:
    try:
        set_lang("en")
        assert t("kind.inspection") == "inspection"
        assert pick({"zh": "食品", "en": "Food"}) == "Food"
        assert pick({"zh": "食品"}) == "食品"
    finally:
        set_lang("zh")
    assert t("kind.inspection") == "检查记录"
