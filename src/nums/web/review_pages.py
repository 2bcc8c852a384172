"""The assessor's review page: every claimed item with a decision, the live outcome beside it.

Like the coordinator's page it works with JavaScript off (the form posts, the
server checks, saves and redirects, or shows the form again with its problems);
with JavaScript on, ``static/app.js`` posts the form to ``review/preview`` as
the assessor types and swaps in the outcome. Everything goes through
``nums.web.reviewing``, the same path as ``PUT /api/programmes/{id}/review``.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from nums.boundary import LinkRefused
from nums.errors import Problem
from nums.escaping import content_disposition
from nums.review import ACCEPTED, CONTINUATION, MORE_EVIDENCE, REJECTED, Review
from nums.web import files, saving
from nums.web.editing import json_ready
from nums.web.journey_view import beside, case_for_review, reviewed_file
from nums.web.programme_pages import not_found
from nums.web.reviewing import (
    REVIEW_FILE,
    Case,
    CheckedReview,
    check_review,
    letter_bytes,
    outcome,
    outcome_json,
    save_review,
    stored_review,
    submission_changed,
)
from nums.web.routing import ProgrammeHandler, Target
from nums.web.templating import fragment, page_url, render
from nums.web.work import quick
from nums.workspace import ProgrammeFolder

DECISIONS = ((ACCEPTED, "Accepted"), (REJECTED, "Rejected"), (MORE_EVIDENCE, "More evidence"))


CaseHandler = Callable[[Request, Target, Case], Awaitable[Response]]


def with_case(handler: CaseHandler) -> ProgrammeHandler:
    """A review page needs a submission that validates: the handler gets its case, else the
    page says what is wrong."""

    async def answer(request: Request, target: Target) -> Response:
        case, _ = await quick(case_for_review, request, target)
        if case is None:
            return render(
                request,
                "missing.html",
                status=422,
                title="The submission does not validate",
                message="A review needs a submission that validates: its programme page lists what to fix.",
            )
        return await handler(request, target, case)

    return answer


async def _review_html(request: Request, status: int = 200, **context: Any) -> Response:
    """The review page, with what the site shows beside each criterion (the requests for evidence
    and what changed since the last snapshot); nothing more under ``nums serve``."""
    journey = await beside(request, context["id"])
    return render(request, "review.html", status=status, **context, **journey)


async def _view(request: Request, target: Target, case: Case) -> Response:
    stored = await quick(stored_review, case)
    document = stored.document if stored.document is not None else _blank()
    flash = next((words for key, words in _FLASHES.items() if key in request.query_params), None)
    checked = await quick(check_review, case, document)
    problems = stored.problems or (checked.problems if stored.text is not None else ())
    context = _context(case, target.place, document, checked, stored.sha256, problems, flash)
    return await _review_html(request, **context)


async def _preview(request: Request, target: Target, case: Case) -> Response:
    form = await request.form()
    stored = await quick(stored_review, case)
    checked = await quick(check_review, case, document_from_form(stored.document, form))
    return fragment(request, "_outcome.html", **_outcome_context(case, checked), preview=True)


async def _letter(request: Request, target: Target, case: Case) -> Response:
    stored = await quick(stored_review, case)
    checked = await quick(check_review, case, stored.document)
    if checked.review is None:
        return render(
            request,
            "missing.html",
            status=404,
            title="No valid review yet",
            message="The letter is written from a saved review that validates.",
        )
    data = await run_in_threadpool(letter_bytes, outcome(case, checked.review))
    filename = f"{target.place.id.replace('/', '-')}-outcome-letter.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": content_disposition(filename)},
    )


_FLASHES = {
    "saved": "Saved. The version it replaced is kept under .nums/history/review/.",
    "restored": "Restored that version. The one it replaced is kept under History of the review.",
    "conflict": "The review file changed on disk meanwhile, so nothing was changed. This is the file as it is now.",
}


async def _restore(request: Request, target: Target, case: Case) -> Response:
    """The programme page's restore, for ``review.yaml``: checked against the base hash like a save."""
    place = target.place
    form = await request.form()
    version, base = str(form.get("version") or ""), str(form.get("base_sha256") or "") or None
    keep = saving.keeper(request)
    try:
        await run_in_threadpool(
            keep.file,
            saving.REVIEW_SAVED,
            place.id,
            base,
            lambda: files.restore(case.folder, version, base, REVIEW_FILE, files.REVIEW_HISTORY),
            restored=version,
        )
    except FileNotFoundError:
        return render(request, "missing.html", status=404, title="Not found")
    except files.Conflict:
        return RedirectResponse(page_url(place.id, "review") + "?conflict=1", status_code=303)
    except LinkRefused as refused:
        stored = await quick(stored_review, case)
        document = stored.document if stored.document is not None else _blank()
        checked = await quick(check_review, case, document)
        context = _context(case, place, document, checked, stored.sha256, refused.problems)
        return await _review_html(request, status=409, **context)
    return RedirectResponse(page_url(place.id, "review") + "?restored=1", status_code=303)


