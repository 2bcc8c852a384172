"""A filled submission written back in the layout ``nums init`` writes.

The browser edits the submission's *document* (the data its YAML holds) and
saves it through here, so a file saved by the app reads like one started with
``nums init``: the same key order, every criterion listed under its pillar and
level with its text as a comment, blanks where nothing is written yet.

Nothing is dropped: keys the format does not define (a ``website``, a note a
colleague added) are written back too, and criterion ids the edition does not
know are kept at the end of ``criteria`` so validation can name them. Values
are written as JSON scalars and flow collections, which YAML reads exactly
(no surprises with ``no``, ``1e3`` or a leading ``*``).
"""

from __future__ import annotations

from typing import Any

from nums.escaping import yaml_comment, yaml_key, yaml_scalar
from nums.skeleton import criteria_lines
from nums.standard import Edition

_PROGRAMME_KEYS = ("name", "institution", "coordinator", "purpose", "mentors", "started", "website")
_APPLICATION_KEYS = ("date", "level", "type")
_CLAIM_KEYS = ("met", "statement", "evidence")
_TOP_KEYS = (
    "standard",
    "programme",
    "programmes",
    "application",
    "history",
    "self_rating",
    "criteria",
    "continuation",
)


def filled_submission(edition: Edition, document: dict[str, Any]) -> str:
    """``document`` as a submission file in the canonical layout."""
    lines = [
        f"# A submission for the {yaml_comment(edition.title)} ({yaml_comment(edition.id)}).",
        "# Written by nums (the same layout as `nums init`); the version it replaced is kept in",
        "# .nums/history/. Check it with: nums validate submission.yaml && nums assess submission.yaml",
        f"standard: {yaml_scalar(document.get('standard') or edition.id)}",
    ]
    if isinstance(document.get("programmes"), list):
        lines.append("programmes:")
        for programme in document["programmes"]:
            lines += _listed_mapping(programme, _PROGRAMME_KEYS, "  ")
    else:
        lines += _mapping_block("programme", document.get("programme"), _PROGRAMME_KEYS, "")
    lines += _mapping_block("application", document.get("application"), _APPLICATION_KEYS, "")
    history = document.get("history") or []
    if isinstance(history, list) and history:
        lines.append("history:")
        lines += [f"  - {yaml_scalar(award)}" for award in history]
    else:
        lines.append(f"history: {yaml_scalar(history if history else [])}")
    lines += _self_rating(edition, document.get("self_rating"))
    lines += _criteria(edition, document.get("criteria"))
    continuation = document.get("continuation")
    if continuation is not None:
        lines.append("")
        lines.append("# Reaccreditation: evidence that provision continues.")
        lines += _mapping_block("continuation", continuation, _CLAIM_KEYS, "", evidence_block=True)
    for key, value in document.items():
        if key not in _TOP_KEYS:
            lines.append(f"{yaml_key(key, '')}: {yaml_scalar(value)}")
    lines.append("")
    return "\n".join(lines)


def _mapping_block(
    name: str, value: Any, order: tuple[str, ...], indent: str, evidence_block: bool = False
) -> list[str]:
    if not isinstance(value, dict):
        return [f"{indent}{yaml_key(name, indent)}: {yaml_scalar(value)}"]
    lines = [f"{indent}{yaml_key(name, indent)}:"]
    for key in _ordered(value, order):
        if evidence_block and key == "evidence" and isinstance(value[key], list) and value[key]:
            lines.append(f"{indent}  evidence:")
            lines += [f"{indent}    - {yaml_scalar(item)}" for item in value[key]]
        else:
            lines.append(f"{indent}  {yaml_key(key, indent + '  ')}: {yaml_scalar(value[key], key)}")
    return lines


def _listed_mapping(value: Any, order: tuple[str, ...], indent: str) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [f"{indent}- {yaml_scalar(value)}"]
    keys = _ordered(value, order)
    first, *rest = keys
    return [
        f"{indent}- {yaml_key(first, indent + '  ')}: {yaml_scalar(value[first], first)}",
        *(f"{indent}  {yaml_key(k, indent + '  ')}: {yaml_scalar(value[k], k)}" for k in rest),
    ]


def _ordered(value: dict[str, Any], order: tuple[str, ...]) -> list[str]:
    return [k for k in order if k in value] + [k for k in value if k not in order]


def _self_rating(edition: Edition, ratings: Any) -> list[str]:
    if not isinstance(ratings, dict):
        ratings = {}
    levels = " | ".join(edition.levels)
    lines = [f"self_rating:                    # {levels}, or null"]
    for pillar_id in edition.pillar_ids:
        lines.append(f"  {pillar_id}: {yaml_scalar(ratings.get(pillar_id))}")
    lines += [
        f"  {yaml_key(k, '  ')}: {yaml_scalar(v)}" for k, v in ratings.items() if k not in edition.pillar_ids
    ]
    return lines


def _criteria(edition: Edition, criteria: Any) -> list[str]:
    if not isinstance(criteria, dict):
        criteria = {}
    lines = ["criteria:", *criteria_lines(edition, lambda item_id: _claim(item_id, criteria.get(item_id)))]
    known = {item.id for item in edition.items}
    unknown = [k for k in criteria if str(k) not in known]
    if unknown:
        lines.append("")
        lines.append("  # ===== Not criteria of this edition (check the ids) =====")
        for key in unknown:
            lines += _claim(str(key), criteria[key])
    return lines


def _claim(item_id: str, claim: Any) -> list[str]:
    if claim is None:
        claim = {"met": False, "statement": "", "evidence": []}
    if not isinstance(claim, dict):
        return [f"  {yaml_key(item_id, '  ')}: {yaml_scalar(claim)}"]
    filled = {"met": False, "statement": "", "evidence": [], **claim}
    return _mapping_block(item_id, filled, _CLAIM_KEYS, "  ", evidence_block=True)
