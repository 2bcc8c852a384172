"""The audit trail on the site's pages and JSON API (issue 23: "shown per programme and per person
to those who may see it, exported as CSV").

Each handler parses nothing but the address, calls one function of ``nums.site.trails`` (which asks
the policy and ``audit.visible_to``) in a worker thread, and answers: the page, its JSON twin, or the
CSV of what the page shows (all of its days, oldest first, as ``nums site audit`` writes it). A
refusal is the library's 404 or 403; a bad filter a 422 naming its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from nums import policy
from nums.errors import NumsError
from nums.escaping import content_disposition
from nums.site import trails
from nums.site.people import Refused
from nums.web.answers import JSONResponse, error_json
from nums.web.routing import Target, person_of
from nums.web.templating import page_url, render

CSV = "text/csv; charset=utf-8"


async def _shown(request: Request, work: Callable[..., Any], *args: Any) -> Any:
    """Run ``work(site, person, *args, query)``; a refusal or a bad filter comes back as it is."""
    site, person = request.app.state.site, person_of(request)
    query = dict(request.query_params)
    try:
        return await run_in_threadpool(work, site, person, *args, query)
    except (Refused, NumsError) as error:
        return error


def _page(request: Request, shown: trails.Shown | Exception, here: str, title: str) -> Response:
    if isinstance(shown, Refused):
        status, words = (
            shown.decision.value,
            "Not found" if shown.decision is policy.Decision.NOT_FOUND else "Not allowed",
        )
        return render(request, "missing.html", status=status, title=words)
    if isinstance(shown, NumsError):
        return render(
            request, "audit.html", status=422, title=title, shown=None, here=here, problem=shown.problems[0]
        )
    query = shown.filters.query() | (
        {"person": shown.person} if shown.person and "person" in request.query_params else {}
    )
    older = f"{here}?{urlencode(query | {'before': str(shown.older)})}" if shown.older else None
    csv = f"{here}.csv" + (f"?{urlencode(query)}" if query else "")
    return render(
        request, "audit.html", title=title, shown=shown, here=here, older=older, csv=csv, problem=None
    )


def _json(shown: trails.Shown | Exception) -> Response:
    if isinstance(shown, Refused):
        return error_json(shown.decision.value, str(shown.problems[0].message))
    if isinstance(shown, NumsError):
        problem = shown.problems[0]
        return error_json(422, f"{problem.field}: {problem.message}", field=problem.field)
    return JSONResponse(shown.as_json())


def _csv(request: Request, text: str | Exception, filename: str) -> Response:
    if isinstance(text, Exception):
        return (
            _json(text) if request.url.path.startswith("/api/") else _page(request, text, "", "Audit trail")
        )
    return Response(text, media_type=CSV, headers={"content-disposition": content_disposition(filename)})


# --- one programme's trail ------------------------------------------------------------------------


async def programme_page(request: Request, target: Target) -> Response:
    shown = await _shown(request, trails.programme_trail, target.place.id)
    return _page(request, shown, page_url(target.place.id, "audit"), f"Audit trail of {target.place.id}")


async def programme_json(request: Request, target: Target) -> Response:
    return _json(await _shown(request, trails.programme_trail, target.place.id))


async def programme_csv(request: Request, target: Target) -> Response:
    text = await _shown(request, trails.programme_csv, target.place.id)
    return _csv(request, text, f"audit-{target.place.id.replace('/', '-')}.csv")


# --- one person's trail ---------------------------------------------------------------------------


async def person_page(request: Request) -> Response:
    shown = await _shown(request, trails.person_trail)
    title = "Audit trail" if isinstance(shown, Exception) else f"Audit trail of {shown.person}"
    return _page(request, shown, "/audit", title)


async def person_json(request: Request) -> Response:
    return _json(await _shown(request, trails.person_trail))


async def person_csv(request: Request) -> Response:
    return _csv(request, await _shown(request, trails.person_csv), "audit-person.csv")
