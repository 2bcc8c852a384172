"""The live result beside the form: what ``nums assess`` says, arranged for a page.

Only arrangement happens here; every figure comes from the ``Assessment`` the
evaluator returned (the same one ``nums assess`` prints) and the pack's own
fee function.
"""

from __future__ import annotations

from typing import Any

from nums.errors import NumsError
from nums.evaluation import Assessment
from nums.pack import CHECK_WORDS, application_quote, gap_table
from nums.render.quote import amount
from nums.render.wheel import Spoke, wheel_svg


def result_view(result: Assessment) -> dict[str, Any]:
    edition = result.edition
    sub = result.submission
    name = edition.level_name
    return {
        "awardable": name(result.awardable) if result.awardable else "Nothing yet",
        "awardable_id": result.awardable,
        "awardable_reason": result.awardable_reason,
        "applied": name(sub.application.level),
        "reaccreditation": sub.application.type == "reaccreditation",
        "reasons": result.eligibility.reasons,
        "notes": result.eligibility.notes,
        "evidence_level": name(result.evidence_level) if result.evidence_level else "none",
        "wheel": wheel(result),
        "pillars": [
            {
                "id": pillar.id,
                "name": pillar.name,
                "level": name(result.pillars[pillar.id].level) if result.pillars[pillar.id].level else "none",
                "self": name(result.pillars[pillar.id].self_rating)
                if result.pillars[pillar.id].self_rating
                else "not rated",
                "check": result.pillars[pillar.id].self_rating_check,
                "check_word": CHECK_WORDS.get(result.pillars[pillar.id].self_rating_check, ""),
            }
            for pillar in edition.pillars
        ],
        "gaps": [g for g in (_gaps(result, result.gaps, "applied for"), _next(result)) if g],
        "fee": _fee(result),
        "valid_until": result.standing.expires.isoformat() if result.standing.expires else None,
    }


def wheel(result: Assessment) -> Any:
    """The pack's wheel: self-rating dashed, evidence solid, values in its description."""
    edition = result.edition
    spokes = []
    for pillar in edition.pillars:
        outcome = result.pillars[pillar.id]
        spokes.append(
            Spoke(
                label=pillar.name if len(pillar.name) <= 14 else pillar.name.split()[0],
                self_rank=edition.rank(outcome.self_rating),
                evidence_rank=edition.rank(outcome.level),
                self_name=edition.level_name(outcome.self_rating) if outcome.self_rating else "not rated",
                evidence_name=edition.level_name(outcome.level) if outcome.level else "none",
            )
        )
    names = [edition.level_name(level) for level in edition.levels]
    return wheel_svg(spokes, names, "Self-rating and evidence level for each pillar")


def _next(result: Assessment) -> dict[str, Any] | None:
    return _gaps(result, result.next_gaps, "next level") if result.next_gaps else None


def _gaps(result: Assessment, gaps: Any, label: str) -> dict[str, Any] | None:
    return gap_table(result.edition, gaps, label) if gaps is not None else None


def _fee(result: Assessment) -> dict[str, Any]:
    try:
        fee = application_quote(result.edition, result.submission)
    except NumsError as error:  # no price list on that date: say so instead of failing the page
        return {"unavailable": "; ".join(p.message for p in error.problems)}
    if fee is None:
        return {"unavailable": "no fee: no programme in this application can be accredited on its date"}
    return {
        "net": amount(fee, fee.net),
        "vat": amount(fee, fee.vat),
        "gross": amount(fee, fee.gross),
        "tailored": fee.tailored,
        "reasons": list(fee.reasons),
        "notes": [note for line in fee.lines for note in line.notes],
        "left_out": [p.reason for p in fee.request.left_out],
    }
