"""The portfolio for machines (``--json``, a public contract), for spreadsheets
(``--csv``) and for a terminal 100 columns wide."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from nums.escaping import csv_cell
from nums.portfolio import Portfolio, ProgrammeRow
from nums.pricing import Quote, quote_json
from nums.render.quote_text import amount, split_sentence
from nums.render.terminal import heading, shown, wrap
from nums.standard import Edition

# The CSV's columns, in order: a public contract like the JSON (add at the end, never rename).
CSV_COLUMNS = (
    "id",
    "name",
    "institution",
    "status",
    "award_level",
    "awarded",
    "valid_until",
    "evidence_level",
    "awardable_level",
    "next_level",
    "next_level_from",
    "open_gaps",
    "over_rated",
    "tailored",
    "review_status",
    "review_outcome",
    "open_requests",
    "errors",
    "awardable_reason",
)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def row_json(row: ProgrammeRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "institution": row.institution,
        "status": row.status,
        "errors": list(row.errors),
        "award": {
            "level": row.award.level,
            "awarded": row.award.awarded.isoformat(),
            "valid_until": row.award.valid_until.isoformat(),
        }
        if row.award
        else None,
        "evidence_level": row.evidence_level,
        "awardable_level": row.awardable_level,
        "awardable_reason": row.awardable_reason,
        "next_level": row.next_level,
        "next_level_from": _iso(row.next_level_from),
        "open_gaps": row.open_gaps,
        "over_rated": list(row.over_rated),
        "tailored": row.tailored,
        "review": {
            "status": row.review.status,
            "outcome": row.review.outcome,
            "open_requests": row.review.open_requests,
        },
        "path": row.path,
        "application": {"type": row.application_type, "level": row.applied_level},
    }


def _quote(result: Quote | None) -> dict[str, object] | None:
    return quote_json(result) if result is not None else None


def portfolio_json(result: Portfolio) -> dict[str, Any]:
    fees = result.fees
    wide = result.university_wide
    return {
        "on": result.on.isoformat(),
        "horizon_days": result.horizon_days,
        "programmes": [row_json(row) for row in result.rows],
        "summary": {
            "by_level": dict(result.by_level),
            "by_status": dict(result.by_status),
            "lapsing": list(result.lapsing),
        },
        "fees": {
            "renewals": _quote(fees.renewals),
            "moves_up": _quote(fees.moves_up),
            "renewal_ids": list(fees.renewal_ids),
            "move_up_ids": list(fees.move_up_ids),
        },
        "university_wide": {
            "framework": wide.framework,
            "all_same": wide.all_same,
            "differing": list(wide.differing),
            "decides": False,
        },
    }


def portfolio_csv(result: Portfolio) -> str:
    """One row per programme, UTF-8 with a byte-order mark so spreadsheet programs read it as such."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        writer.writerow(_csv_cells(row))
    return "\ufeff" + out.getvalue()


def _csv_cells(row: ProgrammeRow) -> list[str]:
    award = row.award
    values: dict[str, object] = {
        "id": row.id,
        "name": row.name,
        "institution": row.institution,
        "status": row.status,
        "award_level": award.level if award else None,
        "awarded": _iso(award.awarded) if award else None,
        "valid_until": _iso(award.valid_until) if award else None,
        "evidence_level": row.evidence_level,
        "awardable_level": row.awardable_level,
        "next_level": row.next_level,
        "next_level_from": _iso(row.next_level_from),
        "open_gaps": row.open_gaps,
        "over_rated": " ".join(row.over_rated),
        "tailored": "yes" if row.tailored else "no",
        "review_status": row.review.status,
        "review_outcome": row.review.outcome,
        "open_requests": row.review.open_requests,
        "errors": " | ".join(row.errors),
        "awardable_reason": row.awardable_reason,
    }
    return [csv_cell(values[column]) for column in CSV_COLUMNS]


# --- terminal -------------------------------------------------------------------


def portfolio_text(edition: Edition, result: Portfolio) -> str:
    name = edition.level_name
    lines = [heading(f"Portfolio on {result.on.isoformat()}") + f" · {len(result.rows)} programmes", ""]
    header = f"{'programme':<22} {'status':<16} {'award':<7} {'valid to':<10} {'may have':<8} {'next from':<10} review"
    lines.append(heading(header))
    for row in result.rows:
        lines.append(_table_line(edition, row))
        for error in row.errors[:3]:
            lines.append(wrap(error, 4, "  ✗"))
    counts = ", ".join(f"{name(level)} {count}" for level, count in result.by_level.items())
    statuses = ", ".join(f"{status} {count}" for status, count in result.by_status.items() if count)
    lines += ["", heading("Summary"), f"  Held: {counts}", f"  Status: {statuses}"]
    if result.lapsing:
        lines.append(
            wrap(f"Lapsing within {result.horizon_days} days: " + ", ".join(result.lapsing), 4, "  !")
        )
    lines += _fees_lines(result)
    wide = result.university_wide
    lines += ["", heading("University-wide accreditation")]
    if wide.all_same:
        lines.append(wrap(f"every programme names the framework {wide.framework!r}", 2))
    else:
        named = f"most name {wide.framework!r}; " if wide.framework else "no programme names a framework; "
        lines.append(wrap(named + "not the same for: " + ", ".join(wide.differing), 2))
    lines.append(
        wrap(
            "The standard allows a university-wide application when all programmes run to the same framework "
            "or standard; nums only reports what the files name and decides nothing.",
            2,
        )
    )
    return "\n".join(lines)


def _table_line(edition: Edition, row: ProgrammeRow) -> str:
    name = edition.level_name
    award = row.award
    level = name(award.level) if award else "-"
    until = _iso(award.valid_until) if award else "-"
    awardable = name(row.awardable_level) if row.awardable_level else "-"
    upcoming = _iso(row.next_level_from) or "-"
    if row.review.status == "none":
        review = "-"
    elif row.review.status == "final":
        review = f"final: {name(row.review.outcome) if row.review.outcome else 'no award'}"
    else:
        review = f"provisional ({row.review.open_requests} open)"
    status = row.status
    label = shown(row.id)
    label = label if len(label) <= 22 else label[:21] + "…"
    return f"{label:<22} {status:<16} {level:<7} {until:<10} {awardable:<8} {upcoming:<10} {review}"


def _fees_lines(result: Portfolio) -> list[str]:
    fees = result.fees
    lines = ["", heading("Next year's fees") + " (as nums quote prices them on this date)"]
    for label, quote, ids in (
        ("Renewals", fees.renewals, fees.renewal_ids),
        ("Moving up", fees.moves_up, fees.move_up_ids),
    ):
        if quote is None:
            lines.append(f"  {label}: none")
            continue
        total = amount(quote, quote.gross)
        count = quote.request.initial + quote.request.reaccreditation
        plural = "programme" if count == 1 else "programmes"
        lines.append(f"  {label}: {count} {plural}, {amount(quote, quote.net)} net, {total} with VAT")
        lines.append(wrap(", ".join(ids), 4))
        lines += [wrap(reason, 6, "    -") for reason in quote.reasons]
        lines += [wrap(split_sentence(quote, split), 6, "    ~") for split in quote.alternatives]
    return lines
