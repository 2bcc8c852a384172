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
from typing import Any

from nums.dates import last_valid_day
from nums.evidence import EvidenceCheck
from nums.gaps import Gaps, gaps_for
from nums.pricing import NamedProgramme
from nums.progression import Standing, made_in_time, standing
from nums.standard import Edition, Pillar
from nums.submission import Award, Claim, Programme, Submission

MET = "met"
UNEVIDENCED = "claimed-unevidenced"
NOT_CLAIMED = "not-claimed"
# A reaccreditation needs no pillar evidence, so self-ratings are not compared with it.
NOT_COMPARED = "not-compared"


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
    self_rating_check: str  # agrees | over | under | unrated | not-compared (a reaccreditation)
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
    fees: tuple[NamedProgramme, ...] = ()  # each programme as it is priced (pricing.py's type)
    warnings: tuple[str, ...] = ()  # about the award's year running out; printed like file warnings

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


def rating_check(
    edition: Edition, claimed: str | None, evidenced: str | None, reaccreditation: bool = False
) -> str:
    """How a self-rating compares with the evidence; never compared for a reaccreditation,
    which "only need[s] to evidence continuation of provision"."""
    if reaccreditation:
        return NOT_COMPARED
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


def assess(
    edition: Edition,
    submission: Submission,
    on: date | None = None,
    today: date | None = None,
    decided: date | None = None,
) -> Assessment:
    """Evaluate ``submission`` on ``on`` (default: its application date).

    ``today`` (the caller's clock; the function stays pure) adds warnings about
    an award that lapses soon after, or lapsed before, today as well as the
    application date. The application itself, made on or before the held award's
    last valid day, keeps that award in force on later days until its outcome is
    final (``decided``, the day it became final; None: not yet).
    """
    day = on or submission.application.date
    claims = judge_claims(edition, submission)
    met = {i for i, c in claims.items() if c.status == MET}
    levels = pillar_levels(edition, met)
    pillars = {p.id: _pillar_result(edition, p, levels[p.id], claims, submission) for p in edition.pillars}
    evidence_level = overall_level(edition, levels)
    held = standing(edition, submission.history, day, submission.application.date, decided)
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
        fees=programme_fees(edition, submission, held, day),
        warnings=lapse_warnings(edition, submission, day, today),
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
        self_rating_check=rating_check(
            edition, claimed, level, submission.application.type == "reaccreditation"
        ),
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
    reasons += _institution_reasons(edition, submission)
    app = submission.application
    if app.type == "reaccreditation" and rules.reaccreditation.same_level_only and held.held != app.level:
        now = f"holds {edition.level_name(held.held)}" if held.held else "holds no valid accreditation"
        reasons.append(
            f"reaccreditation is only at the level currently held; the programme {now}, so a full (initial) "
            f"application is needed for {edition.level_name(app.level)}"
        )
    elif app.type == "reaccreditation":
        reasons += [why for _, why in uncovered_programmes(edition, submission, held)]
    return reasons


def _institution_reasons(edition: Edition, submission: Submission) -> list[str]:
    """A combined application is one university's: "a combined approach and shared
    expectations across several mentoring programmes"."""
    if not submission.combined or not edition.rules.programme.combined_same_institution:
        return []
    by_institution = _grouped(submission.programmes, lambda p: p.institution)
    if len(by_institution) < 2:
        return []
    listed = "; ".join(f"{place}: {', '.join(names)}" for place, names in by_institution.items())
    return [f"programmes of different institutions cannot be accredited as one application ({listed})"]


def _grouped(programmes: tuple[Programme, ...], key: Any) -> dict[str, list[str]]:
    """Programme names grouped by a field's value, blank values left out, in order of appearance."""
    groups: dict[str, list[str]] = {}
    for programme in programmes:
        value = key(programme)
        if value and value.strip():
            groups.setdefault(value.strip(), []).append(programme.name)
    return groups


