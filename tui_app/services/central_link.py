"""Which central store this laptop syncs with, and whether it answers.

Kept apart from `services.sync` (the push and pull, and the store and sync layers it
loads) so the dashboard's reachability check costs nothing when no central store is
set and loads only the probe when one is: right after the first paint, importing
the whole sync machinery on a thread took the UI thread's GIL for about 30 ms.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from tui_app.errors import FieldLogError
from tui_app.services.context import Context


def central_url(ctx: Context, url: str | None = None) -> str:
    """The central store: `--central`, else FIELDLOG_CENTRAL, else the `init` setting."""
    chosen = url or os.environ.get("FIELDLOG_CENTRAL") or ctx.settings.get("central_url")
    if not chosen:  # is_set says so beforehand
        raise FieldLogError("sync.no_central")
    return chosen


def is_set(ctx: Context) -> bool:
    """Whether a central store is set at all (`central_url` would answer)."""
    return bool(os.environ.get("FIELDLOG_CENTRAL") or ctx.settings.get("central_url"))


@dataclass(frozen=True)
class Link:
    """Where and how this laptop syncs: the URL and, for the HTTP service, the token
    (FIELDLOG_TOKEN, else the `init --token` setting), a CA file and plain-http consent."""

    url: str
    token: str | None = None
    ca_file: str | None = None
    insecure: bool = False


def link(ctx: Context, url: str | None = None, *, ca_file: str | None = None,
         insecure: bool = False) -> Link:
    return Link(central_url(ctx, url),
                os.environ.get("FIELDLOG_TOKEN") or ctx.settings.get("central_token"),
                ca_file or os.environ.get("FIELDLOG_CA_FILE") or ctx.settings.get("central_ca_file"),
                insecure or ctx.settings.get("central_insecure") == "1")


def is_reachable(url: str, timeout: float = 2.0, ctx: Context | None = None) -> bool:
    """Can the central store (or the service) at `url` be reached within `timeout` s?"""
    from tui_app.sync.central import is_reachable as probe

    if ctx is None:
        return probe(url, timeout)
    target = link(ctx, url)
    return probe(url, timeout, ca_file=target.ca_file, insecure=target.insecure)
