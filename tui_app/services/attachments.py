"""Evidence on records: attach files, list, remove (with a reason), open, export, verify.

Attaching checks every file first (there, a file, readable, not too big, a photo, PDF
or office document by its content), then copies each into the blob folder by its
sha256 and saves one new revision of the record that lists them all. Either every file
given is attached or none is, and the record's earlier revisions stay as they were.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_app.domain import attachments as rules
from tui_app.domain import input_limits
from tui_app.domain.ids import utc_now
from tui_app.errors import FieldLogError, Problem, ValidationFailed
from tui_app.services import record as record_service
from tui_app.services.context import Context
from tui_app.store import blobs as blob_store

HEAD = 8192  # bytes that tell a file's type


@dataclass(frozen=True)
class Attached:
    """What an attach produced: the record's new rev (unchanged when nothing was new)."""

    kind: str
    id: str
    rev: int
    added: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def max_bytes(ctx: Context) -> int:
    """The per-file limit: the `attach_max_mb` setting (`fieldlog init --attach-max-mb`)."""
    try:
        megabytes = float(ctx.settings.get("attach_max_mb") or rules.DEFAULT_MAX_MB)
    except ValueError:
        megabytes = rules.DEFAULT_MAX_MB
    return int(megabytes * 1024 * 1024)


def set_max_mb(ctx: Context, text: str) -> None:
    """Save the per-file limit (a positive number of MB)."""
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = 0
    if not megabytes > 0:
        raise ValidationFailed([Problem("attach_max_mb", "cli.init.bad_attach_max_mb",
                                        {"value": text})])
    ctx.update_settings({"attach_max_mb": f"{megabytes:g}"})


def blobs(ctx: Context) -> blob_store.BlobFolder:
    return blob_store.BlobFolder(blob_store.folder_for(ctx.db.path))


def _media_type(head: bytes) -> str | None:
    import filetype  # loaded on first attach: no other command pays for it

    kind = filetype.guess(head)
    return kind.mime if kind else None


def _exif(path: Path) -> dict[str, Any]:
    """EXIF time and GPS of a photo, where present. A photo whose EXIF is broken is still
    evidence: it is attached without them."""
    import exifread

    try:
        with path.open("rb") as data:
            tags = exifread.process_file(data, details=False, extract_thumbnail=False)
    except Exception:  # noqa: BLE001 - exifread raises many kinds on odd files
        return {}
    found: dict[str, Any] = {}
    taken = tags.get("EXIF DateTimeOriginal") or tags.get("Image DateTime")
    if taken and rules.exif_time(str(taken)):
        found["exif_time"] = rules.exif_time(str(taken))
    try:
        lat, lon = tags.get("GPS GPSLatitude"), tags.get("GPS GPSLongitude")
        if lat and lon:
            found["gps"] = {
                "lat": rules.gps_degrees([float(v) for v in lat.values],
                                         str(tags.get("GPS GPSLatitudeRef", "N"))),
                "lon": rules.gps_degrees([float(v) for v in lon.values],
                                         str(tags.get("GPS GPSLongitudeRef", "E"))),
            }
    except (ValueError, ZeroDivisionError, TypeError):
        pass  # unreadable coordinates are left out, the time and the photo kept
    return found


@dataclass(frozen=True)
class _Checked:
    path: Path
    size: int
    media_type: str


def expand_paths(text: str) -> list[Path]:
    """Paths as typed or pasted: several at once, quoted when they hold spaces, `~` and
    globs expanded (a pattern that matches nothing is refused as a missing file)."""
    import glob
    import shlex

    try:
        words = shlex.split(text, posix=not sys.platform.startswith("win"))
    except ValueError:  # an unbalanced quote: take the text as one path
        words = [text.strip()]
    paths: list[Path] = []
    for word in words:
        expanded = os.path.expanduser(word)
        if glob.has_magic(expanded):
            matches = sorted(glob.glob(expanded))
            if not matches:
                raise FieldLogError("file.not_found", path=word)
            paths += [Path(m) for m in matches]
        else:
            paths.append(Path(expanded))
    return paths


