"""The finance officer's quote page, ``/api/quote``, and the portfolio downloads.

The quote page is a GET form (a quote writes nothing), so it works with
JavaScript off and its address can be bookmarked or sent; ``static/app.js``
posts it to ``/quote/preview`` as the officer types. The portfolio downloads
are computed by ``nums.portfolio.build`` and the renderers ``nums portfolio``
uses for ``--csv``, ``--ics`` and ``--pdf``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from nums.errors import NumsError
from nums.escaping import content_disposition
from nums.pricing import QuoteSet, split_note
from nums.render.portfolio import FEE_KINDS, fee_totals
from nums.render.quote_text import amount, quote_lines, split_sentence
from nums.web.answers import JSONResponse
from nums.web.editing import problem_json
from nums.web.quoting import Asked, answer_json, price, quote_pdf_bytes, read_params
from nums.workspace import LoadedProgramme, Workspace


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


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


def quote_view(result: Any) -> dict[str, Any]:
    """The quote as the page shows it: amounts, reasons and split notes in ``nums quote``'s words."""
    return {
        "reference": result.reference,
        "addressee": result.request.addressee,
        "on": result.request.on.isoformat(),
        "dated_by": result.request.dated_by,
        "lines": quote_lines(result),
        "net": amount(result, result.net),
        "vat_rate": answer_json(result)["vat_rate"],
        "vat": amount(result, result.vat),
        "total": amount(result, result.gross),
        "tailored": result.tailored,
        "reasons": list(result.reasons),
        "valid_until": result.valid_until.isoformat(),
        "left_out": [p.reason or p.name for p in result.request.left_out],
        "splits": [split_sentence(result, split) for split in result.alternatives],
        "terms": answer_json(result)["terms"],
    }


async def quote_page(request: Request) -> Response:
    from nums.web.routes_programmes import render

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
    from nums.web.routes_programmes import _ENV

    form = await request.form()
    result, problems = await run_in_threadpool(_priced, _workspace(request), _asked(request, form))
    html = _ENV.get_template("_quote.html").render(
        quote=quote_view(result) if result else None,
        quote_problems=problems,
        pdf_query=urlencode([(k, v) for k, v in form.multi_items() if isinstance(v, str) and v]),
    )
    return HTMLResponse(html)


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


def portfolio_of(
    workspace: Workspace, on: date, loaded: Sequence[LoadedProgramme] | None = None
) -> tuple[Any, Any]:
    """The portfolio on ``on``, as ``nums portfolio`` builds it; from programmes already
    ``loaded`` when the page has them (the home page), so none is read twice."""
    from nums.portfolio import build, invalid_row, submission_row, summarise
    from nums.standard import load_edition

    edition = load_edition(workspace.standard)
    days = edition.rules.validity.warn_days_before_lapse
    if loaded is None:
        return edition, build(workspace.root, edition, on, days, workspace.standard, jobs=1)
    rows = [
        submission_row(p.edition, p.id, p.submission, on, days, workspace.resolved)
        if p.submission is not None and p.edition is not None
        else invalid_row(p.id, p.place.path, p.problems)
        for p in loaded
    ]
    return edition, summarise(edition, rows, on, days)


def fees_view(portfolio: Any) -> list[dict[str, Any]]:
    """Next year's fees as ``nums portfolio`` gives them (``Portfolio.fees``), kind by kind
    (``FEE_KINDS``: renewals, moves up, returning after a lapse, first applications), each with
    its programmes and ``nums quote``'s amounts, reasons and split notes."""
    names = {row.id: row.name for row in portfolio.rows}
    fees = portfolio.fees
    shown = []
    for attribute, label, ids_attribute in FEE_KINDS:
        result = getattr(fees, attribute)
        shown.append(
            {
                "slug": attribute.replace("_", "-"),
                "label": label,
                "programmes": [(ident, names.get(ident) or ident) for ident in getattr(fees, ids_attribute)],
                "count": fee_totals(result)[0] if result else 0,
                "quote": _fee_view(result) if result is not None else None,
            }
        )
    return shown


def under_way_view(portfolio: Any) -> list[tuple[str, str]]:
    """Applications made and not yet decided: their fee was due with them, so next year's fees
    leave them out (as ``nums portfolio`` says)."""
    names = {row.id: row.name for row in portfolio.rows}
    return [(ident, names.get(ident) or ident) for ident in portfolio.fees.under_way_ids]


def _fee_view(result: Any) -> dict[str, Any]:
    """One quote's view; programmes of several institutions, one quote each, as their totals
    and the line that says so (``nums portfolio``'s numbers)."""
    if not isinstance(result, QuoteSet):
        return quote_view(result)
    _, net, gross, one = fee_totals(result)
    return {
        "tailored": any(q.tailored for q in result.quotes),
        "net": amount(one, net),
        "total": amount(one, gross),
        "reasons": [r for q in result.quotes for r in q.reasons],
        "splits": [split_note(len(result.quotes))]
        + [split_sentence(q, s) for q in result.quotes for s in q.alternatives],
    }


def university_view(portfolio: Any) -> dict[str, Any]:
    wide = portfolio.university_wide
    return {"framework": wide.framework, "all_same": wide.all_same, "differing": list(wide.differing)}


def portfolio_bytes(workspace: Workspace, kind: str, on: date) -> bytes:
    edition, result = portfolio_of(workspace, on)
    if kind == "csv":
        from nums.render.portfolio import portfolio_csv

        return portfolio_csv(result).encode("utf-8")
    if kind == "ics":
        from nums.render.calendar import portfolio_calendar

        return portfolio_calendar(edition, result)
    from nums.render.portfolio_pdf import write_portfolio_pdf

    with tempfile.TemporaryDirectory(prefix="nums-portfolio-") as folder:
        target = Path(folder) / "portfolio.pdf"
        write_portfolio_pdf(edition, result, target)
        return target.read_bytes()


ROUTES = [
    Route("/api/quote", api_quote, methods=["GET"]),
    Route("/api/quote.pdf", quote_pdf, methods=["GET"]),
    Route("/quote", quote_page, methods=["GET"]),
    Route("/quote.pdf", quote_pdf, methods=["GET"]),
    Route("/quote/preview", quote_preview, methods=["POST"]),
    *(Route(f"/portfolio.{kind}", portfolio_download, methods=["GET"]) for kind in ("csv", "ics", "pdf")),
]
