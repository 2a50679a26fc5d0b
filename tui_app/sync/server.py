"""`fieldlog serve`: the HTTP sync service (FastAPI on uvicorn) over a central store.

The service carries the replication port (epoch, push, pull) and the bureau's uploads.
Who pushes comes from the bearer token, never from the payload; the push rule is the
stores' own (`central.decide`), run strict: a batch holding a change the token may not
make is refused whole (403, nothing applied).

No state another worker needs lives in a process: tokens and owners are in the store
(a revocation holds on the next request, in every worker); the rate limit is per worker
by design (README, "Running the central service"); each worker keeps a few store
connections open (`StorePool`), each lent to one request at a time. The app is built
by `create_app` (uvicorn's `factory=True`), from FIELDLOG_SERVE_* variables when
uvicorn starts it by import string for `--workers N`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import threading
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from tui_app.errors import FieldLogError
from tui_app.sync import tokens
from tui_app.sync.central import CentralStore, PushForbidden, open_central
from tui_app.sync.protocol import BUREAU, PACK_KIND, Change
from tui_app.sync.wire import (
    HARD_MAX_BATCH,
    PROTOCOL,
    BlobFinish,
    BlobFinished,
    BlobHeld,
    BlobMissing,
    BlobQuestion,
    EpochResponse,
    ErrorBody,
    Health,
    NumberBlock,
    NumberRequest,
    Owner,
    PackInfo,
    PackUpload,
    PullResponse,
    PushRequest,
    PushResponse,
    Reassign,
    RegistryPublished,
    RegistryUpload,
    SnapshotAnswer,
    Unstorable,
    WireResult,
    change_of,
)

ASGIApp = Callable[[dict[str, Any], Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]],
                   Awaitable[None]]
access_log = logging.getLogger("fieldlog.access")


@dataclass(frozen=True)
class ServiceSettings:
    """What one `serve` process needs; every worker reads the same from its environment."""

    store_url: str
    max_body: int = 16 * 1024 * 1024   # bytes, after decompression too
    max_batch: int = HARD_MAX_BATCH    # changes per push
    rate: float = 50.0                 # requests per second per token, per worker
    burst: int = 100

    ENV = {"store_url": "FIELDLOG_SERVE_STORE", "max_body": "FIELDLOG_SERVE_MAX_BODY",
           "max_batch": "FIELDLOG_SERVE_MAX_BATCH", "rate": "FIELDLOG_SERVE_RATE",
           "burst": "FIELDLOG_SERVE_BURST"}

    @classmethod
    def from_env(cls) -> ServiceSettings:
        values: dict[str, Any] = {}
        for name, variable in cls.ENV.items():
            if variable in os.environ:
                kind = type(getattr(cls, name, "")) if name != "store_url" else str
                values[name] = kind(os.environ[variable])
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        return {variable: str(getattr(self, name)) for name, variable in self.ENV.items()}


# ---------------------------------------------------------------------- per-worker parts


class StorePool:
    """A few open stores per worker, each lent to one request at a time (a psycopg
    connection is not for two threads at once). They are opened when the worker starts,
    so the first burst of laptops does not wait for connections (the first batches were
    twice as slow as the rest: the p95); more requests than stores wait here for one, as
    more database sessions at once would only contend for the same cores. A store that
    failed is dropped and opened again on its next loan."""

    def __init__(self, url: str, size: int = 8) -> None:
        self.url = url
        self._free: queue.LifoQueue[CentralStore | None] = queue.LifoQueue()
        for _ in range(size):
            self._free.put(None)

    def open_all(self) -> None:
        """Open every store now; one that cannot be opened is tried again on its loan."""
        stores = [self._free.get() for _ in range(self._free.qsize())]
        for store in stores:
            if store is None:
                try:
                    store = open_central(self.url, catch_up_on_push=False)
                except FieldLogError:
                    store = None
            self._free.put(store)

    @contextmanager
    def store(self) -> Iterator[CentralStore]:
        store = self._free.get()
        try:
            if store is None:
                store = open_central(self.url, catch_up_on_push=False)
            yield store
        except FieldLogError:
            if store is not None:
                store.close()
            store = None
            raise
        finally:
            self._free.put(store)


class CatchUp:
    """Brings the district figures up to the log after pushes, on one thread per worker,
    so a push is answered as soon as it commits. It waits until pushes pause for `quiet`
    seconds (at most `longest` after the first), the pushes of every worker: the store's
    log must stop moving too (the kernel shares the laptops' connections unevenly between
    workers, and the worker done first re-read the log while the other still took pushes).
    During a burst of laptops the cores go
    to the pushes, and the catching up follows in one go (reading the log's bodies again
    costs about as much CPU as taking them in, so catching up inside a burst of 20
    laptops halved its throughput on 2 cores). Reads catch up first anyway, so a figure
    is never stale; the watermark lives in the store, so workers never count twice."""

    def __init__(self, url: str, quiet: float = 0.5, longest: float = 60.0) -> None:
        self.url = url
        self.quiet, self.longest = quiet, longest
        self._wanted = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="catch-up", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stop = True
        self._wanted.set()
        self._thread.join(timeout=10)

    def _settle(self, store: CentralStore) -> None:
        """Return once, for `quiet` seconds, no poke came and the store's log did not
        move, or `longest` after the first poke."""
        deadline = time.monotonic() + self.longest
        head = store.log_head()
        while not self._stop and time.monotonic() < deadline:
            self._wanted.clear()
            poked = self._wanted.wait(self.quiet)
            head, before = store.log_head(), head
            if not poked and head == before:
                return

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stop:
                return
            try:
                store = open_central(self.url)
                try:
                    self._settle(store)
                    if self._stop:
                        return
                    self._wanted.clear()
                    store.materialize()
                finally:
                    store.close()
            except FieldLogError as exc:  # reads catch up first anyway; try on the next push
                access_log.warning(json.dumps({"catch_up_failed": exc.key}))


class RateLimit:
    """A token bucket per token id, in this worker: `rate` requests a second, `burst` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait_for(self, key: str) -> float:
        """0 when the request may go now, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            level, then = self._buckets.get(key, (float(self.burst), now))
            level = min(float(self.burst), level + (now - then) * self.rate)
            if level < 1:
                self._buckets[key] = (level, now)
                return (1 - level) / self.rate
            self._buckets[key] = (level - 1, now)
            return 0.0


# ---------------------------------------------------------------------- ASGI middleware


def _error(status: int, error: str, detail: Any = None,
           headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, **extra}, status_code=status,
                        headers=headers)


class BodyLimit:
    """Reads a request body whole, up to `max_body` bytes, gunzipping it when it says
    `Content-Encoding: gzip` under the same limit (a bomb is a 413, never a big buffer),
    then hands the app the plain body."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        refusal = self._check_length(headers.get(b"content-length"))
        body = b""
        if refusal is None:
            body, refusal = await self._read(receive)
        encoding = headers.get(b"content-encoding", b"identity").strip().lower()
        if refusal is None and encoding == b"gzip":
            body, refusal = self._gunzip(body)
        elif refusal is None and encoding not in (b"identity", b""):
            refusal = _error(415, "unsupported_encoding", encoding.decode("latin-1"))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"]
                            if k not in (b"content-encoding", b"content-length")]
        scope["headers"].append((b"content-length", str(len(body)).encode()))
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _check_length(self, value: bytes | None) -> JSONResponse | None:
        if value is None:
            return None
        try:
            length = int(value)
        except ValueError:
            return _error(400, "bad_request", "Content-Length is not a number")
        return self._too_large() if length > self.max_body else None

    def _too_large(self) -> JSONResponse:
        return _error(413, "too_large", f"the body is limited to {self.max_body} bytes")

    async def _read(self, receive: Any) -> tuple[bytes, JSONResponse | None]:
        parts, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"", _error(400, "bad_request", "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", self._too_large()
            parts.append(chunk)
            if not message.get("more_body"):
                return b"".join(parts), None

    def _gunzip(self, body: bytes) -> tuple[bytes, JSONResponse | None]:
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            plain = inflate.decompress(body, self.max_body + 1)
        except zlib.error:
            return b"", _error(400, "bad_gzip", "the body is not valid gzip")
        if len(plain) > self.max_body or inflate.unconsumed_tail:
            return b"", self._too_large()
        if not inflate.eof:
            return b"", _error(400, "bad_gzip", "the gzip body is truncated")
        return plain, None


class AccessLog:
    """One JSON line per request: time, token id, method, route, status, records (or
    bytes, for attachments), ms. Never the token itself, nor the query string or a path
    as sent (a cursor is nobody's business)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        status = {"code": 500}

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            access_log.info(json.dumps({
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "token": state.get("token_id"), "method": scope["method"],
                "route": self._route(scope), "status": status["code"],
                "records": state.get("records", 0), "bytes": state.get("bytes", 0),
                "ms": round((time.perf_counter() - started) * 1000, 1)}))

    @staticmethod
    def _route(scope: dict[str, Any]) -> str:
        """The route's pattern (`/v1/blobs/{sha256}`), never the path a client made up."""
        from starlette.routing import Match

        for route in router.routes:
            if route.matches(scope)[0] == Match.FULL:
                return getattr(route, "path", "-")
        return "-"


# ---------------------------------------------------------------------- the app


_UNAUTHORIZED = {401: {"model": ErrorBody, "description": "no, bad, expired or revoked token"},
                 429: {"model": ErrorBody, "description": "too many requests (Retry-After)"},
                 422: {"model": ErrorBody, "description": "a field is wrong (named in detail)"}}
_FORBIDDEN = {403: {"model": ErrorBody, "description": "the token may not do this"}}
_TOO_LARGE = {413: {"model": ErrorBody, "description": "body or batch too large"}}


@dataclass
class Parts:
    """What the endpoints of one worker share: settings, store connections, catch-up, limits."""

    settings: ServiceSettings
    pool: StorePool
    catch_up: CatchUp
    limiter: RateLimit


def _parts(request: Request) -> Parts:
    return request.app.state.parts


Shared = Annotated[Parts, Depends(_parts)]
_bearer = HTTPBearer(auto_error=False, description="a token from `fieldlog token issue`")


def caller(request: Request, parts: Shared, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> tokens.Token:
    """The request's token (401 otherwise), within its rate (429 otherwise)."""
    presented = credentials.credentials if credentials else None
    with parts.pool.store() as store:
        token = tokens.authenticate(store, presented)
    request.state.token_id = token.id
    wait = parts.limiter.wait_for(token.id)
    if wait:
        raise _Limited(wait)
    return token


Caller = Annotated[tokens.Token, Depends(caller)]


def bureau(token: Caller) -> tokens.Token:
    if token.role != BUREAU:
        raise _Forbidden("bureau_only")
    return token


Bureau = Annotated[tokens.Token, Depends(bureau)]


class _OrjsonRequest(Request):
    """A request whose JSON body orjson parses: 3x the standard parser on a push, and
    strict (no NaN, no lone surrogate), so what is parsed can be stored as it is."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())  # its error is a JSONDecodeError
        return self._json


class _OrjsonRoute(APIRoute):
    """FastAPI's route, handed an `_OrjsonRequest`: the validation stays FastAPI's."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(_OrjsonRequest(request.scope, request.receive))

        return route


router = APIRouter(route_class=_OrjsonRoute)


@router.get("/healthz", response_model=Health, tags=["service"])
def healthz(parts: Shared) -> Response:
    """Is the store reachable, and at which schema version? (no token needed)"""
    try:
        with parts.pool.store() as store:
            version = store.sql("SELECT MAX(version) FROM _migrations")[0][0]
    except FieldLogError:
        return JSONResponse({"status": "unreachable", "schema_version": None,
                             "protocol": PROTOCOL}, status_code=503)
    return JSONResponse({"status": "ok", "schema_version": version, "protocol": PROTOCOL})


@router.get("/v1/epoch", response_model=EpochResponse, responses=_UNAUTHORIZED, tags=["sync"])
def epoch(parts: Shared, token: Caller) -> Response:
    """The store's epoch (a restored store has a new one) and who the token is."""
    with parts.pool.store() as store:
        value = store.epoch()
    return JSONResponse({"epoch": value, "protocol": PROTOCOL,
                         "inspector_id": token.inspector_id, "role": token.role})


@router.post("/v1/push", response_model=PushResponse,
             responses={**_UNAUTHORIZED, **_FORBIDDEN, **_TOO_LARGE}, tags=["sync"])
def push(request: Request, parts: Shared, batch: PushRequest, token: Caller) -> Response:
    """Store a batch of changes, all or nothing; answer per change."""
    if len(batch["changes"]) > parts.settings.max_batch:
        raise _TooLarge(f"at most {parts.settings.max_batch} changes per push")
    try:
        changes = [change_of(c, i) for i, c in enumerate(batch["changes"])]
    except Unstorable as exc:
        raise RequestValidationError([{"loc": ("body", "changes", exc.index, "body"),
                                       "msg": str(exc), "type": "value_error"}]) from None
    request.state.records = len(changes)
    results = _push(parts, token, batch["device_id"], changes)
    return Response(orjson.dumps({"results": [WireResult.of(r) for r in results]}),
                    media_type="application/json")


@router.get("/v1/pull", response_model=PullResponse, responses=_UNAUTHORIZED, tags=["sync"])
def pull(request: Request, parts: Shared, _token: Caller,
         cursor: Annotated[str | None, Query(max_length=200)] = None,
         limit: Annotated[int, Query(ge=1, le=HARD_MAX_BATCH)] = 1000) -> Response:
    """The team's changes after `cursor` (records, packs, the registry), oldest first."""
    with parts.pool.store() as store:
        page = store.pull(cursor, limit)
    request.state.records = len(page.changes)
    return JSONResponse(PullResponse.of(page))


@router.get("/v1/packs", response_model=list[PackInfo], responses=_UNAUTHORIZED, tags=["packs"])
def packs(parts: Shared, _token: Caller) -> Response:
    """The campaign packs published centrally, each at its latest version."""
    with parts.pool.store() as store:
        rows = store.sql(
            "SELECT record_id, rev, change_id FROM change AS c WHERE kind = 'campaign_pack'"
            " AND rev = (SELECT MAX(rev) FROM change WHERE record_id = c.record_id"
            " AND kind = 'campaign_pack') ORDER BY record_id")
    return JSONResponse([{"id": r[0], "rev": r[1], "change_id": r[2]} for r in rows])


@router.post("/v1/packs", response_model=PushResponse,
             responses={**_UNAUTHORIZED, **_FORBIDDEN, **_TOO_LARGE}, tags=["packs"])
def publish_pack(request: Request, parts: Shared, upload: PackUpload, token: Bureau) -> Response:
    """Publish a campaign pack (bureau tokens only): a new version of its id. Templates it
    names go first to /v1/blobs; a pack naming one the store lacks is `templates_missing`."""
    from tui_app.domain.pack import parse_pack
    from tui_app.sync.central import pack_change_id

    try:
        pack_id = parse_pack(upload.source, upload.origin).id
    except FieldLogError as exc:
        return _error(422, "bad_pack", exc.message())
    manifest = upload.manifest()
    body = {"source": upload.source, "origin": upload.origin}
    change = Change(pack_change_id(pack_id, upload.source, manifest), PACK_KIND, pack_id, 0,
                    {**body, "templates": manifest} if manifest else body)
    request.state.records = 1
    results = _push(parts, token, "service", [change])
    return JSONResponse({"results": [WireResult.of(r) for r in results]})


@router.post("/v1/entities", response_model=RegistryPublished,
             responses={**_UNAUTHORIZED, **_FORBIDDEN, **_TOO_LARGE}, tags=["bureau"])
def publish_registry(request: Request, parts: Shared, upload: RegistryUpload,
                     token: Bureau) -> Response:
    """Publish the entity registry (bureau tokens only), all or nothing: every row is
    checked as `fieldlog entity import` checks it (422 naming each bad row's field),
    its id derived by the identity rule; every laptop's next pull brings it."""
    if len(upload.entities) > parts.settings.max_batch:
        raise _TooLarge(f"at most {parts.settings.max_batch} entities per upload")
    rows, problems = registry_rows(upload)
    if problems:
        return _error(422, "invalid", problems)
    request.state.records = len(rows)
    with parts.pool.store() as store:
        published = store.publish_entities(rows, token.inspector_id, upload.device_id)
    if published.changes:
        parts.catch_up.poke()
    return JSONResponse({"added": published.added, "revised": published.revised,
                         "unchanged": published.unchanged})


def registry_rows(upload: RegistryUpload) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The upload's rows checked by the registry's rule: (rows, problems as 422 details)."""
    from tui_app.domain.records import check_entity
    from tui_app.errors import ValidationFailed
    from tui_app.services.record import initials

    rows, problems = [], []
    for number, row in enumerate(upload.entities):
        try:
            rows.append(check_entity(row.model_dump(), initials).row)
        except ValidationFailed as exc:
            problems += [{"loc": ["body", "entities", number, p.where], "msg": p.message(),
                          "type": p.key} for p in exc.problems]
    return rows, problems


@router.post("/v1/records/{record_id}/owner", response_model=Owner,
             responses={**_UNAUTHORIZED, **_FORBIDDEN, 404: {"model": ErrorBody}},
             tags=["bureau"])
def reassign(record_id: Annotated[str, Path(max_length=128)], parts: Shared, move: Reassign,
             token: Bureau) -> Response:
    """Move a record to another inspector (bureau tokens only), as a recorded event."""
    with parts.pool.store() as store:
        try:
            previous = tokens.reassign(store, record_id, move.inspector_id, token, move.reason)
        except FieldLogError:
            return _error(404, "no_record", record_id)
    return JSONResponse({"record_id": record_id, "previous": previous,
                         "inspector_id": move.inspector_id})


ShaPath = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.post("/v1/blobs/missing", response_model=BlobMissing, responses=_UNAUTHORIZED,
             tags=["blobs"])
def blobs_missing(parts: Shared, question: BlobQuestion, _token: Caller) -> Response:
    """Of these attachment hashes, the ones the store does not hold whole."""
    with parts.pool.store() as store:
        return JSONResponse({"missing": store.missing_blobs(question.hashes)})


@router.get("/v1/blobs/{sha256}/received", response_model=BlobHeld, responses=_UNAUTHORIZED,
            tags=["blobs"])
def blob_received(parts: Shared, sha256: ShaPath, _token: Caller) -> Response:
    """How many bytes of an interrupted upload the store kept (resume from there)."""
    with parts.pool.store() as store:
        return JSONResponse({"received": store.blob_received(sha256)})


@router.put("/v1/blobs/{sha256}", response_model=BlobHeld,
            responses={**_UNAUTHORIZED, **_TOO_LARGE, 409: {"model": ErrorBody}}, tags=["blobs"],
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def blob_chunk(request: Request, parts: Shared, sha256: ShaPath, _token: Caller,
                     offset: Annotated[int, Query(ge=0, le=512 * 1024 * 1024)] = 0) -> Response:
    """Bytes of an upload at `offset` (the body, at most the body limit); answers how much
    the store holds now. Hashed as they arrive; kept only if `finish` finds the hash."""
    from starlette.concurrency import run_in_threadpool

    data = await request.body()
    request.state.bytes = len(data)

    def put() -> int:
        with parts.pool.store() as store:
            return store.put_blob_chunk(sha256, offset, data)

    held = await run_in_threadpool(_refusing, put)
    return held if isinstance(held, Response) else JSONResponse({"received": held})


@router.post("/v1/blobs/{sha256}/finish", response_model=BlobFinished,
             responses={**_UNAUTHORIZED, 409: {"model": ErrorBody}}, tags=["blobs"])
def blob_finish(parts: Shared, sha256: ShaPath, done: BlobFinish, _token: Caller) -> Response:
    """Keep the upload if its `size` bytes hash to its name; else it is dropped."""
    def finish() -> bool:
        with parts.pool.store() as store:
            kept = store.finish_blob(sha256, done.size)
            store.flush_blobs()  # "kept" is a promise the bytes are on disk
            return kept

    kept = _refusing(finish)
    return kept if isinstance(kept, Response) else JSONResponse({"kept": kept})


@router.get("/v1/blobs/{sha256}", responses={**_UNAUTHORIZED, 404: {"model": ErrorBody}},
            tags=["blobs"], response_class=Response,
            openapi_extra={"responses": {"200": {"content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def blob_read(parts: Shared, sha256: ShaPath, _token: Caller) -> Response:
    """A template of a published campaign pack, or a part of the newest first-pull
    snapshot, by hash (the laptop checks it against the hash). No other blob is handed
    out: every token may pull the whole district, so it may have its snapshot too."""
    from tui_app.sync.templates import is_published

    with parts.pool.store() as store:
        bodies = (row[0] for row in store.sql(
            f"SELECT body FROM change WHERE kind = {store.mark}", (PACK_KIND,)))
        if not (is_published(bodies, sha256) or _in_snapshot(store, sha256)) \
                or store.missing_blobs([sha256]):
            return _error(404, "no_template", sha256)
        data = b"".join(store.read_blob(sha256))
    return Response(data, media_type="application/octet-stream")


def _in_snapshot(store: CentralStore, sha256: str) -> bool:
    """Is `sha256` a part of a kept snapshot (the newest, or the one a laptop may still
    be downloading)?"""
    return any(sha == sha256 for found in store.snapshots() for sha, _size in found.parts)


@router.get("/v1/snapshot", response_model=SnapshotAnswer, responses=_UNAUTHORIZED,
            tags=["sync"])
def snapshot(parts: Shared, _token: Caller) -> Response:
    """The newest first-pull snapshot (`fieldlog central snapshot`), or null: a new laptop
    fetches its parts from /v1/blobs, then pulls what came after its cursor. It holds what
    a pull from nothing gives any token, as every token pulls the whole log."""
    with parts.pool.store() as store:
        found = store.latest_snapshot()
    return JSONResponse({"snapshot": found.wire() if found else None})


@router.post("/v1/numbers", response_model=NumberBlock, responses=_UNAUTHORIZED, tags=["numbers"])
def numbers(parts: Shared, ask: NumberRequest, token: Caller) -> Response:
    """A block of document numbers (文号) no other laptop is given, for the token's inspector."""
    with parts.pool.store() as store:
        first, last = store.reserve_numbers(ask.series, ask.year, ask.count, token.inspector_id,
                                            ask.device_id, ask.after)
    return JSONResponse({"first": first, "last": last})


def _refusing(step: Callable[[], Any]) -> Any:
    """Run a blob step; a refusal of the upload itself (too big, a resume at the wrong
    offset) is a 409 the laptop reports, not a failing store."""
    try:
        return step()
    except FieldLogError as exc:
        if exc.key in ("sync.blob_too_big", "sync.blob_offset", "sync.bad_blob"):
            return _error(409, exc.key.removeprefix("sync."), exc.message())
        raise


def _push(parts: Parts, token: tokens.Token, device_id: str, changes: list[Change]) -> list:
    """The stores' push rule, strict: a change the token may not make refuses the batch."""
    with parts.pool.store() as store:
        try:
            results = store.push(token.inspector_id, device_id, changes, role=token.role,
                                 strict=True)
        except PushForbidden as refused:
            raise _Forbidden("forbidden", refused.offending) from None
    if any(r.status == "applied" for r in results):
        parts.catch_up.poke()
    return results


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The service over `settings.store_url` (from FIELDLOG_SERVE_* when not given)."""
    settings = settings or ServiceSettings.from_env()
    parts = Parts(settings, StorePool(settings.store_url), CatchUp(settings.store_url),
                  RateLimit(settings.rate, settings.burst))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(parts.pool.open_all)
        parts.catch_up.start()
        yield
        parts.catch_up.stop()

    app = FastAPI(title="FieldLog sync service", version=str(PROTOCOL), lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.parts = parts
    app.include_router(router)
    _install_errors(app)
    app.add_middleware(BodyLimit, max_body=settings.max_body)  # type: ignore[arg-type]
    app.add_middleware(AccessLog)  # type: ignore[arg-type]
    return app


class _Limited(Exception):
    def __init__(self, wait: float) -> None:
        self.wait = wait


class _Forbidden(Exception):
    def __init__(self, error: str, offending: list[tuple[str, str, str]] | None = None) -> None:
        self.error = error
        self.offending = offending or []


class _TooLarge(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail


def _install_errors(app: FastAPI) -> None:
    """Every refusal is a JSON body with an `error` code; a store that is down is a 503
    the client retries; nothing becomes a 500."""

    @app.exception_handler(tokens.Unauthorized)
    async def unauthorized(_request: Request, exc: tokens.Unauthorized) -> JSONResponse:
        header = 'Bearer realm="fieldlog"'
        if exc.reason != "missing":
            header += f', error="invalid_token", error_description="{exc.reason}"'
        return _error(401, "unauthorized", exc.reason, {"WWW-Authenticate": header})

    @app.exception_handler(_Limited)
    async def limited(_request: Request, exc: _Limited) -> JSONResponse:
        return _error(429, "rate_limited", "too many requests",
                      {"Retry-After": str(max(1, math.ceil(exc.wait)))})

    @app.exception_handler(_Forbidden)
    async def forbidden(_request: Request, exc: _Forbidden) -> JSONResponse:
        changes = [{"change_id": c, "record_id": r, "reason": why} for c, r, why in exc.offending]
        return _error(403, exc.error, sorted({r for _c, r, _w in exc.offending}) or None,
                      changes=changes or None)

    @app.exception_handler(_TooLarge)
    async def too_large(_request: Request, exc: _TooLarge) -> JSONResponse:
        return _error(413, "too_large", exc.detail)

    @app.exception_handler(FieldLogError)
    async def store_failed(_request: Request, exc: FieldLogError) -> JSONResponse:
        return _error(503, "store_unavailable", exc.key, {"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        from fastapi.encoders import jsonable_encoder

        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
                  for e in exc.errors()]
        return _error(422, "invalid", jsonable_encoder(errors))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, "http_error", exc.detail, dict(exc.headers or {}))


def serve(settings: ServiceSettings, host: str, port: int, workers: int) -> None:
    """Run uvicorn: in this process for one worker, else by import string so each worker
    process builds its own app from the same FIELDLOG_SERVE_* environment."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ.update(settings.to_env())
    uvicorn.run("tui_app.sync.server:create_app", factory=True, host=host, port=port,
                workers=workers if workers > 1 else None, access_log=False,
                log_level="warning", proxy_headers=True, timeout_graceful_shutdown=5)
