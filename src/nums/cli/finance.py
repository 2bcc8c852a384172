"""Commands for finance staff: quote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from nums.cli.common import DATE, WholeNumber, echo_json, echo_text
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
    "--initial", type=WholeNumber(0), default=0, help="Programmes for initial assessment (any level)."
)
@click.option(
    "--reaccreditation",
    type=WholeNumber(0),
    default=0,
    help="Programmes for reaccreditation at the level held.",
)
@click.option(
    "--mentors",
    type=WholeNumber(1),
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
@click.option(
    "--to",
    "addressee",
    metavar="'NAME, ORGANISATION'",
    help="Who the quote is for; printed on it and part of its reference.",
)
@click.option(
    "--no-alternatives",
    is_flag=True,
    help="Leave out the note on what separate applications would cost.",
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
    addressee: str | None,
    no_alternatives: bool,
) -> None:
    """Quote the fees for an application, with VAT.

    Give counts (`nums quote --initial 3`), or one or more submission files to
    price together as one request (`nums quote a/submission.yaml b/submission.yaml`).
    A level change is a full application: count it as --initial.
    """
    addressee = " ".join(addressee.split()) if addressee and addressee.strip() else None
    if submissions:
        if initial or reaccreditation:
            raise NumsError(Problem("give submission files or --initial/--reaccreditation counts, not both"))
        request = _request_from_submissions(
            ctx, submissions, on, mentors, vat_rate, addressee, not no_alternatives
        )
    else:
        request = QuoteRequest(
            initial,
            reaccreditation,
            mentors,
            on or date.today(),
            vat_rate,
            addressee=addressee,
            dated_by="the date asked for" if on else "today",
            alternatives=not no_alternatives,
        )
    standard = (ctx.find_root().obj or {}).get("standard")
    result = price(load_price_lists(standard), request)
    if pdf is not None:
        from nums.render.quote_pdf import write_quote_pdf  # WeasyPrint only when a PDF is asked for

        write_quote_pdf(result, pdf)
    if as_json:
        echo_json(quote_json(result))
    else:
        echo_text(quote_text(result))
        if pdf is not None:
            echo_text(f"\nWrote {pdf}")


def _request_from_submissions(
    ctx: click.Context,
    paths: tuple[Path, ...],
    on: date | None,
    mentors: int | None,
    vat_rate: Decimal | None,
    addressee: str | None,
    alternatives: bool,
) -> QuoteRequest:
    """Every programme of every submission in one request, each priced by what its application
    is; a file given twice is counted once."""
    from nums.cli.common import load_submission_for
    from nums.fees import submissions_request

    loaded = []
    seen: dict[Path, Path] = {}
    edition = None
    for path in paths:
        key = path.resolve()
        if key in seen:
            echo_text(f"warning: {path}: given twice (as {seen[key]}); counted once", err=True)
            continue
        seen[key] = path
        edition, submission = load_submission_for(ctx, str(path))
        loaded.append(submission)
    assert edition is not None
    return submissions_request(
        edition,
        loaded,
        today=date.today(),
        on=on,
        mentors=mentors,
        vat_rate=vat_rate,
        addressee=addressee,
        alternatives=alternatives,
    )
