"""The submission pack's content: everything the templates show, worked out
here as plain data so that the templates only lay it out.

Pure: from an edition, a submission, its assessment and the fee quote to a
``PackView``. No WeasyPrint here; ``nums.render.pack_pdf`` renders it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nums import packfile
from nums.errors import Problem
from nums.evaluation import MET, NOT_CLAIMED, UNEVIDENCED, Assessment, ClaimResult
from nums.evidence import FILE_NOT_FOUND, FileFacts, file_facts, human_size
from nums.fees import submissions_request
from nums.fingerprint import json_ready
from nums.gaps import Gaps
from nums.pricing import Quote, quote
from nums.render.assessment import assessment_json
from nums.render.assessment import assessment_warnings as file_warnings
from nums.standard import Edition, Item
from nums.submission import EvidenceItem, Submission

PACK_FORMAT = "nums-pack/1"
STATUS_WORDS = {MET: "Met", UNEVIDENCED: "Claimed without evidence", NOT_CLAIMED: "Not claimed"}
STATUS_SYMBOLS = {MET: "✓", UNEVIDENCED: "!", NOT_CLAIMED: "–"}
CHECK_WORDS = {
    "agrees": "agrees",
    "over": "over-rated",
    "under": "under-rated",
    "unrated": "not rated",
    "not-compared": "not compared",
}
NOT_REQUIRED = "not required for a reaccreditation"
# Longest status shown beside a criterion's text ("Claimed without a statement" fits); a longer
# one (a missing file's name) goes on a line of its own so the text keeps its width.
BADGE_INLINE_CHARS = 28


def status_word(claim: ClaimResult, statement: str) -> str:
    """The exact reason a claim does not count, in a few words: a missing file is
    named as missing, not described as a claim without evidence."""
    if claim.status != UNEVIDENCED:
        return STATUS_WORDS[claim.status]
    missing = [c.target for c in claim.evidence if c.kind == "file" and c.problem == FILE_NOT_FOUND]
    if missing and not any(c.usable for c in claim.evidence):
        return "Evidence file missing: " + ", ".join(missing)
    if claim.evidence and not any(c.usable for c in claim.evidence):
        return "Evidence not usable"
    if claim.evidence and not statement:
        return "Claimed without a statement"
    return STATUS_WORDS[UNEVIDENCED]


@dataclass(frozen=True)
class EvidenceRow:
    """One evidence item as the pack shows it (and the index lists it)."""

    number: int
    criterion: str
    title: str
    kind: str  # url | file
    target: str
    usable: bool
    problem: str | None
    size: str | None = None
    sha256: str | None = None
    path: Path | None = None


def application_quote(edition: Edition, submission: Submission) -> Quote | None:
    """The fee for this application on its application date, each programme priced by
    what its application really is; None when no programme can be accredited."""
    request = submissions_request(edition, [submission], today=submission.application.date)
    if request.initial + request.reaccreditation == 0:
        return None
    return quote(edition.price_lists, request)


def evidence_rows(result: Assessment) -> list[EvidenceRow]:
    """Every evidence item in submission order, continuation first. Items citing
    the same link or file share its number in the evidence index."""
    sub = result.submission
    entries: list[tuple[str, EvidenceItem]] = []
    if sub.continuation is not None:
        entries += [("continuation", e) for e in sub.continuation.evidence]
    for item in result.edition.items:
        claim = sub.claims.get(item.id)
        if claim is not None:
            entries += [(item.id, e) for e in claim.evidence]
    facts: dict[Path, FileFacts | None] = {}
    budget = [packfile.MAX_ATTACHED_BYTES]  # bytes still to be read for fingerprints
    numbers: dict[tuple[str, str], int] = {}
    rows = []
    for criterion, evidence in entries:
        check = sub.check(evidence)
        number = numbers.setdefault((check.kind, check.target), len(numbers) + 1)
        row = EvidenceRow(
            number, criterion, evidence.title, check.kind, check.target, check.usable, check.problem
        )
        if check.usable and check.path is not None:
            if check.path not in facts:
                facts[check.path] = _fingerprint(check.path, budget)
            found = facts[check.path]
            if found is None:
                row = EvidenceRow(**{**row.__dict__, "usable": False, "problem": "the file cannot be read"})
            else:
                size, sha = human_size(found.size), found.sha256
                row = EvidenceRow(**{**row.__dict__, "size": size, "sha256": sha, "path": check.path})
        rows.append(row)
    return rows


def attachment_names(rows: list[EvidenceRow]) -> dict[Path, str]:
    """The embedded name of each evidence file, in the order first cited: chosen by nums
    (``evidence-001-handbook.md``), so no file's own name can be taken for the submission's,
    and short and plain so every pack nums writes can be unpacked again anywhere."""
    from nums.packfile import evidence_attachment_name

    names: dict[Path, str] = {}
    for row in rows:
        if row.path is not None and row.path not in names:
            names[row.path] = evidence_attachment_name(len(names) + 1, row.target)
    return names


def _fingerprint(path: Path, budget: list[int]) -> FileFacts | None:
    """Size and SHA-256 of an evidence file, read only as far as a pack could carry it: one file
    of at most ``packfile.MAX_EMBEDDED_BYTES``, all of them ``packfile.MAX_ATTACHED_BYTES`` (what
    ``--attach-evidence`` embeds and ``nums review`` reads back). A larger file is listed by its
    size alone, never read; None when it cannot be read at all."""
    try:
        found = file_facts(path, min(packfile.MAX_EMBEDDED_BYTES, budget[0]))
    except OSError:
        return None
    if found.sha256 is not None:
        budget[0] -= found.size
    return found


def not_fingerprinted(rows: list[EvidenceRow]) -> list[str]:
    """A warning for each evidence file too large for nums to fingerprint."""
    per_file, total = packfile.MAX_EMBEDDED_BYTES >> 20, packfile.MAX_ATTACHED_BYTES >> 20
    seen = dict.fromkeys(row.target for row in rows if row.path is not None and row.sha256 is None)
    return [
        f"{target}: not fingerprinted (no SHA-256 in the evidence index): nums reads at most {per_file} MiB "
        f"of one evidence file and {total} MiB in all; send its checksum with it"
        for target in seen
    ]


def embedded_submission(
    result: Assessment, rows: list[EvidenceRow], attached: dict[Path, str] | None = None
) -> bytes:
    """``submission.json``: the submission as written, its assessment and its evidence hashes,
    with the embedded name of each evidence file ``attached`` (``attachment``)."""
    attached = attached or {}
    evidence = [
        {
            "criterion": row.criterion,
            "title": row.title,
            row.kind: row.target,
            "usable": row.usable,
            "size": row.path.stat().st_size if row.path else None,
            "sha256": row.sha256,
            **({"attachment": attached[row.path]} if row.path in attached else {}),
        }
        for row in rows
    ]
    assessment = assessment_json(result)
    # The pack is the same bytes however its submission was reached (a path typed, a folder):
    # it names the file, never the path.
    assessment["submission"] = result.submission.path.name
    assessment["warnings"] = [
        *result.warnings,
        *(warning_words(result.edition, w) for w in file_warnings(result)),
    ]
    document = {
        "format": PACK_FORMAT,
        "edition": result.edition.id,
        "submission": json_ready(result.submission.raw),
        "assessment": assessment,
        "evidence": evidence,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False).encode("utf-8")


def claim_view(
    item: Item, claim: ClaimResult, result: Assessment, rows_by_item: dict[str, list[EvidenceRow]]
) -> dict[str, Any]:
    written = result.submission.claims.get(item.id)
    statement = written.statement.strip() if written else ""
    return {
        "id": item.id,
        "number": item.number,
        "text": item.text,
        "footnote": item.footnote,
        "methods": item.methods,
        "errata": item.errata,
        "status": claim.status,
        "status_word": status_word(claim, statement),
        "status_symbol": STATUS_SYMBOLS[claim.status],
        "badge_below": len(status_word(claim, statement)) > BADGE_INLINE_CHARS,
        "statement": statement,
        "evidence": rows_by_item.get(item.id, []),
        "reasons": claim.reasons,
    }


def pillar_views(result: Assessment, rows: list[EvidenceRow], only_claimed: bool) -> list[dict[str, Any]]:
    """Each pillar, level by level: the criteria as printed, each with its status and evidence."""
    edition = result.edition
    by_item: dict[str, list[EvidenceRow]] = {}
    for row in rows:
        by_item.setdefault(row.criterion, []).append(row)
    views = []
    for pillar in edition.pillars:
        levels = []
        for level in edition.levels:
            met, needed, total = result.pillars[pillar.id].counts[level]
            groups = []
            for criterion in pillar.criteria_at(level):
                items = [i for i in pillar.items_at(level) if i.criterion == criterion.id]
                claims = [claim_view(i, result.claims[i.id], result, by_item) for i in items]
                if only_claimed:
                    claims = [c for c in claims if c["status"] != NOT_CLAIMED]
                if claims:
                    groups.append({"criterion": criterion, "items": claims})
            levels.append(
                {
                    "id": level,
                    "name": edition.level_name(level),
                    "met": met,
                    "needed": needed,
                    "total": total,
                    "reached": met >= needed,
                    "heading": pillar.level_headings.get(level),
                    "groups": groups,
                }
            )
        p = result.pillars[pillar.id]
        included = [c for lvl in levels for g in lvl["groups"] for c in g["items"]]
        views.append(
            {
                "id": pillar.id,
                "number": pillar.number,
                "name": pillar.name,
                "levels": levels,
                "level": _evidence_word(result, p.level, included, only_claimed),
                "self_rating": edition.level_name(p.self_rating) if p.self_rating else "not rated",
                "check": "not checked: " + NOT_REQUIRED if only_claimed else CHECK_WORDS[p.self_rating_check],
                "any": any(lvl["groups"] for lvl in levels),
                "included": _included_word(included),
            }
        )
    return views


def _included_word(included: list[dict[str, Any]]) -> str:
    met = sum(1 for c in included if c["status"] == MET)
    return f"{met} of {len(included)} met" if included else "none"


def _evidence_word(
    result: Assessment, level: str | None, included: list[dict[str, Any]], reaccreditation: bool
) -> str:
    """A pillar's evidence level; for a reaccreditation, which never requires one, what was included."""
    if reaccreditation:
        if not included:
            return NOT_REQUIRED
        return f"included criteria: {_included_word(included)} ({NOT_REQUIRED})"
    return result.edition.level_name(level) if level else "none"


