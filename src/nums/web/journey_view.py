"""An application's journey on the site's web side (issue 23): the state, the steps, the requests
for evidence, what changed, the invoice, and what waits for each person.

Every handler parses, calls one library function (``nums.site.journey``, ``nums.site.invoices``) in
a worker thread, and answers: the library decides every rule and asks the policy; a refusal is its
words with its status (403, 404 or 409). The pages are forms that work with JavaScript off; the
JSON twins are the issue's contract:

- ``POST /api/programmes/{id}/transitions`` ``{"to": STATE, "assessor": EMAIL?}`` ->
  ``{state, since, snapshot_sha256}``, or 403/409 ``{"error": reason}``;
- ``GET /api/programmes/{id}/state`` -> ``{state, since, snapshot_sha256, requests: [{criterion,
  message, answered, due}]}``;
- ``POST /api/programmes/{id}/requests`` ``{"criterion": ID, "note": TEXT}`` -> the state; or the
  same fields as multipart with files (``file``, repeated; ``title``): the state and ``evidence``
  (``[{file, sha256, size}]``), each file stored, added to the criterion's claim and saved before
  the answer (``nums.web.answering``), a refusal ``{"error", "stored", "added"}``;
- ``GET /api/waiting`` -> ``{waiting: [{programme, what, when, kind}]}`` (``nums.site.waiting``),
  the list the landing page after sign-in shows too.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from nums import policy
from nums.errors import NumsError
from nums.escaping import content_disposition
from nums.site import invoices, journey, waiting
from nums.site.snapshots import change_json
from nums.site.states import State
from nums.web import answering, saving
from nums.web.answers import JSONResponse, error_json, json_body
from nums.web.downloads import evidence_download, file_download
from nums.web.reviewing import Case, case_of
from nums.web.routing import Target, person_of
from nums.web.templating import page_url, render
from nums.web.work import in_thread, quick
from nums.workspace import LoadedProgramme

MAX_NOTE = 2000


def _site(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.site


def _status(error: NumsError) -> int:
    return error.status if isinstance(error, journey.Refused) else 422


def _words(error: NumsError) -> str:
    return error.reason if isinstance(error, journey.Refused) else error.problems[0].message


# --- reading -----------------------------------------------------------------------------------


def _state(request: Request, programme_id: str) -> dict[str, Any]:
    with _site(request).transaction() as db:
        return journey.state_json(db, programme_id)


async def get_state(request: Request, target: Target) -> Response:
    return JSONResponse(await quick(_state, request, target.place.id))


def _changes(request: Request, programme_id: str) -> list[dict[str, Any]]:
    with _site(request).transaction() as db:
        return [change_json(c) for c in journey.what_changed(db, programme_id)]


async def get_changes(request: Request, target: Target) -> Response:
    """The assessor's "what changed" since the last snapshot, criterion by criterion."""
    return JSONResponse({"changes": await quick(_changes, request, target.place.id)})


def _page_facts(request: Request, programme_id: str) -> dict[str, Any]:
    person = person_of(request)
    with _site(request).transaction() as db:
        thing = journey.programme_thing(db, programme_id)
        found = journey.current(db, programme_id)
        invoice = invoices.invoice_of(db, found) if found is not None else None
        beside = journey.beside_criteria(db, person, programme_id) or {}
        return {
            "programme": journey.programme_title(_site(request), programme_id),
            "state": journey.state_json(db, programme_id),
            "letter": beside.get("letter", False),
            "outcome": beside.get("outcome"),
            "awards": beside.get("awards", []),
            "changes": [change_json(c) for c in journey.what_changed(db, programme_id)]
            if policy.can(person, policy.Action.VIEW_REVIEW, thing)
            else [],
            "invoice": invoices.facts_of(invoice) if invoice is not None else None,
            # "the quote is made at submission [...] and shown to finance"
            "quote": json.loads(found.quote_json) if found is not None else None,
            "may": {
                "submit": policy.can(person, policy.Action.SUBMIT_APPLICATION, thing),
                "answer": policy.can(person, policy.Action.ANSWER_REQUEST, thing),
                "assess": policy.can(person, policy.Action.REQUEST_EVIDENCE, thing)
                or policy.can(person, policy.Action.TAKE_APPLICATION, thing),
                "assign": policy.can(person, policy.Action.ASSIGN_ASSESSOR, thing),
                "invoice": policy.can(person, policy.Action.RECORD_INVOICE, thing),
                "review": policy.can(person, policy.Action.VIEW_REVIEW, thing),
                "audit": policy.can(person, policy.Action.VIEW_AUDIT, thing),
            },
        }


