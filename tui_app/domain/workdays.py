"""Working days (工作日) on the Chinese official calendar, for legal deadlines.

Deadlines such as "file a case within 15 working days of the clue" skip weekends and
public holidays but count the make-up Saturdays/Sundays (调休). The `chinesecalendar`
package carries the State Council's published calendar; for a year it does not know
yet we fall back to Monday–Friday, which errs by at most a holiday week.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

_ONE_DAY = dt.timedelta(days=1)


def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the published calendar does not cover yet
        return day.weekday() < 5


def add_workdays(start: dt.date, count: int) -> dt.date:
    """The day on which `count` working days after `start` have passed (the deadline)."""
    day = start
    left = count
    while left > 0:
        day += _ONE_DAY
        if is_workday(day):
            left -= 1
    return day


def workdays_after(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how far past `start` an event on `end` came."""
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if is_workday(day):
            count += 1
    return count


def overdue_by(start: dt.date, done: dt.date | None, today: dt.date, limit: int) -> int:
    """Working days past the `limit`-day deadline (0 when in time).

    A thing done is judged by when it was done; a thing still open by today.
    """
    return max(0, workdays_after(start, done or today) - limit)
