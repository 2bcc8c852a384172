"""An assessment for machines (``nums assess --json``, the pack's embedded
``submission.json``) and for people in a terminal.

The JSON keys are a public contract: add freely, never rename or remove.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from nums.errors import Problem
from nums.evaluation import (
    MET,
    NOT_CLAIMED,
    UNEVIDENCED,
    Assessment,
    ClaimResult,
    capped_words,
    in_force_note,
)
from nums.gaps import Gaps
from nums.progression import InForce
from nums.render.terminal import heading, shown, wrap


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def in_force_json(force: InForce) -> dict[str, Any]:
    """What is in force on a day: the award, its own last valid day, the last day it is in
    force (null with ``until_outcome``: until an application made in time is decided)."""
    award = force.award
    return {
        "on": force.on.isoformat(),
        "level": force.level,
        "awarded": _iso(award.awarded) if award else None,
        "last_valid_day": _iso(force.last_valid_day) if award else None,
        "in_force_until": _iso(force.until) if award else None,
        "until_outcome": force.until_outcome,
        "kept_by_application": _iso(force.application),
        "lapsed": _iso(force.lapsed),
    }


def assessment_json(result: Assessment) -> dict[str, Any]:
    sub = result.submission
    held = result.standing
    return {
        "edition": result.edition.id,
        "submission": str(sub.path),
        "on": result.on.isoformat(),
        "programme": sub.programme.name,
        "programmes": [p.name for p in sub.programmes],
        "application": {
            "date": sub.application.date.isoformat(),
            "level": sub.application.level,
            "type": sub.application.type,
        },
        "pillars": {
            pillar_id: {
                "level": p.level,
                "self_rating": p.self_rating,
                "self_rating_check": p.self_rating_check,
                "met": list(p.met),
                "claimed_unevidenced": list(p.claimed_unevidenced),
                "counts": {lvl: {"met": c[0], "needed": c[1], "items": c[2]} for lvl, c in p.counts.items()},
            }
            for pillar_id, p in result.pillars.items()
        },
        "overall": {
            "evidence_level": result.evidence_level,
            "cap": held.cap,
            "cap_reason": held.cap_reason,
            "awardable_level": result.awardable,
            "awardable_reason": result.awardable_reason,
            "applied_level": sub.application.level,
        },
        "eligibility": {
            "accreditable": result.eligibility.accreditable,
            "reasons": list(result.eligibility.reasons),
            "notes": list(result.eligibility.notes),
            "tailored_arrangement": result.eligibility.tailored,
            "held_level": held.held,
            "held_since": _iso(held.held_since),
            "new_applicant": held.new_applicant,
            "next_level": held.next_level,
            "next_level_from": _iso(held.next_level_from),
            "next_level_until": _iso(held.expires) if held.next_level_from else None,
            "expires": _iso(held.expires),
            "lapsed": _iso(held.last_expired),
            "in_force": in_force_json(held.in_force),
            "held_until_outcome": in_force_note(result.edition, sub, held) is not None,
            "held_until_outcome_note": in_force_note(result.edition, sub, held),
        },
        "criteria": {
            item_id: _claim_json(claim)
            for item_id, claim in result.claims.items()
            if claim.status != NOT_CLAIMED
        },
        "continuation": _claim_json(result.continuation) if result.continuation else None,
        "gaps": gaps_json(result.gaps),
        "next_gaps": gaps_json(result.next_gaps) if result.next_gaps else None,
        "warnings": [*result.warnings, *(str(w) for w in assessment_warnings(result))],
        "fees": [{"programme": f.name, "priced_as": f.kind, "reason": f.reason} for f in result.fees],
    }


def assessment_warnings(result: Assessment) -> list[Problem]:
    """What the coordinator should fix though nothing stops the assessment: unknown keys
    (a misspelt ``statment:``) and evidence that cannot count. ``validate``, ``assess``
    and ``pack`` all print these on standard error, and the pack's cover lists them."""
    sub = result.submission
    problems = list(sub.warnings)
    claims = [result.continuation] if result.continuation else []
    claims += list(result.claims.values())
    for claim in claims:
        where = "continuation" if claim.id == "continuation" else f"criteria.{claim.id}"
        problems += [
            Problem(
                f"{check.target}: {check.problem}",
                file=str(sub.path),
                line=sub.evidence_line(claim.id, index),
                field=f"{where}.evidence[{index}].{check.kind}",
            )
            for index, check in enumerate(claim.evidence)
            if check.problem
        ]
    return problems


