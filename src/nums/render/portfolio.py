"""The portfolio for machines (``--json``, a public contract), for spreadsheets
(``--csv``) and for a terminal 100 columns wide."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from nums.escaping import csv_cell
from nums.portfolio import Portfolio, ProgrammeRow
from nums.pricing import Quote, QuoteSet
from nums.render.quote import amount, quote_json, quote_set_json, split_sentence
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


UNTIL_OUTCOME = (
    "in force until the outcome of an application made on or before its last valid day is final, "
    "however long the decision takes"
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
            "in_force_until": _iso(row.award.in_force_until),
            "until_outcome": row.award.until_outcome,
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
        "application": {
            "type": row.application_type,
            "level": row.applied_level,
            "date": _iso(row.application_date),
            "under_way": row.under_way,
        },
    }


def _quote(result: Quote | QuoteSet | None) -> dict[str, object] | None:
    """Exactly what ``nums quote --json`` prints for those programmes."""
    if result is None:
        return None
    return quote_set_json(result) if isinstance(result, QuoteSet) else quote_json(result)


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
            "submissions": len(result.rows),
            "programmes": result.programme_count,
            "programmes_by_level": dict(result.programmes_by_level or {}),
            "programmes_by_status": dict(result.programmes_by_status or {}),
            "institutions": list(result.institutions),
        },
        "fees": {
            "renewals": _quote(fees.renewals),
            "moves_up": _quote(fees.moves_up),
            "renewal_ids": list(fees.renewal_ids),
            "move_up_ids": list(fees.move_up_ids),
            "returning": _quote(fees.returning),
            "returning_ids": list(fees.returning_ids),
            "first_applications": _quote(fees.first),
            "first_application_ids": list(fees.first_ids),
            "under_way_ids": list(fees.under_way_ids),
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
    lines = [heading(f"Portfolio on {result.on.isoformat()}") + f" · {counted(result)}", ""]
    if not result.rows:
        lines.append(
            "Nothing here: no folder (up to three deep) holds a submission.yaml. `nums init FOLDER` makes one."
        )
        return "\n".join(lines)
    if result.institutions:
        lines += [wrap(institutions_line(result), 0), ""]
    header = f"{'programme':<21} {'status':<16} {'award':<7} {'valid to':<11} {'next level':<22} review"
    lines.append(heading(header))
    for row in result.rows:
        lines.append(_table_line(edition, row))
        for error in row.errors[:3]:
            lines.append(wrap(error, 4, "  ✗"))
    if any(row.award and row.award.until_outcome for row in result.rows):
        lines.append(wrap(UNTIL_OUTCOME, 2, "+"))
    by_level = result.programmes_by_level or result.by_level
    counts = ", ".join(f"{name(level)} {count}" for level, count in by_level.items())
    by_status = result.programmes_by_status or result.by_status
    statuses = ", ".join(f"{status} {count}" for status, count in by_status.items() if count)
    lines += [
        "",
        heading("Summary") + " (counted by programme)",
        f"  Held: {counts}",
        f"  Status: {statuses}",
    ]
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


def counted(result: Portfolio) -> str:
    """ "4 submissions, 6 programmes": a combined submission holds several programmes."""
    files, programmes = len(result.rows), result.programme_count
    if files == 0:
        return "no programmes"
    return f"{_plural(files, 'submission')}, {_plural(programmes, 'programme')}"


def institutions_line(result: Portfolio) -> str:
    places = result.institutions
    if len(places) == 1:
        return f"Programmes of {places[0]}."
    return f"Programmes of {len(places)} institutions: {'; '.join(places)}."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def next_level_words(edition: Edition, row: ProgrammeRow) -> str:
    """The level above the one held and the first day it may be applied for."""
    if not row.next_level or not row.next_level_from:
        return "-"
    return f"{edition.level_name(row.next_level)} from {row.next_level_from.isoformat()}"


def _table_line(edition: Edition, row: ProgrammeRow) -> str:
    name = edition.level_name
    award = row.award
    level = name(award.level) if award else "-"
    until = (_iso(award.valid_until) or "-") + ("+" if award.until_outcome else "") if award else "-"
    if row.review.status == "none":
        review = "-"
    elif row.review.status == "final":
        review = f"final: {name(row.review.outcome) if row.review.outcome else 'no award'}"
    else:
        review = f"provisional, {row.review.open_requests} open"
    label = shown(row.id)
    label = label if len(label) <= 21 else label[:20] + "…"
    return (
        f"{label:<21} {row.status:<16} {level:<7} {until:<11} {next_level_words(edition, row):<22} {review}"
    )


FEE_KINDS = (
    ("renewals", "Renewals", "renewal_ids"),
    ("moves_up", "Moving up", "move_up_ids"),
    ("returning", "Returning after a lapse (full applications)", "returning_ids"),
    ("first", "First applications", "first_ids"),
)


def fee_totals(result: Quote | QuoteSet) -> tuple[int, Decimal | None, Decimal | None, Quote]:
    """Programmes, net and gross of one kind of fee, and a quote to format amounts with."""
    quotes = result.quotes if isinstance(result, QuoteSet) else (result,)
    count = sum(q.request.initial + q.request.reaccreditation for q in quotes)
    if isinstance(result, QuoteSet):
        return count, result.total("net"), result.total("gross"), quotes[0]
    return count, result.net, result.gross, result


def _fees_lines(result: Portfolio) -> list[str]:
    fees = result.fees
    lines = ["", heading("Next year's fees") + " (as nums quote prices them on this date)"]
    for attribute, label, ids_attribute in FEE_KINDS:
        priced, ids = getattr(fees, attribute), getattr(fees, ids_attribute)
        if priced is None:
            lines.append(f"  {label}: none")
            continue
        count, net, gross, one = fee_totals(priced)
        split = f" ({len(priced.quotes)} quotes, one per institution)" if isinstance(priced, QuoteSet) else ""
        lines.append(
            f"  {label}: {_plural(count, 'programme')}, {amount(one, net)} net, {amount(one, gross)} with VAT{split}"
        )
        lines.append(wrap(", ".join(ids), 4))
        for each in priced.quotes if isinstance(priced, QuoteSet) else (priced,):
            lines += [wrap(reason, 6, "    -") for reason in each.reasons]
            lines += [wrap(split_sentence(each, s), 6, "    ~") for s in each.alternatives]
    if fees.under_way_ids:
        lines.append(
            wrap(
                "Not budgeted again: applied and not yet decided (the fee was due with the application): "
                + ", ".join(fees.under_way_ids),
                4,
            )[2:]
        )
    return lines
