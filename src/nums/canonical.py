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

import json
import re
from datetime import date
from typing import Any

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
_DATE_KEYS = frozenset({"started", "date", "awarded"})
_WORD = re.compile(r"^[a-z][a-z0-9_-]*$")  # ids and levels read best bare
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
# characters JSON leaves raw that YAML either refuses (DEL, C1 controls, lone surrogates) or reads
# as line breaks inside quotes (NEL, U+2028, U+2029): written as escapes, they come back exactly
_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffe\uffff]+")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def scalar(value: Any, key: Any = None) -> str:
    """One value as YAML text: dates bare, everything else as JSON (which YAML reads).

    An ISO date written as text is left bare only under a key that holds a
    date, so a statement reading "2026-03-02" stays text.
    """
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and key in _DATE_KEYS and _is_date(value):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {scalar(v, k)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, str) and _WORD.match(value) and value.lower() not in _YAML_WORDS:
        return value
    return _NOT_YAML_PRINTABLE.sub(_escape, json.dumps(value, ensure_ascii=False))


def _escape(match: re.Match[str]) -> str:
    return "".join(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}" for ch in match.group())


def _is_date(text: str) -> bool:
    """Written bare only when YAML will read it as that date (``2026-13-01`` stays quoted text)."""
    if not _ISO_DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _key(key: Any) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", text) else json.dumps(text, ensure_ascii=False)


def filled_submission(edition: Edition, document: dict[str, Any]) -> str:
    """``document`` as a submission file in the canonical layout."""
    lines = [
        f"# A submission for the {edition.title} ({edition.id}).",
        "# Written by nums (the same layout as `nums init`); the version it replaced is kept in",
        "# .nums/history/. Check it with: nums validate submission.yaml && nums assess submission.yaml",
        f"standard: {scalar(document.get('standard') or edition.id)}",
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
        lines += [f"  - {scalar(award)}" for award in history]
    else:
        lines.append(f"history: {scalar(history if history else [])}")
    lines += _self_rating(edition, document.get("self_rating"))
    lines += _criteria(edition, document.get("criteria"))
    continuation = document.get("continuation")
    if continuation is not None:
        lines.append("")
        lines.append("# Reaccreditation: evidence that provision continues.")
        lines += _mapping_block("continuation", continuation, _CLAIM_KEYS, "", evidence_block=True)
    for key, value in document.items():
        if key not in _TOP_KEYS:
            lines.append(f"{_key(key)}: {scalar(value)}")
    lines.append("")
    return "\n".join(lines)


def _mapping_block(
    name: str, value: Any, order: tuple[str, ...], indent: str, evidence_block: bool = False
) -> list[str]:
    if not isinstance(value, dict):
        return [f"{indent}{name}: {scalar(value)}"]
    lines = [f"{indent}{name}:"]
    for key in _ordered(value, order):
        if evidence_block and key == "evidence" and isinstance(value[key], list) and value[key]:
            lines.append(f"{indent}  evidence:")
            lines += [f"{indent}    - {scalar(item)}" for item in value[key]]
        else:
            lines.append(f"{indent}  {_key(key)}: {scalar(value[key], key)}")
    return lines


def _listed_mapping(value: Any, order: tuple[str, ...], indent: str) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [f"{indent}- {scalar(value)}"]
    keys = _ordered(value, order)
    first, *rest = keys
    return [
        f"{indent}- {_key(first)}: {scalar(value[first], first)}",
        *(f"{indent}  {_key(k)}: {scalar(value[k], k)}" for k in rest),
    ]


def _ordered(value: dict[str, Any], order: tuple[str, ...]) -> list[str]:
    return [k for k in order if k in value] + [k for k in value if k not in order]


def _self_rating(edition: Edition, ratings: Any) -> list[str]:
    if not isinstance(ratings, dict):
        ratings = {}
    levels = " | ".join(edition.levels)
    lines = [f"self_rating:                    # {levels}, or null"]
    for pillar_id in edition.pillar_ids:
        lines.append(f"  {pillar_id}: {scalar(ratings.get(pillar_id))}")
    lines += [f"  {_key(k)}: {scalar(v)}" for k, v in ratings.items() if k not in edition.pillar_ids]
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
        return [f"  {_key(item_id)}: {scalar(claim)}"]
    filled = {"met": False, "statement": "", "evidence": [], **claim}
    return _mapping_block(item_id, filled, _CLAIM_KEYS, "  ", evidence_block=True)
