"""Attachments as data: what a record's list holds, which files are evidence, removals.

Pure rules, no I/O: the service detects a file's type from its bytes and reads its
EXIF, then these functions decide whether it is accepted and how the record's list
changes. An attachment is never taken out of the list: removing one marks it removed
with who, when and why, so the history says what the case file held and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ATTACHABLE_KINDS = ("inspection", "case", "complaint")
DEFAULT_MAX_MB = 20

# Media types accepted as evidence, detected from the file's content (never its name).
PHOTO_TYPES = ("image/jpeg", "image/png", "image/heic", "image/heif", "image/webp", "image/tiff",
               "image/gif", "image/bmp")
DOCUMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
)
ACCEPTED_TYPES = PHOTO_TYPES + DOCUMENT_TYPES
_SHORT = {"wordprocessingml": "DOCX", "spreadsheetml": "XLSX", "presentationml": "PPTX",
          "msword": "DOC", "ms-excel": "XLS", "ms-powerpoint": "PPT", "opendocument.text": "ODT",
          "opendocument.spreadsheet": "ODS", "opendocument.presentation": "ODP"}


def short_type(media_type: str) -> str:
    """'image/jpeg' → 'JPEG', the Word type → 'DOCX': what a narrow list shows."""
    for fragment, short in _SHORT.items():
        if fragment in media_type:
            return short
    return media_type.rpartition("/")[2].upper()


def is_accepted(media_type: str | None) -> bool:
    return media_type in ACCEPTED_TYPES


def is_photo(media_type: str | None) -> bool:
    return media_type in PHOTO_TYPES


def live(attachments: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The attachments not removed, in the order they were attached."""
    return [a for a in attachments if not a.get("removed_at")]


def added(attachments: Sequence[Mapping[str, Any]],
          new: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[Mapping[str, Any]]]:
    """The list with `new` appended, and the ones skipped because the record already
    holds the same content (same sha256, not removed)."""
    held = {a["sha256"] for a in live(attachments)}
    result = [dict(a) for a in attachments]
    skipped = []
    for item in new:
        if item["sha256"] in held:
            skipped.append(item)
            continue
        held.add(item["sha256"])
        result.append(dict(item))
    return result, skipped


def find(attachments: Sequence[Mapping[str, Any]], ref: str) -> int | None:
    """Index of the live attachment `ref` names: its number as listed (1, 2, …), its file
    name, or the start of its sha256 (at least 6 characters); None when none or several."""
    shown = live(attachments)
    if ref.isdigit() and 1 <= int(ref) <= len(shown):
        return attachments.index(shown[int(ref) - 1])
    by_name = [a for a in shown if a["name"] == ref]
    by_hash = [a for a in shown if len(ref) >= 6 and a["sha256"].startswith(ref.lower())]
    matches = by_name or by_hash
    if len(matches) != 1:
        return None
    return attachments.index(matches[0])


def removed(attachments: Sequence[Mapping[str, Any]], index: int, by: str, at: str,
            reason: str) -> list[dict[str, Any]]:
    """The list with attachment `index` marked removed (the blob and the entry stay)."""
    result = [dict(a) for a in attachments]
    result[index].update(removed_at=at, removed_by=by, removed_reason=reason)
    return result


def gps_degrees(values: Sequence[float], ref: str) -> float:
    """EXIF degrees/minutes/seconds and a hemisphere (N/S/E/W) → signed decimal degrees."""
    degrees = sum(v / 60 ** i for i, v in enumerate(values[:3]))
    return round(-degrees if ref.upper() in ("S", "W") else degrees, 6)


def exif_time(text: str) -> str | None:
    """EXIF's '2026:09:21 10:30:05' → '2026-09-21T10:30:05' (camera local time, no zone)."""
    text = text.strip()
    if len(text) < 19 or text[4] != ":" or text[7] != ":":
        return None
    return f"{text[:4]}-{text[5:7]}-{text[8:10]}T{text[11:19]}"
