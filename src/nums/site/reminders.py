"""Reminders before an award lapses (``nums site remind DIR``).

"Reminders before an award lapses, at the days rules.yaml already names (90 and 60): nums site
remind DIR sends what is due today and records what it sent, so running it daily (cron, a systemd
timer) never sends a reminder twice, and a day it missed is caught up." (issue 23)

The days are the edition's ``validity.warn_days_before_lapse`` and ``validity.prepare_renewal_days``.
A reminder of an award is due from ``days`` before its last valid day until that day. Each one sent
is a row keyed by the award (programme, level, the day its year started) and the days: the key is
what makes a second run send nothing. A run that finds two due at once (the 90-day one was missed
past the 60th day) sends the nearer one only and records the earlier as covered by it: one
message, never two on a day. No reminder is sent for a programme whose renewal is already on its
way (an application submitted and not yet decided), nor for an award that has lapsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nums import policy
from nums.site import audit, mail
from nums.site import db as tables
from nums.site.folder import OpenSite
from nums.site.journey import _coordinators, _leads, programme_thing, state_of
from nums.site.records import ReminderSent
from nums.site.states import OPEN
from nums.standard import Edition
from nums.workspace import Workspace

SYSTEM = "nums site remind"  # the audit trail's actor for what the reminders command does


@dataclass(frozen=True)
class Due:
    """A reminder due: the award (programme, level, first day), its last valid day, which reminder."""

    programme: str
    level: str
    awarded: date
    lapses: date
    days_before: int


def reminder_days(edition: Edition) -> tuple[int, ...]:
    """The days before a lapse that reminders go out, farthest first (rules.yaml)."""
    validity = edition.rules.validity
    return tuple(sorted({validity.warn_days_before_lapse, validity.prepare_renewal_days}, reverse=True))


def due_for(edition: Edition, programme: str, awards: tuple, on: date) -> list[Due]:
    """Every reminder whose day has come on ``on`` for the award held then (pure: no record read)."""
    from nums.portfolio import held_award

    held, lapsed = held_award(edition, awards, on)
    if held is None or lapsed or on > held.valid_until:
        return []
    return [
        Due(programme, held.level, held.awarded, held.valid_until, days)
        for days in reminder_days(edition)
        if (held.valid_until - on).days <= days
    ]


def remind(site: OpenSite, on: date, now: datetime | None = None) -> list[Due]:
    """Send the reminders due on ``on`` that were not sent before; return those sent."""
    moment = now or tables.now()
    workspace = Workspace(site.workspace)
    sent: list[Due] = []
    for place in workspace.programmes():
        loaded = workspace.load(place, on)
        if loaded.submission is None or loaded.edition is None:
            continue
        due = due_for(loaded.edition, place.id, _awards(site, place.id, loaded.submission.history), on)
        if due:
            sent += _send_due(site, due, on, moment)
    return sent


def _awards(site: OpenSite, programme: str, history: tuple) -> tuple:
    """The programme's history, with the awards the site decided that it does not list yet."""
    with site.transaction() as db:
        return awards_of(db, programme, history)


def awards_of(db: Session, programme: str, history: tuple) -> tuple:
    """The programme's ``history``, with the awards the site decided that it does not list yet."""
    from nums.site.journey import decided_awards
    from nums.submission import Award

    decided = decided_awards(db, programme)
    known = {(a.level, a.awarded) for a in history}
    return tuple(history) + tuple(
        Award(level=lv, awarded=day) for lv, day in decided if (lv, day) not in known
    )


def lapsing(db: Session, workspace: Path, person: policy.Person, on: date) -> list[Due]:
    """The programmes whose award lapses within the horizon, of those ``person`` is told of
    (``policy.Action.SEE_LAPSING_AWARDS``: the lead, of their institution's): "the lead's
    programmes lapsing within the horizon" (issue 23).

    The horizon is the standard's, not the site's: the farthest reminder day of the programme's
    edition (``reminder_days``, rules.yaml's 90), so what waits for the lead is exactly what a
    reminder has been sent about. As with the reminders, a programme whose renewal is on its way
    (an open application) is not waiting for anyone but its assessor, and a lapsed award is not
    lapsing. Each programme is one ``Due``: the nearest reminder day that has come."""
    found: list[Due] = []
    place_of = Workspace(workspace)
    for place in place_of.programmes():
        if not policy.can(person, policy.Action.SEE_LAPSING_AWARDS, programme_thing(db, place.id)):
            continue
        if state_of(db, place.id) in OPEN:
            continue
        loaded = place_of.load(place, on)
        if loaded.submission is None or loaded.edition is None:
            continue
        due = due_for(loaded.edition, place.id, awards_of(db, place.id, loaded.submission.history), on)
        if due:
            found.append(min(due, key=lambda d: d.days_before))
    return found


def _send_due(site: OpenSite, due: list[Due], on: date, moment: datetime) -> list[Due]:
    with site.transaction() as db:
        if state_of(db, due[0].programme) in OPEN:
            return []
        unsent = [d for d in due if not _was_sent(db, d)]
        if not unsent:
            return []
        nearest = min(unsent, key=lambda d: d.days_before)
        people = _coordinators(db, nearest.programme) + _leads(db, nearest.programme.partition("/")[0])
        emails = ", ".join(dict.fromkeys(p.email for p in people))
        try:
            with db.begin_nested():  # a savepoint: another run that sent it a moment ago wins
                for d in unsent:
                    told = emails if d is nearest else f"(covered by the {nearest.days_before}-day reminder)"
                    db.add(
                        ReminderSent(
                            programme=d.programme, level=d.level, awarded=d.awarded, days_before=d.days_before,
                            lapses=d.lapses, sent=moment, recipients=told,
                        )
                    )  # fmt: skip
        except IntegrityError:
            return []
        audit.record(
            db, SYSTEM, audit.REMINDER_SENT, nearest.programme, at=moment, level=nearest.level,
            lapses=nearest.lapses.isoformat(), days_before=nearest.days_before, to=emails,
        )  # fmt: skip
        _mail(site, db, nearest, people, on, moment)
        return [nearest]


def _was_sent(db: Session, due: Due) -> bool:
    query = select(ReminderSent.id).where(
        ReminderSent.programme == due.programme,
        ReminderSent.level == due.level,
        ReminderSent.awarded == due.awarded,
        ReminderSent.days_before == due.days_before,
    )
    return db.scalar(query) is not None


def _mail(site: OpenSite, db: Session, due: Due, people: list, on: date, moment: datetime) -> None:
    from nums.site.journey import programme_title

    link = mail.page_link(site.settings, due.programme)
    title = programme_title(site, due.programme)
    for person in dict.fromkeys(people):
        message = mail.compose(
            site.settings, "award_lapsing", person.email, name=person.name, programme=title, link=link,
            level=due.level, lapses=due.lapses.isoformat(), days=str((due.lapses - on).days),
        )  # fmt: skip
        went = mail.send(site.settings, message, shown_link=link)
        audit.record(
            db, SYSTEM, audit.MAIL_SENT if went else audit.MAIL_NOT_SENT, due.programme, at=moment,
            to=person.email, subject=str(message["Subject"]), kind="award_lapsing",
            **{audit.SUBJECT: audit.person_key(person.email)},
        )  # fmt: skip


def sent_reminders(db: Session) -> list[ReminderSent]:
    return list(db.scalars(select(ReminderSent).order_by(ReminderSent.id)))
