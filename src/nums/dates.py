"""Calendar arithmetic for the scheme's date rules.

The standard counts in calendar months ("six months at Bronze", "lasts for
one year"). For the six-month rule, a day that does not exist in the target
month becomes that month's last day, so six months after 31 August is 28 (or
29) February. For validity, an award lasts up to the day before its
anniversary, and the anniversary of a day the target month lacks falls on the
first day of the next month (as UK law treats 29 February), so an award made
on 29 February 2024 is valid through 28 February 2025.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def anniversary(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; a day the target month lacks
    rolls forward to the first day of the next month (29 February + 1 year is
    1 March in a common year)."""
    moved = add_months(day, months)
    return moved if moved.day == day.day else moved + timedelta(days=1)


def last_valid_day(awarded: date, months: int) -> date:
    """An award whose year starts on ``awarded`` is valid up to and including
    the day before its anniversary ``months`` later (reported as ``expires``)."""
    return anniversary(awarded, months) - timedelta(days=1)


def day_after(day: date) -> date:
    return day + timedelta(days=1)