def uncovered_programmes(edition: Edition, submission: Submission, held: Standing) -> list[tuple[str, str]]:
    """Programmes in a reaccreditation that the award held did not cover, with why.

    "Applications for reaccreditation at the same level only need to evidence
    continuation of provision": only what was accredited can continue. The award
    held covers the programmes it lists, or, when it lists none, those that had
    started when the level held was first awarded in the unbroken run.
    """
    if held.held is None or held.held_since is None or not held.run:
        return []
    award: Award = held.run[-1]
    level = edition.level_name(held.held)
    result = []
    for programme in submission.programmes:
        if award.programmes is not None:
            if _folded(programme.name) not in {_folded(name) for name in award.programmes}:
                result.append(
                    (
                        programme.name,
                        f"{programme.name} is not among the programmes the {level} award of "
                        f"{award.awarded.isoformat()} covered ({', '.join(award.programmes)}): it needs a "
                        "full application",
                    )
                )
        elif programme.started is not None and programme.started > held.held_since:
            result.append(
                (
                    programme.name,
                    f"{programme.name} started on {programme.started.isoformat()}, after the {level} award of "
                    f"{held.held_since.isoformat()}, so it is not covered by it: it needs a full application",
                )
            )
    return result


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


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
    notes += combined_notes(edition, submission)
    if eligibility.tailored:
        limit = edition.rules.programme.mentors_fewer_than
        notes.append(
            f"a programme of {limit} or more mentors is not a single programme under the standard's "
            f"definition (fewer than {limit} mentors): ask the scheme for a tailored arrangement"
        )
    return tuple(notes)


def combined_notes(edition: Edition, submission: Submission) -> list[str]:
    """For the coordinator and the assessor: what a combined application should show.

    "Accreditation applies for single mentoring programmes, unless there is a
    combined approach and shared expectations across several mentoring
    programmes, for example those being run in the same department by one
    coordinator." The assessor judges; nums names what is missing or differs.
    """
    if not submission.combined:
        return []
    notes = []
    if submission.combined_approach is None:
        notes.append(
            "a combined application should say what its programmes share (add 'combined_approach:' with the "
            "shared expectations, training and coordination): the standard accredits programmes together only "
            "where there is a combined approach and shared expectations"
        )
    for field in edition.rules.programme.combined_compare:
        groups = _grouped(submission.programmes, lambda p, f=field: _field_text(p, f))
        if len(groups) > 1:
            listed = "; ".join(f"{value}: {', '.join(names)}" for value, names in groups.items())
            notes.append(
                f"the programmes have different {field}s ({listed}); the standard's example of a combined approach "
                "is programmes run in the same department by one coordinator, so the assessor will judge whether "
                "the expectations are shared"
            )
    return notes


def _field_text(programme: Programme, field: str) -> str | None:
    """The compared value of a programme: its coordinator's name or its department."""
    if field == "coordinator":
        return programme.coordinator.name if programme.coordinator else None
    return programme.department


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


# --- fees: what each programme really is on the application date -----------------


def programme_fees(
    edition: Edition, submission: Submission, held: Standing, day: date
) -> tuple[NamedProgramme, ...]:
    """Each programme priced by what its application is on ``day``, not by the
    ``type:`` written in the file: "Applicants seeking to change level will need to
    submit a full application", and so does a programme whose award has lapsed or
    that the award held never covered. A programme that has not started cannot be
    accredited and is left out (kind None, with the reason)."""
    app = submission.application
    mixed = _institution_reasons(edition, submission)
    if mixed:  # one application of several institutions cannot be accredited, so nothing is priced
        return tuple(
            NamedProgramme(p.name, None, mixed[0], _institution_name(p.institution))
            for p in submission.programmes
        )
    not_started = {p.name for p in submission.programmes if not _has_started(edition, p, day)}
    uncovered = dict(uncovered_programmes(edition, submission, held)) if app.type == "reaccreditation" else {}
    whole = _full_application_reason(edition, submission, held) if app.type == "reaccreditation" else None

    def priced(programme: Programme) -> tuple[str | None, str | None]:
        if programme.name in not_started:
            return (
                None,
                f"{programme.name} has not started by {day.isoformat()}, so it cannot be accredited yet",
            )
        if app.type != "reaccreditation":
            return "initial", None
        if whole or programme.name in uncovered:
            return "initial", "priced as a full application: " + (whole or uncovered[programme.name])
        return "reaccreditation", None

    return tuple(
        NamedProgramme(
            programme.name, *priced(programme), institution=_institution_name(programme.institution)
        )
        for programme in submission.programmes
    )


def _institution_name(name: str | None) -> str | None:
    """An institution as quotes group and show it: runs of spaces as one, blank as none."""
    return " ".join(name.split()) if name and name.strip() else None


def _has_started(edition: Edition, programme: Programme, day: date) -> bool:
    if not edition.rules.programme.must_have_started:
        return True
    return programme.started is not None and programme.started <= day


def _full_application_reason(edition: Edition, submission: Submission, held: Standing) -> str | None:
    """Why a "reaccreditation" is really a full application, or None when it is one."""
    name = edition.level_name
    applied = submission.application.level
    if held.held == applied or not edition.rules.reaccreditation.same_level_only:
        return None
    if held.held is not None:
        return f"{name(applied)} would be a change of level from the {name(held.held)} held"
    last = _last_award(submission.history, submission.application.date)
    if last is None:
        return "the programme holds no award to renew"
    lapsed = last_valid_day(last.awarded, edition.rules.validity.months)
    return f"the {name(last.level)} award lapsed on {lapsed.isoformat()}"


