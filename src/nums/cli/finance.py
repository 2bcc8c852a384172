"""Commands for finance staff: quote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from nums.cli.common import DATE, echo_json
from nums.errors import NumsError, Problem
from nums.prices import load_price_lists
from nums.pricing import QuoteRequest, quote_json
from nums.pricing import quote as price
from nums.render.quote_text import quote_text


class PercentParam(click.ParamType):
    """A VAT rate in percent, exact (Decimal), never negative."""

    name = "PCT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            rate = Decimal(str(value).strip().rstrip("%"))
        except InvalidOperation:
            self.fail(f"{value!r} is not a number; give a percentage such as 20 or 0", param, ctx)
        if not rate.is_finite() or rate < 0:
            self.fail(f"{value!r} must be zero or more", param, ctx)
        return rate


@click.command()
@click.argument(
    "submissions", nargs=-1, type=click.Path(dir_okay=False, path_type=Path), metavar="[SUBMISSION]..."
)
@click.option(
    "--initial", type=click.IntRange(min=0), default=0, help="Programmes for initial assessment (any level)."
)
@click.option(
    "--reaccreditation",
    type=click.IntRange(min=0),
    default=0,
    help="Programmes for reaccreditation at the level held.",
)
@click.option(
    "--mentors",
    type=click.IntRange(min=1),
    help="Mentors in the largest programme (too many for one programme needs tailored costs).",
)
@click.option(
    "--vat-rate",
    type=PercentParam(),
    help="VAT rate in percent (default: the price list's; 0 if not charged UK VAT).",
)
@click.option(
    "--on",
    "on",
    type=DATE,
    help="Quote date (YYYY-MM-DD); the price list in force then applies. Default: today.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the quote as JSON for other programs.")
@click.option(
    "--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), help="Also write a one-page quote PDF."
)
@click.pass_context
def quote(
    ctx: click.Context,
    submissions: tuple[Path, ...],
    initial: int,
    reaccreditation: int,
    mentors: int | None,
    vat_rate: Decimal | None,
    on: date | None,
    as_json: bool,
    pdf: Path | None,
) -> None:
    """Quote the fees for an application, with VAT.

    Give counts (`nums quote --initial 3`), or one or more submission files to
    price together as one request (`nums quote a/submission.yaml b/submission.yaml`).
    A level change is a full application: count it as --initial.
    """
    day = on or date.today()
    if submissions:
        if initial or reaccreditation:
            raise NumsError(Problem("give submission files or --initial/--reaccreditation counts, not both"))
        request = _request_from_submissions(ctx, submissions, day, mentors, vat_rate)
    else:
        request = QuoteRequest(initial, reaccreditation, mentors, day, vat_rate)
    standard = (ctx.find_root().obj or {}).get("standard")
    result = price(load_price_lists(standard), request)
    if pdf is not None:
        from nums.render.quote_pdf import write_quote_pdf  # WeasyPrint only when a PDF is asked for

        write_quote_pdf(result, pdf)
    if as_json:
        echo_json(quote_json(result))
    else:
        click.echo(quote_text(result))
        if pdf is not None:
            click.echo(f"\nWrote {pdf}")


def _request_from_submissions(
    ctx: click.Context, paths: tuple[Path, ...], day: date, mentors: int | None, vat_rate: Decimal | None
) -> QuoteRequest:
    """Each submission's programmes count as its application type; the largest sets the mentors."""
    from nums.cli.common import load_submission_for

    counts = {"initial": 0, "reaccreditation": 0}
    largest = mentors or 0
    for path in paths:
        _, submission = load_submission_for(ctx, str(path))
        counts[submission.application.type] += len(submission.programmes)
        largest = max([largest, *(p.mentors for p in submission.programmes)])
    return QuoteRequest(counts["initial"], counts["reaccreditation"], largest or None, day, vat_rate)
