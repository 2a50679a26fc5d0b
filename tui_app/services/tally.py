"""Tallies for a campaign and period, from the incrementally kept fact table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tui_app.domain import tally as tally_rules
from tui_app.domain.pack import Pack, Tally
from tui_app.services.context import Context
from tui_app.store import records as record_store
from tui_app.store import tallies as tally_store


@dataclass(frozen=True)
class TallyResult:
    """Tally values for one campaign and period, in the pack's order."""

    pack: Pack
    day_from: dt.date
    day_to: dt.date
    values: dict[str, int | float]

    def items(self) -> list[tuple[Tally, int | float]]:
        return [(t, self.values[t.id]) for t in self.pack.tallies]

    def as_json(self) -> dict[str, object]:
        """`{"campaign", "from", "to", "tallies"}`: money in fen, percent with its decimals."""
        return {
            "campaign": self.pack.id,
            "from": self.day_from.isoformat(),
            "to": self.day_to.isoformat(),
            "tallies": dict(self.values),
        }


def compute(ctx: Context, campaign: str | None = None, day_from: dt.date | None = None,
            day_to: dt.date | None = None) -> TallyResult:
    """Tallies over [day_from, day_to], defaulting to the whole campaign period (for a
    year-round pack, the calendar year of the day asked about, or of today)."""
    pack = ctx.pack(campaign)
    first, last = pack.span(day_to or day_from or ctx.today())
    start = day_from or first
    end = day_to or last
    period = (start.isoformat(), end.isoformat())
    summed, distinct, latest = tally_rules.ids_by_op(pack)
    aggregates = tally_store.aggregate(ctx.db, pack.id, *period, summed)
    # a distinct tally's value is its number of keys (domain.tally.finish reads only that)
    aggregates.update({tally_id: tally_rules.Aggregate(keys=n) for tally_id, n
                       in tally_store.distinct_keys(ctx.db, pack.id, *period, distinct).items()})
    aggregates.update(tally_store.latest_states(ctx.db, pack.id, *period, latest))
    return TallyResult(pack, start, end, tally_rules.finish(pack, aggregates))


def rebuild_facts(ctx: Context, campaign: str) -> int:
    """Recompute a campaign's facts from its records (after its pack's tallies change)."""
    # Imported here: only a rebuild needs them, not the dashboard's figures at start.
    from tui_app.domain import identity
    from tui_app.store import merges

    pack = ctx.pack(campaign)
    survivors = merges.all_survivors(ctx.db.conn)  # merged entities count as their survivor
    rows: list[tuple[str, str, str, str, int]] = []
    marks: list[tally_rules.MarkRow] = []
    count = 0
    for kind in ("inspection", "case", "complaint", "activity"):
        offset = 0
        while True:
            query = record_store.ListQuery(kind=kind, campaign=campaign, limit=5000, offset=offset)
            batch = record_store.page(ctx.db, query)
            for row in batch:
                rows += [(c, tally_id, day, survivors.get(key, key), n) for c, tally_id, day, key, n
                         in tally_rules.fact_rows(pack.id, tally_rules.facts(pack, kind, row).items())]
                marks += identity.rekey_marks(
                    tally_rules.mark_rows(pack.id, tally_rules.marks(pack, kind, row)), survivors)
            count += len(batch)
            offset += len(batch)
            if len(batch) < query.limit:
                break
    tally_store.rebuild(ctx.db, campaign, rows, marks)
    return count