@dataclass(frozen=True)
class IndexEntry:
    """One distinct link or file in the evidence index, with everything that cites it."""

    row: EvidenceRow
    titles: tuple[str, ...]
    cited_by: tuple[str, ...]


def evidence_index(rows: list[EvidenceRow]) -> list[IndexEntry]:
    grouped: dict[int, list[EvidenceRow]] = {}
    for row in rows:
        grouped.setdefault(row.number, []).append(row)
    return [
        IndexEntry(
            row=group[0],
            titles=tuple(dict.fromkeys(r.title for r in group)),
            cited_by=tuple(dict.fromkeys(r.criterion for r in group)),
        )
        for _, group in sorted(grouped.items())
    ]


def gap_table(edition: Edition, gaps: Gaps, label: str) -> dict[str, Any]:
    """One gap analysis as the pack and the web app show it: the pillars short of the
    target, how many more items each level needs and from which, the cheapest to raise."""
    short = []
    for pillar in edition.pillars:
        gap = gaps.pillars[pillar.id]
        if gap.reaches_target:
            continue
        needs = [
            {"level": edition.level_name(level), "more": more, "from": list(gap.missing[level])}
            for level, more in gap.more.items()
        ]
        short.append(
            {
                "pillar": pillar.name,
                "id": pillar.id,
                "needed": gap.needed,
                "needs": needs,
                "cheapest": pillar.id in gaps.raise_pillars,
                "unevidenced": list(gap.unevidenced),
            }
        )
    return {
        "label": label,
        "target": edition.level_name(gaps.target),
        "reached": gaps.reached,
        "at_target": gaps.pillars_at_target,
        "required": gaps.pillars_required,
        "raise": [edition.pillar(p).name for p in gaps.raise_pillars],
        "item_count": gaps.items_to_raise,
        "short": short,
    }


