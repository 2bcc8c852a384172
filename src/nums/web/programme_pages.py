"""The coordinator's pages: the workspace's programmes, and one programme's form.

Every page works with JavaScript off: forms post, the server saves and
redirects (or shows the form again with its errors and what was typed). With
JavaScript on, ``static/app.js`` posts the form to ``preview`` as the person
types and swaps in the live result. The handlers are here; their addresses are
rows of ``web/routes.py``, beside their JSON twins.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from nums.boundary import LinkRefused, is_outside_refusal
from nums.errors import NumsError, Problem
from nums.escaping import content_disposition
from nums.evaluation import Assessment
from nums.received import dropped_packs, is_received, receive_dropped
from nums.render.pack_pdf import pack_html, pack_pdf
from nums.skeleton import submission_skeleton
from nums.starting import start_in_workspace
from nums.web import files, saving
from nums.web.downloads import evidence_download
from nums.web.editing import check_document, save_document
from nums.web.form import (
    CONTINUATION,
    Posted,
    claim_of,
    document_from_form,
    errors_by_field,
    evidence_of,
    evidence_title,
    programmes_of,
    text,
)
from nums.web.journey_view import beside
from nums.web.portfolio_view import fees_view, portfolio_of, under_way_view, university_view
from nums.web.receiving import receive_upload
from nums.web.result_view import result_view
from nums.web.routing import Target
from nums.web.seeing import new_programme_folder, seen_workspace, sees_dropped_packs
from nums.web.templating import fragment, page_url, render
from nums.web.work import quick
from nums.workspace import LoadedProgramme, ProgrammeFolder, Workspace


def _workspace(request: Request) -> Workspace:
    """The workspace as the person asking sees it (``web/seeing.py``)."""
    return seen_workspace(request)


# --- home -----------------------------------------------------------------------


async def home(request: Request) -> Response:
    return render(request, "home.html", **await _home(request))


async def _home(request: Request) -> dict[str, Any]:
    """The programmes with their portfolio status and review state (``nums.portfolio``), sortable."""
    workspace = _workspace(request)
    programmes = await run_in_threadpool(workspace.load_all)
    edition, portfolio = await run_in_threadpool(portfolio_of, workspace, date.today(), programmes)
    by_id = {row.id: row for row in portfolio.rows}
    rows = [_row(p, by_id.get(p.id), edition) for p in programmes]
    order = request.query_params.get("sort", "")
    if order in {"application", "-application"}:
        rows.sort(key=lambda r: (r.get("applied") or "", r["id"]), reverse=order.startswith("-"))
    return {
        "programmes": rows,
        "title": "Programmes",
        "sort": order,
        "horizon": portfolio.horizon_days,
        "lapsing": portfolio.lapsing,
        "by_status": portfolio.by_status,
        "fees": fees_view(portfolio),
        "under_way": under_way_view(portfolio),
        "university": university_view(portfolio),
        "dropped": await run_in_threadpool(dropped_packs, workspace) if sees_dropped_packs(request) else [],
    }


_REVIEW_WORDS = {"none": "not started"}


def _review_words(row: Any, edition: Any) -> str:
    review = row.review
    if review.status == "final":
        return "final: " + (edition.level_name(review.outcome) if review.outcome else "not accredited")
    if review.status == "provisional":
        return f"provisional, {review.open_requests} open request{'s' if review.open_requests != 1 else ''}"
    return _REVIEW_WORDS.get(review.status, review.status)


def _row(loaded: LoadedProgramme, portfolio_row: Any = None, edition: Any = None) -> dict[str, Any]:
    result, sub = loaded.assessment, loaded.submission
    if result is None or sub is None:
        return {"id": loaded.id, "valid": False, "errors": [str(p) for p in loaded.problems]}
    name = result.edition.level_name
    return {
        "id": loaded.id,
        "valid": True,
        "name": sub.title,
        "institution": sub.programme.institution,
        "application": f"{sub.application.type} for {name(sub.application.level)} "
        f"on {sub.application.date.isoformat()}",
        "applied": sub.application.date.isoformat(),
        "awardable": name(result.awardable) if result.awardable else "nothing yet",
        "valid_until": result.standing.expires.isoformat() if result.standing.expires else "—",
        "next": _next_step(loaded),
        "status": portfolio_row.status if portfolio_row else "",
        "award_until": portfolio_row.award.valid_until.isoformat()
        if portfolio_row and portfolio_row.award
        else None,
        "review": _review_words(portfolio_row, edition) if portfolio_row else "",
        "row_errors": list(portfolio_row.errors) if portfolio_row else [],  # a review that cannot be read
    }


def _next_step(loaded: LoadedProgramme) -> str:
    """One line on what to do next: the first thing in the way, or that the pack is ready."""
    result = loaded.assessment
    assert result is not None
    applied = result.submission.application.level
    if result.eligibility.reasons:
        return result.eligibility.reasons[0]
    if result.awardable == applied:
        return "Ready: download the pack for the assessor"
    if not result.gaps.reached:
        short = [p for p in result.gaps.pillars.values() if not p.reaches_target]
        return f"{len(short)} pillar(s) short of {result.edition.level_name(result.gaps.target)}"
    return result.awardable_reason


async def new_programme(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("folder") or "")
    try:
        workspace, folder = new_programme_folder(request, name)
        place = await run_in_threadpool(start_in_workspace, workspace, folder)
    except (FileExistsError, NumsError) as error:
        message = (
            f"A folder called {name!r} already exists; choose another name."
            if isinstance(error, FileExistsError)
            else str(error.problems[0].message) + f" ({error.problems[0].suggestion})"
        )
        context = await _home(request)
        return render(
            request,
            "home.html",
            status=409 if isinstance(error, FileExistsError) else 422,
            new_error=message,
            new_folder=name,
            **context,
        )
    return RedirectResponse(page_url(place.id) + "?created=1", status_code=303)


# --- one programme ------------------------------------------------------------


async def not_found(request: Request, known_path: bool = False) -> Response:
    return render(request, "missing.html", status=404, title="Not found")


async def _programme_html(request: Request, status: int = 200, **context: Any) -> Response:
    """The programme's page, with what the site shows beside each criterion (its requests for
    evidence, a link to the application's journey); nothing more under ``nums serve``."""
    journey = await beside(request, context["id"])
    return render(request, "programme.html", status=status, **context, **journey)


