"""The assessor's report: JSON for machines (a public contract) and text for a terminal."""

from __future__ import annotations

from datetime import date
from typing import Any

from nums.outcome import CONTINUED, FINAL, PENDING, REPLACED, Outcome
from nums.render.terminal import heading, shown, wrap
from nums.review import CONTINUATION


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def review_json(result: Outcome) -> dict[str, Any]:
    review = result.review
    return {
        "status": result.status,
        "edition": result.edition.id,
        "reviewer": review.reviewer.model_dump(),
        "date": review.date.isoformat(),
        "application": {
            "date": result.submission.application.date.isoformat(),
            "level": result.submission.application.level,
            "type": result.submission.application.type,
        },
        "pillars": {
            pillar_id: {
                "level": p.level,
                "computed_level": p.computed,
                "override": p.override.model_dump() if p.override else None,
                "self_rating": p.self_rating,
                "self_rating_check": p.self_rating_check,
                "evidence_level": p.evidence_level,
                "accepted": list(p.accepted),
                "rejected": list(p.rejected),
                "more_evidence": list(p.more_evidence),
            }
            for pillar_id, p in result.pillars.items()
        },
        "overall": {
            "level": result.overall,
            "cap": result.standing.cap,
            "cap_reason": result.standing.cap_reason,
            "outcome": result.outcome,
            "applied_level": result.submission.application.level,
            "accreditable": result.accreditable,
            "reasons": list(result.reasons),
            "notes": list(result.notes),
        },
        "continuation": result.continuation
        if result.submission.application.type == "reaccreditation"
        else None,
        "evidence_requests": [
            {
                "criterion": r.criterion,
                "comment": r.comment,
                "would_raise": r.would_raise,
                "raises": list(r.raises),
                "raises_in_words": raises_in_words(result, r.raises),
            }
            for r in result.requests
        ],
        "undecided": list(result.undecided),
        "optional_undecided": list(result.optional_undecided),
        "accepted_unclaimed": list(result.unclaimed_accepted),
        "valid_from": _iso(result.valid_from),
        "valid_until": _iso(result.valid_until),
        "continues_award_until": _iso(result.continues),
        "next_level": result.next_level,
        "next_level_from": _iso(result.next_level_from),
        "appealable": result.edition.rules.assessment.appealable,
        "held_award": held_json(result),
        "evidence_due": _iso(result.evidence_due),
        "evidence_response_days": result.edition.rules.assessment.evidence_response_days,
        "reaccreditation_by": _iso(result.reaccreditation_by),
    }


def held_json(result: Outcome) -> dict[str, Any] | None:
    """The award held on the application date and what becomes of it (``becomes``:
    continued, replaced, ends, or pending: in force until the outcome is final)."""
    held = result.held
    if held is None:
        return None
    return {
        "level": held.level,
        "awarded": held.awarded.isoformat(),
        "last_valid_day": held.last_valid_day.isoformat(),
        "in_force_until": _iso(held.in_force_until),
        "until_outcome": held.until_outcome,
        "becomes": held.becomes,
    }


def reaccreditation_words(result: Outcome) -> str:
    """By when to apply to keep a final award: its last valid day (rules.yaml,
    ``validity.held_until_outcome``: an application made by then keeps it in force)."""
    if result.reaccreditation_by is None or result.outcome is None:
        return ""
    name = result.edition.level_name(result.outcome)
    by = result.reaccreditation_by.isoformat()
    return (
        f"to keep {name} beyond {by}, apply for reaccreditation on or before that day: an application made "
        f"by then keeps {name} in force until its outcome is final"
    )


def held_words(result: Outcome) -> str:
    """What becomes of the award held, in one sentence (the report, the letter, the app)."""
    held = result.held
    if held is None:
        return ""
    name = result.edition.level_name(held.level)
    last = held.last_valid_day.isoformat()
    if held.becomes == PENDING and held.in_force_until is None:
        return (
            f"{name} (valid until {last}) stays in force until this outcome is final: the application was made "
            "on or before its last valid day"
        )
    if held.becomes == PENDING:
        return f"{name} was valid until {last}; the application was made after that day"
    until = _iso(held.in_force_until)
    if held.becomes == CONTINUED:
        return f"{name} (valid until {last}) is continued by this award from the day after"
    if held.becomes == REPLACED:
        late = ", kept in force while the application was decided" if until and until > last else ""
        return f"{name} (valid until {last}) is replaced: it was in force until {until}, the day before this award starts{late}"
    if until and until > last:
        return (
            f"{name} stayed in force while the application was decided, until {until} (the day before this "
            f"outcome); its year had ended on {last}"
        )
    return f"{name} remains valid until {last}"