def _blank() -> dict[str, Any]:
    return {
        "reviewer": {"name": "", "email": ""},
        "date": date.today().isoformat(),
        "overrides": {},
        "decisions": {},
    }


async def _save(request: Request, target: Target, case: Case) -> Response:
    place = target.place
    form = await request.form()
    base = str(form.get("base_sha256") or "") or None
    stored = await quick(stored_review, case)
    document = document_from_form(stored.document, form)
    checked = await quick(check_review, case, document)
    if checked.review is None:
        return await _review_html(
            request,
            status=422,
            **_context(case, place, document, checked, base, checked.problems),
        )
    try:
        keep = saving.keeper(request)
        await run_in_threadpool(
            keep.file, saving.REVIEW_SAVED, place.id, base, lambda: save_review(case, checked, base)
        )
    except files.Conflict:
        problem = Problem(
            "the review file changed on disk since you opened it (another tab, a colleague or the command line);"
            " nothing was written. Reload to see it, then make your changes again."
        )
        return await _review_html(
            request, status=409, **_context(case, place, document, checked, base, (problem,))
        )
    except LinkRefused as refused:  # the review file is a link: nothing is saved through it
        context = _context(case, place, document, checked, base, refused.problems)
        return await _review_html(request, status=409, **context)
    return RedirectResponse(page_url(place.id, "review") + "?saved=1", status_code=303)


def document_from_form(stored: dict[str, Any] | None, form: FormData) -> dict[str, Any]:
    """The review the form describes, on top of the stored one (keys the form does not show are kept)."""
    document = copy.deepcopy(stored) if stored else _blank()
    reviewer = document.get("reviewer") if isinstance(document.get("reviewer"), dict) else {}
    reviewer["name"] = str(form.get("reviewer.name") or "")
    reviewer["email"] = str(form.get("reviewer.email") or "") or None
    if reviewer["email"] is None:
        reviewer.pop("email")
    document["reviewer"] = reviewer
    document["date"] = str(form.get("date") or "") or None
    decisions = document.get("decisions") if isinstance(document.get("decisions"), dict) else {}
    overrides = {}
    for key in form:
        if key.startswith("d.") and key.endswith(".decision"):
            ident = key[2:].removesuffix(".decision")
            word = str(form.get(key) or "") or None
            comment = str(form.get(f"d.{ident}.comment") or "")
            entry = decisions.get(ident) if isinstance(decisions.get(ident), dict) else {}
            if word is None and not comment and ident not in decisions:
                continue
            entry.update({"decision": word, "comment": comment})
            decisions[ident] = entry
        elif key.startswith("o.") and key.endswith(".level"):
            pillar = key[2:].removesuffix(".level")
            level = str(form.get(key) or "") or None
            reason = str(form.get(f"o.{pillar}.reason") or "")
            if level or reason:
                overrides[pillar] = {"level": level, "reason": reason}
    document["decisions"] = decisions
    document["overrides"] = overrides
    return document


