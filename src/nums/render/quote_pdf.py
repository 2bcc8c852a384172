"""The one-page quote a finance office can send, as PDF."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from nums.pricing import Quote, quote_json
from nums.render.pdf import Document, render_template, source_date, write_pdf
from nums.render.quote_text import amount, quote_lines, split_sentence


def quote_html(result: Quote, created: datetime) -> str:
    data = quote_json(result)
    lines = quote_lines(result)
    totals = {key: amount(result, getattr(result, key)) for key in ("net", "vat", "gross")}
    return render_template(
        "quote.html",
        q=data,
        lines=lines,
        totals=totals,
        alternatives=[split_sentence(result, split) for split in result.alternatives],
        prices_exclude_vat=result.price_list.prices_exclude_vat,
        standard_title=result.price_list.scheme or "Accreditation",
        publisher=result.price_list.scheme or "nums",
        created=created.isoformat(),
    )


def write_quote_pdf(result: Quote, target: Path) -> None:
    """Dated by the quote date (or SOURCE_DATE_EPOCH), so the same quote gives the same bytes."""
    created = source_date(datetime.combine(result.request.on, time(0, 0), tzinfo=UTC))
    write_pdf(Document(html=quote_html(result, created), created=created), target)
