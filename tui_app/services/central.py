"""District-wide reads from the central store: tallies and paged record lists.

Every read first catches the central store's current rows and tally facts up with its
change log (cheap when a sync already did), so the figures include every acknowledged
change. Tallies read the fact table only, never the records, so a report over a
million central rows costs a few thousand fact rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tui_app.domain import tally as tally_rules
from tui_app.domain.pack import parsed
from tui_app.errors import FieldLogError
from tui_app.services.tally import TallyResult
from tui_app.store.records import ListQuery
from tui_app.sync.central import CentralStore, open_central


@contextmanager
def _caught_up(url: str) -> Iterator[CentralStore]:
    store = open_central(url)
    try:
        store.materialize()
        yield store
    finally:
        store.close()


def catch_up(url: str) -> int:
    """Bring the central store's current rows and tally facts up to its change log now
    (a sync does this after pushing); return how many changes were read. After a bulk
    load, call this before timing reports: the first read would otherwise pay for it."""
    store = open_central(url)
    try:
        return store.materialize()
    finally:
        store.close()


def compute_tallies(url: str, campaign_id: str, day_from: dt.date | None = None,
                    day_to: dt.date | None = None) -> TallyResult:
    """The campaign's tallies over every inspector's records held centrally."""
    from tui_app.sync.materialize import shipped_pack

    with _caught_up(url) as store:
        source = store.pack_source(campaign_id) or shipped_pack(campaign_id)
        if source is None:
            raise FieldLogError("campaign.unknown", id=campaign_id)
        pack = parsed(source, campaign_id)  # the text the local context parsed: once
        first, last = pack.span(day_to or day_from or dt.date.today())
        start = day_from or first
        end = day_to or last
        summed, distinct, latest = tally_rules.ids_by_op(pack)
        aggregates = store.aggregate(pack.id, start.isoformat(), end.isoformat(), summed,
                                     distinct, latest)
    return TallyResult(pack, start, end, tally_rules.finish(pack, aggregates))


def records(url: str, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    """One page of current central rows (newest first, with `entity_name`) and the total."""
    with _caught_up(url) as store:
        return store.page(query), store.count(query)


def iter_records(url: str, query: ListQuery) -> Iterator[dict[str, Any]]:
    """Every central row matching `query`, page by page (ledgers never load all at once)."""
    with _caught_up(url) as store:
        offset = query.offset
        while True:
            page = store.page(ListQuery(**{**query.__dict__, "offset": offset}))
            yield from page
            if len(page) < query.limit:
                return
            offset += len(page)


def conflicts(url: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Losing versions the central store kept aside, newest first."""
    store = open_central(url)
    try:
        return [c.__dict__ for c in store.conflicts(limit)]
    finally:
        store.close()