def _since(request: Request, programme_id: str, facts: dict[str, Any]) -> dict[str, Any]:
    if not facts["may"]["answer"] or facts["state"]["state"] != State.EVIDENCE_REQUESTED.value:
        return {}
    return journey.since_snapshot(_site(request), person_of(request), programme_id)


async def journey_page(
    request: Request,
    target: Target,
    message: str = "",
    status: int = 200,
    again: dict[str, Any] | None = None,
) -> Response:
    """The journey page; ``again``: an answer form to show again as it was sent
    (``{criterion, note, title, stored}``) after a refusal."""
    facts = await quick(_page_facts, request, target.place.id)
    facts["since"] = await quick(_since, request, target.place.id, facts)
    return render(
        request,
        "journey.html",
        status=status,
        title=f"Application: {facts['programme']}",
        id=target.place.id,
        message=message,
        states=State,
        again=again or {},
        **facts,
    )


def case_for_review(request: Request, target: Target) -> tuple[Case | None, LoadedProgramme]:
    """The case a review page or the review API judges: on the site, while the application is
    with the assessors, its newest snapshot (``journey.reviewed_snapshot``), the review file still
    the programme's own; else the workspace's submission. The loaded programme says what is wrong
    when there is no case."""
    site = getattr(request.app.state, "site", None)
    frozen = journey.reviewed_snapshot(site, target.place.id) if site is not None else None
    loaded = frozen if frozen is not None else target.workspace.load(target.place)
    return case_of(loaded, at=target.place), loaded


def _reviewed_file(request: Request, target: Target) -> Response | None:
    site = getattr(request.app.state, "site", None)
    if site is not None:
        try:
            kept = journey.reviewed_evidence(site, target.place.id, target.rest)
        except journey.Refused:
            return None
        if kept is not None:
            return file_download(kept, PurePosixPath(target.rest).name)
    return evidence_download(target.place, target.rest)


async def reviewed_file(request: Request, target: Target) -> Response | None:
    """An evidence file as the review reads it (the review page's links): on the site, while a
    snapshot is under review, the copy it kept, so the assessor opens what was submitted, not a
    file the coordinator has changed since; otherwise the workspace's file, as ``files/`` serves
    it. None when there is no such file."""
    return await quick(_reviewed_file, request, target)


def _beside(request: Request, programme_id: str) -> dict[str, Any] | None:
    site = getattr(request.app.state, "site", None)
    if site is None:
        return None  # ``nums serve`` has no journey
    with site.transaction() as db:
        return journey.beside_criteria(db, person_of(request), programme_id)


async def beside(request: Request, programme_id: str) -> dict[str, Any]:
    """What the programme page and the review page show beside each criterion on the site (the
    requests for evidence, what changed, a link to the journey): ``{"journey": facts or None}``."""
    return {"journey": await quick(_beside, request, programme_id)}


def _letter(request: Request, programme_id: str) -> tuple[bytes, str]:
    return journey.letter_of(_site(request), person_of(request), programme_id)


