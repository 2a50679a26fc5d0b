"""The sync protocol as JSON on the wire: strict pydantic models for the HTTP service.

Every model refuses unknown fields (`extra="forbid"`), and every text that ends up in a
column is checked to be storable (no control characters, valid UTF-8: a lone surrogate
would otherwise pass JSON and fail in the database), so a malformed request is a 422
naming the field, never a 500. The same models describe the API in /openapi.json.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict  # pydantic needs it before Python 3.12

from tui_app.sync.blobs import MAX_BLOB
from tui_app.sync.protocol import KINDS, Change, PullPage, PushResult

PROTOCOL = 1  # the version of this wire format; the client refuses another one
HARD_MAX_BATCH = 5000  # no request ever carries more changes than this (README: Limits)


# No control characters. Checked by pydantic-core's own regex, as are the lengths: a
# Python validator per id cost more than the rest of a 500-change push's validation.
# A lone surrogate is refused by pydantic-core itself (`string_unicode`).
_PLAIN = r"^[^\x00-\x1f\x7f]*$"
Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=_PLAIN)]
Sha = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WireChange(TypedDict):
    """One revision of one record (or a campaign pack), as `protocol.Change`.

    A typed dict, not a model: pydantic-core checks the 500 changes of a push without
    building a Python object for each (a model instance per change, with its validator,
    was 3x the rest of a push's validation); `change_of` makes the `Change`."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    change_id: Id
    kind: Literal[KINDS]  # type: ignore[valid-type]
    record_id: Id
    rev: Annotated[int, Field(ge=0, le=2_000_000_000)]
    body: dict[str, Any]
    base: NotRequired[Id | None]


class Unstorable(ValueError):
    """A change's body that JSON could carry but the store cannot keep (nested deeper
    than orjson encodes, say): a 422 naming the change's `body`."""

    def __init__(self, index: int, why: str) -> None:
        super().__init__(why)
        self.index = index


def change_of(wire: WireChange, index: int = 0) -> Change:
    """The `Change` a checked wire change stands for, its body encoded once by orjson
    (7x the standard encoder; it refuses what the store could not keep) and stored
    verbatim as it is."""
    try:
        raw = orjson.dumps(wire["body"]).decode("utf-8")
    except orjson.JSONEncodeError as exc:
        raise Unstorable(index, f"the body cannot be stored: {exc}") from None
    return Change(wire["change_id"], wire["kind"], wire["record_id"], wire["rev"], wire["body"],
                  wire.get("base"), raw=raw)


def wire_change(change: Change) -> dict[str, Any]:
    """A `Change` as its wire dict."""
    return {"change_id": change.change_id, "kind": change.kind, "record_id": change.record_id,
            "rev": change.rev, "body": change.body, "base": change.base}


class PushRequest(TypedDict):
    """A push: a typed dict too, so the whole request is checked in one pass of
    pydantic-core (422 naming the field, unknown fields refused)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    device_id: Id
    changes: Annotated[list[WireChange], Field(max_length=HARD_MAX_BATCH)]


class WireResult(Strict):
    change_id: str
    status: Literal["applied", "duplicate", "stale", "rejected"]
    reason: str | None = None
    kept_change_id: str | None = None
    current: WireChange | None = None

    @staticmethod
    def of(result: PushResult) -> dict[str, Any]:
        return {"change_id": result.change_id, "status": result.status, "reason": result.reason,
                "kept_change_id": result.kept_change_id,
                "current": wire_change(result.current) if result.current else None}

    def to_result(self) -> PushResult:
        return PushResult(self.change_id, self.status, self.reason, self.kept_change_id,
                          change_of(self.current) if self.current else None)


class PushResponse(Strict):
    results: list[WireResult]


class PullResponse(Strict):
    changes: list[WireChange]
    next_cursor: str
    more: bool
    epoch: str

    @staticmethod
    def of(page: PullPage) -> dict[str, Any]:
        return {"changes": [wire_change(c) for c in page.changes],
                "next_cursor": page.next_cursor, "more": page.more, "epoch": page.epoch}


class EpochResponse(Strict):
    epoch: str
    protocol: int
    inspector_id: str
    role: str


class Health(Strict):
    status: Literal["ok", "unreachable"]
    schema_version: int | None = None
    protocol: int = PROTOCOL


class SnapshotRecord(Strict):
    """A first-pull snapshot (`sync/snapshot.py`): the file's blobs and the cursor it is at."""

    sha256: Sha
    size: int = Field(gt=0)
    parts: list[tuple[Sha, int]]
    cursor: str
    schema_version: int
    packs: dict[str, str]
    built_at: str


class SnapshotAnswer(Strict):
    snapshot: SnapshotRecord | None


class TemplateEntry(Strict):
    """One document template a published pack names: its bytes went first to /v1/blobs."""

    sha256: Sha
    size: int = Field(gt=0, le=MAX_BLOB)


TemplatePath = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=_PLAIN)]


