"""The outcome letter (``nums review ... --letter``), with the pack's guarantees:
escaped, nothing fetched, atomic, dated by the review (or SOURCE_DATE_EPOCH)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from nums.render.pdf import Document, render_template, source_date, write_pdf
from nums.review import PROVISIONAL, Outcome


def letter_html(result: Outcome, created: datetime) -> str:
    return render_template(
        "letter.html",
        o=result,
        rv=result.review,
        sub=result.submission,
        ed=result.edition,
        level_name=result.edition.level_name,
        provisional=result.status == PROVISIONAL,
        created=created.isoformat(),
    )


def write_letter(result: Outcome, target: Path) -> None:
    created = source_date(datetime.combine(result.review.date, time(0, 0), tzinfo=UTC))
    write_pdf(Document(html=letter_html(result, created), created=created), target)
