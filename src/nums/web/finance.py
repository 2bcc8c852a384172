"""The finance officer's quote page, ``/api/quote``, and the portfolio downloads.

The quote page is a GET form (a quote writes nothing), so it works with
JavaScript off and its address can be bookmarked or sent; ``static/app.js``
posts it to ``/quote/preview`` as the officer types. The portfolio downloads
are computed by ``nums.portfolio.build`` and the renderers ``nums portfolio``
uses for ``--csv``, ``--ics`` and ``--pdf``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from nums.errors import NumsError
from nums.escaping import content_disposition
from nums.render.calendar import portfolio_calendar
from nums.render.portfolio import portfolio_csv
from nums.render.portfolio_pdf import portfolio_pdf
from nums.render.quote_pdf import quote_pdf as quote_pdf_bytes
from nums.web.answers import JSONResponse
from nums.web.editing import problem_json
from nums.web.portfolio_view import portfolio_of
from nums.web.quoting import Asked, answer_json, price, quote_view, read_params
from nums.web.seeing import is_filtered, seen_workspace
from nums.web.templating import fragment, render
from nums.workspace import Workspace


def _workspace(request: Request) -> Workspace:
    """The workspace as the person asking sees it (``web/seeing.py``)."""
    return seen_workspace(request)


def _asked(request: Request, form: Any = None) -> Asked:
    source = form if form is not None else request.query_params
    return read_params(source, [str(v) for v in source.getlist("programme")])


def _priced(workspace: Workspace, asked: Asked) -> tuple[Any, tuple[Any, ...]]:
    """The quote, or None with the problems (the CLI's messages)."""
    if asked.problems:
        return None, asked.problems
    try:
        return price(workspace, asked), ()
    except NumsError as error:
        return None, error.problems


def _refusal(problems: tuple[Any, ...]) -> JSONResponse:
    return JSONResponse(
        {"error": "; ".join(str(p.message) for p in problems), "errors": [problem_json(p) for p in problems]},
        status_code=422,
    )


async def api_quote(request: Request) -> Response:
    result, problems = await run_in_threadpool(_priced, _workspace(request), _asked(request))
    return _refusal(problems) if result is None else JSONResponse(answer_json(result))


async def quote_pdf(request: Request) -> Response:
    result, problems = await run_in_threadpool(_priced, _workspace(request), _asked(request))
    if result is None:
        return _refusal(problems)
    data = await run_in_threadpool(quote_pdf_bytes, result)
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": content_disposition(f"{result.reference}.pdf")},
    )


async def quote_page(request: Request) -> Response:
    asked = _asked(request)
    result, problems = await run_in_threadpool(_priced, _workspace(request), asked)
    return render(
        request,
        "quote.html",
        status=422 if problems and request.query_params else 200,
        title="Quote",
        q=request.query_params,
        programmes=asked.programmes,
        quote=quote_view(result) if result else None,
        quote_problems=problems if request.query_params else (),
        pdf_query=str(request.url.query),
    )


async def quote_preview(request: Request) -> Response:
    form = await request.form()
    result, problems = await run_in_threadpool(_priced, _workspace(request), _asked(request, form))
    return fragment(
        request,
        "_quote.html",
        quote=quote_view(result) if result else None,
        quote_problems=problems,
        pdf_query=urlencode([(k, v) for k, v in form.multi_items() if isinstance(v, str) and v]),
    )


async def portfolio_download(request: Request) -> Response:
    """``/portfolio.csv``, ``.ics`` and ``.pdf``: what ``nums portfolio WORKSPACE --csv/--ics/--pdf`` writes."""
    kind = request.url.path.rsplit(".", 1)[-1]
    data = await run_in_threadpool(portfolio_bytes, _workspace(request), kind, date.today())
    media = {
        "csv": "text/csv; charset=utf-8",
        "ics": "text/calendar; charset=utf-8",
        "pdf": "application/pdf",
    }[kind]
    return Response(
        data, media_type=media, headers={"content-disposition": content_disposition(f"portfolio.{kind}")}
    )


def portfolio_bytes(workspace: Workspace, kind: str, on: date) -> bytes:
    """What ``nums portfolio --csv``, ``--ics`` or ``--pdf`` writes for this workspace on ``on``
    (on the site, for the programmes the person sees)."""
    edition, result = portfolio_of(workspace, on, workspace.load_all(on) if is_filtered(workspace) else None)
    if kind == "csv":
        return portfolio_csv(result).encode("utf-8")
    if kind == "ics":
        return portfolio_calendar(edition, result)
    return portfolio_pdf(edition, result)