class PackUpload(Strict):
    """A campaign pack the bureau publishes: its TOML text and, for each .docx template
    of the bureau's own that it names, the hash and size (without them, laptops print
    with the templates they have for the pack)."""

    source: str = Field(min_length=1, max_length=1_000_000)
    origin: Id = "bureau"
    templates: dict[TemplatePath, TemplateEntry] | None = Field(default=None, max_length=200)

    def manifest(self) -> dict[str, dict[str, Any]] | None:
        """The `templates` of the pack's change, as a laptop's own push names them."""
        if not self.templates:
            return None
        return {path: entry.model_dump() for path, entry in sorted(self.templates.items())}


Text = Annotated[str, StringConstraints(max_length=10_000, pattern=_PLAIN)]


class RegistryRow(Strict):
    """One entity of the bureau's registry, as `fieldlog entity import` reads a row; the
    service checks it by the same rule (`domain.records.check_entity`) and derives its id."""

    name: Text
    uscc: Text | None = None
    kind: Text | None = None
    category: Text | None = None
    address: Text | None = None
    township: Text | None = None
    contact: Text | None = None
    uscc_override: bool = False


class RegistryUpload(Strict):
    """The bureau's registry (or a part of it): stored all or nothing."""

    device_id: Id
    entities: list[RegistryRow] = Field(min_length=1, max_length=HARD_MAX_BATCH)


class RegistryPublished(Strict):
    """What publishing did: entities new centrally, revised, and already as sent."""

    added: int
    revised: int
    unchanged: int


class PackInfo(Strict):
    id: str
    rev: int
    change_id: str


class Reassign(Strict):
    inspector_id: Id
    reason: str = Field(min_length=1, max_length=500)


class Owner(Strict):
    record_id: str
    previous: str
    inspector_id: str


class Offending(Strict):
    change_id: str
    record_id: str
    reason: str


class ErrorBody(BaseModel):
    """Every error answer: a code the client maps to a message, and details."""

    error: str
    detail: Any = None
    changes: list[Offending] | None = None



class BlobQuestion(Strict):
    """Which of these attachment hashes does the store not hold whole?"""

    hashes: list[Sha] = Field(max_length=500)


class BlobMissing(Strict):
    missing: list[str]


class BlobHeld(Strict):
    """How many bytes of an upload the store holds (where the sender goes on from)."""

    received: int


class BlobFinish(Strict):
    size: int = Field(ge=0, le=MAX_BLOB)


class BlobFinished(Strict):
    kept: bool


class NumberRequest(Strict):
    """A block of document numbers (文号) of one series and year, after the laptop's own."""

    series: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2200)
    count: int = Field(ge=1, le=1000)
    after: int = Field(0, ge=0, le=10**9)
    device_id: Id


class NumberBlock(Strict):
    first: int
    last: int
