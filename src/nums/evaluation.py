"""Self-assessment: what the evidence supports, what may be awarded on the
application date, and why.

Pure functions from an edition, a submission and a date to an ``Assessment``.
Every threshold comes from the edition's rules: best fit (more than half of a
level's items, every lower level reached too), the overall rule (six of the
seven pillars at a level or higher), progression and validity.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date

from nums.evidence import EvidenceCheck
from nums.gaps import Gaps, gaps_for
from nums.progression import Standing, standing
from nums.standard import Edition, Pillar
from nums.submission import Claim, Submission

MET = "met"
UNEVIDENCED = "claimed-unevidenced"
NOT_CLAIMED = "not-claimed"


@dataclass(frozen=True)
class ClaimResult:
    """One item's status and the reasons a claim does not count."""

    id: str
    status: str  # met | claimed-unevidenced | not-claimed
    reasons: tuple[str, ...]
    evidence: tuple[EvidenceCheck, ...]


@dataclass(frozen=True)
class PillarResult:
    id: str
    level: str | None
    self_rating: str | None
    self_rating_check: str  # agrees | over | under | unrated
    met: tuple[str, ...]
    claimed_unevidenced: tuple[str, ...]
    counts: dict[str, tuple[int, int, int]]  # level -> (met, needed, items)


@dataclass(frozen=True)
class Eligibility:
    accreditable: bool
    reasons: tuple[str, ...]  # why it cannot be accredited
    notes: tuple[str, ...]  # what else the coordinator should know
    tailored: bool  # a programme of too many mentors needs a tailored arrangement


@dataclass(frozen=True)
class Assessment:
    edition: Edition
    submission: Submission
    on: date
    claims: dict[str, ClaimResult]
    pillars: dict[str, PillarResult]
    evidence_level: str | None
    standing: Standing
    awardable: str | None
    awardable_reason: str
    eligibility: Eligibility
    continuation: ClaimResult | None
    gaps: Gaps
    next_gaps: Gaps | None

    @property
    def met_ids(self) -> frozenset[str]:
        return frozenset(i for i, c in self.claims.items() if c.status == MET)


# --- best fit and the overall rule (shared with the assessor's review) ---------


def pillar_level(edition: Edition, pillar: Pillar, met: Collection[str]) -> str | None:
    """The highest level whose items are more than half met, lower levels included."""
    reached: str | None = None
    for level in edition.levels:
        if level_met(edition, pillar, level, met):
            reached = level
        elif edition.rules.best_fit.lower_levels_required:
            break
    return reached


def level_met(edition: Edition, pillar: Pillar, level: str, met: Collection[str]) -> bool:
    items = pillar.items_at(level)
    return sum(1 for item in items if item.id in met) >= edition.rules.best_fit.needed(len(items))


def pillar_levels(edition: Edition, met: Collection[str]) -> dict[str, str | None]:
    return {pillar.id: pillar_level(edition, pillar, met) for pillar in edition.pillars}


def overall_level(edition: Edition, levels: Mapping[str, str | None]) -> str | None:
    """The highest level at which enough pillars stand at that level or higher."""
    needed = edition.rules.overall.min_pillars_at_level
    ranks = sorted((edition.rank(level) for level in levels.values()), reverse=True)
    return edition.level_at(ranks[needed - 1]) if len(ranks) >= needed else None


def lowest(edition: Edition, *levels: str | None) -> str | None:
    return edition.level_at(min(edition.rank(level) for level in levels))


def rating_check(edition: Edition, claimed: str | None, evidenced: str | None) -> str:
    if claimed is None:
        return "unrated"
    difference = edition.rank(claimed) - edition.rank(evidenced)
    return "agrees" if difference == 0 else "over" if difference > 0 else "under"


# --- claims --------------------------------------------------------------------