def _claim_json(claim: ClaimResult) -> dict[str, Any]:
    return {
        "status": claim.status,
        "reasons": list(claim.reasons),
        "evidence": [
            {"kind": c.kind, "target": c.target, "usable": c.usable, "problem": c.problem}
            for c in claim.evidence
        ],
    }


def gaps_json(gaps: Gaps) -> dict[str, Any]:
    return {
        "target": gaps.target,
        "reached": gaps.reached,
        "pillars_at_target": gaps.pillars_at_target,
        "pillars_required": gaps.pillars_required,
        "pillars": {
            pillar_id: {
                "level": gap.level,
                "reaches_target": gap.reaches_target,
                "needed": gap.needed,
                "missing": {lvl: list(ids) for lvl, ids in gap.missing.items()},
                "claimed_unevidenced": list(gap.unevidenced),
            }
            for pillar_id, gap in gaps.pillars.items()
        },
        "cheapest_to_raise": list(gaps.raise_pillars),
        "items_to_raise": gaps.items_to_raise,
    }


# --- terminal ------------------------------------------------------------------

_CHECK_WORDS = {
    "agrees": "agrees",
    "over": "OVER-rated",
    "under": "under-rated",
    "unrated": "not rated",
    "not-compared": "not compared",
}


def assessment_text(result: Assessment) -> str:
    """The coordinator's report: verdict first, then pillars, then what to do."""
    ed = result.edition
    sub = result.submission
    name = ed.level_name
    app = sub.application
    lines = [
        heading(sub.title),
        f"{shown(sub.programme.institution)} · {app.type} application for {name(app.level)} on {app.date.isoformat()}"
        + ("" if result.on == app.date else f"; assessed as on {result.on.isoformat()}"),
        "",
    ]
    verdict = name(result.awardable) if result.awardable else "nothing"
    lines.append(heading(f"May be awarded: {verdict}"))
    if result.eligibility.accreditable:
        lines.append(wrap(result.awardable_reason, 2, " "))
    else:
        lines.append("  It cannot be accredited:")
    for reason in result.eligibility.reasons:
        lines.append(wrap(reason, 4, "  ✗"))

    for note in (*result.warnings, *result.eligibility.notes, *_fee_notes(result)):
        lines.append(wrap(note, 4, "  !"))
    per_level = "/".join(name(level) for level in ed.levels)
    lines += ["", heading(f"{'Pillars':<26}{'evidence':<10}{'self-rating':<22}items met ({per_level})")]
    for pillar in ed.pillars:
        p = result.pillars[pillar.id]
        counts = "  ".join(f"{c[0]}/{c[2]}" for c in p.counts.values())
        check = _CHECK_WORDS[p.self_rating_check]
        rated = name(p.self_rating) if p.self_rating else "-"
        level = name(p.level) if p.level else ("none" if app.type != "reaccreditation" else "-")
        lines.append(f"  {pillar.name:<24}{level:<10}{rated:<8}{check:<14}{counts}")
    lines.append(
        f"  Overall evidence level: {name(result.evidence_level) if result.evidence_level else 'none'}"
        f" ({ed.rules.overall.min_pillars_at_level} of {len(ed.pillars)} pillars needed)"
    )
    lines += _dates(result)
    lines += _continuation(result)
    lines += _problems(result)
    if app.type == "reaccreditation":
        lines += [
            "",
            wrap(
                "Reaccreditation at the level held needs only continuation evidence: the pillars above show "
                "the criteria included for information, and gaps are not listed.",
                2,
            ),
        ]
    else:
        lines += _gaps_lines(result, result.gaps, "for the level applied for")
    if result.next_gaps:
        lines += _gaps_lines(result, result.next_gaps, "for the next level (a full application)")
    return "\n".join(lines)