def _last_award(history: tuple[Award, ...], day: date) -> Award | None:
    made = [a for a in history if a.awarded <= day]
    return max(made, key=lambda a: a.awarded) if made else None


def capped_words(result: Assessment, gaps: Gaps) -> str | None:
    """When the evidence reaches a level that progression does not yet allow, say so where
    the gaps are: "the evidence reaches Silver, but progression caps the award at Bronze"."""
    edition = result.edition
    cap = result.standing.cap
    if not gaps.reached or edition.rank(cap) >= edition.rank(gaps.target):
        return None
    name = edition.level_name
    return (
        f"The evidence reaches {name(gaps.target)}, but progression caps the award at {name(cap)}: "
        f"{result.standing.cap_reason}."
    )


# --- what holds while the application is decided ----------------------------------


def in_force_note(edition: Edition, submission: Submission, held: Standing) -> str | None:
    """The rule in words where it applies: "an application made on or before the held
    award's last valid day keeps that award in force until the outcome is final"."""
    force = held.in_force
    if force.award is None or force.last_valid_day is None:
        return None
    applied = submission.application.date
    if not made_in_time(edition, force.award, applied):
        return None
    level = edition.level_name(force.level)
    ends = force.last_valid_day.isoformat()
    if force.past_its_year:
        return (
            f"{level}'s year ended on {ends}; the application of {applied.isoformat()}, made on or before that "
            f"day, keeps {level} in force until its outcome is final"
        )
    return (
        f"this application ({applied.isoformat()}) is made on or before {level}'s last valid day ({ends}), so "
        f"{level} stays in force until its outcome is final, however long the decision takes"
    )


# --- the year running out ---------------------------------------------------------


def lapse_warnings(
    edition: Edition, submission: Submission, day: date, today: date | None
) -> tuple[str, ...]:
    """Warnings that make a lapse impossible to miss: the award's last valid day is
    near the application date (or today), or already past it. "Accreditation ...
    lasts for one year", and a lapsed programme starts again at the entry level.

    An application made on or before the last valid day keeps the award in force
    until its outcome is final (rules.yaml, ``validity.held_until_outcome``), so it
    needs no reminder: nothing urges a second application."""
    last = _last_award(submission.history, max(day, today or day))
    if last is None:
        return ()
    app = submission.application
    if made_in_time(edition, last, app.date) or _renewed_in_time(submission, last, edition):
        return ()
    ends = last_valid_day(last.awarded, edition.rules.validity.months)
    name = edition.level_name
    entry = name(edition.rules.progression.entry_level)
    window = edition.rules.validity.warn_days_before_lapse
    warnings: list[str] = []
    asked = "the application date" if day == app.date else "the date assessed"
    for when, label in ((day, asked), (today, "today")):
        if when is None or warnings:
            continue
        if ends < when:
            warnings.append(
                f"{name(last.level)} lapsed on {ends.isoformat()}, before {label} ({when.isoformat()}): unless a "
                f"later award is recorded in the history, the programme is a new applicant again and starts at {entry}"
            )
        elif (ends - when).days <= window:
            warnings.append(
                f"{name(last.level)} lapses on {ends.isoformat()}: {_in_time_advice(edition, last, ends, app.date)}"
            )
    return tuple(warnings)


def _in_time_advice(edition: Edition, last: Award, ends: date, applied: date) -> str:
    """What to do before the award lapses, said once: apply by its last valid day."""
    name = edition.level_name
    entry = name(edition.rules.progression.entry_level)
    later = f"this application is dated {applied.isoformat()}, after that day; " if applied > ends else ""
    if edition.rules.validity.held_until_outcome:
        return (
            f"{later}an application made by that day keeps {name(last.level)} in force until its outcome is "
            f"final; without one the programme is a new applicant again and starts at {entry}"
        )
    return f"{later}apply for reaccreditation by then, or the programme is a new applicant again and starts at {entry}"


def _renewed_in_time(submission: Submission, last: Award, edition: Edition) -> bool:
    """A reaccreditation at the level held, applied for by its last valid day, needs no reminder."""
    app = submission.application
    ends = last_valid_day(last.awarded, edition.rules.validity.months)
    return app.type == "reaccreditation" and app.level == last.level and last.awarded <= app.date <= ends
