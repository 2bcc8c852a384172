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

from collections.abc import Callable
from typing import Any

from nums.escaping import yaml_comment, yaml_key, yaml_scalar
from nums.skeleton import criteria_lines
from nums.standard import Edition
from nums.submission import Application, Claim, Declaration, Programme, SubmissionFile

# Key order comes from the models, so a field added to the format is written in its place.
_PROGRAMME_KEYS = tuple(Programme.model_fields)
_APPLICATION_KEYS = tuple(Application.model_fields)
_CLAIM_KEYS = tuple(Claim.model_fields)
_DECLARATION_KEYS = tuple(Declaration.model_fields)
_TOP_KEYS = tuple(SubmissionFile.model_fields)


def filled_submission(edition: Edition, document: dict[str, Any]) -> str:
    """``document`` as a submission file in the canonical layout."""
    lines = [
        f"# A submission for the {yaml_comment(edition.title)} ({yaml_comment(edition.id)}).",
        "# Written by nums (the same layout as `nums init`); the version it replaced is kept in",
        "# .nums/history/. Check it with: nums validate submission.yaml && nums assess submission.yaml",
        f"standard: {yaml_scalar(document.get('standard') or edition.id)}",
    ]
    for key in _TOP_KEYS:
        if key != "standard" and (key in document or key in _always_written(document)):
            lines += _WRITERS.get(key, _scalar_line)(edition, key, document.get(key))
    for key, value in document.items():
        if key not in _TOP_KEYS:
            lines.append(f"{yaml_key(key, '')}: {yaml_scalar(value)}")
    lines.append("")
    return "\n".join(lines)


def _programmes(edition: Edition, key: str, programmes: Any) -> list[str]:
    if not isinstance(programmes, list):
        return _scalar_line(edition, key, programmes)
    lines = ["programmes:"]
    for programme in programmes:
        lines += _listed_mapping(programme, _PROGRAMME_KEYS, "  ")
    return lines


def _programme(edition: Edition, key: str, programme: Any) -> list[str]:
    return _mapping_block(key, programme, _PROGRAMME_KEYS, "")


def _application(edition: Edition, key: str, application: Any) -> list[str]:
    return _mapping_block(key, application, _APPLICATION_KEYS, "")


def _history(edition: Edition, key: str, history: Any) -> list[str]:
    history = history or []
    if isinstance(history, list) and history:
        return ["history:", *(f"  - {yaml_scalar(award)}" for award in history)]
    return [f"history: {yaml_scalar(history if history else [])}"]


def _continuation(edition: Edition, key: str, continuation: Any) -> list[str]:
    if continuation is None:
        return []
    return [
        "",
        "# Reaccreditation: evidence that provision continues.",
        *_mapping_block(key, continuation, _CLAIM_KEYS, "", evidence_block=True),
    ]


def _declaration(edition: Edition, key: str, declaration: Any) -> list[str]:
    if isinstance(declaration, dict):
        declaration = {k: declaration[k] for k in _ordered(declaration, _DECLARATION_KEYS)}
    return _scalar_line(edition, key, declaration)


def _scalar_line(edition: Edition, key: str, value: Any) -> list[str]:
    return [f"{yaml_key(key, '')}: {yaml_scalar(value)}"]


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


def _self_rating(edition: Edition, key: str, ratings: Any) -> list[str]:
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


def _criteria(edition: Edition, key: str, criteria: Any) -> list[str]:
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


# How each key of the format is written; any other is one line, as its value's JSON.
_WRITERS: dict[str, Callable[[Edition, str, Any], list[str]]] = {
    "programme": _programme,
    "programmes": _programmes,
    "application": _application,
    "history": _history,
    "self_rating": _self_rating,
    "criteria": _criteria,
    "continuation": _continuation,
    "declaration": _declaration,
}


def _always_written(document: dict[str, Any]) -> frozenset[str]:
    """Keys written even when the document leaves them out, as ``nums init`` writes them:
    ``programme:`` too, unless the document lists ``programmes:``."""
    always = {"application", "history", "self_rating", "criteria"}
    return frozenset(always if "programmes" in document else always | {"programme"})
