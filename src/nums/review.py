"""The assessor's review: decisions per criterion, overrides per pillar, and
the outcome they lead to.

"We then check the self-rating against the submission and evidence ... The
assessor will award an outcome for each pillar and the overall accreditation.
These cannot be appealed against, however the assessor will contact the
applicant prior to this to request more evidence if a criteria does not meet
the threshold."

Pillar and overall levels use the same best-fit and six-of-seven functions as
self-assessment, over the **accepted** criteria; the outcome is capped by the
same progression rule on the application date. The review file is a public
contract, like the submission file.

A review belongs to one submission. ``nums review --init`` records which
(``submission: {programme, institution}``) and its fingerprint
(``submission_sha256``): a review naming another programme is refused, before
anything else in it is read; one whose fingerprint differs is for the same
programme's changed submission, and nums warns. Unknown keys are refused where
the verdict is decided (a misspelt ``decisons:`` would silently drop every
decision), and only warned about in ``reviewer:``.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from nums.dates import day_after, last_valid_day
from nums.errors import NumsError, Problem, did_you_mean, limited
from nums.evaluation import (
    combined_notes,
    lowest,
    overall_level,
    pillar_level,
    rating_check,
    standing_reasons,
)
from nums.limits import MAX_NAME_CHARACTERS, text_problems
from nums.models import Day, Open, unknown_keys, validation_problems
from nums.progression import Standing, kept_until, made_in_time, standing
from nums.standard import Edition
from nums.submission import Award, Submission
from nums.yamlsource import YamlDocument, load_yaml, parse_yaml

DecisionWord = Literal["accepted", "rejected", "more-evidence"]
ACCEPTED, REJECTED, MORE_EVIDENCE = "accepted", "rejected", "more-evidence"
CONTINUATION = "continuation"
PROVISIONAL, FINAL = "provisional", "final"
# What becomes of the award held when the application was made.
CONTINUED, REPLACED, ENDS, PENDING = "continued", "replaced", "ends", "pending"


class Reviewer(Open):
    name: str = Field(max_length=MAX_NAME_CHARACTERS)
    email: str | None = Field(default=None, max_length=MAX_NAME_CHARACTERS)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the reviewer's name is needed: the outcome letter is signed with it")
        return value


class Decision(Open):
    """One criterion's decision; an empty decision means not decided yet."""

    decision: DecisionWord | None = None
    comment: str = ""

    @field_validator("comment", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class Override(Open):
    """A pillar level set by the assessor's judgement; the reason is required."""

    level: str | None
    reason: str = ""


class Reviewed(Open):
    """The submission a review was written for, as ``nums review --init`` records it."""

    programme: str = Field(min_length=1)  # its name; a combined application's names joined by " · "
    institution: str | None = None


class ReviewFile(Open):
    reviewer: Reviewer
    date: Day
    submission: Reviewed | None = None
    submission_sha256: str | None = None
    decisions: dict[str, Decision] = Field(default_factory=dict)
    overrides: dict[str, Override] = Field(default_factory=dict)

    @field_validator("decisions", "overrides", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


@dataclass(frozen=True)
class Review:
    path: Path
    reviewer: Reviewer
    date: date
    decisions: dict[str, Decision]
    overrides: dict[str, Override]
    submission_sha256: str | None = None
    submission: Reviewed | None = None  # the programme it was written for, when it says
    warnings: tuple[Problem, ...] = ()


def reviewed(submission: Submission) -> dict[str, str | None]:
    """What a review records of the submission it is written for (its ``submission:``)."""
    return {"programme": submission.title, "institution": submission.programme.institution}


def submission_changed(review: Review, fingerprints: Collection[str]) -> bool:
    """The review names a submission fingerprint that is not one of this submission's
    (``fingerprint.fingerprints``): the submission has changed since the review was started.

    Only a review for this submission gets this far: one whose ``submission:`` names
    another programme is refused when it is read."""
    recorded = review.submission_sha256
    return bool(recorded) and recorded not in fingerprints


def load_review(path: str | Path, edition: Edition, submission: Submission) -> Review:
    """Read and check a review file against the edition and the submission it reviews."""
    return review_from_document(load_yaml(path, kind="review file"), Path(path), edition, submission)


def review_from_text(text: str, path: str | Path, edition: Edition, submission: Submission) -> Review:
    """A review file's text, checked as ``load_review`` checks the file (the web app's saves)."""
    return review_from_document(
        parse_yaml(text, str(path), kind="review file"), Path(path), edition, submission
    )


def review_from_document(doc: YamlDocument, path: Path, edition: Edition, submission: Submission) -> Review:
    """The checks of ``load_review`` on a parsed review file."""
    if not isinstance(doc.data, dict):
        raise NumsError(doc.problem((), "a review must be a mapping with 'reviewer', 'date' and 'decisions'"))
    too_long = text_problems(doc, "review")
    if too_long:
        raise NumsError(too_long)
    other = _written_for(doc, submission)
    if other:  # the one thing to say: none of its decisions are this submission's
        raise NumsError(other)
    unread, warnings = _unknown_keys(doc)
    try:
        parsed = ReviewFile.model_validate(doc.data)
    except ValidationError as exc:
        problems = validation_problems(doc, exc, ReviewFile)
        reported = {p.field for p in problems}
        more = (
            p for p in itertools.chain(_salvaged(doc, edition, submission), unread) if p.field not in reported
        )
        raise NumsError(limited(itertools.chain(problems, more), doc.path)) from None
    problems = limited(itertools.chain(_check(doc, parsed, edition, submission), unread), doc.path)
    if problems:
        raise NumsError(problems)
    return Review(
        Path(path),
        parsed.reviewer,
        parsed.date,
        dict(parsed.decisions),
        dict(parsed.overrides),
        parsed.submission_sha256,
        parsed.submission,
        tuple(limited(warnings, doc.path)),
    )


def _unknown_keys(doc: YamlDocument) -> tuple[Iterator[Problem], Iterator[Problem]]:
    """Keys the review format does not define: refused where the verdict is decided (the top
    level, each decision, each override), where a misspelt ``decisons:`` or ``coment:`` would
    silently drop what it holds; a warning in ``reviewer:``, which only signs the letter.
    Both are lazy, so a file of many unknown keys costs only the problems reported."""
    refused = (
        unknown.problem(doc, _UNREAD)
        for unknown in unknown_keys(doc.data, ReviewFile)
        if unknown.location[0] != "reviewer"
    )
    warned = (
        unknown.problem(doc, "not a field of the review format; it is kept but not used")
        for unknown in unknown_keys(doc.data, ReviewFile)
        if unknown.location[0] == "reviewer"
    )
    return refused, warned


_UNREAD = "not a field of the review format, and nums does not decide a review with part of it unread"


def _written_for(doc: YamlDocument, submission: Submission) -> Problem | None:
    """A review whose ``submission:`` names another programme (or institution) than the
    submission's is for another submission: refused before anything else is read, so one
    programme's decisions never reach another's letter."""
    record = doc.data.get("submission")
    if not isinstance(record, dict):
        return None
    programme, institution = record.get("programme"), record.get("institution")
    if not isinstance(programme, str) or not programme.strip():
        return None  # the schema's error says what is wrong with it
    if not (institution is None or isinstance(institution, str)):
        return None
    ours = reviewed(submission)
    if _names(programme) == _names(ours["programme"]) and (
        institution is None or _names(institution) == _names(ours["institution"])
    ):
        return None
    written = programme + (f" of {institution}" if institution else "")
    return doc.problem(
        ("submission",),
        f"this review was written for {written}, not for {ours['programme']} of {ours['institution']}",
        "review each submission with its own review file, started with nums review --init; "
        "if the programme was renamed, correct submission: in the review",
    )


def _names(text: str | None) -> list[str]:
    """Names compared as people read them: case, runs of spaces and the order of a combined
    application's programmes (joined by " · ") do not count."""
    return sorted(" ".join(part.split()).casefold() for part in (text or "").split(" · "))


def _check(
    doc: YamlDocument, parsed: ReviewFile, edition: Edition, submission: Submission
) -> Iterator[Problem]:
    applied = submission.application.date
    if parsed.date < applied:
        yield doc.problem(
            ("date",),
            f"the review is dated {parsed.date.isoformat()}, before the application ({applied.isoformat()})",
            "a decision follows the application",
        )
    for ident in parsed.decisions:
        if ident == CONTINUATION:
            if submission.application.type != "reaccreditation":
                yield doc.problem(
                    ("decisions", ident), "only a reaccreditation has continuation evidence to decide"
                )
            continue
        problem = _unknown_item(doc, edition, ident)
        if problem:
            yield problem
    for pillar_id, override in parsed.overrides.items():
        where = ("overrides", pillar_id)
        if pillar_id not in edition.pillar_ids:
            yield doc.problem(
                where, f"unknown pillar {pillar_id!r}", did_you_mean(pillar_id, edition.pillar_ids)
            )
        if override.level is not None and override.level not in edition.levels:
            yield doc.problem(
                (*where, "level"),
                f"unknown level {override.level!r}",
                did_you_mean(override.level.lower(), edition.levels)
                or "levels: " + ", ".join(edition.levels),
            )
        if not override.reason.strip():
            yield doc.problem(
                (*where, "reason"),
                "an override must give its reason",
                "add reason: with the judgement behind the level",
            )


def _salvaged(doc: YamlDocument, edition: Edition, submission: Submission) -> Iterator[Problem]:
    """The id, pillar and level checks, run on the raw data when the schema already
    failed, so that every problem in a review is reported in one run."""
    data: dict[str, Any] = doc.data
    decisions = data.get("decisions")
    for ident in decisions if isinstance(decisions, dict) else ():
        if ident == CONTINUATION:
            if submission.application.type != "reaccreditation":
                yield doc.problem(
                    ("decisions", ident), "only a reaccreditation has continuation evidence to decide"
                )
        elif problem := _unknown_item(doc, edition, ident):
            yield problem
    overrides = data.get("overrides")
    for pillar_id, override in overrides.items() if isinstance(overrides, dict) else ():
        if pillar_id not in edition.pillar_ids:
            yield doc.problem(
                ("overrides", pillar_id),
                f"unknown pillar {pillar_id!r}",
                did_you_mean(pillar_id, edition.pillar_ids),
            )
        level = override.get("level") if isinstance(override, dict) else None
        if isinstance(level, str) and level not in edition.levels:
            yield doc.problem(
                ("overrides", pillar_id, "level"),
                f"unknown level {level!r}",
                did_you_mean(level.lower(), edition.levels) or "levels: " + ", ".join(edition.levels),
            )


def _unknown_item(doc: YamlDocument, edition: Edition, ident: str) -> Problem | None:
    found = edition.item_id_problem(ident, "decided", "decide each topic")
    return doc.problem(("decisions", ident), *found) if found else None


# --- the outcome -------------------------------------------------------------------


@dataclass(frozen=True)
class PillarOutcome:
    id: str
    level: str | None  # the assessed level: the override where there is one
    computed: str | None  # best fit over the accepted criteria
    override: Override | None
    self_rating: str | None
    self_rating_check: str
    evidence_level: str | None  # the coordinator's own evidence level
    accepted: tuple[str, ...]
    rejected: tuple[str, ...]
    more_evidence: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceRequest:
    criterion: str
    comment: str
    raises: tuple[str, ...]  # what accepting it alone would raise: pillar ids and/or "outcome"

    @property
    def would_raise(self) -> bool:
        return bool(self.raises)


@dataclass(frozen=True)
class HeldFate:
    """The award held on the application date, and what the outcome makes of it.

    "An application made on or before the held award's last valid day keeps that
    award in force until the outcome is final" (rules.yaml, ``held_until_outcome``).
    """

    level: str
    awarded: date  # the day its year started
    last_valid_day: date  # the last day of its own year
    in_force_until: date | None  # the last day it is in force; None: until the outcome is final
    becomes: str  # continued | replaced | ends | pending

    @property
    def until_outcome(self) -> bool:
        return self.becomes == PENDING and self.in_force_until is None


@dataclass(frozen=True)
class Outcome:
    edition: Edition
    submission: Submission
    review: Review
    status: str  # provisional | final
    pillars: dict[str, PillarOutcome]
    overall: str | None
    standing: Standing
    outcome: str | None
    accreditable: bool
    reasons: tuple[str, ...]
    notes: tuple[str, ...]  # for the assessor to judge: what a combined application lacks or differs in
    requests: tuple[EvidenceRequest, ...]
    undecided: tuple[str, ...]  # everything not decided yet, continuation first
    optional_undecided: tuple[str, ...]  # of those, what a reaccreditation may leave undecided
    unclaimed_accepted: tuple[str, ...]
    continuation: str | None  # the continuation decision, for a reaccreditation
    valid_from: date | None
    valid_until: date | None
    continues: date | None  # the last valid day of the held award this one continues, if it does
    next_level: str | None
    next_level_from: date | None
    held: HeldFate | None = None  # the award held on the application date, and what becomes of it
    evidence_due: date | None = None  # provisional, with evidence requested: send it by this day
    reaccreditation_by: date | None = None  # a final award: apply for reaccreditation by this day


def decided(review: Review, word: str) -> frozenset[str]:
    return frozenset(i for i, d in review.decisions.items() if d.decision == word and i != CONTINUATION)


def claimed(submission: Submission) -> tuple[str, ...]:
    return tuple(i for i, claim in submission.claims.items() if claim.met)


def assessed_levels(edition: Edition, review: Review, accepted: frozenset[str]) -> dict[str, str | None]:
    """Best fit over ``accepted``, with the assessor's overrides on top."""
    levels = {}
    for pillar in edition.pillars:
        override = review.overrides.get(pillar.id)
        levels[pillar.id] = override.level if override else pillar_level(edition, pillar, accepted)
    return levels


@dataclass(frozen=True)
class Case:
    """What every outcome calculation needs besides the decisions themselves."""

    edition: Edition
    submission: Submission
    held: Standing  # the progression standing on the application date
    eligible: bool  # started, and (for reaccreditation) at the level held


def outcome_level(case: Case, review: Review, accepted: frozenset[str]) -> str | None:
    """The lowest of the assessed overall level, the progression cap and the level applied for."""
    if not case.eligible:
        return None
    edition, app = case.edition, case.submission.application
    if app.type == "reaccreditation":
        decision = review.decisions.get(CONTINUATION)
        continuing = decision is not None and decision.decision == ACCEPTED
        needed = edition.rules.reaccreditation.requires_continuation_evidence
        return app.level if continuing or not needed else None
    overall = overall_level(edition, assessed_levels(edition, review, accepted))
    if overall is None:
        return None
    return lowest(edition, overall, case.held.cap, app.level)


def review_outcome(
    edition: Edition, submission: Submission, review: Review, evidence_levels: dict[str, str | None]
) -> Outcome:
    """Everything the assessor's report and letter say, from the decisions."""
    app = submission.application
    held = standing(edition, submission.history, app.date)
    reasons = tuple(standing_reasons(edition, submission, held, app.date))
    accepted = decided(review, ACCEPTED)
    levels = assessed_levels(edition, review, accepted)
    case = Case(edition, submission, held, not reasons)
    result = outcome_level(case, review, accepted)
    claims = claimed(submission)
    undecided = tuple(i for i in claims if (review.decisions.get(i) or Decision()).decision is None)
    if app.type == "reaccreditation" and (review.decisions.get(CONTINUATION) or Decision()).decision is None:
        undecided = (CONTINUATION, *undecided)
    requests = _requests(case, review, accepted, levels, result)
    final = is_final(case, review, undecided, requests)
    valid_from, valid_until = (
        award_dates(edition, held, result, review.date) if final and result else (None, None)
    )
    after = (
        standing(edition, (*submission.history, Award(level=result, awarded=valid_from)), valid_from)
        if valid_from and result
        else None
    )
    return Outcome(
        edition=edition,
        submission=submission,
        review=review,
        status=FINAL if final else PROVISIONAL,
        pillars={
            p.id: _pillar(edition, p.id, review, submission, levels, evidence_levels) for p in edition.pillars
        },
        overall=overall_level(edition, levels),
        standing=held,
        outcome=result,
        accreditable=not reasons,
        reasons=reasons,
        notes=tuple(combined_notes(edition, submission)),
        requests=requests,
        undecided=undecided,
        optional_undecided=tuple(i for i in undecided if i != CONTINUATION) if renewal(case) else (),
        unclaimed_accepted=tuple(sorted(accepted - set(claims), key=_order(edition))),
        continuation=(review.decisions.get(CONTINUATION) or Decision()).decision,
        valid_from=valid_from,
        valid_until=valid_until,
        continues=continued_award(edition, held, result) if valid_from and result else None,
        next_level=after.next_level if after else None,
        next_level_from=after.next_level_from if after else None,
        held=held_fate(edition, held, app.date, result if final else PENDING, valid_from, review.date),
        evidence_due=evidence_due(edition, review, requests) if not final else None,
        reaccreditation_by=valid_until if final and result else None,
    )


def evidence_due(edition: Edition, review: Review, requests: tuple[EvidenceRequest, ...]) -> date | None:
    """The day requested evidence is due: nums' own period after the review date
    (rules.yaml, ``assessment.evidence_response_days``); None when nothing is requested."""
    if not requests:
        return None
    return review.date + timedelta(days=edition.rules.assessment.evidence_response_days)


def held_fate(
    edition: Edition,
    held: Standing,
    applied: date,
    result: str | None,
    valid_from: date | None,
    reviewed: date,
) -> HeldFate | None:
    """What becomes of the award held on the application date: kept in force while the
    outcome is not final; continued by an award at its level; replaced by an award at
    another level, in force until the day before it starts; or ended by a refusal, on its
    last valid day or, when the refusal comes later, the day before it.

    ``held`` is the standing on the application date ``applied``; ``result`` is the level
    awarded, None for no award, or ``PENDING`` while the outcome is provisional."""
    force = held.in_force
    if force.award is None or force.last_valid_day is None or force.level is None:
        return None
    award, last = force.award, force.last_valid_day
    if result == PENDING:
        until = None if made_in_time(edition, award, applied) else last
        return HeldFate(force.level, award.awarded, last, until, PENDING)
    if result is not None and valid_from is not None and continued_award(edition, held, result):
        return HeldFate(force.level, award.awarded, last, last, CONTINUED)
    if result is not None and valid_from is not None:
        kept = kept_until(edition, award, applied, valid_from) or last
        return HeldFate(force.level, award.awarded, last, min(valid_from - timedelta(days=1), kept), REPLACED)
    return HeldFate(
        force.level, award.awarded, last, kept_until(edition, award, applied, reviewed) or last, ENDS
    )


def renewal(case: Case) -> bool:
    """A reaccreditation is decided on its continuation of provision alone."""
    return case.submission.application.type == "reaccreditation"


def is_final(
    case: Case, review: Review, undecided: tuple[str, ...], requests: tuple[EvidenceRequest, ...]
) -> bool:
    """Final when nothing that decides the outcome is open.

    "Applications for reaccreditation at the same level only need to evidence
    continuation of provision": there only the continuation decision counts, and
    criteria the applicant chose to include may stay undecided. Otherwise every
    claimed criterion needs a decision and no request for evidence may be open.
    """
    if renewal(case):
        if not case.edition.rules.reaccreditation.requires_continuation_evidence:
            return True
        decision = (review.decisions.get(CONTINUATION) or Decision()).decision
        return decision in (ACCEPTED, REJECTED)
    return not undecided and not requests


def continued_award(edition: Edition, held: Standing, level: str) -> date | None:
    """The last valid day of the award that an award at ``level`` continues, if it continues one.

    An award at the level already held, applied for while that award was valid
    (``held`` is the standing on the application date), continues it: nums' reading
    of "lasts for one year" for renewals (rules.yaml, ``validity.renewal_continues``).
    """
    if edition.rules.validity.renewal_continues and held.held == level and held.expires is not None:
        return held.expires
    return None


def award_dates(edition: Edition, held: Standing, level: str, reviewed: date) -> tuple[date, date]:
    """The first and last valid day of an award at ``level`` decided on ``reviewed``.

    A continuing award's year starts the day after the held award's last valid
    day, whether the review came before or after that day, so a renewal loses no
    paid time and the run stays unbroken. Any other award starts on its review date.
    """
    continues = continued_award(edition, held, level)
    start = day_after(continues) if continues else reviewed
    return start, last_valid_day(start, edition.rules.validity.months)


def _order(edition: Edition) -> Any:
    index = {item.id: n for n, item in enumerate(edition.items)}
    return lambda ident: index.get(ident, len(index))


def _pillar(
    edition: Edition,
    pillar_id: str,
    review: Review,
    submission: Submission,
    levels: dict[str, str | None],
    evidence_levels: dict[str, str | None],
) -> PillarOutcome:
    ids = [item.id for item in edition.pillar(pillar_id).items]

    def having(word: str) -> tuple[str, ...]:
        return tuple(i for i in ids if (review.decisions.get(i) or Decision()).decision == word)

    claimed_level = submission.self_rating.get(pillar_id)
    return PillarOutcome(
        id=pillar_id,
        level=levels[pillar_id],
        computed=pillar_level(edition, edition.pillar(pillar_id), decided(review, ACCEPTED)),
        override=review.overrides.get(pillar_id),
        self_rating=claimed_level,
        self_rating_check=rating_check(
            edition, claimed_level, levels[pillar_id], submission.application.type == "reaccreditation"
        ),
        evidence_level=evidence_levels.get(pillar_id),
        accepted=having(ACCEPTED),
        rejected=having(REJECTED),
        more_evidence=having(MORE_EVIDENCE),
    )


def _requests(
    case: Case, review: Review, accepted: frozenset[str], levels: dict[str, str | None], result: str | None
) -> tuple[EvidenceRequest, ...]:
    """The more-evidence decisions, each marked with what accepting it alone would raise."""
    requests = []
    for ident, decision in review.decisions.items():
        if decision.decision != MORE_EVIDENCE:
            continue
        if ident == CONTINUATION:
            trial = replace(review, decisions={**review.decisions, CONTINUATION: Decision(decision=ACCEPTED)})
            trial_accepted = accepted
        else:
            trial, trial_accepted = review, accepted | {ident}
        raises = _raises(case, trial, trial_accepted, levels, result)
        requests.append(EvidenceRequest(ident, decision.comment.strip(), raises))
    order = _order(case.edition)
    return tuple(sorted(requests, key=lambda r: order(r.criterion)))


def _raises(
    case: Case, review: Review, accepted: frozenset[str], levels: dict[str, str | None], result: str | None
) -> tuple[str, ...]:
    edition = case.edition
    after = assessed_levels(edition, review, accepted)
    raised = [p for p in edition.pillar_ids if edition.rank(after[p]) > edition.rank(levels[p])]
    if edition.rank(outcome_level(case, review, accepted)) > edition.rank(result):
        raised.append("outcome")
    return tuple(raised)