def _dates(result: Assessment) -> list[str]:
    held = result.standing
    name = result.edition.level_name
    lines = ["", heading("Dates")]
    if held.held:
        lines.append(
            f"  Holds {name(held.held)} since {_iso(held.held_since)}; valid until {_iso(held.expires)}"
        )
        note = in_force_note(result.edition, result.submission, held)
        if note:
            lines.append("  " + wrap(note[0].upper() + note[1:], 4)[4:])
    else:
        lines.append(
            "  Holds no valid accreditation"
            + (f" (lapsed after {_iso(held.last_expired)})" if held.last_expired else "")
        )
    if held.held and held.next_level and held.next_level_from:
        months = result.edition.rules.progression.months_at_level
        lines.append(
            "  "
            + wrap(
                f"May apply for {name(held.next_level)} from {_iso(held.next_level_from)} ({months} months at "
                f"{name(held.held)}) until {name(held.held)}'s last valid day, {_iso(held.expires)}",
                4,
            )[4:]
        )
    return lines


def _fee_notes(result: Assessment) -> list[str]:
    """Why the fee differs from the application type written in the file (each reason once)."""
    reasons = [f.reason for f in result.fees if f.kind is not None and f.reason]
    return list(dict.fromkeys(reasons))


def _continuation(result: Assessment) -> list[str]:
    claim = result.continuation
    if claim is None:
        return []
    status = "counts" if claim.status == MET else "does not count: " + "; ".join(claim.reasons)
    lines = ["", heading("Continuation evidence") + f" ({status})"]
    for check in claim.evidence:
        mark = "ok" if check.usable else "✗ " + (check.problem or "")
        lines.append(wrap(f"{check.target}  {mark}", 4, "  -"))
    return lines


def _problems(result: Assessment) -> list[str]:
    bad = [c for c in result.claims.values() if c.status == UNEVIDENCED]
    if result.continuation and result.continuation.status != MET:
        bad.append(result.continuation)
    if not bad:
        return []
    lines = ["", heading("Claimed but not counted")]
    for claim in bad:
        lines.append(wrap("; ".join(claim.reasons), 22, f"  {claim.id}"))
    return lines


def _gaps_lines(result: Assessment, gaps: Gaps, label: str) -> list[str]:
    name = result.edition.level_name
    lines = ["", heading(f"Gaps {label}: {name(gaps.target)}")]
    if gaps.reached:
        lines.append(
            f"  The evidence already brings {gaps.pillars_at_target} pillars to {name(gaps.target)} or higher."
        )
        capped = capped_words(result, gaps)
        if capped:
            lines.append(wrap(capped, 2))
        return lines
    cheapest = ", ".join(
        f"{result.edition.pillar(p).name} (+{gaps.pillars[p].needed})" for p in gaps.raise_pillars
    )
    summary = (
        f"{gaps.pillars_at_target} of the {gaps.pillars_required} pillars needed stand at {name(gaps.target)} or "
        f"higher. Cheapest to raise: {cheapest}; {gaps.items_to_raise} more items in all."
    )
    lines.append(wrap(summary, 2))
    for pillar_id in gaps.raise_pillars:
        lines += _pillar_gap_lines(result, gaps, pillar_id)
    return lines


def _pillar_gap_lines(result: Assessment, gaps: Gaps, pillar_id: str) -> list[str]:
    """Per level still short: how many more, and the items to choose from."""
    edition = result.edition
    gap = gaps.pillars[pillar_id]
    lines = [f"  {edition.pillar(pillar_id).name}:"]
    for level, more in gap.more.items():
        lines.append(wrap(", ".join(gap.missing[level]), 20, f"    {edition.level_name(level)} +{more} of"))
    return lines
