"""Overdue reminders: cases filed late after their lead, complaints not accepted in time.

A 12315 complaint must be accepted or refused within 7 working days of its receipt;
only the acceptance is timed here, so a complaint accepted (已受理) and still being
handled is not overdue. One still waiting (待受理) past the limit is.

The clocks come from the pack's [rules] table (working days, so the law can change
without code) and are counted on the official calendar (domain.workdays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tui_app.domain.pack import COMPLAINT_STATUSES
from tui_app.services.context import Context
from tui_app.store import status as status_store

AWAITING_ACCEPTANCE = COMPLAINT_STATUSES[0]  # 待受理


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
        late = _overdue_by(clue, filed, today, pack.rules.case_filing_working_days)
        if late:
            found.append(Reminder("case", case["id"], case["entity_name"] or "", clue, late))
    for complaint in status_store.complaints_in_status(ctx.db, pack.id, AWAITING_ACCEPTANCE):
        received = dt.date.fromisoformat(complaint["day"])
        late = _overdue_by(received, None, today, pack.rules.complaint_accept_working_days)
        if late:
            subject = complaint["entity_name"] or complaint["subject"] or ""
            found.append(Reminder("complaint", complaint["id"], subject, received, late))
    return sorted(found, key=lambda r: -r.days_late)


def _overdue_by(start: dt.date, done: dt.date | None, today: dt.date, limit: int) -> int:
    """`domain.workdays.overdue_by`, its official calendar loaded only when there is a
    case or complaint to time (about 2 ms at the dashboard's start otherwise)."""
    from tui_app.domain import workdays

    return workdays.overdue_by(start, done, today, limit)
