"""The sync service's tokens and record owners, kept in the central store.

A token reads `fl1.<id>.<secret>`: `id` is the public half (listed, logged, revoked by),
`secret` 32 random bytes from `secrets`. The store keeps only sha256(secret): a token is
high-entropy, so a slow password hash would add nothing but latency to every request,
and the comparison is constant-time (`hmac.compare_digest`). Everything lives in the
store, so every `serve` worker sees a revocation on its next request.

The SQL is the same on both engines but for the placeholder (`store.mark`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from tui_app.domain.ids import utc_now
from tui_app.errors import FieldLogError
from tui_app.sync.central import UNOWNED_KINDS, CentralStore
from tui_app.sync.protocol import ROLES

PREFIX = "fl1"
# last_used_at is written at most this often per token: a write per request would put
# every pull of every laptop on the store's write path.
TOUCH_EVERY = dt.timedelta(minutes=1)

Refusal = Literal["missing", "invalid", "expired", "revoked"]
_COLUMNS = "id, inspector_id, name, role, created_at, expires_at, revoked_at, last_used_at"


@dataclass(frozen=True)
class Token:
    """A token as listed: never its secret."""

    id: str
    inspector_id: str
    name: str
    role: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None


class Unauthorized(Exception):
    """The request's token does not let it in; `reason` says why (for the client)."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason)
        self.reason = reason


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def issue(store: CentralStore, inspector_id: str, *, name: str = "", role: str = "inspector",
          expires_days: int | None = None) -> tuple[Token, str]:
    """A new token for `inspector_id`; returns it and the one copy of its full text."""
    inspector_id = inspector_id.strip()
    if not inspector_id:
        raise FieldLogError("token.no_inspector")
    if role not in ROLES:
        raise FieldLogError("token.bad_role", role=role)
    if expires_days is not None and expires_days < 1:
        raise FieldLogError("token.bad_expiry", days=expires_days)
    now = dt.datetime.now(dt.UTC)
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    expires = _iso(now + dt.timedelta(days=expires_days)) if expires_days else None
    token = Token(token_id, inspector_id, name, role, _iso(now), expires, None, None)
    p = store.mark
    store.sql(f"INSERT INTO token (id, secret_hash, inspector_id, name, role, created_at,"
              f" expires_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})",
              (token_id, _hash(secret), inspector_id, name, role, token.created_at, expires),
              write=True)
    return token, f"{PREFIX}.{token_id}.{secret}"


def listed(store: CentralStore) -> list[Token]:
    """Every token, newest first."""
    rows = store.sql(f"SELECT {_COLUMNS} FROM token ORDER BY created_at DESC, id")
    return [Token(*row) for row in rows]


def revoke(store: CentralStore, token_id: str) -> Token:
    """Revoke a token now (its next request is refused); revoking twice keeps the first time."""
    p = store.mark
    store.sql(f"UPDATE token SET revoked_at = {p} WHERE id = {p} AND revoked_at IS NULL",
              (utc_now(), token_id), write=True)
    rows = store.sql(f"SELECT {_COLUMNS} FROM token WHERE id = {p}", (token_id,))
    if not rows:
        raise FieldLogError("token.unknown", id=token_id)
    return Token(*rows[0])


def authenticate(store: CentralStore, presented: str | None) -> Token:
    """The token a request presents, or `Unauthorized` saying why not."""
    if not presented:
        raise Unauthorized("missing")
    prefix, _, rest = presented.partition(".")
    token_id, _, secret = rest.partition(".")
    if prefix != PREFIX or not token_id or not secret or len(presented) > 200:
        raise Unauthorized("invalid")
    p = store.mark
    rows = store.sql(f"SELECT {_COLUMNS}, secret_hash FROM token WHERE id = {p}", (token_id,))
    if not rows or not hmac.compare_digest(rows[0][-1], _hash(secret)):
        raise Unauthorized("invalid")
    token = Token(*rows[0][:-1])
    if token.revoked_at:
        raise Unauthorized("revoked")
    now = dt.datetime.now(dt.UTC)
    if token.expires_at and _parse(token.expires_at) <= now:
        raise Unauthorized("expired")
    if token.last_used_at is None or _parse(token.last_used_at) + TOUCH_EVERY <= now:
        store.sql(f"UPDATE token SET last_used_at = {p} WHERE id = {p}", (_iso(now), token.id),
                  write=True)
    return token


def reassign(store: CentralStore, record_id: str, new_owner: str, by: Token,
             reason: str) -> str:
    """Move a record to another inspector (the bureau only), as a recorded event; returns
    the previous owner. The owner is what the push rule checks (`central.decide`)."""
    if by.role != "bureau":
        raise Unauthorized("invalid")
    p = store.mark
    # a moved record's owner is in `record_owner`, any other's is its first revision's
    # pusher in the log (`central.from_log`)
    owner = store.sql(
        f"SELECT COALESCE((SELECT inspector_id FROM record_owner WHERE record_id = {p}),"
        f" (SELECT pushed_by FROM change WHERE record_id = {p} AND kind NOT IN ({p}, {p})"
        " ORDER BY rev LIMIT 1))", (record_id, record_id, *sorted(UNOWNED_KINDS)))[0][0]
    if owner is None:
        raise FieldLogError("token.no_record", id=record_id)
    now = utc_now()
    store.sql_steps([
        (f"INSERT INTO owner_event (record_id, old_owner, new_owner, by_token, reason, at)"
         f" VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
         (record_id, owner, new_owner, by.id, reason, now)),
        (f"INSERT INTO record_owner (record_id, inspector_id, since) VALUES ({p}, {p}, {p})"
         " ON CONFLICT (record_id) DO UPDATE SET inspector_id = excluded.inspector_id,"
         " since = excluded.since", (record_id, new_owner, now))])
    return owner
