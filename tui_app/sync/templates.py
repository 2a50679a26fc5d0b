"""A campaign pack's .docx templates travel with it, as blobs named in its change.

A pack change's body may carry `templates`: {path: {"sha256", "size"}}, one per document
template the pack names. The bytes go by the blob port (sync/blobs.py) before the pack
change itself, so a central store only logs a pack whose templates it holds whole and
verified (`missing_templates`), and a laptop that pulls the pack fetches them after the
pull (`fetch_templates`), checking each against its hash. Only a bureau pushes packs,
so only a bureau decides which bytes are a template: anyone may upload bytes by hash,
but nobody can make other bytes answer to a hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from tui_app.errors import FieldLogError
from tui_app.sync.blobs import MAX_BLOB, is_sha
from tui_app.sync.protocol import PACK_KIND, Change


def manifest_of(templates: Mapping[str, bytes]) -> dict[str, dict[str, Any]]:
    """The `templates` of a pack change for these template files (path → bytes)."""
    return {path: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for path, data in sorted(templates.items())}


def _well_formed(templates: Any) -> bool:
    """A dict of entries, each with a 64-hex hash and a size in range."""
    return isinstance(templates, dict) and all(
        isinstance(entry, dict) and is_sha(entry.get("sha256")) and type(entry.get("size")) is int
        and 0 < entry["size"] <= MAX_BLOB for entry in templates.values())


def manifest_problem(templates: Any, named: Iterable[str]) -> str | None:
    """Why a pack change's `templates` cannot be stored ('bad_templates'), or None:
    each entry a template path the pack names, a 64-hex hash and a size in range."""
    if templates is None:
        return None
    if not _well_formed(templates) or not set(templates) <= set(named):
        return "bad_templates"
    return None


def pulled_manifest(body: Mapping[str, Any], named: Iterable[str]) -> dict[str, tuple[str, int]] | None:
    """The templates a pulled pack change names (path → hash, size), or None: it names
    none, or a manifest no store would have logged (a hostile or hand-edited store). With
    None the laptop keeps printing with the templates it has for the pack."""
    templates = body.get("templates")
    if not templates or manifest_problem(templates, named):
        return None
    return {path: (entry["sha256"], entry["size"]) for path, entry in templates.items()}


def hashes_of(body: Mapping[str, Any]) -> list[str]:
    """The template hashes a pack change's body names."""
    return sorted({entry["sha256"] for entry in (body.get("templates") or {}).values()})


def missing_templates(changes: Sequence[Change],
                      held_blobs: Callable[[Sequence[str]], Mapping[str, int]]) -> set[str]:
    """Change ids of the packs in `changes` naming a template the store does not hold
    with that size (a wrong size in a bureau script's manifest would leave every laptop
    unable to fetch it)."""
    wanted = {c.change_id: {(e["sha256"], e["size"]) for e in c.body["templates"].values()}
              for c in changes if c.kind == PACK_KIND and isinstance(c.body, dict)
              and c.body.get("templates") and _well_formed(c.body["templates"])}
    asked = sorted({sha for entries in wanted.values() for sha, _size in entries})
    held = held_blobs(asked) if asked else {}
    return {cid for cid, entries in wanted.items()
            if any(held.get(sha) != size for sha, size in entries)}


def is_published(pack_bodies: Iterable[Any], sha256: str) -> bool:
    """Is `sha256` a template of a pack in the central log (the HTTP service hands only
    those out: laptops need them, and a photo is not a template)."""
    for body in pack_bodies:
        parsed = json.loads(body) if isinstance(body, str) else body
        if sha256 in hashes_of(parsed):
            return True
    return False


class TemplateSink(Protocol):
    """The laptop half: templates its pulled packs name and it has not fetched yet."""

    def templates_due(self) -> list[tuple[str, int]]: ...

    def install_template(self, sha256: str, data: bytes) -> None: ...


class BlobReader(Protocol):
    def read_blob(self, sha256: str) -> Iterator[bytes]: ...


def fetch_templates(local: TemplateSink, central: BlobReader) -> list[str]:
    """Fetch every due template, keep each whose bytes hash to its name; return the
    hashes that could not be had (gone centrally, or other bytes: tampered)."""
    failed = []
    for sha, size in local.templates_due():
        data = _read(central, sha, size)
        if data is None or len(data) != size or hashlib.sha256(data).hexdigest() != sha:
            failed.append(sha)
            continue
        local.install_template(sha, data)
    return failed


def _read(central: BlobReader, sha: str, size: int) -> bytes | None:
    """The blob's bytes, at most one past `size` (more is wrong anyway), or None."""
    parts, held = [], 0
    try:
        for chunk in central.read_blob(sha):
            parts.append(chunk)
            held += len(chunk)
            if held > size:
                break
    except FieldLogError:
        return None
    return b"".join(parts)
