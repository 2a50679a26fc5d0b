"""The bureau's side of the HTTP sync service: run it, issue and revoke tokens.

Tokens live in the central store (`sync/tokens.py`), so `token issue` and `token revoke`
run against the store's own URL, on the bureau's machine, and every running worker sees
the change on its next request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tui_app.sync import tokens
from tui_app.sync.central import CentralStore, kind_of_url, open_central
from tui_app.sync.tokens import Token


@contextmanager
def _store(url: str) -> Iterator[CentralStore]:
    from tui_app.errors import FieldLogError

    if kind_of_url(url) == "http":
        raise FieldLogError("service.store_not_http", url=url)
    store = open_central(url)
    try:
        yield store
    finally:
        store.close()


def issue_token(store_url: str, inspector_id: str, *, name: str = "", role: str = "inspector",
                expires_days: int | None = None) -> tuple[Token, str]:
    """A new token; the second value is its full text, shown once and never stored."""
    with _store(store_url) as store:
        return tokens.issue(store, inspector_id, name=name, role=role, expires_days=expires_days)


def list_tokens(store_url: str) -> list[Token]:
    with _store(store_url) as store:
        return tokens.listed(store)


def revoke_token(store_url: str, token_id: str) -> Token:
    with _store(store_url) as store:
        return tokens.revoke(store, token_id)


def serve(store_url: str, host: str, port: int, workers: int, *, max_body_mb: float,
          max_batch: int, rate: float) -> None:
    """Run the service until stopped (Ctrl-C or SIGTERM)."""
    from tui_app.errors import FieldLogError
    from tui_app.sync import server
    from tui_app.sync.wire import HARD_MAX_BATCH

    if not 1 <= max_batch <= HARD_MAX_BATCH:
        raise FieldLogError("service.bad_batch", most=HARD_MAX_BATCH)
    with _store(store_url):
        pass  # refuse a store that cannot be opened, in one line, before uvicorn starts
    settings = server.ServiceSettings(store_url, max_body=int(max_body_mb * 1024 * 1024),
                                      max_batch=max_batch, rate=rate,
                                      burst=max(1, int(rate * 2)))
    server.serve(settings, host, port, workers)