def check_file(path: Path, limit: int) -> _Checked:
    """Refuse what cannot be evidence, naming the file and why, before anything is stored."""
    if not path.exists():
        raise FieldLogError("file.not_found", path=str(path))
    if not path.is_file():
        raise FieldLogError("attach.unreadable", path=str(path), detail="not a regular file")
    try:
        size = path.stat().st_size
        with path.open("rb") as data:
            head = data.read(HEAD)
    except OSError as exc:
        raise FieldLogError("attach.unreadable", path=str(path), detail=exc.strerror or str(exc)) from None
    if size > limit:
        raise FieldLogError("attach.too_big", path=str(path), size=_mb(size), limit=_mb(limit))
    media_type = _media_type(head)
    if not rules.is_accepted(media_type):
        raise FieldLogError("attach.refused_type", path=str(path), type=media_type or "?")
    return _Checked(path, size, media_type or "")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def _attachable(ctx: Context, ref: str) -> tuple[str, dict[str, Any]]:
    kind, current = record_service.resolve_id(ctx, ref)
    if kind not in rules.ATTACHABLE_KINDS:
        raise FieldLogError("attach.not_attachable", kind=kind)
    if current["voided"]:
        raise FieldLogError("record.is_voided", id=current["id"])
    if current.get("inspector_id") != ctx.inspector_id:
        raise FieldLogError("attach.not_yours", id=current["id"])
    return kind, current


def attach(ctx: Context, ref: str, paths: Sequence[Path]) -> Attached:
    """Attach every file in `paths` to the record `ref` in one new revision, or none."""
    kind, current = _attachable(ctx, ref)
    limit = max_bytes(ctx)
    checked = [check_file(Path(p), limit) for p in paths]
    folder = blobs(ctx)
    now = utc_now()
    items = []
    for item, stored in zip(checked, _store_all(folder, checked, limit), strict=True):
        entry: dict[str, Any] = {"name": item.path.name, "sha256": stored.sha256,
                                 "size": stored.size, "media_type": item.media_type,
                                 "added_at": now, "added_by": ctx.inspector_id,
                                 "added_by_name": ctx.settings.get("inspector_name", "")}
        if rules.is_photo(item.media_type):
            entry.update(_exif(item.path))
        items.append(entry)
    listed, skipped = rules.added(current.get("attachments") or [], items)
    new = [e for e in items if e not in skipped]
    rev = current["rev"]
    if new:
        with ctx.db.transaction():
            for entry in new:
                blob_store.record(ctx.db, entry["sha256"], entry["size"], entry["media_type"], now)
            rev = record_service.save(ctx, kind, {**_row(current), "attachments": listed},
                                      current)["rev"]
    return Attached(kind, current["id"], rev, new, list(skipped))


def _store_all(folder: blob_store.BlobFolder, checked: Sequence[_Checked],
               limit: int) -> list[blob_store.Stored]:
    """Copy every file in, then flush them to disk together: the blobs are durable before
    the revision that lists them is saved, for the cost of about one flush."""
    staged: list[blob_store.Staged] = []
    try:
        for item in checked:
            staged.append(_stage(folder, item, limit))
        folder.commit(staged)
    except BaseException:
        folder.discard(staged)
        raise
    return [item.stored for item in staged]


def _stage(folder: blob_store.BlobFolder, item: _Checked, limit: int) -> blob_store.Staged:
    try:
        with item.path.open("rb") as data:
            return folder.stage(data, limit)
    except ValueError:  # the file grew past the limit while it was read
        raise FieldLogError("attach.too_big", path=str(item.path), size=">" + _mb(limit),
                            limit=_mb(limit)) from None
    except OSError as exc:
        raise FieldLogError("attach.unreadable", path=str(item.path),
                            detail=exc.strerror or str(exc)) from None


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def keep_files(ctx: Context, contents: Iterable[bytes], media_type: str = DOCX) -> None:
    """Put bytes (a pack's templates, already checked against the limit) into the blob
    folder and the blob table, so the blob sync sends them like any attachment."""
    import io

    folder = blobs(ctx)
    now = utc_now()
    stored = [folder.store(io.BytesIO(data), len(data)) for data in contents]
    with ctx.db.transaction():
        for blob in stored:
            blob_store.record(ctx.db, blob.sha256, blob.size, media_type, now)


def _row(current: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in current.items() if k != "entity_name"}


