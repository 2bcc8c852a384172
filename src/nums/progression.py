"""From a history of awards to the level held on a date, and what that allows.

The standard: new applicants start at the entry level (Bronze) and must hold
each level for six calendar months before applying for the next; no level is
skipped; accreditation lasts one year. An award in the history is dated by
the day its year starts. Awards form an unbroken run when each starts no
later than the day after the previous one's last valid day (no day between
them is uncovered: a timely renewal continues the old year); the level held
is the latest award's, and time at it counts from the first award of that
level in the run's closing streak of awards at that level.

What is in force on a day (``in_force``) also counts the application being
decided: nums' reading (rules.yaml, ``validity.held_until_outcome``) is that
"an application made on or before the held award's last valid day keeps that
award in force until the outcome is final".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from nums.dates import add_months, day_after, last_valid_day
from nums.standard import Edition
from nums.submission import Award


@dataclass(frozen=True)
class InForce:
    """The award in force on one day, counting an application made in time that is
    still being decided (the one answer every command gives to "what holds on D?")."""

    on: date
    award: Award | None  # the award in force on ``on``; None when none is
    last_valid_day: date | None  # the last day of the latest award's own year (None: no award made)
    until: date | None  # the last day it is (or was) in force; None: until the outcome is final
    application: date | None  # the application that keeps it in force past its year, if made in time
    lapsed: date | None  # with nothing in force: the last day the latest award was in force

    @property
    def level(self) -> str | None:
        return self.award.level if self.award else None

    @property
    def until_outcome(self) -> bool:
        """In force until an application's outcome is final, however long that takes."""
        return self.award is not None and self.until is None

    @property
    def past_its_year(self) -> bool:
        """In force only because an application made in time is not decided yet."""
        return self.award is not None and self.last_valid_day is not None and self.on > self.last_valid_day


def made_in_time(edition: Edition, award: Award, applied: date | None) -> bool:
    """An application made while ``award`` was valid: on or before its last valid day."""
    if applied is None or not edition.rules.validity.held_until_outcome:
        return False
    return award.awarded <= applied <= last_valid_day(award.awarded, edition.rules.validity.months)


def kept_until(edition: Edition, award: Award, applied: date | None, decided: date | None) -> date | None:
    """The last day ``award`` is in force: its last valid day; when an application was
    made in time, until the outcome is final (None while it is not), the day before the
    outcome if that is later than the last valid day."""
    last = last_valid_day(award.awarded, edition.rules.validity.months)
    if not made_in_time(edition, award, applied):
        return last
    if decided is None:
        return None
    return max(last, decided - timedelta(days=1))


def in_force(
    edition: Edition,
    history: Sequence[Award],
    on: date,
    applied: date | None = None,
    decided: date | None = None,
) -> InForce:
    """What is in force on ``on``: the latest award made by then, within its year or kept
    in force by an application made on or before its last valid day (``applied``, counted
    once made) whose outcome is not final by ``on`` (``decided``: the day it became final)."""
    made = sorted((a for a in history if a.awarded <= on), key=lambda a: a.awarded)
    if not made:
        return InForce(on, None, None, None, None, None)
    latest = made[-1]
    last = last_valid_day(latest.awarded, edition.rules.validity.months)
    pending = applied if applied is not None and applied <= on else None
    until = kept_until(edition, latest, pending, decided)
    held_by = pending if made_in_time(edition, latest, pending) and (until is None or until > last) else None
    if until is None or on <= until:
        return InForce(on, latest, last, until, held_by, None)
    return InForce(on, None, last, until, held_by, until)


@dataclass(frozen=True)
class Standing:
    """What the history means on one day."""

    on: date
    held: str | None  # level validly held on ``on``; None for a new applicant
    held_since: date | None  # first award of the held level in the unbroken run
    expires: date | None  # last valid day of the current accreditation
    last_expired: date | None  # when the history's latest award lapsed, if it has
    run: tuple[Award, ...]  # the unbroken run ending with the latest award
    cap: str  # the highest level that may be awarded on ``on``
    cap_reason: str
    next_level: str | None  # the level above the one held
    next_level_from: date | None  # earliest date to apply for it
    in_force: InForce  # what is in force on ``on`` and until when

    @property
    def new_applicant(self) -> bool:
        return self.held is None


def standing(
    edition: Edition,
    history: Sequence[Award],
    on: date,
    applied: date | None = None,
    decided: date | None = None,
) -> Standing:
    """The level held, the progression cap and the key dates on ``on``; an application
    made in time (``applied``) keeps the held award in force until ``decided``."""
    rules = edition.rules
    months = rules.validity.months
    awards = sorted((a for a in history if a.awarded <= on), key=lambda a: a.awarded)
    entry = rules.progression.entry_level
    force = in_force(edition, awards, on, applied, decided)
    if force.award is None:
        lapsed = force.lapsed
        reason = f"with no valid accreditation it is a new applicant, and new applicants start at {edition.level_name(entry)}"

        if lapsed:
            reason += f" (the last accreditation lapsed after {lapsed.isoformat()})"
        return Standing(on, None, None, None, lapsed, (), entry, reason, None, None, force)
    run = unbroken_run(awards, months)
    held = run[-1].level
    held_since = _streak_start(run, held)
    next_level = edition.level_above(held)
    next_from = add_months(held_since, rules.progression.months_at_level) if next_level else None
    cap, reason = _cap(edition, held, held_since, next_level, next_from, on)
    return Standing(
        on,
        held,
        held_since,
        last_valid_day(run[-1].awarded, months),
        None,
        run,
        cap,
        reason,
        next_level,
        next_from,
        force,
    )


def unbroken_run(awards: Sequence[Award], months: int) -> tuple[Award, ...]:
    """The awards, counted back from the latest, each starting no later than the day
    after the previous one's last valid day."""
    run = [awards[-1]]
    for earlier in reversed(awards[:-1]):
        if run[0].awarded <= day_after(last_valid_day(earlier.awarded, months)):
            run.insert(0, earlier)
        else:
            break
    return tuple(run)


def _streak_start(run: Sequence[Award], level: str) -> date:
    start = run[-1].awarded
    for award in reversed(run):
        if award.level != level:
            break
        start = award.awarded
    return start


def _cap(
    edition: Edition,
    held: str,
    since: date,
    next_level: str | None,
    next_from: date | None,
    on: date,
) -> tuple[str, str]:
    held_name = edition.level_name(held)
    if next_level is None or next_from is None:
        return held, f"the programme holds {held_name}, the highest level"
    next_name = edition.level_name(next_level)
    months = edition.rules.progression.months_at_level
    if on >= next_from:
        if edition.rules.progression.may_skip_levels:
            next_level, next_name = edition.levels[-1], edition.level_name(edition.levels[-1])
        return (
            next_level,
            f"the programme has held {held_name} since {since.isoformat()}, at least {months} months, so may apply for {next_name}",
        )
    return (
        held,
        f"the programme has held {held_name} only since {since.isoformat()}; {next_name} may be applied for from {next_from.isoformat()}",
    )