def _context(
    case: Case,
    place: ProgrammeFolder,
    document: dict[str, Any],
    checked: CheckedReview,
    sha256: str | None,
    problems: tuple[Problem, ...],
    flash: str | None = None,
) -> dict[str, Any]:
    sub, edition = case.submission, case.edition
    decisions = document.get("decisions") if isinstance(document.get("decisions"), dict) else {}
    overrides = document.get("overrides") if isinstance(document.get("overrides"), dict) else {}
    pillars = []
    for pillar_id in edition.pillar_ids:
        items = [item for item in edition.items if item.pillar == pillar_id]
        claimed = [
            _item_view(item.id, item.text, sub.claims.get(item.id), decisions)
            for item in items
            if _claimed(sub, item.id)
        ]
        unclaimed = [
            _item_view(item.id, item.text, None, decisions) for item in items if not _claimed(sub, item.id)
        ]
        override = overrides.get(pillar_id) if isinstance(overrides.get(pillar_id), dict) else {}
        pillars.append(
            {
                "id": pillar_id,
                "name": edition.pillar(pillar_id).name,
                "claimed": claimed,
                "unclaimed": unclaimed,
                "override": override,
            }
        )
    reviewer = document.get("reviewer") if isinstance(document.get("reviewer"), dict) else {}
    continuation = None
    if sub.application.type == "reaccreditation":
        continuation = _item_view(
            CONTINUATION, "Evidence that provision continues", sub.continuation, decisions
        )
    return {
        "title": f"Review: {sub.title}",
        "id": place.id,
        "sub": sub,
        "ed": edition,
        "reviewer": reviewer,
        "date": json_ready(document.get("date")) or "",
        "pillars": pillars,
        "continuation": continuation,
        "decision_words": DECISIONS,
        "sha256": sha256,
        "problems": problems,
        "flash": flash,
        "versions": files.versions(case.folder, files.REVIEW_HISTORY),
        "levels": [(level, edition.level_name(level)) for level in edition.levels],
        **_outcome_context(case, checked),
    }


def _claimed(sub: Any, ident: str) -> bool:
    claim = sub.claims.get(ident)
    return claim is not None and claim.met


def _item_view(ident: str, text: str, claim: Any, decisions: dict[str, Any]) -> dict[str, Any]:
    entry = decisions.get(ident) if isinstance(decisions.get(ident), dict) else {}
    evidence = []
    for ev in claim.evidence if claim is not None else ():
        web = ev.url if ev.url and ev.url.lower().startswith(("https://", "http://")) else None
        evidence.append(
            {"title": ev.title, "url": web, "other_url": ev.url if not web else None, "file": ev.file}
        )
    return {
        "id": ident,
        "field": ident.replace(".", "-"),
        "text": text,
        "statement": claim.statement if claim is not None else "",
        "evidence": evidence,
        "decision": entry.get("decision") or "",
        "comment": entry.get("comment") or "",
    }


def _outcome_context(case: Case, checked: CheckedReview) -> dict[str, Any]:
    review: Review | None = checked.review
    return {
        "outcome": outcome_json(case, review) if review is not None else None,
        "outcome_problems": checked.problems,
        "changed": submission_changed(case, review),
        "level_name": case.edition.level_name,
        "pillar_name": lambda pillar_id: case.edition.pillar(pillar_id).name,
    }


review_page = with_case(_view)
review_save = with_case(_save)
review_preview = with_case(_preview)
review_restore = with_case(_restore)
review_letter = with_case(_letter)


async def review_evidence(request: Request, target: Target) -> Response:
    """An evidence file the review page links to, as the review reads it (``reviewed_file``)."""
    return await reviewed_file(request, target) or await not_found(request)
