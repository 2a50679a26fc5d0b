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

import hashlib
import json
import unicodedata
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tui_app.domain import uscc as uscc_rules
from tui_app.domain.tally import Delta, MarkRow

# Fixed for ever: changing it would give every entity a new id.
ENTITY_NAMESPACE = uuid.UUID("3a0c8f5e-2b7d-5c41-9e6a-8d1f4b2c7e90")
_NAMESPACE_BYTES = ENTITY_NAMESPACE.bytes

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
    """The entity's id, the same on every laptop and centrally: `uuid.uuid5` over the
    namespace, computed without building UUID objects (a 200k-row registry merges
    centrally in seconds; tests/test_entity_identity.py checks it equals uuid5)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + entity_key(uscc, name, township).encode())
                       .digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def entity_id_of(row: Mapping[str, Any]) -> str:
    """The derived id of an entity row (as `domain.records.check_entity` makes it)."""
    return entity_id(row.get("uscc"), row.get("name"), row.get("township"))


# ---------------------------------------------------------------------- merges


def merge_revision(loser: Mapping[str, Any], survivor_id: str, reason: str,
                   **stamp: str) -> dict[str, Any]:
    """The loser's next revision: voided with the reason, naming its survivor. It is
    a revision like any other (history keeps what the loser said); `stamp` may set
    `updated_at`, `inspector_id` and `device_id` (the bureau's, when it merges)."""
    body = {k: v for k, v in loser.items() if k != "entity_name"}
    body.update(rev=int(loser["rev"]) + 1, voided=True, void_reason=reason,
                merged_into=survivor_id, **stamp)
    return body


def merged_into(body: Mapping[str, Any] | None) -> str | None:
    """The survivor a (voided) entity revision names, if it is a merge."""
    if body is None or not body.get("voided"):
        return None
    return body.get("merged_into") or None


def final_survivors(merges: Iterable[tuple[str, str]],
                    known: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """New merges (loser, survivor) with every survivor followed to the end of its
    chain through `known` and the new merges; also the first loser that would become
    its own survivor (a cycle), which must be refused."""
    chain = dict(known)
    out: dict[str, str] = {}
    for loser, survivor in merges:
        seen = {loser}
        while survivor in chain:
            if survivor in seen:
                return out, loser
            seen.add(survivor)
            survivor = chain[survivor]
        if survivor == loser:
            return out, loser
        for earlier, target in chain.items():
            if target == loser:
                chain[earlier] = survivor
                out[earlier] = survivor
        chain[loser] = survivor
        out[loser] = survivor
    return out, None


def rekey(facts: Mapping[tuple[str, str, str, str], int],
          survivors: Mapping[str, str]) -> dict[tuple[str, str, str, str], int]:
    """Tally facts with every merged entity's key replaced by its survivor's, so a 家
    figure counts the place once (facts are (campaign, tally, day, key) → n)."""
    if not survivors:
        return dict(facts)
    out: Counter[tuple[str, str, str, str]] = Counter()
    for (campaign, tally_id, day, key), n in facts.items():
        out[(campaign, tally_id, day, survivors.get(key, key))] += n
    return {fact: n for fact, n in out.items() if n}


def rekey_marks(marks: Iterable[MarkRow], survivors: Mapping[str, str]) -> set[MarkRow]:
    """`latest` marks (campaign, tally, key, moment, record, day, state) keyed on the
    survivors of merged entities."""
    return {(c, t, survivors.get(key, key), *rest) for c, t, key, *rest in marks}


def rekey_delta(delta: Delta, survivors: Mapping[str, str]) -> Delta:
    """A save's tally change with merged entities keyed on their survivors."""
    if not survivors:
        return delta
    return Delta(rekey(delta.facts, survivors), rekey_marks(delta.gone, survivors),
                 rekey_marks(delta.added, survivors))


# ---------------------------------------------------------------------- repair

REPAIR_REASON = "同一市场主体的重复记录，升级时合并"


@dataclass(frozen=True)
class Repair:
    """What a database from before derived ids needs: the derived-id entities it lacks
    (rev 1) and a merge revision of each old record into its derived-id survivor."""

    created: list[dict[str, Any]]
    merged: list[dict[str, Any]]


def repair(entities: Iterable[Mapping[str, Any]], existing: Collection[str]) -> Repair:
    """Plan the repair of entities kept under random ids (one per laptop and place).

    Every live entity whose id is not its derived id is merged into the entity with
    the derived id; that one is made from the group's earliest record when it does not
    exist (`existing`). The plan depends only on the records, so every laptop and the
    central store plan the same revisions for the same records (see `repair_change_id`).
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for entity in entities:
        if entity.get("voided"):
            continue
        derived = entity_id_of(entity)
        if derived != entity["id"]:
            groups.setdefault(derived, []).append(entity)
    created, merged = [], []
    for derived, members in sorted(groups.items()):
        members.sort(key=lambda e: (str(e.get("created_at")), e["id"]))
        if derived not in existing:
            created.append({**members[0], "id": derived, "rev": 1, "voided": False,
                            "void_reason": None})
        merged += [merge_revision(member, derived, REPAIR_REASON) for member in members]
    return Repair(created, merged)


def repair_change_id(body: Mapping[str, Any]) -> str:
    """A repair revision's change id is a function of its content: a laptop and the
    central store that planned the same revision hold it under one change id."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return str(uuid.uuid5(ENTITY_NAMESPACE, f"repair:{text}"))
