"""Reminders before an award lapses (issue 23): "at the days rules.yaml already names (90 and 60):
nums site remind DIR sends what is due today and records what it sent, so running it daily [...]
never sends a reminder twice, and a day it missed is caught up." Tested as the issue asks: "a
clock moved day by day across a year of awards sends each reminder exactly once", the mail read
back from a real SMTP server."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from nums.dates import last_valid_day
from nums.site import accounts
from nums.site.reminders import remind, sent_reminders
from tests import journey_support, site_support
from tests.builders import submission_data, write_submission
from tests.conftest import RULES_EDITION
from tests.journey_support import INSTITUTION, make_site
from tests.test_site_mail import inbox

engine, quick_hashes = site_support.engine, site_support.quick_hashes
__all__ = ["inbox", "journey_support"]

# a year of awards: one a month or so, each on a day that tests the calendar (month ends, a leap day)
AWARDED = [
    date(2025, 1, 31),
    date(2025, 2, 28),
    date(2025, 4, 30),
    date(2025, 7, 1),
    date(2025, 10, 15),
    date(2025, 12, 31),
]


def add_programmes(j: journey_support.JourneySite) -> list[str]:
    """One programme per award, each with its own coordinator; the example programmes hold awards too."""
    ids = []
    with j.site.transaction() as db:
        for number, awarded in enumerate(AWARDED):
            name = f"programme-{number}"
            data = submission_data(applied=awarded, history=[{"level": "bronze", "awarded": awarded}])
            write_submission(j.site.workspace / INSTITUTION / name, data)
            person = accounts.add_person(
                db, f"coordinator{number}@harbourside.example.ac.uk", f"C{number}", None, INSTITUTION
            )
            accounts.grant(db, person, "coordinator", name)
            ids.append(f"{INSTITUTION}/{name}")
    return ids


def test_a_clock_moved_day_by_day_sends_each_reminder_exactly_once(engine, tmp_path: Path, inbox) -> None:  # type: ignore[no-untyped-def]
    received, port = inbox
    j = make_site(tmp_path / "site", engine, mail_port=port)
    ids = add_programmes(j)
    from nums.edition_loading import load_edition

    validity = load_edition(RULES_EDITION).rules.validity
    days_before = {validity.warn_days_before_lapse, validity.prepare_renewal_days}
    assert days_before == {90, 60}  # "the days rules.yaml already names (90 and 60)"
    day, sent_on = date(2025, 9, 1), {}
    while day <= date(2027, 1, 31):
        for due in remind(j.site, day):
            sent_on.setdefault((due.programme, due.days_before), []).append(day)
        day += timedelta(days=1)
    for programme, awarded in zip(ids, AWARDED, strict=True):
        lapses = last_valid_day(awarded, validity.months)
        for days in days_before:
            assert sent_on[(programme, days)] == [lapses - timedelta(days=days)], (programme, days)
    with j.site.transaction() as db:
        rows = sent_reminders(db)
    assert Counter((r.programme, r.days_before) for r in rows).most_common(1)[0][1] == 1  # never twice
    mine = [
        m for m in received.messages if "programme-" in m.get_content() or "Test Peer" in str(m["Subject"])
    ]
    assert len(mine) == len(ids) * 2 * 2  # each reminder to the coordinator and to the lead
    body = mine[0].get_content()
    assert "https://nums.example.org/p/harbourside/programme-" in body and "lapses after" in body


def test_a_day_missed_is_caught_up_and_two_due_at_once_send_one_message(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Not run at all until the 60th day before: one message (the nearer), the earlier covered by it."""
    j = make_site(tmp_path / "site", engine)
    ids = add_programmes(j)
    lapses = last_valid_day(AWARDED[0], 12)
    first = [d.days_before for d in remind(j.site, lapses - timedelta(days=59)) if d.programme == ids[0]]
    assert first == [60]
    assert [d for d in remind(j.site, lapses - timedelta(days=58)) if d.programme == ids[0]] == []
    with j.site.transaction() as db:
        rows = [r for r in sent_reminders(db) if r.programme == ids[0]]
    assert sorted(r.days_before for r in rows) == [60, 90]
    assert next(r for r in rows if r.days_before == 90).recipients == "(covered by the 60-day reminder)"


def test_run_weekly_each_reminder_goes_on_the_first_run_after_its_day(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    j = make_site(tmp_path / "site", engine)
    ids = add_programmes(j)
    runs, sent = [date(2025, 10, 1) + timedelta(weeks=n) for n in range(60)], {}
    for day in runs:
        for due in remind(j.site, day):
            sent.setdefault((due.programme, due.days_before), []).append(day)
    for programme, awarded in zip(ids, AWARDED, strict=True):
        ends = last_valid_day(awarded, 12)
        for days in (90, 60):
            expected = min(d for d in runs if d >= ends - timedelta(days=days))
            assert sent[(programme, days)] == [expected], (programme, days)


def test_no_reminder_for_a_renewal_on_its_way_nor_a_lapsed_award(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from nums.site import journey

    j = make_site(tmp_path / "site", engine)
    # the example's Bronze of 2025-05-12 lapses after 2026-05-11; its application is submitted
    journey.move(j.site, j.person("coordinator"), journey_support.PROGRAMME, "submitted")
    assert not [d for d in remind(j.site, date(2026, 3, 1)) if d.programme == journey_support.PROGRAMME]
    assert remind(j.site, date(2030, 1, 1)) == []
