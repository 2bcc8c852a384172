"""The portfolio as a committee report: a summary page (levels held, a renewal
timeline, next year's fees, the framework question), then every programme.

Charts are inline SVG drawn here from the numbers, each with a text twin: the
counts sit in a table beside the bar chart and every timeline mark is labelled,
so nothing is carried by colour or shape alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup, escape

from nums.dates import add_months
from nums.portfolio import INVALID, Portfolio
from nums.pricing import QuoteSet
from nums.render.pdf import Document, render_pdf, render_template, source_date
from nums.render.portfolio import FEE_KINDS, counted, fee_totals, institutions_line, portfolio_json
from nums.render.quote import amount, split_sentence
from nums.standard import Edition

BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 46, 26, 120
TIMELINE_WIDTH, TIMELINE_ROW, PAD = 560, 16, 30


@dataclass(frozen=True)
class Mark:
    """One award's end on the timeline."""

    label: str
    level: str
    day: date


def levels_chart(edition: Edition, result: Portfolio) -> Markup:
    """Bars of the programmes holding each level, the count written on each bar."""
    by_level = result.programmes_by_level or result.by_level
    counts = [(edition.level_name(level), by_level.get(level, 0)) for level in edition.levels]
    top = max([count for _, count in counts] + [1])
    width = len(counts) * (BAR_WIDTH + BAR_GAP) + BAR_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{CHART_HEIGHT + 34}" role="img" '
        f'aria-label="{escape(_chart_words(counts))}">'
    ]
    for index, (name, count) in enumerate(counts):
        x = BAR_GAP + index * (BAR_WIDTH + BAR_GAP)
        height = round(CHART_HEIGHT * count / top)
        y = CHART_HEIGHT - height + 14
        parts.append(f'<rect x="{x}" y="{y}" width="{BAR_WIDTH}" height="{height}" fill="#12355b"/>')
        parts.append(
            f'<text x="{x + BAR_WIDTH / 2}" y="{y - 3}" text-anchor="middle" font-size="11">{count}</text>'
        )
        parts.append(
            f'<text x="{x + BAR_WIDTH / 2}" y="{CHART_HEIGHT + 30}" text-anchor="middle" font-size="11">'
            f"{escape(name)}</text>"
        )
    parts.append(
        f'<line x1="0" y1="{CHART_HEIGHT + 14}" x2="{width}" y2="{CHART_HEIGHT + 14}" stroke="#444"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _chart_words(counts: list[tuple[str, int]]) -> str:
    return "Programmes holding each level: " + ", ".join(f"{name} {count}" for name, count in counts)


def timeline(edition: Edition, result: Portfolio) -> Markup:
    """The year ahead, with each award's last valid day marked and labelled."""
    start = result.on
    end = add_months(start, edition.rules.validity.months)
    marks = sorted(
        (
            Mark(row.id, edition.level_name(row.award.level), row.award.valid_until)
            for row in result.rows
            if row.award and start <= row.award.valid_until < end
        ),
        key=lambda mark: (mark.day, mark.label),
    )
    span = (end - start).days
    height = 36 + TIMELINE_ROW * max(len(marks), 1)
    words = (
        "; ".join(f"{m.label} ({m.level}) ends {m.day.isoformat()}" for m in marks)
        or "no award ends this year"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{TIMELINE_WIDTH + 2 * PAD}" height="{height}" role="img" '
        f'aria-label="{escape("Awards ending in the year ahead: " + words)}">',
        f'<line x1="{PAD}" y1="20" x2="{TIMELINE_WIDTH + PAD}" y2="20" stroke="#444"/>',
    ]
    for month in range(0, edition.rules.validity.months + 1, 3):
        day = add_months(start, month)
        x = PAD + TIMELINE_WIDTH * (day - start).days / span
        parts.append(f'<line x1="{x:.1f}" y1="15" x2="{x:.1f}" y2="25" stroke="#444"/>')
        parts.append(
            f'<text x="{x:.1f}" y="11" text-anchor="middle" font-size="9">{day.strftime("%b %Y")}</text>'
        )
    for index, mark in enumerate(marks):
        x = PAD + TIMELINE_WIDTH * (mark.day - start).days / span
        y = 36 + index * TIMELINE_ROW
        anchor = "end" if x > TIMELINE_WIDTH * 0.6 else "start"
        shift = -6 if anchor == "end" else 6
        parts.append(
            f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{y - 4}" stroke="#888" stroke-dasharray="2,2"/>'
        )
        parts.append(f'<circle cx="{x:.1f}" cy="{y - 4}" r="3.5" fill="#12355b"/>')
        parts.append(
            f'<text x="{x + shift:.1f}" y="{y}" text-anchor="{anchor}" font-size="9">'
            f"{escape(mark.label)} · {escape(mark.level)} · {mark.day.isoformat()}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# What each status means, in words, for the committee (the slugs are for JSON and CSV).
STATUS_WORDS = {
    "accredited": "Accredited",
    "renewal-due": "Renewal due",
    "lapsed": "Lapsed",
    "never-accredited": "Never accredited",
    "not-started": "Not started",
    "invalid": "Files do not load",
}
FEE_LABELS = {
    "renewals": "Renewals at the same level",
    "moves_up": "Moving up a level (full applications)",
    "returning": "Returning after a lapse (full applications, as new applicants)",
    "first": "First applications",
}


def portfolio_context(edition: Edition, result: Portfolio, created: datetime) -> dict[str, Any]:
    fees = []
    for attribute, _, ids_attribute in FEE_KINDS:
        priced = getattr(result.fees, attribute)
        if priced is None:
            continue
        count, net, gross, one = fee_totals(priced)
        each = priced.quotes if isinstance(priced, QuoteSet) else (priced,)
        fees.append(
            {
                "label": FEE_LABELS[attribute],
                "programmes": count,
                "ids": getattr(result.fees, ids_attribute),
                "net": amount(one, net),
                "gross": amount(one, gross),
                "reasons": [reason for q in each for reason in q.reasons],
                "alternatives": [split_sentence(q, split) for q in each for split in q.alternatives],
                "split": len(each) if len(each) > 1 else 0,
            }
        )
    return {
        "p": portfolio_json(result),
        "status_words": STATUS_WORDS,
        "counted": counted(result),
        "institutions": institutions_line(result) if result.institutions else "",
        "university": result.institutions[0] if len(result.institutions) == 1 else "",
        "under_way": result.fees.under_way_ids,
        "ed": edition,
        "level_name": lambda level: edition.level_name(level) if level else "-",
        "levels_chart": levels_chart(edition, result),
        "timeline": timeline(edition, result),
        "fees": fees,
        "invalid": [row for row in result.rows if row.status == INVALID],
        "created": created.isoformat(),
        "year_end": (add_months(result.on, edition.rules.validity.months) - timedelta(days=1)).isoformat(),
    }


def portfolio_pdf(edition: Edition, result: Portfolio) -> bytes:
    """Dated by the portfolio's date (or SOURCE_DATE_EPOCH), so the same inputs give the same bytes."""
    created = source_date(datetime.combine(result.on, time(0, 0), tzinfo=UTC))
    html = render_template("portfolio.html", **portfolio_context(edition, result, created))
    return render_pdf(Document(html=html, created=created))
