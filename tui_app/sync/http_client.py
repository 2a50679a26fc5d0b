"""The replication port over HTTP(S): what `fieldlog sync` talks to for an http(s) URL.

Retries are safe because push is idempotent by change id: a retry after a timeout that
had in fact succeeded gets "duplicate" answers and changes nothing. Connection errors,
timeouts, 5xx and 429 are retried with jittered exponential backoff (429 and 503 after
their Retry-After); every other refusal becomes one message the user can act on.
TLS is verified (the system's CAs, or `ca_file` for a bureau's own CA); plain http only
to this machine, or with `insecure` (which the sync then warns about).
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import os
import random
import time
from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring as _quote  # type: ignore[attr-defined]
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from tui_app.errors import FieldLogError
from tui_app.sync.central import Published
from tui_app.sync.protocol import Change, PullPage, PushResult
from tui_app.sync.snapshot import SnapshotInfo
from tui_app.sync.wire import PROTOCOL, PullResponse, PushResponse, RegistryPublished, change_of

COMPRESS_ABOVE = 64 * 1024  # bytes of JSON; smaller bodies go as they are
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A store the service could not write for lack of space or resources (the service's 503
# names the store's message key): the laptop's words say whom to tell, not "failing".
STORE_SHORT = {"sync.central_full": "sync.http_store_full",
               "sync.central_overloaded": "sync.http_store_short"}
REGISTRY_CHUNK = 1000  # registry rows per upload (the service takes up to --max-batch)
REGISTRY_FIELDS = ("name", "uscc", "kind", "category", "address", "township", "contact")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(url: str, insecure: bool) -> bool:
    """Refuse plain http to another machine unless `insecure`; True when it is insecure."""
    if urlsplit(url).scheme.lower() == "https" or is_loopback(url):
        return False
    if not insecure:
        raise FieldLogError("sync.http_plain", url=url)
    return True


class HttpCentral:
    """The sync service as a `ReplicationPort` (epoch, push, pull)."""

    def __init__(self, url: str, token: str | None, *, ca_file: str | None = None,
                 insecure: bool = False, expect_inspector: str | None = None,
                 timeout: float | None = None, attempts: int | None = None,
                 backoff: float | None = None) -> None:
        if not token:
            raise FieldLogError("sync.token_missing", url=url)
        self.url = url.rstrip("/")
        self.insecure = check_transport(self.url, insecure)
        timeout = timeout or _knob("FIELDLOG_HTTP_TIMEOUT", 30.0)
        self.attempts = max(1, attempts or int(_knob("FIELDLOG_HTTP_ATTEMPTS", 6)))
        self.backoff = backoff if backoff is not None else _knob("FIELDLOG_HTTP_BACKOFF", 0.5)
        self.expect_inspector = expect_inspector
        verify: Any = True
        if ca_file:
            import ssl

            try:
                verify = ssl.create_default_context(cafile=ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise FieldLogError("sync.ca_file_bad", path=ca_file, detail=str(exc)) from None
        self.client = httpx.Client(
            base_url=self.url, verify=verify, timeout=httpx.Timeout(timeout, connect=10.0),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "fieldlog-sync"})

    # ------------------------------------------------------------------ the port

    def epoch(self) -> str:
        answer = self._call("GET", "/v1/epoch")
        if answer.get("protocol") != PROTOCOL:
            raise FieldLogError("sync.http_version", url=self.url,
                                theirs=answer.get("protocol"), ours=PROTOCOL)
        owner = answer.get("inspector_id")
        if self.expect_inspector and owner != self.expect_inspector:
            # this laptop's records would all be refused: say so before sending any
            raise FieldLogError("sync.token_other_inspector", url=self.url, token=owner,
                                laptop=self.expect_inspector)
        return answer["epoch"]

    def push(self, inspector_id: str, device_id: str,
             changes: Sequence[Change]) -> list[PushResult]:
        """Push a batch; changes the token may not make (a 403 names them) are answered
        "rejected" here, as a direct store does, and the rest is sent again without them."""
        refused: dict[str, PushResult] = {}
        left = list(changes)
        while True:
            answer = self._call("POST", "/v1/push", _push_body(device_id, left),
                                refusable=True)
            if "results" in answer:
                results = PushResponse.model_validate(answer).results
                by_id = {r.change_id: r.to_result() for r in results} | refused
                return [by_id[c.change_id] for c in changes]
            for item in answer.get("changes") or []:
                refused[item["change_id"]] = PushResult(item["change_id"], "rejected",
                                                        reason=item["reason"])
            before = len(left)
            left = [c for c in left if c.change_id not in refused]
            if len(left) == before:  # a 403 that names nothing we sent: not ours to fix
                raise FieldLogError("sync.http_refused", url=self.url, status=403,
                                    error=answer.get("error"))
            if not left:
                return [refused[c.change_id] for c in changes]

    def pull(self, cursor: str | None, limit: int = 1000) -> PullPage:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = PullResponse.model_validate(self._call("GET", "/v1/pull", params=params))
        return PullPage([change_of(c) for c in page.changes], page.next_cursor, page.more,
                        page.epoch)

    # ------------------------------------------------------------------ the bureau's registry

    def publish_entities(self, rows: Sequence[dict[str, Any]], inspector_id: str,
                         device_id: str) -> Published:
        """The bureau's registry (rows checked as `entity import` checks them) to the
        service, as a direct store takes it; the service checks each row again and takes
        the inspector from the (bureau) token. Sent `REGISTRY_CHUNK` rows per request,
        each request all or nothing: publishing is idempotent, so after a failure the
        same command again sends what is missing and finds the rest unchanged."""
        from tui_app.domain import uscc as uscc_rules

        out = Published()
        for start in range(0, len(rows), REGISTRY_CHUNK):
            entities = [{**{k: row.get(k) for k in REGISTRY_FIELDS},
                         # a row checked here with a failing check character was let in
                         # by the bureau (--accept-bad-uscc): say so to the service
                         "uscc_override": bool(row.get("uscc"))
                         and uscc_rules.problem(row["uscc"]) is not None}
                        for row in rows[start:start + REGISTRY_CHUNK]]
            answer = RegistryPublished.model_validate(self._call(
                "POST", "/v1/entities", _json_body({"device_id": device_id,
                                                    "entities": entities})))
            out.added += answer.added
            out.revised += answer.revised
            out.unchanged += answer.unchanged
        return out

    # ------------------------------------------------------------------ blobs, numbers

    def missing_blobs(self, hashes: Sequence[str]) -> list[str]:
        return self._call("POST", "/v1/blobs/missing", _json_body({"hashes": list(hashes)}))[
            "missing"]

    def blob_received(self, sha256: str) -> int:
        return int(self._call("GET", f"/v1/blobs/{sha256}/received")["received"])

    def put_blob_chunk(self, sha256: str, offset: int, data: bytes) -> int:
        answer = self._call("PUT", f"/v1/blobs/{sha256}", data, params={"offset": offset},
                            content_type="application/octet-stream")
        return int(answer["received"])

    def finish_blob(self, sha256: str, size: int) -> bool:
        return bool(self._call("POST", f"/v1/blobs/{sha256}/finish",
                               _json_body({"size": size}))["kept"])

    def flush_blobs(self) -> None:
        """Nothing to do: the service answers `finish` once the blob is on disk."""

    def read_blob(self, sha256: str) -> Iterator[bytes]:
        """A published pack's template or a snapshot's part by hash (the service hands
        out no other blob)."""
        try:
            response = self.client.get(f"/v1/blobs/{sha256}")
        except httpx.HTTPError as exc:
            raise FieldLogError("sync.http_unreachable", url=self.url,
                                detail=str(exc) or type(exc).__name__) from None
        if response.status_code == 404:
            raise FieldLogError("sync.blob_missing", sha=sha256[:12])
        if response.status_code >= 400:
            raise _refusal(response, self.url)
        return iter([response.content])

    def latest_snapshot(self) -> SnapshotInfo | None:
        """The newest first-pull snapshot the service offers, if any."""
        found = self._call("GET", "/v1/snapshot").get("snapshot")
        return SnapshotInfo.of_wire(found) if isinstance(found, dict) else None

    def reserve_numbers(self, series: str, year: int, count: int, inspector_id: str,
                        device_id: str, after: int = 0) -> tuple[int, int]:
        """A block of document numbers; the service takes the inspector from the token."""
        answer = self._call("POST", "/v1/numbers", _json_body(
            {"series": series, "year": year, "count": count, "after": after,
             "device_id": device_id}))
        return int(answer["first"]), int(answer["last"])

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------------ plumbing

    def _call(self, method: str, path: str, content: bytes | None = None, *,
              params: dict[str, Any] | None = None, refusable: bool = False,
              content_type: str = "application/json") -> dict[str, Any]:
        headers = {}
        if content is not None:
            headers["Content-Type"] = content_type
            if len(content) > COMPRESS_ABOVE:
                content = gzip.compress(content, compresslevel=1)
                headers["Content-Encoding"] = "gzip"
        failure = FieldLogError("sync.http_unreachable", url=self.url, detail="-")
        for attempt in range(1, self.attempts + 1):
            wait = None
            try:
                response = self.client.request(method, path, content=content, params=params,
                                               headers=headers)
            except httpx.ConnectError as exc:
                if _untrusted(exc):
                    raise FieldLogError("sync.tls_untrusted", url=self.url) from None
                failure = FieldLogError("sync.http_unreachable", url=self.url, detail=str(exc))
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                failure = FieldLogError("sync.http_unreachable", url=self.url,
                                        detail=str(exc) or type(exc).__name__)
            else:
                if response.status_code < 400 or (refusable and response.status_code == 403):
                    return _json(response, self.url)
                if response.status_code not in RETRY_STATUSES:
                    raise _refusal(response, self.url)
                failure = _refusal(response, self.url)
                wait = _retry_after(response)
            if attempt < self.attempts:
                time.sleep(wait if wait is not None else self._backoff(attempt))
        raise failure

    def _backoff(self, attempt: int) -> float:
        return min(10.0, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)


def _knob(variable: str, default: float) -> float:
    """A transport setting from the environment (README: Sync over HTTP), else `default`."""
    try:
        return max(0.0, float(os.environ.get(variable, default)))
    except ValueError:
        return default


def _json_body(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _push_body(device_id: str, changes: Sequence[Change]) -> bytes:
    """The push request as JSON, each body spliced in as the outbox holds its text (a
    laptop's batch is encoded once, when it was saved, not again for every send). The
    ids are quoted by the json module's C string encoder: a whole JSON encoder per id
    cost more than the rest of the request."""
    items = ",".join(
        f'{{"change_id":{_quote(c.change_id)},"kind":{_quote(c.kind)},'
        f'"record_id":{_quote(c.record_id)},"rev":{int(c.rev)},'
        f'"base":{"null" if c.base is None else _quote(c.base)},'
        f'"body":{c.body_json()}}}' for c in changes)
    return f'{{"device_id":{_quote(device_id)},"changes":[{items}]}}'.encode()


def _untrusted(exc: Exception) -> bool:
    text = str(exc).lower()
    return "certificate" in text or "ssl" in text and "verify" in text


def _json(response: httpx.Response, url: str) -> dict[str, Any]:
    """The answer's JSON, by orjson (a pull page of 1000 bodies parses 3x faster)."""
    try:
        return orjson.loads(response.content)
    except ValueError:  # orjson.JSONDecodeError is one
        raise FieldLogError("sync.http_garbled", url=url) from None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(60.0, max(0.0, float(response.headers.get("Retry-After", ""))))
    except ValueError:
        return None


def _refusal(response: httpx.Response, url: str) -> FieldLogError:
    """The message for a refused request, by what the user can do about it."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    status = response.status_code
    if status == 401:
        reason = body.get("detail") if isinstance(body, dict) else None
        key = {"revoked": "sync.token_revoked", "expired": "sync.token_expired"}.get(
            reason, "sync.token_invalid")
        return FieldLogError(key, url=url)
    error = body.get("error") if isinstance(body, dict) else None
    if status == 503 and error == "store_unavailable" and body.get("detail") in STORE_SHORT:
        return FieldLogError(STORE_SHORT[body["detail"]], url=url)
    if status == 403 and error == "bureau_only":
        return FieldLogError("sync.bureau_only", url=url)
    if status >= 500:
        return FieldLogError("sync.http_server", url=url, status=status)
    return FieldLogError("sync.http_refused", url=url, status=status, error=error or "-")


def probe(url: str, timeout: float, *, ca_file: str | None = None,
          insecure: bool = False) -> bool:
    """Cheap: does the service answer /healthz with "ok" within `timeout` seconds?"""
    try:
        check_transport(url, insecure)
        verify: Any = True
        if ca_file:
            import ssl

            verify = ssl.create_default_context(cafile=ca_file)
        answer = httpx.get(url.rstrip("/") + "/healthz", timeout=timeout, verify=verify)
        return answer.status_code == 200 and answer.json().get("status") == "ok"
    except (FieldLogError, httpx.HTTPError, ValueError, OSError):
        return False
