"""The portfolio as the home page shows it: what ``nums portfolio`` computes, for the page.

The status column, next year's fees and the university-wide line all come from one
``nums.portfolio`` computation, from the programmes the home page has already loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from nums import portfolio as portfolios
from nums.edition_loading import load_edition
from nums.pricing import QuoteSet, split_note
from nums.render.portfolio import FEE_KINDS, fee_totals
from nums.render.quote import amount, split_sentence
from nums.web.quoting import quote_view
from nums.workspace import LoadedProgramme, Workspace


def portfolio_of(
    workspace: Workspace, on: date, loaded: Sequence[LoadedProgramme] | None = None
) -> tuple[Any, Any]:
    """The portfolio on ``on``, as ``nums portfolio`` builds it; from programmes already
    ``loaded`` when the page has them (the home page), so none is read twice."""
    edition = load_edition(workspace.standard)
    days = edition.rules.validity.warn_days_before_lapse
    if loaded is None:
        return edition, portfolios.build(workspace.root, edition, on, days, workspace.standard, jobs=1)
    rows = [
        portfolios.submission_row(p.edition, p.id, p.submission, on, days, workspace.resolved)
        if p.submission is not None and p.edition is not None
        else portfolios.invalid_row(p.id, p.place.path, p.problems)
        for p in loaded
    ]
    return edition, portfolios.summarise(edition, rows, on, days)


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
