"""The public register on the site (``/register/``) and an admin's withdrawal of an award.

The pages are the files ``nums register`` writes, made by the same function
(``awards.register.register_files``) from the site's issuing folder ``DIR/awards/``: the same
templates, the same relative links, so a page saved from the site is a page of the static
register. They are built on request and kept while the folder's fingerprint (and the day)
stays the same, so every decision, issue and withdrawal shows at once and an unchanged register
is not built again. Nobody needs to sign in (``policy.Action.VIEW_REGISTER``).

An admin withdraws an award from ``/register/withdraw/NUMBER`` (``WITHDRAW_AWARD``): a form
with the reason, posted back to the same address; ``site.awards.withdraw_for_site`` writes
both status lists at once, and the award's page says withdrawn from the next request.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import PurePosixPath

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from nums.awards.bitstring import LIST_FILE, LIST_MEDIA_TYPE
from nums.awards.keys import JWKS_FILE
from nums.awards.register import WITHDRAWN, Entry, entries, fingerprint, register_files
from nums.errors import NumsError
from nums.limits import MAX_TEXT_CHARACTERS
from nums.site.awards import REGISTER_PATH, issuing_folder, withdraw_for_site
from nums.web.templating import render

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
SPECIAL_MEDIA_TYPES = {
    LIST_FILE: LIST_MEDIA_TYPE,  # the signed status list: a compact JWS
    JWKS_FILE: "application/jwk-set+json",  # RFC 7517's type for a key set
}
_built: dict[str, tuple[str, dict[str, bytes]]] = {}
_lock = threading.Lock()


def _files(request: Request) -> dict[str, bytes]:
    """The register's files as they stand today, rebuilt only when the issuing folder changed."""
    folder = issuing_folder(request.app.state.site)
    today = date.today()
    print_ = fingerprint(folder, today)
    with _lock:
        kept = _built.get(str(folder))
    if kept is not None and kept[0] == print_:
        return kept[1]
    files, _ = register_files(folder, today)
    with _lock:
        _built[str(folder)] = (print_, files)
    return files


async def home(request: Request) -> Response:
    """``/register`` is the folder's index: its pages link to each other relatively."""
    return RedirectResponse(f"{REGISTER_PATH}/", status_code=308)


async def register_file(request: Request) -> Response:
    name = request.path_params.get("path", "") or "index.html"
    try:
        files = await run_in_threadpool(_files, request)
    except NumsError as error:  # a damaged issuing folder: said in words, never a 500
        return render(
            request, "missing.html", status=503, title="The register cannot be shown", message=str(error)
        )
    data = files.get(name)
    if data is None:
        return render(
            request,
            "missing.html",
            status=404,
            title="Not found",
            message="There is no such page in the register.",
        )
    media = SPECIAL_MEDIA_TYPES.get(name) or MEDIA_TYPES.get(
        PurePosixPath(name).suffix, "application/octet-stream"
    )
    headers = {"cache-control": "no-cache"}  # every decision shows at once: always ask again
    if media.startswith(("application/", "text/csv")):
        headers["x-content-type-options"] = "nosniff"
    body = b"" if request.method == "HEAD" else data
    return Response(body, media_type=media, headers=headers)


def _entry(request: Request, number: str) -> Entry | None:
    found, _, _ = entries(issuing_folder(request.app.state.site), date.today())
    return next((e for e in found if e.facts.number == number), None)


async def withdraw_form(request: Request) -> Response:
    return await _form(request, request.path_params["number"], "", (), 200)


async def _form(
    request: Request, number: str, reason: str, problems: tuple[str, ...], status: int
) -> Response:
    try:
        entry = await run_in_threadpool(_entry, request, number)
    except NumsError as error:
        return render(
            request, "missing.html", status=503, title="The register cannot be shown", message=str(error)
        )
    if entry is None:
        return render(
            request,
            "missing.html",
            status=404,
            title="Not found",
            message=f"No award numbered {number} was issued here.",
        )
    if entry.state == WITHDRAWN and status == 200:
        status = 409
        problems = (f"Award {number} is already withdrawn.",)
    return render(
        request,
        "withdraw.html",
        status=status,
        title=f"Withdraw award {number}",
        e=entry,
        reason=reason,
        problems=problems,
        action=f"{REGISTER_PATH}/withdraw/{number}",
        page=f"{REGISTER_PATH}/awards/{number}.html",
        max_reason=MAX_TEXT_CHARACTERS,
    )


async def withdraw(request: Request) -> Response:
    """Withdraw the award, then show its page, which now says withdrawn."""
    number = request.path_params["number"]
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    private = form.get("private") == "yes"
    if not reason:
        return await _form(request, number, reason, ("Say why the award is withdrawn.",), 422)
    if len(reason) > MAX_TEXT_CHARACTERS:
        return await _form(
            request, number, reason, (f"The reason is longer than {MAX_TEXT_CHARACTERS} characters.",), 422
        )
    entry = await run_in_threadpool(_entry, request, number)
    if entry is None:
        return await _form(request, number, reason, (), 404)
    if entry.state == WITHDRAWN:
        return await _form(request, number, reason, (f"Award {number} is already withdrawn.",), 409)
    site = request.app.state.site
    try:
        await run_in_threadpool(withdraw_for_site, site, number, reason, date.today(), not private)
    except NumsError as error:
        return await _form(request, number, reason, tuple(p.message for p in error.problems), 409)
    return RedirectResponse(f"{REGISTER_PATH}/awards/{number}.html", status_code=303)