def listing(ctx: Context, ref: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """A record and its attachments (removed ones included, marked)."""
    kind, current = record_service.resolve_id(ctx, ref)
    return kind, current, list(current.get("attachments") or [])


def _pick(current: Mapping[str, Any], which: str) -> int:
    attachments = current.get("attachments") or []
    index = rules.find(attachments, which)
    if index is None:
        raise FieldLogError("attach.no_such", ref=which, id=current["id"])
    return index


def remove(ctx: Context, ref: str, which: str, reason: str) -> record_service.Saved:
    """Mark one attachment removed, with a reason, in a new revision; the blob stays."""
    if not reason or not reason.strip():
        raise ValidationFailed([Problem("reason", "attach.remove_needs_reason")])
    refused = input_limits.problems(reason, "reason")
    if refused:
        raise ValidationFailed(refused)
    kind, current = _attachable(ctx, ref)
    index = _pick(current, which)
    listed = rules.removed(current.get("attachments") or [], index, ctx.inspector_id, utc_now(),
                           reason.strip())
    body = record_service.save(ctx, kind, {**_row(current), "attachments": listed}, current)
    return record_service.Saved(kind, body["id"], body["rev"])


def _safe_name(name: str) -> str:
    """A stored file name as a plain name in a folder: a pulled record is not trusted."""
    cleaned = "".join(ch for ch in Path(name.replace("\\", "/")).name if ch >= " " and ch != "\x7f")
    return cleaned.strip(". ") or "attachment"


def _free(target: Path) -> Path:
    """`target`, or `name (2).ext` and so on: an export never overwrites a file."""
    n = 2
    candidate = target
    while candidate.exists():
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
        n += 1
    return candidate


def _copy_out(ctx: Context, entry: Mapping[str, Any], folder: Path) -> Path:
    """Copy one attachment's blob to `folder` under its file name, checking its hash."""
    import hashlib

    store = blobs(ctx)
    sha = entry["sha256"]
    if not store.has(sha):
        raise FieldLogError("attach.blob_missing", name=entry["name"], sha=sha[:12])
    folder.mkdir(parents=True, exist_ok=True)
    target = _free(folder / _safe_name(entry["name"]))
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in store.read(sha):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != sha:
        target.unlink()
        raise FieldLogError("attach.blob_corrupt", name=entry["name"], sha=sha[:12])
    return target


def export(ctx: Context, ref: str, folder: Path, which: Sequence[str] = ()) -> list[Path]:
    """Copies of the record's attachments (all live ones, or those named) in `folder`."""
    _kind, current = record_service.resolve_id(ctx, ref)
    attachments = current.get("attachments") or []
    chosen = ([attachments[_pick(current, w)] for w in which] if which
              else rules.live(attachments))
    if not chosen:
        raise FieldLogError("attach.none", id=current["id"])
    return [_copy_out(ctx, entry, folder) for entry in chosen]


def open_in_viewer(ctx: Context, ref: str, which: str) -> Path:
    """Hand a copy (never the blob itself) to the system's viewer; return the copy."""
    _kind, current = record_service.resolve_id(ctx, ref)
    entry = (current.get("attachments") or [])[_pick(current, which)]
    copy = _copy_out(ctx, entry, Path(tempfile.mkdtemp(prefix="fieldlog-")))
    _launch(copy)
    return copy


def _launch(path: Path) -> None:
    """The platform's own opener, given the path as one argument (no shell, no parsing).
    FIELDLOG_OPENER names another program (a viewer of the inspector's choice)."""
    chosen = os.environ.get("FIELDLOG_OPENER")
    if not chosen and sys.platform.startswith("win"):
        os.startfile(str(path))  # type: ignore[attr-defined]  # noqa: S606 - Windows only
        return
    opener = chosen or ("open" if sys.platform == "darwin" else "xdg-open")
    program = shutil.which(opener)
    if program is None:
        raise FieldLogError("attach.no_viewer", opener=opener, path=str(path))
    subprocess.Popen([program, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def verify(ctx: Context) -> list[tuple[str, str]]:
    """Every blob this laptop holds, checked against its hash: (sha256, 'missing'|'corrupt')."""
    store = blobs(ctx)
    found = []
    for sha, _size in blob_store.all_hashes(ctx.db):
        state = store.verify(sha)
        if state != "ok":
            found.append((sha, state))
    return found
