"""The one-page quote a finance office can send, as PDF; programmes of several
institutions give one page per institution's quote."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from nums.pricing import NOT_ADDRESSED, Quote, QuoteSet, split_note, whom_to_ask
from nums.render.pdf import Document, render_pdf, render_template, source_date
from nums.render.quote import amount, issuer_line, quote_json, quote_lines, split_sentence, tailored_line


def _page(result: Quote) -> dict[str, Any]:
    return {
        "q": quote_json(result),
        "lines": quote_lines(result),
        "totals": {key: amount(result, getattr(result, key)) for key in ("net", "vat", "gross")},
        "alternatives": [split_sentence(result, split) for split in result.alternatives],
        "issuer": issuer_line(result),
        "ask": whom_to_ask(result),
        "tailored": tailored_line(result),
        "not_addressed": NOT_ADDRESSED,
    }


def quote_html(result: Quote | QuoteSet, created: datetime) -> str:
    quotes = result.quotes if isinstance(result, QuoteSet) else (result,)
    first = quotes[0]
    scheme = first.price_list.scheme
    return render_template(
        "quote.html",
        pages=[_page(q) for q in quotes],
        split=split_note(len(quotes)) if len(quotes) > 1 else None,
        left_out=result.left_out if isinstance(result, QuoteSet) else (),
        prices_exclude_vat=first.price_list.prices_exclude_vat,
        standard_title=scheme or "Accreditation",
        publisher=scheme or "nums",
        created=created.isoformat(),
    )


def quote_pdf(result: Quote | QuoteSet) -> bytes:
    """Dated by the quote date (or SOURCE_DATE_EPOCH), so the same quote gives the same bytes."""
    on = (result.quotes[0] if isinstance(result, QuoteSet) else result).request.on
    created = source_date(datetime.combine(on, time(0, 0), tzinfo=UTC))
    return render_pdf(Document(html=quote_html(result, created), created=created))
