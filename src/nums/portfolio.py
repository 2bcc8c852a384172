"""A university's programmes on one date: what each holds, what lapses soon, what
may move up, next year's fees, and whether all run to one framework.

"These standards allow universities to gain accreditation and recognition for
their mentoring programmes, or if all of their programmes are run to the same
framework or standard, then a university-wide accreditation can be applied for."

The rows come from the same functions as ``assess`` and ``review``; the fees
from the same function as ``quote``. Loading a programme (``load_row``) reads its
files and keeps only the row, so a workspace of thousands stays small in memory;
``rows_for`` spreads large workspaces over a process pool.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from nums.dates import add_months, day_after, last_valid_day
from nums.errors import NumsError, Problem
from nums.evaluation import Assessment, assess
from nums.outcome import FINAL, Outcome
from nums.pricing import NamedProgramme, Quote, QuoteSet, quote, request_for
from nums.progression import in_force
from nums.standard import Edition
from nums.submission import SUBMISSION_FILE, Award, Submission

ACCREDITED, RENEWAL_DUE, LAPSED = "accredited", "renewal-due", "lapsed"
NEVER_ACCREDITED, NOT_STARTED, INVALID = "never-accredited", "not-started", "invalid"
STATUSES = (ACCREDITED, RENEWAL_DUE, LAPSED, NEVER_ACCREDITED, NOT_STARTED, INVALID)
REVIEW_FILE = "review.yaml"
POOL_FROM = 64  # programmes: below this, one process is faster than starting a pool


@dataclass(frozen=True)
class HeldAward:
    """The award held on the date (or the last one, when it has lapsed)."""

    level: str
    awarded: date  # the day its year starts
    valid_until: date  # the last valid day, counting renewals already decided that continue it
    # The last day it is in force: ``valid_until``, or later when an application made in
    # time kept it in force while it was decided; None while that application is undecided
    # ("an application made on or before the held award's last valid day keeps that award
    # in force until the outcome is final").
    in_force_until: date | None = None

    @property
    def until_outcome(self) -> bool:
        return self.in_force_until is None


@dataclass(frozen=True)
class ReviewState:
    status: str  # none | provisional | final
    outcome: str | None = None
    open_requests: int = 0


@dataclass(frozen=True)
class ProgrammeRow:
    """One programme of the portfolio; every field is known on the portfolio's date."""

    id: str
    path: str
    name: str
    institution: str | None
    status: str
    errors: tuple[str, ...] = ()
    award: HeldAward | None = None
    evidence_level: str | None = None
    awardable_level: str | None = None
    awardable_reason: str | None = None
    next_level: str | None = None
    next_level_from: date | None = None
    open_gaps: int | None = None
    over_rated: tuple[str, ...] = ()
    tailored: bool = False
    review: ReviewState = ReviewState("none")
    applied_level: str | None = None
    application_type: str | None = None
    programmes: tuple[tuple[str, int], ...] = ()  # (name, mentors) of each programme in the submission
    frameworks: tuple[str | None, ...] = ()  # each programme's ``framework``
    institutions: tuple[str | None, ...] = ()  # each programme's institution
    starts: tuple[date | None, ...] = ()  # each programme's ``started`` (planned, when in the future)
    application_date: date | None = None
    # The application is made (dated on or before the portfolio's date), priced, and its
    # outcome not final: its fee was due with it, so next year's fees do not count it again.
    under_way: bool = False


@dataclass(frozen=True)
class Fees:
    """Next year's fees, each kind priced as ``nums quote`` prices those programmes: one quote,
    or one per institution when they belong to several (``QuoteSet``)."""

    renewals: Quote | QuoteSet | None
    moves_up: Quote | QuoteSet | None
    renewal_ids: tuple[str, ...]
    move_up_ids: tuple[str, ...]
    returning: Quote | QuoteSet | None = None  # lapsed: a full application as a new applicant
    returning_ids: tuple[str, ...] = ()
    first: Quote | QuoteSet | None = None  # never accredited (or starting within the year)
    first_ids: tuple[str, ...] = ()
    under_way_ids: tuple[str, ...] = ()  # applied and not yet decided: priced when made