async def programme_page(request: Request, target: Target) -> Response:
    loaded = await quick(target.workspace.load, target.place)
    flash = _flash(request.query_params)
    return await _programme_html(request, **_page(loaded, None, (), flash))


async def evidence_file(request: Request, target: Target) -> Response:
    return evidence_download(target.place, target.rest) or await not_found(request)


RECEIVED_READ_ONLY = (
    "nothing was saved: this programme came from a received pack, and its submission stays as it was sent"
)


async def read_only(request: Request, target: Target) -> Response:
    """A post to a received pack's programme: the read-only page again, saying why (never 'Not found')."""
    if request.url.path.endswith("/preview"):
        return HTMLResponse("", status_code=409)
    loaded = await quick(target.workspace.load, target.place)
    problem = Problem(RECEIVED_READ_ONLY, suggestion="review it, or ask the applicant for a new pack")
    return await _programme_html(request, status=409, **_page(loaded, None, (problem,)))


_FLASHES = {
    "saved": "Saved. The version it replaced is kept under History.",
    "created": "Created. Fill in the details and the criteria, then save.",
    "restored": "Restored that version. The one it replaced is kept under History.",
    "replaced": "Started again from a blank form. The broken file is kept under History.",
    "conflict": "The file changed on disk meanwhile, so nothing was changed. This is the file as it is now.",
}


def _flash(query: Any) -> str | None:
    return next((message for key, message in _FLASHES.items() if key in query), None)


