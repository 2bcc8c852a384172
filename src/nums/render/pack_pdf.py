"""Renders the submission pack (``nums pack``) to PDF or self-contained HTML.

The content comes from ``nums.pack``; this module gathers it into the
template's context, embeds ``submission.json`` (and, when asked, the evidence
files) and renders it through ``nums.render.pdf``: ``pack_pdf`` gives the PDF's bytes,
``pack_html`` the same pack as one HTML file, for the CLI to write and the app to answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from nums import packfile
from nums.errors import NumsError, Problem
from nums.evaluation import Assessment, capped_words, in_force_note
from nums.pack import (
    CHECK_WORDS,
    NOT_REQUIRED,
    STATUS_SYMBOLS,
    STATUS_WORDS,
    EvidenceRow,
    application_quote,
    attachment_names,
    cover_list,
    cover_warnings,
    embedded_submission,
    evidence_index,
    evidence_rows,
    gap_table,
    next_application,
    not_fingerprinted,
    pillar_views,
)
from nums.pricing import Quote, whom_to_ask
from nums.render.assessment import assessment_warnings
from nums.render.pdf import Attachment, Document, render_pdf, render_template, source_date
from nums.render.quote import amount, issuer_line, quote_json, quote_lines, split_sentence
from nums.render.wheel import Spoke, wheel_svg


def pack_document(result: Assessment, attach_evidence: bool = False) -> Document:
    """The pack as a ``Document`` ready to write, dated by the application."""
    created = source_date(datetime.combine(result.submission.application.date, time(0, 0), tzinfo=UTC))
    rows = evidence_rows(result)
    names = attachment_names(rows) if attach_evidence else {}
    evidence = _evidence_attachments(result, rows, names) if attach_evidence else []
    attachments = [
        Attachment(
            packfile.SUBMISSION_JSON,
            embedded_submission(result, rows, names),
            "The submission and its assessment",
        ),
        *evidence,
    ]
    html = render_template(
        "pack.html", attached=attach_evidence, attachment_names=names, **pack_context(result, rows, created)
    )
    return Document(html=html, created=created, base_dir=result.submission.folder, attachments=attachments)


def _evidence_attachments(
    result: Assessment, rows: list[EvidenceRow], names: dict[Path, str]
) -> list[Attachment]:
    """Each evidence file once; refused before anything is read if ``nums review`` could not
    read the pack back (one file over its embedded-file limit, or all of them over the pack's)."""
    folder = result.submission.folder.resolve()
    chosen: dict[Path, EvidenceRow] = {}
    for row in rows:
        if row.path is not None and row.path not in chosen:
            chosen[row.path] = row
    sizes = {path: path.stat().st_size for path in chosen}
    limit = packfile.MAX_EMBEDDED_BYTES
    problems = [  # every citation is checked: each is where `nums review` unpacks the file
        _citing(
            result,
            path,
            f"cannot be attached: {refusal}, and `nums review` would not unpack it there",
            "rename the file (and cite it by its new name), or make the pack without --attach-evidence",
            target,
        )
        for path, target in dict.fromkeys((row.path, row.target) for row in rows if row.path is not None)
        if (refusal := packfile.unpack_refusal(target)) is not None
    ]
    problems += [
        _citing(
            result,
            path,
            f"is {_mebibytes(size)}, over the {_mebibytes(limit)} a pack attaches (the most `nums review` reads back)",
        )
        for path, size in sizes.items()
        if size > limit
    ]
    if not problems and sum(sizes.values()) > packfile.MAX_ATTACHED_BYTES:
        problems.append(
            Problem(
                f"its evidence files come to {_mebibytes(sum(sizes.values()))}, over the "
                f"{_mebibytes(packfile.MAX_ATTACHED_BYTES)} a pack attaches (the most `nums review` reads back)",
                file=str(result.submission.path),
                suggestion="make the pack without --attach-evidence and send the folder with it",
            )
        )
    if problems:
        raise NumsError(problems)
    return [
        Attachment(
            names[path],
            path.read_bytes(),
            f"Evidence: {path.relative_to(folder).as_posix()}, {row.title} (SHA-256 {row.sha256})",
        )
        for path, row in chosen.items()
    ]


def _citing(
    result: Assessment, path: Path, message: str, advice: str | None = None, target: str | None = None
) -> Problem:
    """A problem with an evidence file, placed at the first line of the submission that cites it
    (as ``target``, when given)."""
    from nums.yamlsource import load_yaml

    sub = result.submission
    advice = advice or "cite it by a web address instead, or make the pack without --attach-evidence"
    cited = [(("criteria", ident), claim.evidence) for ident, claim in sub.claims.items()]
    if sub.continuation is not None:
        cited.append((("continuation",), sub.continuation.evidence))
    for where, evidence in cited:
        for index, item in enumerate(evidence):
            if item.file is not None and sub.check(item).path == path and target in (None, item.file):
                try:
                    doc = load_yaml(sub.path, kind="submission file")
                except NumsError:
                    break
                return doc.problem((*where, "evidence", index, "file"), f"{item.file} {message}", advice)
    return Problem(message, file=str(path), suggestion=advice)


def _mebibytes(size: int) -> str:
    """Sizes against the pack's limits in the limits' own unit (64 MiB), never rounded to equal them."""
    hundredths = -(-size * 100 // (1024 * 1024))  # rounded up: 1 byte over 64 MiB is 64.01 MiB
    return f"{hundredths // 100:,} MiB" if hundredths % 100 == 0 else f"{hundredths / 100:,.2f} MiB"


def pack_context(result: Assessment, rows: list[EvidenceRow], created: datetime) -> dict[str, Any]:
    edition = result.edition
    sub = result.submission
    reaccreditation = sub.application.type == "reaccreditation"
    fee = application_quote(edition, sub)
    pillars = pillar_views(result, rows, only_claimed=reaccreditation)
    warnings = [
        *result.warnings,
        *cover_warnings(edition, assessment_warnings(result)),
        *not_fingerprinted(rows),
    ]
    return {
        "r": result,
        "ed": edition,
        "sub": sub,
        "level_name": edition.level_name,
        "created": created.isoformat(),
        "reaccreditation": reaccreditation,
        "wheel": _wheel(result, reaccreditation),
        "warnings": cover_list(warnings),
        "warning_count": len(warnings),
        "contents": _contents(pillars, reaccreditation),
        "pillars": pillars,
        "rows": rows,
        "index": evidence_index(rows),
        "continuation_rows": [row for row in rows if row.criterion == "continuation"],
        **fee_context(fee),
        "status_words": STATUS_WORDS,
        "status_symbols": STATUS_SYMBOLS,
        "check_words": CHECK_WORDS,
        "not_required": NOT_REQUIRED,
        "gap_rows": _gap_rows(result),
        "in_force_note": in_force_note(edition, sub, result.standing),
        "next_application": next_application(result),
        "keywords": ", ".join(["mentoring", "accreditation", edition.id, *(p.name for p in sub.programmes)]),
    }


def fee_context(fee: Quote | None) -> dict[str, Any]:
    """The fee page's data; ``fee`` None means no programme can be accredited, so nothing is due."""
    if fee is None:
        return {"fee": None, "fee_lines": [], "fee_totals": {}, "fee_alternatives": []}
    return {
        "fee": quote_json(fee),
        "fee_lines": quote_lines(fee),
        "fee_totals": {key: amount(fee, getattr(fee, key)) for key in ("net", "vat", "gross")},
        "fee_alternatives": [split_sentence(fee, split) for split in fee.alternatives],
        "fee_issuer": issuer_line(fee),
        "fee_ask": whom_to_ask(fee),
    }


def _contents(pillars: list[dict[str, Any]], reaccreditation: bool) -> list[tuple[str, str]]:
    """The contents page: (anchor, title) of each section, in order; the page
    numbers come from the layout itself (CSS ``target-counter``), in one pass."""
    entries = [("summary", "Summary")]
    if reaccreditation:
        entries.append(("continuation", "Continuation of provision"))
    entries += [
        (f"pillar-{p['id']}", f"Pillar {p['number']}: {p['name']}")
        for p in pillars
        if p["any"] or not reaccreditation
    ]
    entries += [
        ("gaps", "Gaps and next steps"),
        ("fees", "Fees"),
        ("declaration", "Declaration"),
        ("evidence-index", "Evidence index"),
    ]
    return entries


def _wheel(result: Assessment, reaccreditation: bool) -> Any:
    """Self-rating beside evidence per pillar; for a reaccreditation, which needs no
    pillar evidence, the self-rating beside the level held (a bold ring)."""
    edition = result.edition
    if reaccreditation:
        return wheel_svg(
            [
                Spoke(
                    label=_spoke_label(pillar.name),
                    self_rank=edition.rank(result.pillars[pillar.id].self_rating),
                    evidence_rank=0,
                    self_name=edition.level_name(result.pillars[pillar.id].self_rating)
                    if result.pillars[pillar.id].self_rating
                    else "not rated",
                    evidence_name=NOT_REQUIRED,
                )
                for pillar in edition.pillars
            ],
            [edition.level_name(level) for level in edition.levels],
            f"Self-rating for each pillar; level held {edition.level_name(result.standing.held)}",
            held_rank=edition.rank(result.standing.held),
        )
    spokes = [
        Spoke(
            label=_spoke_label(pillar.name),
            self_rank=edition.rank(result.pillars[pillar.id].self_rating),
            evidence_rank=edition.rank(result.pillars[pillar.id].level),
            self_name=edition.level_name(result.pillars[pillar.id].self_rating)
            if result.pillars[pillar.id].self_rating
            else "not rated",
            evidence_name=edition.level_name(result.pillars[pillar.id].level)
            if result.pillars[pillar.id].level
            else "none",
        )
        for pillar in edition.pillars
    ]
    names = [edition.level_name(level) for level in edition.levels]
    return wheel_svg(spokes, names, "Self-rating and evidence level for each pillar")


def _spoke_label(name: str) -> str:
    return name if len(name) <= 14 else name.split()[0]


def _gap_rows(result: Assessment) -> list[dict[str, Any]]:
    """Per gap analysis (the level applied for, then the next), the pillars short and what they need."""
    labelled = (("the level applied for", result.gaps), ("the next level", result.next_gaps))
    return [
        {**gap_table(result.edition, gaps, label), "capped": capped_words(result, gaps)}
        for label, gaps in labelled
        if gaps is not None
    ]


def pack_pdf(result: Assessment, attach_evidence: bool = False) -> bytes:
    """The pack PDF ``nums pack`` writes and the app answers."""
    return render_pdf(pack_document(result, attach_evidence))


def pack_html(result: Assessment, attach_evidence: bool = False) -> str:
    """The pack as one self-contained HTML file (``nums pack --html``; styles and SVG inline)."""
    return pack_document(result, attach_evidence).html