@dataclass(frozen=True)
class UniversityWide:
    framework: str | None  # the framework most programmes name
    all_same: bool
    differing: tuple[str, ...]  # ids that name another framework, none, or could not be read


@dataclass(frozen=True)
class Portfolio:
    on: date
    horizon_days: int
    rows: tuple[ProgrammeRow, ...]
    by_level: dict[str, int]
    by_status: dict[str, int]
    lapsing: tuple[str, ...]  # ids whose award ends within the horizon, soonest first
    fees: Fees
    university_wide: UniversityWide
    # Counted by programme (a combined submission holds several), beside the counts by
    # submission above: "an organisation offering peer, reverse and career mentoring ... would
    # be classed as 3 programmes".
    programmes_by_level: dict[str, int] | None = None
    programmes_by_status: dict[str, int] | None = None

    @property
    def programme_count(self) -> int:
        return sum(programme_count(row) for row in self.rows)

    @property
    def institutions(self) -> tuple[str, ...]:
        """Every institution the programmes name, in order of first appearance."""
        named = (" ".join(i.split()) for row in self.rows for i in row.institutions if i and i.strip())
        return tuple(dict.fromkeys(named))


def programme_count(row: ProgrammeRow) -> int:
    """The programmes a row stands for: each of a combined submission's; one for a file that
    does not load."""
    return len(row.programmes) or 1


# --- one programme ----------------------------------------------------------------


def awards_with_review(submission: Submission, outcome: Outcome | None) -> tuple[Award, ...]:
    """The history plus the award a final review made, unless the history records it already."""
    history = tuple(submission.history)
    if outcome is None or outcome.status != FINAL or outcome.outcome is None or outcome.valid_from is None:
        return history
    level, start = outcome.outcome, outcome.valid_from
    if any(a.level == level and a.awarded == start for a in history):
        return history
    return tuple(sorted((*history, Award(level=level, awarded=start)), key=lambda a: a.awarded))


def held_award(
    edition: Edition,
    awards: Sequence[Award],
    on: date,
    applied: date | None = None,
    decided: date | None = None,
) -> tuple[HeldAward | None, bool]:
    """The award held on ``on`` with its end counting renewals that continue it, or the last
    award made and ``True`` when it has lapsed; (None, False) with no award made yet.
    What is in force is ``progression.in_force``'s answer: an application made in time
    (``applied``) keeps the award in force until its outcome is final (``decided``)."""
    months = edition.rules.validity.months
    ordered = sorted(awards, key=lambda a: a.awarded)
    made = [a for a in ordered if a.awarded <= on]
    if not made:
        return None, False
    current = made[-1]
    end = last_valid_day(current.awarded, months)
    for later in (a for a in ordered if a.awarded > current.awarded):
        if later.level == current.level and later.awarded <= day_after(end):
            end = last_valid_day(later.awarded, months)
    force = in_force(edition, ordered, on, applied, decided)
    if force.award is None:
        kept = max(end, force.lapsed) if force.lapsed else end
        return HeldAward(current.level, current.awarded, end, kept), kept < on
    kept_to = None if force.until is None and end == force.last_valid_day else max(end, force.until or end)
    return HeldAward(current.level, current.awarded, end, kept_to), False


def assessed_with_review(
    edition: Edition, submission: Submission, outcome: Outcome | None, on: date, base: Assessment
) -> tuple[Assessment, tuple[Award, ...]]:
    """The assessment on ``on`` counting the award a final review made, and the day its outcome
    became final (``base`` when there is none: pillar levels do not depend on the history, only
    the standing does)."""
    awards = awards_with_review(submission, outcome)
    decided = decided_on(outcome)
    if awards == tuple(submission.history) and decided is None:
        return base, awards
    return assess(edition, replace(submission, history=awards), on, decided=decided), awards


def decided_on(outcome: Outcome | None) -> date | None:
    """The day the application's outcome became final (its review date), None while it is not."""
    return outcome.review.date if outcome is not None and outcome.status == FINAL else None


