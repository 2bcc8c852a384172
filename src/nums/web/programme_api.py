"""The JSON API under ``/api``: a public contract, like ``--json``.

Every answer comes from the functions the CLI calls: the workspace loader,
``assess`` and ``assessment_json`` (so an assessment here is exactly what
``nums assess --json`` prints for that file), the canonical writer and the
pack renderer ``nums pack`` uses (so the pack is the same bytes). The handlers
are here; their addresses are rows of ``web/routes.py``, beside the pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from nums.boundary import LinkRefused
from nums.errors import NumsError
from nums.escaping import content_disposition
from nums.limits import day_problem
from nums.render.assessment import assessment_json
from nums.render.pack_pdf import pack_pdf
from nums.starting import start_in_workspace
from nums.web import files, saving
from nums.web.answers import JSONResponse, checked_save, error_json, json_body
from nums.web.downloads import evidence_download
from nums.web.editing import check_document, json_ready, problem_json, save_document
from nums.web.receiving import chunks, receive_upload
from nums.web.routing import Target
from nums.web.seeing import new_programme_folder, seen_workspace
from nums.web.work import quick
from nums.workspace import LoadedProgramme, ProgrammeFolder, Workspace


def _workspace(request: Request) -> Workspace:
    """The workspace as the person asking sees it (``web/seeing.py``)."""
    return seen_workspace(request)


def programme_row(loaded: LoadedProgramme) -> dict[str, Any]:
    """One programme as ``GET /api/programmes`` lists it."""
    result = loaded.assessment
    submission = loaded.submission
    held = result.standing if result else None
    return {
        "id": loaded.id,
        "path": str(loaded.place.path),
        "name": submission.title if submission else None,
        "institution": submission.programme.institution if submission else None,
        "application": {
            "date": submission.application.date.isoformat(),
            "level": submission.application.level,
            "type": submission.application.type,
        }
        if submission
        else None,
        "awardable_level": result.awardable if result else None,
        "valid_until": held.expires.isoformat() if held and held.expires else None,
        "errors": [str(p) for p in loaded.problems],
    }


async def list_programmes(request: Request) -> Response:
    rows = await run_in_threadpool(lambda: [programme_row(p) for p in _workspace(request).load_all()])
    return JSONResponse(rows)


async def create_programme(request: Request) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("folder"), str):
        return error_json(422, 'send {"folder": "name"}', errors=[{"field": "folder", "message": "required"}])
    try:
        workspace, folder = new_programme_folder(request, body["folder"])
        place = await run_in_threadpool(start_in_workspace, workspace, folder)
    except FileExistsError:
        return error_json(409, f"{body['folder']!r} already exists")
    except NumsError as error:
        return error_json(422, "invalid folder", errors=[problem_json(p) for p in error.problems])
    return JSONResponse({"id": place.id, "path": str(place.path)}, status_code=201)


async def no_programme(request: Request) -> Response:
    return error_json(404, "no such programme")


async def not_found(request: Request, known_path: bool = False) -> Response:
    """No action here: 405 when the path is one but not with this method, else 404."""
    return error_json(405 if known_path else 404, "not found")


async def read_only(request: Request, target: Target) -> Response:
    return error_json(409, "this programme came from a received pack: its submission is read-only")


async def evidence_file(request: Request, target: Target) -> Response:
    return evidence_download(target.place, target.rest) or error_json(404, "no such file")


async def get_submission(request: Request, target: Target) -> Response:
    loaded = await quick(target.workspace.load, target.place)
    if loaded.document is None:
        return error_json(
            422, "the file cannot be read as a submission", errors=[problem_json(p) for p in loaded.problems]
        )
    return JSONResponse({"sha256": loaded.sha256, "submission": json_ready(loaded.document)})


async def put_submission(request: Request, target: Target) -> Response:
    workspace, place = target.workspace, target.place
    body = await json_body(request)
    if not isinstance(body, dict) or "submission" not in body:
        return error_json(422, 'send {"base_sha256": ..., "submission": {...}}')
    keep = saving.keeper(request)
    return await checked_save(lambda: _check_save_assess(workspace, place, body, keep), "the file")


def _check_save_assess(
    workspace: Workspace, place: ProgrammeFolder, body: dict[str, Any], keep: saving.Keeper
) -> dict[str, Any]:
    """One trip to a worker thread: validate, save (on the site, with its audit event), assess."""
    checked = check_document(workspace, place, body["submission"])
    if checked.problems:
        return {"errors": [problem_json(p) for p in checked.problems]}
    base = body.get("base_sha256")
    sha = keep.file(saving.SUBMISSION_SAVED, place.id, base, lambda: save_document(place, checked, base))
    result = checked.assessment()
    return {"sha256": sha, "assessment": assessment_json(result) if result else None}


async def get_assessment(request: Request, target: Target) -> Response:
    workspace, place = target.workspace, target.place
    on_text = request.query_params.get("on")
    try:
        on = date.fromisoformat(on_text) if on_text else None
    except ValueError:
        return error_json(422, f"{on_text!r} is not a date; write it as YYYY-MM-DD")
    if on is not None and (problem := day_problem(on)):
        return error_json(422, problem)
    loaded = await quick(workspace.load, place, on)
    if loaded.assessment is None:
        return error_json(
            422, "the submission does not validate", errors=[problem_json(p) for p in loaded.problems]
        )
    return JSONResponse(assessment_json(loaded.assessment))


async def post_evidence(request: Request, target: Target) -> Response:
    place = target.place
    limit = request.app.state.max_upload
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return error_json(422, "send the file as the multipart field 'file'")
        try:
            keep = saving.keeper(request)
            path = await run_in_threadpool(
                keep.upload,
                place.id,
                lambda: files.save_upload(
                    place.folder, upload.filename or "upload", chunks(upload.file), limit
                ),
            )
        except files.TooLarge:
            return error_json(413, f"a file may be at most {limit} bytes; nothing was written")
        except LinkRefused as refused:
            return error_json(
                409, str(refused.problems[0]), errors=[problem_json(p) for p in refused.problems]
            )
    data = path.read_bytes()
    return JSONResponse(
        {"file": f"{files.EVIDENCE}/{path.name}", "sha256": files.file_sha256(data), "size": len(data)},
        status_code=201,
    )


async def get_pack(request: Request, target: Target) -> Response:
    """The pack, the bytes ``nums pack`` writes (``render.pack_pdf.pack_pdf``)."""
    loaded = await run_in_threadpool(target.workspace.load, target.place)
    if loaded.assessment is None:
        return error_json(
            422, "the submission does not validate", errors=[problem_json(p) for p in loaded.problems]
        )
    data = await run_in_threadpool(pack_pdf, loaded.assessment)
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": content_disposition("pack.pdf")},
    )


async def post_pack(request: Request) -> Response:
    """``POST /api/packs``: a pack PDF becomes a programme for review (201 with its id)."""
    try:
        place, warnings = await receive_upload(request)
    except files.TooLarge as too_large:
        return error_json(413, f"a file may be at most {too_large.limit} bytes; nothing was written")
    except NumsError as error:
        return error_json(422, str(error.problems[0]), errors=[problem_json(p) for p in error.problems])
    return JSONResponse(
        {"id": place.id, "path": str(place.path), "warnings": [problem_json(p) for p in warnings]},
        status_code=201,
    )
