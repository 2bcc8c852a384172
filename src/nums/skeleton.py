"""A ready-to-fill submission file: every assessable item with its text as a
comment, so a coordinator never has to look up an id.

The text is built by hand rather than dumped, because comments are the point:
PyYAML cannot write them.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable
from typing import Any

from nums.escaping import yaml_comment, yaml_key, yaml_scalar
from nums.standard import Edition
from nums.submission import Claim, Submission

_HEX_DIGEST = re.compile("[0-9a-f]{64}")


def submission_skeleton(edition: Edition) -> str:
    """A submission for ``edition`` with blanks where the coordinator writes."""
    levels = " | ".join(edition.levels)
    pillars = ", ".join(f"{p.id}: null" for p in edition.pillars)
    lines = [
        f"# A submission for the {yaml_comment(edition.title)} ({yaml_comment(edition.id)}).",
        "# Fill in the blanks, then run: nums validate submission.yaml && nums assess submission.yaml",
        "# For each criterion: set met: true, write a statement in your own words, and list evidence:",
        '#   a web address  - {title: Scheme web page, url: "https://..."}',
        "#   or a file      - {title: Recruitment leaflet, file: evidence/leaflet.pdf}",
        "# Files must be inside this folder (put them in evidence/).",
        f"standard: {yaml_scalar(edition.id)}",
        "programme:",
        '  name: ""                     # the programme\'s name',
        '  institution: ""',
        '  coordinator: {name: "", email: ""}',
        '  purpose: ""                  # one purpose: peer, reverse and career mentoring are three programmes',
        "  mentors: null                # number of mentors",
        "  started: null                # YYYY-MM-DD the programme started running",
        '  # department: ""             # optional; compared across a combined application',
        '  # framework: ""              # optional id of the framework or standard the programme is run to',
        "application:",
        "  date: null                   # YYYY-MM-DD the application is made",
        f"  level: {edition.levels[0]}                # {levels}",
        "  type: initial                # initial | reaccreditation",
        "# Awards already made, each dated by the day its year starts (the date on the certificate);",
        "# a renewal made in time starts the day after the old award's last valid day.",
        "# e.g. - {level: bronze, awarded: 2025-03-10}",
        "# An award that covered several programmes may list them: programmes: [name, ...]",
        "history: []",
        f"self_rating: {{{pillars}}}",
        "criteria:",
    ]
    lines += criteria_lines(edition, _blank_claim)
    lines += [
        "",
        "# Several programmes in one application: list them under 'programmes:' instead of",
        "# 'programme:' and say what they share (expectations, training, coordination):",
        '# combined_approach: ""',
        "",
        "# Reaccreditation at the level you hold only: evidence that provision continues.",
        "# continuation:",
        '#   statement: ""',
        "#   evidence: []",
        "",
        "# The coordinator's declaration: the evidence is accurate and the programmes are running.",
        '# declaration: {name: "", role: "", date: null}',
        "",
    ]
    return "\n".join(lines)


@functools.lru_cache(maxsize=1024)
def comment_lines(text: str, parent: str | None, methods: tuple[str, ...]) -> tuple[str, ...]:
    """An item's words as wrapped comment lines: its heading (without a doubled colon), its
    text, and, for a criterion met by any one of several methods, those methods. The
    browser's canonical writer uses the same lines, so both layouts agree."""
    comment = f"{parent.rstrip(':')}: {text}" if parent else text
    if methods:
        comment = f"{comment.rstrip(':')}: any one of {'; '.join(methods)}"
    return tuple(comment_block(comment, "  # ", 92))


def comment_block(text: str, prefix: str, width: int) -> list[str]:
    """``text`` as ``#`` comment lines of at most ``width`` characters after ``prefix``, in its
    visible form (``yaml_comment``), so that no line break or control character in it can end
    the comment and write live YAML. Every comment nums writes goes through here."""
    return [prefix + line for line in textwrap.wrap(yaml_comment(text), width)]


def criteria_lines(edition: Edition, claim_lines: Callable[[str], list[str]]) -> list[str]:
    """Every item by pillar and level, each under its text as a comment, with the claim
    lines ``claim_lines`` writes for it: blank for ``nums init``, filled for the browser."""
    lines: list[str] = []
    for pillar in edition.pillars:
        lines.append("")
        lines.append(f"  # ===== Pillar {pillar.number}: {yaml_comment(pillar.name)} =====")
        for level in edition.levels:
            lines.append(f"  # --- {yaml_comment(edition.level_name(level))} ---")
            for item in pillar.items_at(level):
                lines += [*comment_lines(item.text, item.parent, item.methods), *claim_lines(item.id)]
    return lines


def _blank_claim(item_id: str) -> list[str]:
    return [f"  {item_id}:", "    met: false", '    statement: ""', "    evidence: []"]