def programme_row(
    edition: Edition,
    ident: str,
    result: Assessment,
    awards: Sequence[Award],
    outcome: Outcome | None,
    horizon_days: int,
) -> ProgrammeRow:
    """A valid programme's row on ``result.on``: the same assessment as ``nums assess --on``,
    over its history and the award its final review made."""
    submission, on = result.submission, result.on
    award, lapsed = held_award(edition, awards, on, submission.application.date, decided_on(outcome))
    held = result.standing
    renewal = submission.application.type == "reaccreditation"
    return ProgrammeRow(
        id=ident,
        path=str(submission.path),
        name=submission.title,
        institution=submission.programme.institution,
        status=_status(submission, award, lapsed, on, horizon_days),
        award=award,
        evidence_level=result.evidence_level,
        awardable_level=result.awardable,
        awardable_reason=result.awardable_reason,
        next_level=held.next_level,
        next_level_from=held.next_level_from,
        open_gaps=_open_gaps(result),
        over_rated=()
        if renewal
        else tuple(p.id for p in result.pillars.values() if p.self_rating_check == "over"),
        tailored=result.eligibility.tailored,
        review=_review_state(outcome),
        applied_level=submission.application.level,
        application_type=submission.application.type,
        programmes=tuple((p.name, p.mentors) for p in submission.programmes),
        frameworks=tuple(p.framework for p in submission.programmes),
        institutions=tuple(p.institution for p in submission.programmes),
        starts=tuple(p.started for p in submission.programmes),
        application_date=submission.application.date,
        under_way=application_under_way(edition, submission, outcome, on),
    )


def application_under_way(
    edition: Edition, submission: Submission, outcome: Outcome | None, on: date
) -> bool:
    """Made by ``on`` (its date is on or before it), priced (some programme can be accredited,
    as the pack's fee page prices it) and not decided yet (no final review beside it)."""
    from nums.fees import named_programmes

    if submission.application.date > on or decided_on(outcome) is not None:
        return False
    return any(p.kind is not None for p in named_programmes(edition, submission))


def _open_gaps(result: Assessment) -> int:
    """Items still to evidence for the level applied for; for a reaccreditation, only the
    continuation evidence is required, so 1 until it counts."""
    if result.submission.application.type == "reaccreditation":
        return 0 if result.continuation is not None and result.continuation.status == "met" else 1
    return 0 if result.gaps.reached else result.gaps.items_to_raise


def _status(submission: Submission, award: HeldAward | None, lapsed: bool, on: date, horizon: int) -> str:
    if award is not None and not lapsed:
        if award.in_force_until is None:  # kept in force until an application made in time is decided
            return ACCREDITED
        return RENEWAL_DUE if (award.in_force_until - on).days <= horizon else ACCREDITED
    if award is not None:
        return LAPSED
    if any(p.started is None or p.started > on for p in submission.programmes):
        return NOT_STARTED
    return NEVER_ACCREDITED


def _review_state(outcome: Outcome | None) -> ReviewState:
    if outcome is None:
        return ReviewState("none")
    return ReviewState(outcome.status, outcome.outcome, len(outcome.requests))


def invalid_row(ident: str, path: Path, problems: Iterable[Problem]) -> ProgrammeRow:
    return ProgrammeRow(
        id=ident,
        path=str(path),
        name=ident,
        institution=None,
        status=INVALID,
        errors=tuple(str(p) for p in problems),
    )


def load_row(root: str, ident: str, on: date, horizon_days: int, standard: str | None = None) -> ProgrammeRow:
    """Read one programme folder (its submission and any review beside it) into its row.

    Never raises for what is in the files: a broken file gives an ``invalid`` row
    carrying its messages, so one programme never stops the report.
    """
    from nums.submission import submission_from_document
    from nums.workspace import Workspace
    from nums.yamlsource import load_yaml

    space = Workspace(root, standard)
    place = space.programme_at(ident)
    folder = Path(root) / ident
    if place is None:
        return invalid_row(ident, folder, [Problem("is not a programme folder", file=str(folder))])
    try:
        doc = load_yaml(place.path, kind=SUBMISSION_FILE, inside=space.resolved)
        edition = space.edition_for(doc.data if isinstance(doc.data, dict) else None, place.folder)
        submission = submission_from_document(doc, edition, place.path)
    except NumsError as error:
        return invalid_row(ident, place.path, error.problems)
    return submission_row(edition, ident, submission, on, horizon_days, space.resolved)


