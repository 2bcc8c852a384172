"""Renewals in everyone's calendar: the portfolio as an iCalendar file (RFC 5545).

Per programme holding an award: an all-day event on its last valid day, a
reminder to prepare the reaccreditation some days before (with an alarm), and
an all-day event on the first day it may apply for the next level. UIDs are the
programme id and the event kind, so importing a newer file updates events
rather than duplicating them; the stamp is the portfolio's date, so the same
inputs give the same bytes.

Names are the applicant's text: every text value goes through ``visible`` (so NUL, ESC and line
breaks, which iCalendar's TEXT cannot hold or a calendar would show as more lines, arrive as
visible escapes), and icalendar escapes the rest (``,``, ``;``, ``\\``) for the format.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from nums.escaping import visible
from nums.portfolio import LAPSED, Portfolio, ProgrammeRow
from nums.standard import Edition

PRODID = "-//nums//University mentoring portfolio//EN"
UID_DOMAIN = "nums.portfolio"


def portfolio_calendar(edition: Edition, result: Portfolio) -> bytes:
    """The calendar's bytes (CRLF line ends, folded, as RFC 5545 asks)."""
    from icalendar import Calendar  # only the calendar needs it

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", visible(f"{edition.title}: renewals"))
    stamp = datetime.combine(result.on, time(0, 0), tzinfo=UTC)
    for row in result.rows:
        for event in programme_events(edition, row, stamp):
            calendar.add_component(event)
    return calendar.to_ical()


def programme_events(edition: Edition, row: ProgrammeRow, stamp: datetime) -> list[object]:
    """The events of one programme holding (or having held) an award."""
    award = row.award
    if award is None or row.status == LAPSED:
        return []
    level = edition.level_name(award.level)
    if award.until_outcome:
        events = _kept_in_force_events(edition, row, level, stamp)
    else:
        events = _renewal_events(edition, row, level, stamp)
    if row.next_level and row.next_level_from and row.next_level_from <= award.valid_until:
        following = edition.level_name(row.next_level)
        events.append(
            _event(
                row,
                "next-level",
                row.next_level_from,
                stamp,
                f"{row.name}: may apply for {following}",
                f"From this day {row.name} has held {level} long enough to apply for {following}, until the "
                f"{level} award ends on {award.valid_until.isoformat()}.",
            )
        )
    return events


def _renewal_events(edition: Edition, row: ProgrammeRow, level: str, stamp: datetime) -> list[object]:
    """The award's last valid day and, some days before, a reminder to apply for reaccreditation."""
    award = row.award
    assert award is not None
    days = edition.rules.validity.prepare_renewal_days
    return [
        _event(
            row,
            "expires",
            award.valid_until,
            stamp,
            f"{row.name}: {level} accreditation ends (last valid day)",
            f"The {level} award of {row.name} is valid until the end of this day. Reaccreditation applied for "
            "by then continues it from the next day.",
        ),
        _event(
            row,
            "prepare-renewal",
            award.valid_until - timedelta(days=days),
            stamp,
            f"{row.name}: prepare the {level} reaccreditation",
            f"The {level} award of {row.name} ends on {award.valid_until.isoformat()} ({days} days from now): "
            "gather the evidence that provision continues and apply for reaccreditation before then.",
            alarm=True,
        ),
    ]


def _kept_in_force_events(edition: Edition, row: ProgrammeRow, level: str, stamp: datetime) -> list[object]:
    """An application made in time keeps the award in force until its outcome is final (rules.yaml,
    ``validity.held_until_outcome``): the last valid day ends nothing, and there is no
    reaccreditation left to prepare. The same two events are written again (same UIDs, a later
    SEQUENCE) so that a calendar which imported an earlier file updates them instead of keeping a
    stale "ends" and its alarm; the reminder is marked cancelled, with no alarm."""
    award = row.award
    assert award is not None
    applied = f" on {row.application_date.isoformat()}" if row.application_date else ""
    return [
        _event(
            row,
            "expires",
            award.valid_until,
            stamp,
            f"{row.name}: {level} award's last valid day; it stays in force until the outcome",
            f"The {level} award of {row.name} was valid until the end of this day. The application made"
            f"{applied} was made by then, so the award stays in force until that application's outcome"
            " is final.",
            revised=True,
        ),
        _event(
            row,
            "prepare-renewal",
            award.valid_until - timedelta(days=edition.rules.validity.prepare_renewal_days),
            stamp,
            f"{row.name}: no reaccreditation to prepare (applied in time)",
            f"An application for {row.name} was made{applied}, by the {level} award's last valid day: the "
            "award stays in force until its outcome is final, so this reminder is cancelled.",
            revised=True,
            cancelled=True,
        ),
    ]


def _event(
    row: ProgrammeRow,
    kind: str,
    day: date,
    stamp: datetime,
    summary: str,
    description: str,
    alarm: bool = False,
    revised: bool = False,
    cancelled: bool = False,
) -> object:
    """One all-day event. ``revised`` events replace the reminders of an earlier file (SEQUENCE 1);
    ``cancelled`` ones tell a calendar to drop what it imported under that UID."""
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", visible(f"{row.id}/{kind}@{UID_DOMAIN}"))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", visible(summary))
    event.add("description", visible(description))
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Mentoring accreditation"])
    if revised:
        event.add("sequence", 1)
    if cancelled:
        event.add("status", "CANCELLED")
    if alarm:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", visible(summary))
        reminder.add("trigger", timedelta(hours=9))  # 09:00 on the day, relative to its start
        event.add_component(reminder)
    return event
