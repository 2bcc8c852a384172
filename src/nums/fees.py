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

from nums.errors import NumsError, Problem
from nums.evaluation import programme_fees
from nums.pricing import NamedProgramme, QuoteRequest, request_for
from nums.progression import standing
from nums.standard import Edition
from nums.submission import Submission


def named_programmes(edition: Edition, submission: Submission) -> tuple[NamedProgramme, ...]:
    """Each programme of one submission with the kind it is priced as, and why, on its
    application date (``evaluation.programme_fees``: fees follow the verdict)."""
    day = submission.application.date
    return programme_fees(edition, submission, standing(edition, submission.history, day), day)


def by_institution(
    edition: Edition, submissions: Sequence[Submission]
) -> list[tuple[str | None, list[tuple[NamedProgramme, int, Submission]]]]:
    """Every programme of the submissions with its mentors and submission, grouped by
    institution (compared without regard to case or spacing), in order of first appearance."""
    groups: dict[str, tuple[str | None, list[tuple[NamedProgramme, int, Submission]]]] = {}
    for submission in submissions:
        for priced, programme in zip(
            named_programmes(edition, submission), submission.programmes, strict=True
        ):
            key = (priced.institution or "").casefold()
            groups.setdefault(key, (priced.institution, []))[1].append(
                (priced, programme.mentors, submission)
            )
    return list(groups.values())


def mixed_institutions(groups: Sequence[tuple[str | None, Sequence[object]]]) -> Problem | None:
    """The refusal for a single request whose programmes belong to several institutions."""
    if len(groups) < 2:
        return None
    listed = "; ".join(name or "no institution given" for name, _ in groups)
    return Problem(
        f"the programmes belong to {len(groups)} institutions ({listed}): programmes of different "
        "institutions cannot be accredited together, so they are never priced as one request",
        suggestion="quote one institution's programmes at a time (`nums quote SUBMISSION...` gives one quote "
        "per institution)",
    )


def quote_date(submissions: Sequence[Submission], on: date | None, today: date) -> tuple[date, str]:
    """The quote's date and where it came from: the date given, else the application date
    the submissions share (as the pack's fee page is dated), else today."""
    if on is not None:
        return on, "the date asked for"
    dates = {s.application.date for s in submissions}
    if len(dates) == 1:
        return dates.pop(), "the application date"
    return today, "today: the submissions have different application dates"


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
    """One request for all the submissions' programmes, priced together; refused when they
    belong to several institutions (``institution_requests`` splits them instead).

    The largest programme's mentors (of those priced, or ``mentors`` when larger)
    decides whether costs must be tailored.
    """
    groups = by_institution(edition, submissions)
    refusal = mixed_institutions(groups)
    if refusal is not None:
        raise NumsError(refusal)
    named = [priced for _, members in groups for priced, _, _ in members]
    largest = max([mentors or 0] + [m for _, ms in groups for p, m, _ in ms if p.kind is not None])
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


def institution_requests(
    edition: Edition,
    submissions: Sequence[Submission],
    today: date,
    on: date | None = None,
    mentors: int | None = None,
    vat_rate: Decimal | None = None,
    alternatives: bool = True,
) -> tuple[tuple[QuoteRequest, ...], tuple[NamedProgramme, ...]]:
    """One request per institution (programmes of different institutions are never priced as
    one), each dated as ``quote_date`` dates its own submissions; and the programmes of
    institutions with nothing to price."""
    requests, left_out = [], []
    for _, members in by_institution(edition, submissions):
        named = tuple(priced for priced, _, _ in members)
        if all(p.kind is None for p in named):
            left_out += named
            continue
        own = list({id(sub): sub for _, _, sub in members}.values())
        day, dated_by = quote_date(own, on, today)
        largest = max([mentors or 0] + [m for p, m, _ in members if p.kind is not None])
        requests.append(
            request_for(
                named,
                largest_mentors=largest or None,
                on=day,
                vat_rate=vat_rate,
                dated_by=dated_by,
                alternatives=alternatives,
            )
        )
    return tuple(requests), tuple(left_out)