def submission_row(
    edition: Edition,
    ident: str,
    submission: Submission,
    on: date,
    horizon_days: int,
    root: str | Path | None = None,
) -> ProgrammeRow:
    """The row of a programme whose submission is already read (the web app's home page has
    them): assessed on ``on``, with the review beside it, if any. A broken review gives an
    ``invalid`` row carrying its messages; so does a review that is a link leading out of the
    workspace ``root`` (by default, out of the programme's own folder)."""
    from nums.outcome import review_outcome
    from nums.review import review_from_document
    from nums.yamlsource import load_yaml

    try:
        base = assess(edition, submission, on)
        outcome = None
        review_path = submission.folder / REVIEW_FILE
        if review_path.is_file():
            doc = load_yaml(review_path, kind="review file", inside=root or submission.folder)
            review = review_from_document(doc, review_path, edition, submission)
            levels = {pid: p.level for pid, p in base.pillars.items()}
            outcome = review_outcome(edition, submission, review, levels)
        result, awards = assessed_with_review(edition, submission, outcome, on, base)
        return programme_row(edition, ident, result, awards, outcome, horizon_days)
    except NumsError as error:
        return invalid_row(ident, submission.path, error.problems)


def _load_many(args: tuple[str, tuple[str, ...], date, int, str | None]) -> list[ProgrammeRow]:
    root, idents, on, horizon, standard = args
    return [load_row(root, ident, on, horizon, standard) for ident in idents]