async def letter_pdf(request: Request, target: Target) -> Response:
    """The decided application's stored outcome letter: what the decision's mail links to."""
    try:
        data, name = await run_in_threadpool(_letter, request, target.place.id)
    except NumsError as error:
        return render(
            request, "missing.html", status=_status(error), title="No letter", message=_words(error)
        )
    return Response(
        data, media_type="application/pdf", headers={"content-disposition": content_disposition(name)}
    )


# --- the steps ---------------------------------------------------------------------------------


def _move(request: Request, programme_id: str, to: str, assessor: str | None) -> journey.Moved:
    return journey.move(_site(request), person_of(request), programme_id, to, assessor=assessor or None)


async def post_transition(request: Request, target: Target) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("to"), str):
        return error_json(422, 'send JSON {"to": STATE}, with "assessor": EMAIL for an assignment')
    assessor = body.get("assessor")
    if assessor is not None and not isinstance(assessor, str):
        return error_json(422, "assessor must be an email address")
    try:
        moved = await run_in_threadpool(_move, request, target.place.id, body["to"], assessor)
    except NumsError as error:
        return error_json(_status(error), _words(error))
    return JSONResponse(moved.as_json())


async def transition_form(request: Request, target: Target) -> Response:
    async with request.form(max_files=0, max_fields=10) as form:
        to, assessor = form.get("to"), form.get("assessor")
    if not isinstance(to, str) or not to:
        return await journey_page(request, target, "Choose the step to make.", 422)
    try:
        await run_in_threadpool(
            _move, request, target.place.id, to, assessor if isinstance(assessor, str) else None
        )
    except NumsError as error:
        return await journey_page(request, target, _words(error), _status(error))
    return RedirectResponse(page_url(target.place.id, "journey"), status_code=303)


def _asked(form: Any, file_field: str) -> answering.Asked | str:
    """What an answer form (or the API's multipart answer) sends, or what is missing, in words."""
    criterion, note, title = form.get("criterion"), form.get("note"), form.get("title", "")
    if not isinstance(criterion, str) or not isinstance(note, str) or not isinstance(title, str):
        return "Say which request this answers, and write a note."
    chosen = tuple(
        answering.Chosen(upload.filename, upload.file, upload.size)
        for upload in form.getlist(file_field)
        if not isinstance(upload, str) and upload.filename  # a file input left empty sends no name
    )
    stored = tuple(v for v in form.getlist("stored") if isinstance(v, str) and v)
    return answering.Asked(criterion, note[: MAX_NOTE + 1], " ".join(title.split()), chosen, stored)


def _answer(request: Request, target: Target, asked: answering.Asked) -> answering.Answered:
    limit = request.app.state.max_upload
    return answering.answer(saving.keeper(request), target.workspace, target.place, asked, limit)


ANSWER_FORM = {"max_files": answering.MAX_FILES, "max_fields": 20 + answering.MAX_FILES}


async def post_answer(request: Request, target: Target) -> Response:
    """JSON ``{"criterion": ID, "note": TEXT}``, or the same fields as multipart with files
    (``file``, repeated; ``title``): the state, and with files ``evidence`` (each file's name,
    SHA-256 and size, as ``POST .../evidence`` says them); 403/409/413/422 ``{"error": words}``,
    with ``stored`` and ``added`` saying what a refused answer left."""
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return await _post_answer_with_files(request, target)
    body = await json_body(request)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("criterion"), str)
        or not isinstance(body.get("note"), str)
    ):
        return error_json(422, 'send JSON {"criterion": ID, "note": TEXT}')
    asked = answering.Asked(body["criterion"], body["note"][: MAX_NOTE + 1])
    try:
        await in_thread(_answer, request, target, asked)
    except answering.NotAnswered as refused:
        return error_json(refused.status, refused.reason)
    return JSONResponse(await quick(_state, request, target.place.id))


