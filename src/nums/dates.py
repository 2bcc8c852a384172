"""Calendar arithmetic for the scheme's date rules.

The standard counts in calendar months ("six months at Bronze", "lasts for
one year"). A day that does not exist in the target month becomes that
month's last day, so six months after 31 August is 28 (or 29) February and
the anniversary of 29 February is 28 February.
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


def last_valid_day(awarded: date, months: int) -> date:
    """An award made on ``awarded`` is valid up to and including the day before
    its anniversary ``months`` later (the date reported as ``expires``)."""
    return add_months(awarded, months) - timedelta(days=1)