def next_application(result: Assessment) -> str:
    """When the programme may next apply for a level, never a date already past for the level
    this application is for: that window is this application."""
    edition, held, app = result.edition, result.standing, result.submission.application
    name = edition.level_name
    months = edition.rules.progression.months_at_level
    nxt, since = held.next_level, held.next_level_from
    if nxt and since:
        if since > result.on:
            return f"{name(nxt)} from {since.isoformat()} ({months} months at {name(held.held)})"
        if app.type == "initial" and app.level == nxt:
            after = edition.level_above(nxt)
            then = (
                f"; after an award at {name(nxt)}, {name(after)} may be applied for once {name(nxt)} has been "
                f"held for {months} months"
                if after
                else f"; {name(nxt)} is the highest level"
            )
            return f"{name(nxt)}: open since {since.isoformat()}, and this application is for it{then}"
        return f"{name(nxt)}: open since {since.isoformat()}, as a full application"
    if held.held:
        return f"{name(held.held)} is the highest level"
    entry = name(edition.rules.progression.entry_level)
    return (
        f"As a new applicant, the programme starts at {entry}; the next level may be applied for "
        f"{months} months after the {entry} award"
    )


def warning_words(edition: Edition, problem: Problem) -> str:
    """A warning as a reader of the pack reads it: where in the submission (the criterion by its
    id, the key by name, the line), what is wrong and what to do; never a file path."""
    field = problem.field or ""
    where, key = _place(edition, field)
    line = f", line {problem.line}" if problem.line is not None else ""
    message = problem.message
    if key and message.startswith("not a field"):
        text = f"{where}{line}: “{key}” is {message}"
    else:
        text = f"{where}{line}: {message}" if where else message
    if problem.suggestion:
        text += f". {problem.suggestion[0].upper()}{problem.suggestion[1:]}"
    return text