async def _post_answer_with_files(request: Request, target: Target) -> Response:
    async with request.form(**ANSWER_FORM) as form:
        asked = _asked(form, "file")
        if isinstance(asked, str):
            return error_json(422, "send the multipart fields criterion and note, with the files as file")
        try:
            done = await in_thread(_answer, request, target, asked)
        except answering.NotAnswered as refused:
            return error_json(
                refused.status, refused.words(), stored=list(refused.stored), added=refused.added
            )
    return JSONResponse({**await quick(_state, request, target.place.id), "evidence": list(done.files)})


async def answer_form(request: Request, target: Target) -> Response:
    """The journey page's answer: a note, and any files chosen with it (stored, added to the
    criterion's claim and saved first: ``nums.web.answering``). Refused, the page comes back with
    the reason, the typing and the files stored but not added."""
    refused: answering.NotAnswered | None = None
    async with request.form(**ANSWER_FORM) as form:
        asked = _asked(form, "file")
        if not isinstance(asked, str):
            try:
                await in_thread(_answer, request, target, asked)
            except answering.NotAnswered as not_answered:
                refused = not_answered
    if isinstance(asked, str):
        return await journey_page(request, target, asked, 422)
    if refused is not None:
        return await journey_page(request, target, refused.words(), refused.status, again=refused.form())
    return RedirectResponse(page_url(target.place.id, "journey"), status_code=303)


def _invoice(request: Request, programme_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    site, person = _site(request), person_of(request)
    paid = _day(fields.get("paid"), "paid")
    if paid is not None:
        done = invoices.record_payment(site, person, programme_id, paid)
    else:
        net, rate = fields.get("net") or None, fields.get("vat_rate") or None
        issued = _day(fields.get("issued"), "issued")
        done = invoices.record_invoice(site, person, programme_id, issued, net, rate)
    return {
        "number": done.number,
        "currency": done.currency,
        "net": str(done.net),
        "vat_rate": str(done.vat_rate),
        "vat": str(done.vat),
        "total": str(done.total),
        "issued": done.issued.isoformat(),
        "due": done.due.isoformat(),
        "paid": done.paid.isoformat() if done.paid else None,
    }


def _day(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise journey.Refused(f"{field} must be a date, YYYY-MM-DD (got {str(value)[:40]!r})", 422) from None


async def post_invoice(request: Request, target: Target) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        return error_json(422, 'send JSON {"issued"?, "net"?, "vat_rate"?} or {"paid": DATE}, each a string')
    try:
        return JSONResponse(await run_in_threadpool(_invoice, request, target.place.id, body))
    except NumsError as error:
        return error_json(_status(error), _words(error))


async def invoice_form(request: Request, target: Target) -> Response:
    async with request.form(max_files=0, max_fields=10) as form:
        fields = {
            k: v for k, v in form.items() if isinstance(v, str) and k in {"issued", "net", "vat_rate", "paid"}
        }
    try:
        await run_in_threadpool(_invoice, request, target.place.id, fields)
    except NumsError as error:
        return await journey_page(request, target, _words(error), _status(error))
    return RedirectResponse(page_url(target.place.id, "journey"), status_code=303)


# --- waiting for you ---------------------------------------------------------------------------


def waiting_list(request: Request) -> list[dict[str, Any]]:
    """What waits for the signed-in person, as ``GET /api/waiting`` gives it (``kind`` added to
    ``programme, what, when``); the landing page after sign-in shows it too."""
    site = _site(request)
    if site is None:
        return []
    return [
        {
            "programme": w.programme,
            "what": w.what,
            "when": w.when.isoformat() if w.when else None,
            "kind": w.kind,
        }
        for w in waiting.waiting_on_site(site, person_of(request))
    ]


async def get_waiting(request: Request) -> Response:
    return JSONResponse({"waiting": await run_in_threadpool(waiting_list, request)})


async def waiting_page(request: Request) -> Response:
    found = await run_in_threadpool(waiting_list, request)
    return render(request, "waiting.html", title="Waiting for you", waiting=found)