def review_skeleton(
    edition: Edition,
    submission: Submission,
    sha256: str | None = None,
    document: dict[str, Any] | None = None,
) -> str:
    """A review file listing every claimed criterion, its statement and evidence as comments,
    with an empty decision for the assessor to fill.

    With ``document`` (a review's data, as the browser edits it) the same layout
    is written with its values filled in, so a review saved by the web app reads
    like one started with ``nums review --init``. Decisions on items that are not
    claimed (an assessor may accept one) and keys the format does not define
    follow at the end, so nothing is dropped. The review records the submission it
    is for (``submission:``, its programme and institution), unless ``document``
    gives its own (None writes none).
    """
    from nums.review import reviewed  # only reviews need it

    filled = document or {}
    decisions = filled.get("decisions") if isinstance(filled.get("decisions"), dict) else {}
    reviewer = filled.get("reviewer", {"name": "", "email": ""})
    sha256 = filled.get("submission_sha256") or sha256
    lines = [
        f"# Review of {yaml_comment(submission.title)} ({yaml_comment(submission.programme.institution)})",
        f"# {submission.application.type} application for"
        f" {yaml_comment(edition.level_name(submission.application.level))}"
        f" dated {submission.application.date.isoformat()}; {yaml_comment(edition.id)}.",
        "# For each criterion set decision to accepted, rejected or more-evidence, with a comment.",
        (
            "# A reaccreditation is decided on continuation: the review is final once it is accepted or"
            " rejected;\n# the criteria the applicant included may stay undecided."
            if submission.application.type == "reaccreditation"
            else "# The review stays provisional while any claimed criterion is undecided or needs more evidence."
        ),
        f"reviewer: {yaml_scalar(reviewer)}",
        f"date: {yaml_scalar(filled.get('date'), 'date'):<25} # YYYY-MM-DD of your decision",
    ]
    record = filled["submission"] if "submission" in filled else reviewed(submission)
    if record is not None:
        lines.append(
            f"submission: {yaml_scalar(record)}   # the submission reviewed; nums refuses the review for another"
        )
    if sha256:
        lines.append(
            f"submission_sha256: {_digest(sha256)}   # the submission reviewed; nums warns if it changes"
        )
    overrides = filled.get("overrides") or {}
    lines += [
        f"overrides: {yaml_scalar(overrides):<20} # e.g. training: {{level: bronze, reason: ...}}",
        "decisions:",
    ]
    listed = []
    if submission.application.type == "reaccreditation" and submission.continuation is not None:
        lines += _claim_comment("continuation", "Evidence that provision continues", submission.continuation)
        lines += _decision_lines("continuation", decisions.get("continuation"))
        listed.append("continuation")
    for item in edition.items:
        claim = submission.claims.get(item.id)
        if claim is None or not claim.met:
            continue
        lines += _claim_comment(item.id, item.text, claim)
        lines += _decision_lines(item.id, decisions.get(item.id))
        listed.append(item.id)
    extra = [ident for ident in decisions if ident not in listed]
    if extra:
        lines += ["", "  # Decided though not claimed (or not known to this edition):"]
    for ident in extra:
        lines += _decision_lines(str(ident), decisions[ident])
    known = {"reviewer", "date", "submission", "submission_sha256", "overrides", "decisions"}
    lines += [
        f"{yaml_key(key, '')}: {yaml_scalar(value, key)}" for key, value in filled.items() if key not in known
    ]
    lines.append("")
    return "\n".join(lines)


def _claim_comment(ident: str, text: str, claim: Claim) -> list[str]:
    out = ["", *comment_block(f"{ident}: {text}", "  # ", 92)]
    statement = claim.statement.strip() or "(no statement)"
    out += comment_block("Statement: " + statement, "  #   ", 90)
    for evidence in claim.evidence:
        target = evidence.url or evidence.file
        out += comment_block(f"Evidence: {evidence.title} — {target}", "  #   ", 90)
    if not claim.evidence:
        out.append("  #   Evidence: none given")
    return out


def _digest(sha256: Any) -> str:
    """A SHA-256 as written by ``--init`` stays bare; anything else a review holds there is quoted."""
    text = str(sha256)
    return text if _HEX_DIGEST.fullmatch(text) and not text.isdigit() else yaml_scalar(sha256)


def _decision_lines(ident: str, filled: Any = None) -> list[str]:
    """One decision: blank in a skeleton, the decision and comment when filled."""
    decision = filled.get("decision") if isinstance(filled, dict) else None
    comment = filled.get("comment") if isinstance(filled, dict) else None
    lines = [
        f"  {yaml_key(ident, '  ')}:",
        f"    decision: {'' if decision is None else yaml_scalar(decision):<17} # accepted | rejected | more-evidence",
        f"    comment: {yaml_scalar(comment or '')}",
    ]
    if isinstance(filled, dict):
        lines += [
            f"    {yaml_key(k, '    ')}: {yaml_scalar(v, k)}"
            for k, v in filled.items()
            if k not in {"decision", "comment"}
        ]
    return lines