def rows_for(
    root: str | Path, on: date, horizon_days: int, standard: str | None = None, jobs: int | None = None
) -> list[ProgrammeRow]:
    """Every programme's row, in id order: one process for a small workspace, a pool of
    ``jobs`` (default: the cores) for a large one, each worker sent ids in chunks."""
    from nums.workspace import Workspace

    idents = [place.id for place in Workspace(root, standard).programmes()]
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(idents) < POOL_FROM:
        return _load_many((str(root), tuple(idents), on, horizon_days, standard))
    from concurrent.futures import ProcessPoolExecutor

    size = max(16, len(idents) // (workers * 8))
    chunks = [tuple(idents[i : i + size]) for i in range(0, len(idents), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(_load_many, [(str(root), chunk, on, horizon_days, standard) for chunk in chunks])
        return [row for part in parts for row in part]


# --- the whole portfolio ------------------------------------------------------------


def summarise(edition: Edition, rows: Sequence[ProgrammeRow], on: date, horizon_days: int) -> Portfolio:
    """Counts, the programmes lapsing soon, next year's fees and the framework question."""
    held = [r for r in rows if r.status in (ACCREDITED, RENEWAL_DUE) and r.award]
    by_level = {level: sum(1 for r in held if r.award and r.award.level == level) for level in edition.levels}
    by_status = {status: sum(1 for r in rows if r.status == status) for status in STATUSES}
    lapsing = tuple(r.id for r in sorted((r for r in rows if r.status == RENEWAL_DUE), key=_ends))
    programmes_by_level = {
        level: sum(programme_count(r) for r in held if r.award and r.award.level == level)
        for level in edition.levels
    }
    programmes_by_status = {
        status: sum(programme_count(r) for r in rows if r.status == status) for status in STATUSES
    }
    return Portfolio(
        on=on,
        horizon_days=horizon_days,
        rows=tuple(rows),
        by_level=by_level,
        by_status=by_status,
        lapsing=lapsing,
        fees=next_year_fees(edition, rows, on),
        university_wide=university_wide(rows),
        programmes_by_level=programmes_by_level,
        programmes_by_status=programmes_by_status,
    )


def _ends(row: ProgrammeRow) -> tuple[date, str]:
    assert row.award is not None
    return row.award.in_force_until or row.award.valid_until, row.id


def next_year_fees(edition: Edition, rows: Sequence[ProgrammeRow], on: date) -> Fees:
    """A year of fees, each priced as ``nums quote`` prices that many programmes on ``on``.

    What each programme will really need: an application already made and not yet decided
    was priced when made, so it is not budgeted again. A lapsed programme returns with a full
    application as a new applicant; one never accredited (or starting within the year) makes
    a first application. Every award held ends within a year unless a renewal is already
    decided. A programme moves up (a full, initial application for the next level) when the
    next level's window opens within the year while its award still holds, and it applies
    for that level or its evidence already reaches it; any other award ending within the
    year is a renewal.
    """
    year_end = add_months(on, edition.rules.validity.months) - timedelta(days=1)
    moves, renewals, returning, first, under_way = [], [], [], [], []
    for row in rows:
        if row.status == INVALID:
            continue
        if row.under_way:
            under_way.append(row)
        elif row.status == LAPSED:
            returning.append(row)
        elif row.status == NEVER_ACCREDITED or (
            row.status == NOT_STARTED and all(s is not None and s <= year_end for s in row.starts)
        ):
            first.append(row)
        elif row.status not in (ACCREDITED, RENEWAL_DUE) or row.award is None:
            continue
        elif _moves_up(edition, row, year_end):
            moves.append(row)
        elif (row.award.in_force_until or row.award.valid_until) <= year_end:
            renewals.append(row)
    return Fees(
        renewals=_priced(edition, renewals, "reaccreditation", on),
        moves_up=_priced(edition, moves, "initial", on),
        renewal_ids=tuple(r.id for r in renewals),
        move_up_ids=tuple(r.id for r in moves),
        returning=_priced(edition, returning, "initial", on),
        returning_ids=tuple(r.id for r in returning),
        first=_priced(edition, first, "initial", on),
        first_ids=tuple(r.id for r in first),
        under_way_ids=tuple(r.id for r in under_way),
    )


def _moves_up(edition: Edition, row: ProgrammeRow, year_end: date) -> bool:
    if not (row.next_level and row.next_level_from and row.award):
        return False
    if row.next_level_from > min(year_end, row.award.valid_until):
        return False
    applies = row.application_type == "initial" and row.applied_level == row.next_level
    return applies or edition.rank(row.evidence_level) >= edition.rank(row.next_level)


def _priced(edition: Edition, rows: Sequence[ProgrammeRow], kind: str, on: date) -> Quote | QuoteSet | None:
    """Every programme of ``rows`` priced as ``kind`` on ``on``: one request per institution,
    since programmes of different institutions are never priced as one."""
    groups: dict[str, list[tuple[NamedProgramme, int]]] = {}
    for row in rows:
        places = row.institutions or (None,) * len(row.programmes)
        for (name, mentors), place in zip(row.programmes, places, strict=False):
            institution = " ".join(place.split()) if place and place.strip() else None
            key = (institution or "").casefold()
            groups.setdefault(key, []).append((NamedProgramme(name, kind, institution=institution), mentors))
    quotes = tuple(
        quote(
            edition.price_lists,
            request_for(tuple(p for p, _ in members), largest_mentors=max(m for _, m in members), on=on),
        )
        for members in groups.values()
    )
    if not quotes:
        return None
    return quotes[0] if len(quotes) == 1 else QuoteSet(quotes)


def university_wide(rows: Sequence[ProgrammeRow]) -> UniversityWide:
    """Whether every programme names the same ``framework``; nums decides nothing beyond that."""
    named = Counter(f for row in rows for f in row.frameworks if f)
    framework = min(named, key=lambda f: (-named[f], f)) if named else None
    differing = tuple(
        row.id
        for row in rows
        if row.status == INVALID
        or not row.frameworks
        or any(f is None or f != framework for f in row.frameworks)
    )
    return UniversityWide(framework, bool(rows) and framework is not None and not differing, differing)


def build(
    root: str | Path,
    edition: Edition,
    on: date,
    horizon_days: int,
    standard: str | None = None,
    jobs: int | None = None,
) -> Portfolio:
    return summarise(edition, rows_for(root, on, horizon_days, standard, jobs), on, horizon_days)
