"""The outcome letter (``nums review ... --letter``), with the pack's guarantees:
escaped, nothing fetched, atomic, dated by the review (or SOURCE_DATE_EPOCH).

The letter explains itself to the applicant: what was decided and why,
criterion by criterion in the standard's words. A reaccreditation letter
leads with continuation of provision and the level renewed; it shows no
pillar levels, which a reaccreditation never required. The view functions
below are presentation only: every level and date comes from ``Outcome``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time

from nums.outcome import FINAL, PROVISIONAL, Outcome
from nums.render.pdf import Document, render_pdf, render_template, source_date
from nums.render.review import held_words, raises_in_words, reaccreditation_words
from nums.review import ACCEPTED, CONTINUATION, MORE_EVIDENCE, REJECTED, Decision

CONTINUATION_WORDING = "Evidence that provision continues"
DECISION_WORDS = {
    ACCEPTED: "accepted",
    REJECTED: "not accepted",
    MORE_EVIDENCE: "more evidence requested",
    None: "not decided",
}


@dataclass(frozen=True)
class CriterionLine:
    """One criterion as the letter names it: id, the standard's words, decision, comment."""

    id: str
    pillar: str  # the pillar's name, or "" for continuation
    wording: str
    decision: str
    comment: str
    raises: str = ""  # for an evidence request: what accepting it alone would raise, in words


def _wording(outcome: Outcome, ident: str) -> str:
    if ident == CONTINUATION:
        return CONTINUATION_WORDING
    item = outcome.edition.item(ident)
    return f"{item.parent.rstrip(':')}: {item.text}" if item.parent else item.text


def _pillar_name(outcome: Outcome, ident: str) -> str:
    if ident == CONTINUATION:
        return ""
    return outcome.edition.pillar(outcome.edition.item(ident).pillar).name


def criterion_line(outcome: Outcome, ident: str, raises: str = "") -> CriterionLine:
    decision = outcome.review.decisions.get(ident) or Decision()
    return CriterionLine(
        id=ident,
        pillar=_pillar_name(outcome, ident),
        wording=_wording(outcome, ident),
        decision=DECISION_WORDS[decision.decision],
        comment=decision.comment.strip(),
        raises=raises,
    )


def feedback(outcome: Outcome) -> list[tuple[str, list[CriterionLine]]]:
    """Per pillar, what the applicant learns most from: claims not accepted, claims
    waiting for evidence, and criteria accepted that were not claimed."""
    claimed = {i for i, claim in outcome.submission.claims.items() if claim.met}
    unclaimed = set(outcome.unclaimed_accepted)
    sections = []
    for pillar in outcome.edition.pillars:
        p = outcome.pillars[pillar.id]
        lines = []
        for item in pillar.items:
            if item.id in unclaimed:
                line = criterion_line(outcome, item.id)
                lines.append(replace(line, decision="accepted, though not claimed"))
            elif (item.id in p.rejected and item.id in claimed) or item.id in p.more_evidence:
                lines.append(criterion_line(outcome, item.id))
        if lines:
            sections.append((pillar.name, lines))
    return sections


def included_criteria(outcome: Outcome) -> list[CriterionLine]:
    """For a reaccreditation: the criteria the applicant chose to include, with their decisions."""
    claimed = {i for i, claim in outcome.submission.claims.items() if claim.met}
    decided = {i for i in outcome.review.decisions if i != CONTINUATION}
    order = [item.id for item in outcome.edition.items]
    return [criterion_line(outcome, i) for i in order if i in claimed or i in decided]


def requests(outcome: Outcome) -> list[CriterionLine]:
    return [
        criterion_line(outcome, r.criterion, raises_in_words(outcome, r.raises)) for r in outcome.requests
    ]


def next_level_text(outcome: Outcome) -> str:
    """When the next level may be applied for, never in the past of the letter."""
    name = outcome.edition.level_name
    if outcome.next_level_from and outcome.next_level:
        when = (
            "from today"
            if outcome.next_level_from <= outcome.review.date
            else f"from {outcome.next_level_from}"
        )
        full = " (a full application)" if outcome.submission.application.type == "reaccreditation" else ""
        return f"{name(outcome.next_level)} may be applied for {when}{full}"
    if outcome.valid_from and outcome.outcome and not outcome.next_level:
        return f"{name(outcome.outcome)} is the highest level"
    return ""