def judge_claim(item_id: str, claim: Claim | None, submission: Submission) -> ClaimResult:
    """Met only when claimed, stated, and backed by at least one usable item."""
    if claim is None or not claim.met:
        return ClaimResult(item_id, NOT_CLAIMED, (), ())
    checks = tuple(submission.check(item) for item in claim.evidence)
    reasons = [f"{c.target}: {c.problem}" for c in checks if c.problem]
    if not claim.statement.strip():
        reasons.insert(0, "no statement")
    if not any(c.usable for c in checks):
        reasons.insert(0, "no usable evidence" if checks else "no evidence")
    usable = claim.statement.strip() and any(c.usable for c in checks)
    return ClaimResult(item_id, MET if usable else UNEVIDENCED, tuple(reasons), checks)


def judge_claims(edition: Edition, submission: Submission) -> dict[str, ClaimResult]:
    return {
        item.id: judge_claim(item.id, submission.claims.get(item.id), submission) for item in edition.items
    }


# --- the whole assessment ------------------------------------------------------


def assess(edition: Edition, submission: Submission, on: date | None = None) -> Assessment:
    """Evaluate ``submission`` on ``on`` (default: its application date)."""
    day = on or submission.application.date
    claims = judge_claims(edition, submission)
    met = {i for i, c in claims.items() if c.status == MET}
    levels = pillar_levels(edition, met)
    pillars = {p.id: _pillar_result(edition, p, levels[p.id], claims, submission) for p in edition.pillars}
    evidence_level = overall_level(edition, levels)
    held = standing(edition, submission.history, day)
    continuation = (
        judge_claim("continuation", submission.continuation, submission) if submission.continuation else None
    )
    eligibility = _eligibility(edition, submission, held, continuation, day)
    eligibility = replace(eligibility, notes=_notes(edition, eligibility, evidence_level, held, submission))
    awardable, reason = _awardable(edition, submission, evidence_level, held, eligibility)
    target = submission.application.level
    above = edition.level_above(target)
    return Assessment(
        edition=edition,
        submission=submission,
        on=day,
        claims=claims,
        pillars=pillars,
        evidence_level=evidence_level,
        standing=held,
        awardable=awardable,
        awardable_reason=reason,
        eligibility=eligibility,
        continuation=continuation,
        gaps=gaps_for(edition, met, levels, target, claims_unevidenced(claims)),
        next_gaps=gaps_for(edition, met, levels, above, claims_unevidenced(claims)) if above else None,
    )


def claims_unevidenced(claims: Mapping[str, ClaimResult]) -> frozenset[str]:
    return frozenset(i for i, c in claims.items() if c.status == UNEVIDENCED)


def _pillar_result(
    edition: Edition,
    pillar: Pillar,
    level: str | None,
    claims: Mapping[str, ClaimResult],
    submission: Submission,
) -> PillarResult:
    ids = [item.id for item in pillar.items]
    met = tuple(i for i in ids if claims[i].status == MET)
    counts = {
        lvl: (
            sum(1 for item in pillar.items_at(lvl) if item.id in met),
            edition.rules.best_fit.needed(len(pillar.items_at(lvl))),
            len(pillar.items_at(lvl)),
        )
        for lvl in edition.levels
    }
    claimed = submission.self_rating.get(pillar.id)
    return PillarResult(
        id=pillar.id,
        level=level,
        self_rating=claimed,
        self_rating_check=rating_check(edition, claimed, level),
        met=met,
        claimed_unevidenced=tuple(i for i in ids if claims[i].status == UNEVIDENCED),
        counts=counts,
    )


def _eligibility(
    edition: Edition, submission: Submission, held: Standing, continuation: ClaimResult | None, day: date
) -> Eligibility:
    reasons = standing_reasons(edition, submission, held, day)
    app = submission.application
    if app.type == "reaccreditation" and not reasons:
        reasons += _continuation_reasons(edition, continuation)
    limit = edition.rules.programme.mentors_fewer_than
    large = [p for p in submission.programmes if p.mentors >= limit]
    return Eligibility(not reasons, tuple(reasons), (), bool(large))


