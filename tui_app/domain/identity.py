"""One identity for a market entity (市场主体) on every laptop and centrally.

An entity's id is a name-based UUID (uuid5) over a fixed namespace: of its 统一社会信用代码
when it has one, else of its normalised name and township. Every laptop and the central
store compute the same id from the same registry line without talking, so ten laptops
importing one registry make one entity per USCC, and a 家 figure counts each place once.

Two records of one place that the rule cannot see as one (a 个体工商户 without a USCC
whose name was typed two ways) are merged by the bureau: the loser gets a revision
that names its survivor (`merged_into`), and every figure counts the survivor.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from tui_app.domain import uscc as uscc_rules

# Fixed for ever: changing it would give every entity a new id.
ENTITY_NAMESPACE = uuid.UUID("3a0c8f5e-2b7d-5c41-9e6a-8d1f4b2c7e90")

# Punctuation NFKC leaves alone, written the one way a registry may or may not use.
_PUNCTUATION = str.maketrans({
    "、": ",", "，": ",", "。": ".", "．": ".", "：": ":", "；": ";",
    "【": "[", "】": "]", "〔": "[", "〕": "]", "［": "[", "］": "]",
    "《": "<", "》": ">", "〈": "<", "〉": ">",
    "“": '"', "”": '"', "„": '"', "「": '"', "」": '"', "『": '"', "』": '"',
    "‘": "'", "’": "'",
    "—": "-", "–": "-", "―": "-", "－": "-",
    "・": "·", "•": "·", "‧": "·",
})


def normalise_name(text: str | None) -> str:
    """A name as the identity rule sees it: NFKC (full-width letters, digits and
    brackets become half-width), the remaining CJK punctuation mapped to one form,
    whitespace removed and letters case-folded. '好又多（东街店）' and
    '好又多 (东街店)' are one name."""
    folded = unicodedata.normalize("NFKC", text or "").translate(_PUNCTUATION)
    return "".join(folded.split()).casefold()


def entity_key(uscc: str | None, name: str | None, township: str | None) -> str:
    """What an entity's id is derived from: its USCC, else its name and township."""
    code = uscc_rules.normalize(uscc or "")
    if code:
        return f"uscc:{code}"
    return f"name:{normalise_name(name)}\x1f{normalise_name(township)}"


def entity_id(uscc: str | None, name: str | None, township: str | None) -> str:
    """The entity's id, the same on every laptop and centrally."""
    return str(uuid.uuid5(ENTITY_NAMESPACE, entity_key(uscc, name, township)))


def entity_id_of(row: Mapping[str, Any]) -> str:
    """The derived id of an entity row (as `domain.records.check_entity` makes it)."""
    return entity_id(row.get("uscc"), row.get("name"), row.get("township"))
