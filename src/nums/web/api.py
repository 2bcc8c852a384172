"""The JSON API under ``/api``: a public contract, like ``--json``.

Every answer comes from the functions the CLI calls: the workspace loader,
``assess`` and ``assessment_json`` (so an assessment here is exactly what
``nums assess --json`` prints for that file), the canonical writer and the
pack writer ``nums pack`` uses (so the pack is the same bytes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nums.boundary import LinkRefused
from nums.errors import NumsError, Problem
from nums.escaping import content_disposition
from nums.limits import day_problem
from nums.render.assessment import assessment_json
from nums.skeleton import submission_skeleton
from nums.web import files, review_api
from nums.web.answers import JSONResponse, checked_save, error_json, json_body
from nums.web.downloads import evidence_download, pack_pdf_bytes
from nums.web.editing import check_document, json_ready, problem_json, save_document
from nums.web.packs import is_received, receive_pack_reporting
from nums.workspace import LoadedProgramme, ProgrammeFolder, Workspace


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


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
        place = await run_in_threadpool(create_programme_folder, _workspace(request), body["folder"])
    except FileExistsError:
        return error_json(409, f"{body['folder']!r} already exists")
    except NumsError as error:
        return error_json(422, "invalid folder", errors=[problem_json(p) for p in error.problems])
    return JSONResponse({"id": place.id, "path": str(place.path)}, status_code=201)


def create_programme_folder(workspace: Workspace, name: str) -> ProgrammeFolder:
    """A new programme as ``nums init`` makes one: the skeleton and an evidence folder."""
    folder = workspace.new_folder(name)
    target = folder / "submission.yaml"
    if target.exists() or (folder.exists() and any(folder.iterdir())):
        raise FileExistsError(str(folder))
    edition = workspace.edition_for(None)
    files.save_submission(folder, submission_skeleton(edition), None)
    (folder / files.EVIDENCE).mkdir(exist_ok=True)
    place = workspace.programme_at(folder.relative_to(workspace.root).as_posix())
    if place is None:  # pragma: no cover - new_folder refuses what programme_at would
        raise FileNotFoundError(str(folder))
    return place


async def programme_routes(request: Request) -> Response:
    """``/api/programmes/{id}/...``: ids hold ``/``, so the programme is the longest id that fits."""
    workspace = _workspace(request)
    found = workspace.split(request.path_params["rest"])
    if found is None or not found[1]:
        return error_json(404, "no such programme")
    place, rest = found
    method = request.method
    if ((rest == "submission" and method == "PUT") or rest == "evidence") and is_received(place.folder):
        return error_json(409, "this programme came from a received pack: its submission is read-only")
    if rest == "submission" and method == "GET":
        return await _get_submission(place, workspace)
    if rest == "submission" and method == "PUT":
        return await _put_submission(request, place, workspace)
    if rest == "assessment" and method == "GET":
        return await _get_assessment(request, place, workspace)
    if rest == "evidence" and method == "POST":
        return await _post_evidence(request, place)
    if rest.startswith("files/") and method in {"GET", "HEAD"}:
        return evidence_download(place, rest.removeprefix("files/")) or error_json(404, "no such file")
    if rest == "pack.pdf" and method == "GET":
        return await _get_pack(place, workspace)
    if rest in {"review", "outcome", "letter.pdf"}:
        return await review_api.answer(request, rest, place, workspace)
    return error_json(404, "not found")


async def _get_submission(place: ProgrammeFolder, workspace: Workspace) -> Response:
    loaded = await run_in_threadpool(workspace.load, place)
    if loaded.document is None:
        return error_json(
            422, "the file cannot be read as a submission", errors=[problem_json(p) for p in loaded.problems]
        )
    return JSONResponse({"sha256": loaded.sha256, "submission": json_ready(loaded.document)})


async def _put_submission(request: Request, place: ProgrammeFolder, workspace: Workspace) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict) or "submission" not in body:
        return error_json(422, 'send {"base_sha256": ..., "submission": {...}}')
    return await checked_save(lambda: _check_save_assess(workspace, place, body), "the file")


def _check_save_assess(workspace: Workspace, place: ProgrammeFolder, body: dict[str, Any]) -> dict[str, Any]:
    """One trip to a worker thread: validate, save, assess."""
    checked = check_document(workspace, place, body["submission"])
    if checked.problems:
        return {"errors": [problem_json(p) for p in checked.problems]}
    sha = save_document(place, checked, body.get("base_sha256"))
    result = checked.assessment()
    return {"sha256": sha, "assessment": assessment_json(result) if result else None}


async def _get_assessment(request: Request, place: ProgrammeFolder, workspace: Workspace) -> Response:
    on_text = request.query_params.get("on")
    try:
        on = date.fromisoformat(on_text) if on_text else None
    except ValueError:
        return error_json(422, f"{on_text!r} is not a date; write it as YYYY-MM-DD")
    if on is not None and (problem := day_problem(on)):
        return error_json(422, problem)
    loaded = await run_in_threadpool(workspace.load, place, on)
    if loaded.assessment is None:
        return error_json(
            422, "the submission does not validate", errors=[problem_json(p) for p in loaded.problems]
        )
    return JSONResponse(assessment_json(loaded.assessment))


async def _post_evidence(request: Request, place: ProgrammeFolder) -> Response:
    limit = request.app.state.max_upload
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return error_json(422, "send the file as the multipart field 'file'")
        try:
            path = await run_in_threadpool(
                files.save_upload, place.folder, upload.filename or "upload", _chunks(upload.file), limit
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


def _chunks(stream: Any, size: int = 1 << 16) -> Any:
    while chunk := stream.read(size):
        yield chunk


async def _get_pack(place: ProgrammeFolder, workspace: Workspace) -> Response:
    loaded = await run_in_threadpool(workspace.load, place)
    if loaded.assessment is None:
        return error_json(
            422, "the submission does not validate", errors=[problem_json(p) for p in loaded.problems]
        )
    data = await run_in_threadpool(pack_pdf_bytes, loaded.assessment)
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


async def receive_upload(request: Request) -> tuple[ProgrammeFolder, tuple[Problem, ...]]:
    """The multipart field ``file`` received as a pack (one path for the API and the home page),
    with the warnings about what the pack held and nums did not take."""
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise NumsError(Problem("send the pack PDF as the multipart field 'file'", field="file"))
        return await run_in_threadpool(
            receive_pack_reporting,
            _workspace(request),
            upload.filename or "pack.pdf",
            _chunks(upload.file),
            request.app.state.max_upload,
        )


ROUTES = [
    Route("/api/packs", post_pack, methods=["POST"]),
    Route("/api/programmes", list_programmes, methods=["GET"]),
    Route("/api/programmes", create_programme, methods=["POST"]),
    Route("/api/programmes/{rest:path}", programme_routes, methods=["GET", "HEAD", "PUT", "POST"]),
]