def review_text(result: Outcome) -> str:
    ed = result.edition
    name = ed.level_name
    sub = result.submission
    status = "FINAL" if result.status == FINAL else "PROVISIONAL"
    lines = [
        heading(f"Review of {sub.title}"),
        f"{shown(sub.programme.institution)} · {sub.application.type} application for {name(sub.application.level)}"
        f" · reviewed by {shown(result.review.reviewer.name)} on {result.review.date.isoformat()}",
        "",
        heading(f"{status}: outcome {name(result.outcome) if result.outcome else 'no award'}"),
    ]
    renewal = sub.application.type == "reaccreditation"
    if renewal:
        decision = result.continuation or "not decided"
        lines.append(
            f"  continuation of provision: {decision}; reaccreditation at {name(sub.application.level)}"
        )
    else:
        lines.append(
            f"  assessed overall level {name(result.overall) if result.overall else 'none'}; "
            f"progression cap {name(result.standing.cap)}; applied for {name(sub.application.level)}"
        )
    lines += [wrap(reason, 4, "  ✗") for reason in result.reasons]
    lines += [wrap(note, 4, "  !") for note in result.notes]
    if result.valid_from:
        lines.append(f"  valid {result.valid_from.isoformat()} to {_iso(result.valid_until)}")
        if result.continues:
            lines.append(
                f"  (continues the {name(result.outcome)} award that was valid until {result.continues.isoformat()}:"
                " a renewal made in time loses no days)"
            )
        if result.next_level and result.next_level_from:
            when = (
                "now (a full application)"
                if result.next_level_from <= result.review.date
                else f"from {result.next_level_from.isoformat()}"
            )
            lines.append(f"  {name(result.next_level)} may be applied for {when}")
    if result.held:
        lines.append(wrap(held_words(result), 4)[2:])
    if result.reaccreditation_by:
        words = reaccreditation_words(result)
        lines.append(wrap(words[0].upper() + words[1:], 4)[2:])
    lines += [
        "",
        heading(f"{'Pillar':<26}{'self-rating':<13}{'evidence':<11}{'assessed':<10}decisions (✓ ✗ ?)")
        if not renewal
        else heading("Criteria the applicant included (a reaccreditation does not depend on them)"),
    ]
    for pillar in ed.pillars:
        p = result.pillars[pillar.id]
        if renewal and not (p.accepted or p.rejected or p.more_evidence):
            continue
        assessed = (name(p.level) if p.level else "none") + ("*" if p.override else "")
        rated = name(p.self_rating) if p.self_rating else "-"
        evidenced = name(p.evidence_level) if p.evidence_level else "none"
        if renewal:
            words = f"accepted {len(p.accepted)}, rejected {len(p.rejected)}, more evidence {len(p.more_evidence)}"
            lines.append(f"  {pillar.name:<24}{words}")
            continue
        counts = f"{len(p.accepted)} {len(p.rejected)} {len(p.more_evidence)}"
        lines.append(f"  {pillar.name:<24}{rated:<13}{evidenced:<11}{assessed:<10}{counts}")
    overrides = [(pid, p.override) for pid, p in result.pillars.items() if p.override]
    for pillar_id, override in overrides:
        assert override is not None
        lines.append(
            wrap(
                f"{pillar_id} set to {name(override.level) if override.level else 'none'}: {override.reason}",
                4,
                "  *",
            )
        )
    lines += _requests(result)
    blocking = [i for i in result.undecided if i not in result.optional_undecided]
    if blocking:
        lines += ["", heading("Not decided yet"), wrap(", ".join(blocking), 2)]
    if result.optional_undecided:
        lines += [
            "",
            heading("Not decided (included by the applicant; a reaccreditation does not need them)"),
            wrap(", ".join(result.optional_undecided), 2),
        ]
    if result.unclaimed_accepted:
        lines += [
            "",
            heading("Accepted though not claimed by the applicant"),
            wrap(", ".join(result.unclaimed_accepted), 2),
        ]
    return "\n".join(lines)


def _requests(result: Outcome) -> list[str]:
    if not result.requests:
        return []
    lines = ["", heading("Evidence requests") + "   (⇑ = accepting it alone would raise a level)"]
    if result.evidence_due:
        days = result.edition.rules.assessment.evidence_response_days
        lines.append(
            wrap(
                f"Due by {result.evidence_due.isoformat()}, {days} days after the review (a period nums sets; "
                "the standard sets none)",
                2,
            )
        )
    for request in result.requests:
        mark = "⇑" if request.would_raise else " "
        label = request.criterion if request.criterion != CONTINUATION else "continuation"
        lines.append(wrap(request.comment or "(no comment)", 22, f"  {mark} {label}"))
        if request.raises:
            lines.append(wrap(raises_in_words(result, request.raises), 22))
    return lines


def raises_in_words(outcome: Outcome, raises: tuple[str, ...]) -> str:
    """ "would raise Diversity and Inclusion, and the outcome": pillars by name, never ids."""
    names = [outcome.edition.pillar(p).name for p in raises if p != "outcome"]
    if "outcome" in raises:
        names.append("the outcome")
    if not names:
        return ""
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]
    return "would raise " + text