COVER_WARNINGS = 12
"""Warnings the cover lists before it says how many more there are: about as many as leave the
cover one page when each takes two lines (a layout choice, not a rule)."""

_EVIDENCE_FIELD = re.compile(r"(?:criteria\.(?P<ident>.+)|continuation)\.evidence\[\d+\]\.(?:file|url)")


def cover_warnings(edition: Edition, problems: Sequence[Problem]) -> list[str]:
    """The cover's warnings in words (``warning_words``), with one line for each evidence item
    that cannot count however many criteria cite it ("evidence/x.md: file not found; cited by
    aims.1 (line 35) and aims.2 (line 40)"), so that a folder of missing files still leaves the
    cover one page."""
    said: list[str] = []
    cited: dict[str, list[str]] = {}
    for problem in problems:
        found = _EVIDENCE_FIELD.fullmatch(problem.field or "")
        if found is None:
            said.append(warning_words(edition, problem))
            continue
        if problem.message not in cited:
            said.append(problem.message)  # a placeholder, filled in below, keeps the first one's place
            cited[problem.message] = []
        where = found.group("ident") or "the continuation evidence"
        cited[problem.message].append(f"{where} (line {problem.line})" if problem.line else where)
    return [
        f"{text}; cited by {_listed(cited[text])}" if text in cited else text for text in dict.fromkeys(said)
    ]


def cover_list(warnings: Sequence[str]) -> list[str]:
    """At most ``COVER_WARNINGS`` lines: the first ones, then how many more there are."""
    if len(warnings) <= COVER_WARNINGS:
        return list(warnings)
    more = len(warnings) - COVER_WARNINGS + 1
    return [*warnings[: COVER_WARNINGS - 1], f"and {more} more: nums validate lists every one, with its line"]


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _place(edition: Edition, field: str) -> tuple[str, str]:
    """("Criterion aims.2", "statment") from "criteria.aims.2.statment"; other fields by name."""
    parts = field.split(".")
    if parts[0] == "criteria" and len(parts) > 1:
        rest = ".".join(parts[1:])
        known = sorted((i.id for i in edition.items), key=len, reverse=True)
        ident = next((i for i in known if rest == i or rest.startswith(i + ".")), parts[1])
        return f"Criterion {ident}", rest[len(ident) + 1 :]
    if parts[0] == "continuation":
        return "Continuation evidence", ".".join(parts[1:])
    if not field:
        return "", ""
    return ("At " + ".".join(parts[:-1])) if len(parts) > 1 else "At the top level", parts[-1]