def _page(
    loaded: LoadedProgramme,
    document: dict[str, Any] | None,
    problems: tuple[Problem, ...],
    flash: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Everything the programme page shows: the form (from ``document``, else the file), the
    problems next to their fields, and the result of what is saved."""
    shown = document if document is not None else loaded.document
    edition = loaded.edition
    if edition is None and shown is not None:
        try:
            from nums.edition_loading import load_edition

            edition = load_edition()
        except NumsError:
            edition = None
    problems = problems if document is not None else (*loaded.problems, *problems)
    result = extra.pop("result", loaded.assessment)
    return {
        "title": _title(shown, loaded.id),
        "id": loaded.id,
        "place": loaded.place,
        "loaded": loaded,
        "doc": shown,
        "ed": edition,
        "programmes": programmes_of(shown) if shown is not None else [],
        "combined": isinstance((shown or {}).get("programmes"), list),
        "continuation": _wants_continuation(shown),
        "CONTINUATION": CONTINUATION,
        "problems": problems,
        "errors": errors_by_field(problems, edition),
        "sha256": extra.pop("sha256", loaded.sha256),
        "result": result_view(result) if result is not None else None,
        "statuses": result.claims if result is not None else {},
        "versions": files.versions(loaded.place.folder),
        "flash": flash,
        "broken": shown is None,
        "outside_link": loaded.text is None and any(is_outside_refusal(p) for p in loaded.problems),
        "received": is_received(loaded.place.folder),
        "excerpts": _excerpts(loaded) if loaded.document is None else [],
        "pending": _pending(shown, loaded.document) if document is not None else set(),
        "stored": extra.pop("stored", []),
        "claimed_ids": {target for target in _targets(shown) if claim_of(shown or {}, target).get("met")},
        **extra,
    }


def _pending(shown: dict[str, Any] | None, saved: dict[str, Any] | None) -> set[str]:
    """Evidence files in the form that the saved file does not name yet (uploads stored by an
    add or remove button, kept until the form is saved)."""
    return _evidence_files(shown) - _evidence_files(saved)


def _evidence_files(document: dict[str, Any] | None) -> set[str]:
    return {
        text(item.get("file"))
        for target in _targets(document)
        for item in evidence_of(claim_of(document or {}, target))
        if item.get("file")
    }


def _targets(document: dict[str, Any] | None) -> list[str]:
    """The criteria a document has a claim for, and the continuation."""
    criteria = document.get("criteria") if isinstance(document, dict) else None
    return [*(str(key) for key in criteria), CONTINUATION] if isinstance(criteria, dict) else [CONTINUATION]


def _excerpts(loaded: LoadedProgramme, around: int = 3) -> list[dict[str, Any]]:
    """The lines around each problem in a file that does not parse, numbered, the line itself marked."""
    lines = (loaded.text or "").splitlines()
    shown = []
    for problem in loaded.problems:
        if problem.line is None:
            continue
        first = max(problem.line - around, 1)
        last = min(problem.line + around, len(lines))
        rows = [(n, lines[n - 1], n == problem.line) for n in range(first, last + 1)]
        shown.append({"problem": problem, "rows": rows})
    return shown


def _wants_continuation(document: dict[str, Any] | None) -> bool:
    """A reaccreditation shows the continuation section; so does a file that already has one."""
    if not document:
        return False
    application = document.get("application")
    kind = application.get("type") if isinstance(application, dict) else None
    return kind == "reaccreditation" or bool(document.get(CONTINUATION))


def _title(document: dict[str, Any] | None, fallback: str) -> str:
    if document:
        names = [text(p.get("name")) for p in programmes_of(document) if p.get("name")]
        if names:
            return " · ".join(names)
    return fallback


async def save(request: Request, target: Target) -> Response:
    """Save the form, or show it again with what was typed and why it was not saved.

    Files chosen in the form are stored whichever button was pressed (Save, or one that
    adds or removes a row): a browser cannot put a chosen file back into a page, so a file
    not stored now would be lost. Stored, it is an evidence row of the form like any other
    until the form is saved."""
    workspace, place = target.workspace, target.place
    loaded = await quick(workspace.load, place)
    if loaded.document is None and loaded.text is not None:
        return await _programme_html(request, status=409, **_page(loaded, None, ()))
    async with request.form(max_files=1000, max_fields=5000) as form:
        base = str(form.get("base_sha256") or "") or None
        if form.get("action") == "overwrite":
            base = str(form.get("overwrite_sha256") or "") or None
        posted = document_from_form(_form_edition(workspace, loaded), loaded.document, form)
        try:
            stored = await run_in_threadpool(_store_uploads, request, place, posted)
        except (files.TooLarge, LinkRefused) as refused:
            problem = (
                Problem(f"a file may be at most {refused.limit} bytes; it was not stored")
                if isinstance(refused, files.TooLarge)
                else refused.problems[0]
            )
            status = 413 if isinstance(refused, files.TooLarge) else 409
            unsaved = _page(loaded, posted.document, (problem,), sha256=base, unsaved=True)
            return await _programme_html(request, status=status, **unsaved)
    checked = await quick(check_document, workspace, place, posted.document)
    if posted.action not in {"save", "overwrite"} or checked.problems:
        # a button that adds or removes a row, or a form with mistakes: show it again, unsaved
        status = 422 if checked.problems and posted.action in {"save", "overwrite"} else 200
        return await _programme_html(
            request,
            status=status,
            **_page(loaded, posted.document, checked.problems, sha256=base, unsaved=True, stored=stored),
        )
    try:
        keep = saving.keeper(request)
        await quick(
            keep.file, saving.SUBMISSION_SAVED, place.id, base, lambda: save_document(place, checked, base)
        )
    except files.Conflict as conflict:
        return await _programme_html(
            request,
            status=409,
            **_page(
                loaded,
                posted.document,
                (),
                sha256=base,
                conflict=conflict.current_sha256,
                unsaved=True,
                result=checked.assessment(),
            ),
        )
    except LinkRefused as refused:
        unsaved = _page(loaded, posted.document, refused.problems, sha256=base, unsaved=True, stored=stored)
        return await _programme_html(request, status=409, **unsaved)
    return RedirectResponse(page_url(place.id) + "?saved=1", status_code=303)


def _form_edition(workspace: Workspace, loaded: LoadedProgramme) -> Any:
    """The edition the posted form is read with: the file's, else the default one, so a form
    whose ``standard:`` cannot be loaded still comes back with its typing and the problem."""
    if loaded.edition is not None:
        return loaded.edition
    try:
        return workspace.edition_for(loaded.document, loaded.place.folder)
    except NumsError:
        return workspace.edition_for(None, loaded.place.folder)


def _store_uploads(request: Request, place: ProgrammeFolder, posted: Posted) -> list[str]:
    """Files chosen in the form go into evidence/ and become evidence items of their criterion;
    returns the names they were stored under."""
    limit = request.app.state.max_upload
    keep = saving.keeper(request)
    stored = []
    for upload in posted.uploads:
        path = keep.upload(
            place.id,
            lambda chosen=upload: files.save_upload(
                place.folder, chosen.filename, _chunks(chosen.stream), limit
            ),
        )
        claim = (
            posted.document[CONTINUATION]
            if upload.target == CONTINUATION
            else posted.document["criteria"][upload.target]
        )
        title = evidence_title(upload.title, upload.filename, path.name)
        claim["evidence"].append({"title": title, "file": f"{files.EVIDENCE}/{path.name}"})
        stored.append(f"{files.EVIDENCE}/{path.name}")
    return stored


def _chunks(stream: Any, size: int = 1 << 16) -> Any:
    while chunk := stream.read(size):
        yield chunk


async def preview(request: Request, target: Target) -> Response:
    """The live result for what is in the form, unsaved (files are not stored)."""
    workspace, place = target.workspace, target.place
    loaded = await quick(workspace.load, place)
    if loaded.document is None:
        return HTMLResponse("", status_code=409)
    async with request.form(max_files=1000, max_fields=5000) as form:
        posted = document_from_form(
            loaded.edition or workspace.edition_for(loaded.document, loaded.place.folder),
            loaded.document,
            form,
        )
    checked = await quick(check_document, workspace, place, posted.document)
    result = await quick(checked.assessment)
    return fragment(
        request,
        "_result.html",
        id=place.id,
        result=result_view(result) if result is not None else None,
        problems=checked.problems,
        field_errors=errors_by_field(
            checked.problems, loaded.edition or workspace.edition_for(loaded.document, loaded.place.folder)
        ),
        preview=True,
    )


async def restore(request: Request, target: Target) -> Response:
    workspace, place = target.workspace, target.place
    form = await request.form()
    version, base = str(form.get("version") or ""), str(form.get("base_sha256") or "") or None
    keep = saving.keeper(request)
    try:
        await quick(
            keep.file,
            saving.SUBMISSION_SAVED,
            place.id,
            base,
            lambda: files.restore(place.folder, version, base),
            restored=version,
        )
    except FileNotFoundError:
        return render(request, "missing.html", status=404, title="Not found")
    except files.Conflict:
        return RedirectResponse(page_url(place.id) + "?conflict=1", status_code=303)
    except LinkRefused as refused:
        return await _refused(request, workspace, place, refused)
    return RedirectResponse(page_url(place.id) + "?restored=1", status_code=303)


async def _refused(
    request: Request, workspace: Workspace, place: ProgrammeFolder, refused: LinkRefused
) -> Response:
    """A restore or a fresh start that would write through a link: the page, and why not."""
    loaded = await quick(workspace.load, place)
    return await _programme_html(request, status=409, **_page(loaded, None, refused.problems))


async def replace(request: Request, target: Target) -> Response:
    """Only on the person's say-so: a file that does not parse is replaced by a blank form."""
    workspace, place = target.workspace, target.place
    form = await request.form()
    if not form.get("confirm"):
        loaded = await quick(workspace.load, place)
        problem = Problem("tick the box to confirm you want to start again; the file is kept under History")
        return await _programme_html(request, status=422, **_page(loaded, None, (), confirm_error=problem))
    skeleton = submission_skeleton(workspace.edition_for(None))
    base = str(form.get("base_sha256") or "") or None
    keep = saving.keeper(request)
    try:
        await quick(
            keep.file,
            saving.SUBMISSION_SAVED,
            place.id,
            base,
            lambda: files.save_submission(place.folder, skeleton, base),
            replaced="started again from a blank form",
        )
    except files.Conflict:
        return RedirectResponse(page_url(place.id) + "?conflict=1", status_code=303)
    except LinkRefused as refused:
        return await _refused(request, workspace, place, refused)
    return RedirectResponse(page_url(place.id) + "?replaced=1", status_code=303)


async def _assessed(request: Request, target: Target) -> Assessment | Response:
    """The programme's assessment, or the page that says why there is none (no pack without one)."""
    loaded = await quick(target.workspace.load, target.place)
    if loaded.assessment is None:
        return await _programme_html(request, status=422, **_page(loaded, None, ()))
    return loaded.assessment


async def pack_pdf_download(request: Request, target: Target) -> Response:
    """The pack, the bytes ``nums pack`` writes (``render.pack_pdf.pack_pdf``)."""
    result = await _assessed(request, target)
    if isinstance(result, Response):
        return result
    data = await run_in_threadpool(pack_pdf, result)
    filename = f"{target.place.id.replace('/', '-')}-pack.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": content_disposition(filename)},
    )


async def pack_html_page(request: Request, target: Target) -> Response:
    """The pack as one HTML file (``nums pack --html``), shown in its own sandbox: no script, no
    access to the app's origin."""
    result = await _assessed(request, target)
    if isinstance(result, Response):
        return result
    html = await run_in_threadpool(pack_html, result)
    return HTMLResponse(
        html,
        headers={
            "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
        },
    )


async def new_pack(request: Request) -> Response:
    """The home page's pack upload (or a pack found in the workspace folder, by name): the pack
    becomes a programme, and its review opens."""
    try:
        if request.query_params.get("dropped"):
            place = await run_in_threadpool(
                receive_dropped,
                _workspace(request),
                request.query_params["dropped"],
                request.app.state.max_upload,
            )
        else:
            place, _ = await receive_upload(request)
    except (NumsError, files.TooLarge) as error:
        message = str(error.problems[0]) if isinstance(error, NumsError) else str(error)
        context = await _home(request)
        return render(request, "home.html", status=422, pack_error=message, **context)
    return RedirectResponse(page_url(place.id, "review"), status_code=303)
