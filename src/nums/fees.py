"""What an application costs: a quote request built from submissions.

Each programme is priced by what its application really is on its application
date, not by the ``type:`` written in the file ("Applicants seeking to change
level will need to submit a full application"); a programme that cannot be
accredited because it has not started is left out and named. The pack's fee
page, ``nums quote SUBMISSION...`` and the web app all price through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from nums.evaluation import programme_fees
from nums.pricing import NamedProgramme, QuoteRequest, request_for
from nums.progression import standing
from nums.standard import Edition
from nums.submission import Submission


def named_programmes(edition: Edition, submission: Submission) -> tuple[NamedProgramme, ...]:
    """Each programme of one submission with the kind it is priced as, and why."""
    day = submission.application.date
    held = standing(edition, submission.history, day)
    return tuple(
        NamedProgramme(f.programme, f.kind, f.reason) for f in programme_fees(edition, submission, held, day)
    )


def quote_date(submissions: Sequence[Submission], on: date | None, today: date) -> tuple[date, str]:
    """The quote's date and where it came from: the date given, else the application date
    the submissions share (as the pack's fee page is dated), else today."""
    if on is not None:
        return on, "the date asked for"
    dates = {s.application.date for s in submissions}
    if len(dates) == 1:
        return dates.pop(), "the application date"
    return today, "today (the submissions have different application dates)"


def submissions_request(
    edition: Edition,
    submissions: Sequence[Submission],
    today: date,
    on: date | None = None,
    mentors: int | None = None,
    vat_rate: Decimal | None = None,
    addressee: str | None = None,
    alternatives: bool = True,
) -> QuoteRequest:
    """One request for all the submissions' programmes, priced together.

    The largest programme's mentors (of those priced, or ``mentors`` when larger)
    decides whether costs must be tailored.
    """
    named: list[NamedProgramme] = []
    largest = mentors or 0
    for submission in submissions:
        for priced, programme in zip(
            named_programmes(edition, submission), submission.programmes, strict=True
        ):
            named.append(priced)
            if priced.kind is not None:
                largest = max(largest, programme.mentors)
    day, dated_by = quote_date(submissions, on, today)
    return request_for(
        tuple(named),
        largest_mentors=largest or None,
        on=day,
        vat_rate=vat_rate,
        addressee=addressee,
        dated_by=dated_by,
        alternatives=alternatives,
    )