def way_back_text(outcome: Outcome) -> str:
    """For a final outcome with no award: what still holds, until when, and the way back
    (a full application; made while the held award is in force, it keeps that award in force
    until its outcome is final; otherwise the programme starts again at the entry level)."""
    if outcome.status != FINAL or outcome.outcome is not None:
        return ""
    name = outcome.edition.level_name
    entry = name(outcome.edition.rules.progression.entry_level)
    held = outcome.held
    if held is None or held.in_force_until is None:
        return (
            f"The way back is a new application once the evidence reaches {entry}: a programme with no "
            f"award held applies as a new applicant, at {entry}. The feedback below says what was missing."
        )
    level, until = name(held.level), held.in_force_until
    if until >= outcome.review.date:
        return (
            f"Your {level} award still holds: it remains valid until {until}. The way back is a full "
            f"application: made on or before {until}, it keeps {level} in force until its outcome is final; "
            f"after that day the programme is a new applicant and starts at {entry}."
        )
    return (
        f"Your {level} award was kept in force while this application was decided, until {until}, and has "
        f"now ended. The way back is a full application, as a new applicant starting at {entry}."
    )


def send_how(outcome: Outcome) -> str:
    """How to send requested evidence: to the assessor who signs the letter, by criterion."""
    reviewer = outcome.review.reviewer
    to = f"to me at {reviewer.email}" if reviewer.email else f"to me, {reviewer.name}, through the scheme"
    if not outcome.requests:
        return f"reply {to}."
    criteria = [r.criterion for r in outcome.requests if r.criterion != CONTINUATION]
    naming = (
        f"naming each criterion by its id (such as {criteria[0]})"
        if criteria
        else "saying it is the evidence that provision continues"
    )
    where = "under its criterion" if criteria else "under continuation"
    return (
        f"reply {to}, {naming}. Add each file to the submission's evidence folder and list it {where}, "
        "then send the updated pack (nums pack --attach-evidence) or the files themselves."
    )


def next_steps(outcome: Outcome) -> list[str]:
    """For a final award: by when to apply for reaccreditation, and when the next level opens."""
    if outcome.status != FINAL or outcome.outcome is None or outcome.reaccreditation_by is None:
        return []
    steps = [reaccreditation_words(outcome)]
    steps[0] = (
        steps[0][0].upper() + steps[0][1:] + "; a renewal continues from the day after, so no day is lost."
    )
    days = outcome.edition.rules.validity.prepare_renewal_days
    steps.append(
        f"Gather the evidence that provision continues in good time: nums portfolio's calendar reminds you "
        f"{days} days before {outcome.reaccreditation_by}."
    )
    level = next_level_text(outcome)
    if level:
        steps.append(level + ".")
    return steps


def letter_html(result: Outcome, created: datetime) -> str:
    reaccreditation = result.submission.application.type == "reaccreditation"
    provisional = result.status == PROVISIONAL
    recognition = result.edition.rules.recognition
    return render_template(
        "letter.html",
        o=result,
        rv=result.review,
        sub=result.submission,
        ed=result.edition,
        level_name=result.edition.level_name,
        provisional=provisional,
        reaccreditation=reaccreditation,
        continuation=criterion_line(result, CONTINUATION) if reaccreditation else None,
        included=included_criteria(result) if reaccreditation else [],
        feedback=[] if reaccreditation else feedback(result),
        requests=requests(result),
        next_level=next_level_text(result),
        held=held_words(result),
        way_back=way_back_text(result),
        send_how=send_how(result),
        next_steps=next_steps(result),
        provides=recognition.provides if recognition and result.outcome and not provisional else (),
        created=created.isoformat(),
    )


def letter_pdf(result: Outcome) -> bytes:
    """The outcome letter ``nums review --letter`` writes and the app answers, dated by the review."""
    created = source_date(datetime.combine(result.review.date, time(0, 0), tzinfo=UTC))
    return render_pdf(Document(html=letter_html(result, created), created=created))