def standing_reasons(edition: Edition, submission: Submission, held: Standing, day: date) -> list[str]:
    """Why the programme cannot be accredited at all on ``day``, whatever its evidence:
    not started, or a reaccreditation at a level it does not hold. Shared with the review."""
    rules = edition.rules
    reasons: list[str] = []
    for programme in submission.programmes:
        if rules.programme.must_have_started and (programme.started is None or programme.started > day):
            planned = f" (planned start {programme.started.isoformat()})" if programme.started else ""
            reasons.append(
                f"{programme.name} has not started by {day.isoformat()}{planned}: a programme must be running "
                "when it applies"
            )
    if submission.combined and not rules.programme.combined_applications_allowed:
        reasons.append("this edition does not accredit programmes together")
    app = submission.application
    if app.type == "reaccreditation" and rules.reaccreditation.same_level_only and held.held != app.level:
        now = f"holds {edition.level_name(held.held)}" if held.held else "holds no valid accreditation"
        reasons.append(
            f"reaccreditation is only at the level currently held; the programme {now}, so a full (initial) "
            f"application is needed for {edition.level_name(app.level)}"
        )
    return reasons


def _continuation_reasons(edition: Edition, continuation: ClaimResult | None) -> list[str]:
    if not edition.rules.reaccreditation.requires_continuation_evidence:
        return []
    if continuation is None:
        return [
            "reaccreditation needs continuation evidence: add 'continuation' with a statement and evidence"
        ]
    if continuation.status != MET:
        return ["the continuation evidence does not count: " + "; ".join(continuation.reasons)]
    return []


def _awardable(
    edition: Edition, submission: Submission, evidence: str | None, held: Standing, eligibility: Eligibility
) -> tuple[str | None, str]:
    app = submission.application
    if not eligibility.accreditable:
        return None, "cannot be accredited: " + "; ".join(eligibility.reasons)
    if app.type == "reaccreditation":
        return (
            app.level,
            f"reaccreditation at {edition.level_name(app.level)}, the level held, with continuation evidence",
        )
    if evidence is None:
        need = edition.rules.overall.min_pillars_at_level
        first = edition.level_name(edition.levels[0])
        return None, f"the evidence does not bring {need} pillars to {first}"
    result = lowest(edition, evidence, held.cap, app.level)
    parts = [
        f"evidence supports {edition.level_name(evidence)}",
        f"progression allows {edition.level_name(held.cap)} ({held.cap_reason})",
        f"{edition.level_name(app.level)} was applied for",
    ]
    return result, "; ".join(parts) + f": the lowest is {edition.level_name(result)}"


def _notes(
    edition: Edition, eligibility: Eligibility, evidence: str | None, held: Standing, submission: Submission
) -> tuple[str, ...]:
    """What else the coordinator should know: more supported than applied for, when the level
    applied for may be awarded, a programme too large for the standard's definition."""
    notes: list[str] = []
    app = submission.application
    name = edition.level_name
    if edition.rank(evidence) > edition.rank(app.level) and app.type == "initial":
        notes.append(
            f"the evidence would support {name(evidence)}, more than the {name(app.level)} applied for"
        )
    if edition.rank(app.level) > edition.rank(held.cap) and app.type == "initial":
        notes.append(_when_next(edition, held, app.level))
    if eligibility.tailored:
        limit = edition.rules.programme.mentors_fewer_than
        notes.append(
            f"a programme of {limit} or more mentors is not a single programme under the standard's "
            f"definition (fewer than {limit} mentors): ask the scheme for a tailored arrangement"
        )
    return tuple(notes)


def _when_next(edition: Edition, held: Standing, applied: str) -> str:
    """What to do to be awarded the level applied for, given the progression rule."""
    name = edition.level_name
    months = edition.rules.progression.months_at_level
    if held.held is None:
        return (
            f"{name(applied)} cannot be awarded yet: after an award at {name(held.cap)}, the programme may apply "
            f"for the next level once it has held that level for {months} months"
        )
    if held.next_level_from is not None and held.next_level == applied:
        return f"{name(applied)} may be applied for from {held.next_level_from.isoformat()}"
    return f"{name(applied)} cannot be awarded yet: levels are not skipped, one level at a time"
