"""What waits for each person on signing in (issue 23): "Each person sees, on signing in, what is
waiting for them: the coordinator's open requests, the assessor's queue, finance's unpaid
invoices, the lead's programmes lapsing within the horizon."

The applications' part is ``journey.waiting_for``; the lead's part is the reminders' reading of
when an award lapses (``reminders.lapsing``): the horizon is the standard's, the farthest reminder
day of the programme's edition (rules.yaml's ``warn_days_before_lapse``, 90), so the lead sees on
the site what the reminders mail about. This module joins the two (it imports both, neither
imports it)."""

from __future__ import annotations

from datetime import date

from nums import policy
from nums.site import journey, reminders
from nums.site.folder import OpenSite
from nums.site.journey import Waiting


def waiting_on_site(site: OpenSite, person: policy.Person, on: date | None = None) -> list[Waiting]:
    """Everything waiting for ``person`` on ``on`` (today), in one transaction: what the waiting
    page, the landing page after sign-in and ``GET /api/waiting`` show."""
    day = on or date.today()
    with site.transaction() as db:
        found = journey.waiting_for(db, person, day)
        lapsing = reminders.lapsing(db, site.workspace, person, day)
    return found + [
        Waiting(due.programme, lapsing_words(due.level, due.lapses, day), due.lapses, "lapsing")
        for due in lapsing
    ]


def lapsing_words(level: str, lapses: date, on: date) -> str:
    """The lead's line: which award, its last day, how many days are left, and what to do."""
    left = (lapses - on).days
    counted = "today is its last day" if left == 0 else f"{left} day{'' if left == 1 else 's'} left"
    return f"the {level} award ends on {lapses.isoformat()} ({counted}): apply to renew it"
