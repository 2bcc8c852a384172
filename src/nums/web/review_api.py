"""``/api/programmes/{id}/review``, ``/outcome`` and ``/letter.pdf``: the review as a contract.

``GET review`` is the review file's data and hash; ``PUT review`` checks,
saves (conflict-checked on ``base_sha256``) and answers with the outcome;
``outcome`` is exactly ``nums review SUBMISSION REVIEW --json``; the letter is
the same bytes as ``nums review ... --letter``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from nums.errors import NumsError
from nums.escaping import content_disposition
from nums.review import review_from_text
from nums.web import saving
from nums.web.answers import JSONResponse, checked_save, error_json, json_body
from nums.web.editing import json_ready, problem_json
from nums.web.journey_view import case_for_review, reviewed_file
from nums.web.reviewing import (
    Case,
    check_review,
    letter_bytes,
    outcome,
    outcome_json,
    save_review,
    stored_review,
    submission_changed,
)
from nums.web.routing import ProgrammeHandler, Target
from nums.web.work import quick

CaseHandler = Callable[[Request, Target, Case], Awaitable[Response]]


def with_case(handler: CaseHandler) -> ProgrammeHandler:
    """A review needs a submission that validates: the handler gets its case, else a 422 with
    the submission's problems."""

    async def answer(request: Request, target: Target) -> Response:
        case, loaded = await quick(case_for_review, request, target)
        if case is None:
            return error_json(
                422, "the submission does not validate", errors=[problem_json(p) for p in loaded.problems]
            )
        return await handler(request, target, case)

    return answer


async def _get(request: Request, target: Target, case: Case) -> Response:
    return await quick(_get_review, case)


async def _put(request: Request, target: Target, case: Case) -> Response:
    return await _put_review(request, case, target.place.id)


async def _outcome(request: Request, target: Target, case: Case) -> Response:
    return await run_in_threadpool(_outcome_or_letter, case, "outcome", target.place.id)


async def _letter(request: Request, target: Target, case: Case) -> Response:
    return await run_in_threadpool(_outcome_or_letter, case, "letter.pdf", target.place.id)


def _get_review(case: Case) -> Response:
    stored = stored_review(case)
    if stored.text is None and not stored.problems:
        return error_json(404, "no review yet")
    if stored.document is None:
        return error_json(
            422, "the review file cannot be read", errors=[problem_json(p) for p in stored.problems]
        )
    return JSONResponse({"sha256": stored.sha256, "review": json_ready(stored.document)})


async def _put_review(request: Request, case: Case, programme_id: str) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict) or "review" not in body:
        return error_json(422, 'send {"base_sha256": ..., "review": {...}}')
    keep = saving.keeper(request)
    return await checked_save(lambda: _check_save(case, body, keep, programme_id), "the review")


def _check_save(case: Case, body: dict[str, Any], keep: saving.Keeper, programme_id: str) -> dict[str, Any]:
    checked = check_review(case, body["review"])
    if checked.review is None:
        return {"errors": [problem_json(p) for p in checked.problems]}
    base = body.get("base_sha256")
    sha = keep.file(saving.REVIEW_SAVED, programme_id, base, lambda: save_review(case, checked, base))
    return {
        "sha256": sha,
        "outcome": outcome_json(case, checked.review),
        "submission_changed": submission_changed(case, checked.review),
    }


def _outcome_or_letter(case: Case, rest: str, programme_id: str) -> Response:
    stored = stored_review(case)
    if stored.text is None and stored.problems:
        return error_json(
            422, "the review file cannot be read", errors=[problem_json(p) for p in stored.problems]
        )
    if stored.text is None:
        return error_json(404, "no review yet")
    try:
        review = review_from_text(stored.text, case.path, case.edition, case.submission)
    except (NumsError, ValueError) as error:
        problems = error.problems if isinstance(error, NumsError) else ()
        return error_json(
            422, "the review file does not validate", errors=[problem_json(p) for p in problems]
        )
    if rest == "outcome":
        return JSONResponse(outcome_json(case, review))
    data = letter_bytes(outcome(case, review))
    filename = f"{programme_id.replace('/', '-')}-outcome-letter.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": content_disposition(filename)},
    )


get_review = with_case(_get)
put_review = with_case(_put)
get_outcome = with_case(_outcome)
get_letter = with_case(_letter)


async def review_evidence(request: Request, target: Target) -> Response:
    """The review page's evidence file for scripts: the snapshot's kept copy while one is under review."""
    return await reviewed_file(request, target) or error_json(404, "no such file")
