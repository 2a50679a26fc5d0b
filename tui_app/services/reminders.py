"""Overdue reminders: cases filed late after their lead, complaints left open too long.

The clocks come from the pack's [rules] table (working days, so the law can change
without code) and are counted on the official calendar (domain.workdays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tui_app.domain.workdays import overdue_by
from tui_app.services.context import Context
from tui_app.store import status as status_store


@dataclass(frozen=True)
class Reminder:
    """One overdue item: what kind, which record, since when and how late."""

    kind: str  # "case" or "complaint"
    record_id: str
    subject: str
    since: dt.date
    days_late: int


def overdue(ctx: Context, today: dt.date | None = None) -> list[Reminder]:
    """Every overdue case and complaint of the current campaign, the latest first."""
    pack = ctx.pack()
    today = today or ctx.today()
    found: list[Reminder] = []
    for case in status_store.cases_with_clue(ctx.db, pack.id):
        clue = dt.date.fromisoformat(case["clue_on"])
        filed = dt.date.fromisoformat(case["filed_on"]) if case["filed_on"] else None
        late = overdue_by(clue, filed, today, pack.rules.case_filing_working_days)
        if late:
            found.append(Reminder("case", case["id"], case["entity_name"] or "", clue, late))
    for complaint in status_store.open_complaints(ctx.db, pack.id):
        received = dt.date.fromisoformat(complaint["day"])
        late = overdue_by(received, None, today, pack.rules.complaint_accept_working_days)
        if late:
            subject = complaint["entity_name"] or complaint["subject"] or ""
            found.append(Reminder("complaint", complaint["id"], subject, received, late))
    return sorted(found, key=lambda r: -r.days_late)
