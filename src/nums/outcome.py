"""The outcome of a review: each pillar's assessed level, the overall level and the award,
whether it is final, what evidence was asked for, and when the award runs.

"We then check the self-rating against the submission and evidence ... The
assessor will award an outcome for each pillar and the overall accreditation.
These cannot be appealed against, however the assessor will contact the
applicant prior to this to request more evidence if a criteria does not meet
the threshold."

Pillar and overall levels use the same best-fit and six-of-seven functions as
self-assessment, over the **accepted** criteria; the outcome is capped by the
same progression rule on the application date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from nums.dates import day_after, last_valid_day
from nums.evaluation import (
    combined_notes,
    lowest,
    overall_level,
    pillar_level,
    rating_check,
    standing_reasons,
)
from nums.progression import Standing, kept_until, made_in_time, standing
from nums.review import ACCEPTED, CONTINUATION, MORE_EVIDENCE, REJECTED, Decision, Override, Review
from nums.standard import Edition
from nums.submission import Award, Submission

PROVISIONAL, FINAL = "provisional", "final"
# What becomes of the award held when the application was made.
CONTINUED, REPLACED, ENDS, PENDING = "continued", "replaced", "ends", "pending"


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
