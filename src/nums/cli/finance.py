"""Commands for finance staff: quote."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nums.cli.common import echo_json, echo_text
from nums.errors import NumsError, Problem
from nums.limits import name_problem
from nums.params import DATE, PercentParam, WholeNumber
from nums.prices import load_price_lists
from nums.pricing import NamedProgramme, Quote, QuoteRequest, QuoteSet
from nums.pricing import quote as price
from nums.render.quote import quote_json, quote_set_json, quote_set_text, quote_text

if TYPE_CHECKING:
    from nums.writing import Input


@click.command()
@click.argument("submissions", nargs=-1, type=click.Path(path_type=Path), metavar="[SUBMISSION]...")
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
    too_long = name_problem(addressee, "--to")
    if too_long is not None:
        raise NumsError(too_long)
    standard = (ctx.find_root().obj or {}).get("standard")
    inputs: list[Input] = []
    if submissions:
        if initial or reaccreditation:
            raise NumsError(Problem("give submission files or --initial/--reaccreditation counts, not both"))
        requests, left_out = _requests_from_submissions(
            ctx, submissions, on, mentors, vat_rate, not no_alternatives, inputs
        )
        if len(requests) > 1 and addressee is not None:
            raise NumsError(
                Problem(
                    f"names one addressee, but these programmes belong to {len(requests)} institutions "
                    f"({'; '.join(r.named[0].institution or 'no institution given' for r in requests)}), "
                    "which are quoted separately",
                    field="--to",
                    suggestion="quote each institution's submissions on their own, each with its own --to",
                )
            )
        if not requests:
            request = QuoteRequest(on=on or date.today(), named=left_out)  # "nothing to quote", naming them
        else:
            request = replace(requests[0], addressee=addressee)
        if len(requests) > 1:
            lists = load_price_lists(standard)
            _answer(
                QuoteSet(tuple(price(lists, r) for r in requests), left_out), as_json, pdf, inputs, standard
            )
            return
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
    _answer(price(load_price_lists(standard), request), as_json, pdf, inputs, standard)


def _answer(
    result: Quote | QuoteSet, as_json: bool, pdf: Path | None, inputs: list[Input], standard: str | None
) -> None:
    """Write the PDF if asked, then print the quote (or the institutions' quotes)."""
    if pdf is not None:
        from nums.cli.common import edition_inputs
        from nums.editions import edition_folder
        from nums.writing import check_outputs, write_rendered

        check_outputs([("--pdf", pdf)], [*inputs, *edition_inputs(edition_folder(standard))])
        from nums.render.quote_pdf import quote_pdf  # WeasyPrint only when a PDF is asked for

        write_rendered(pdf, lambda: quote_pdf(result))
    if as_json:
        echo_json(quote_set_json(result) if isinstance(result, QuoteSet) else quote_json(result))
    else:
        echo_text(quote_set_text(result) if isinstance(result, QuoteSet) else quote_text(result))
        if pdf is not None:
            echo_text(f"\nWrote {pdf}")


def _requests_from_submissions(
    ctx: click.Context,
    paths: tuple[Path, ...],
    on: date | None,
    mentors: int | None,
    vat_rate: Decimal | None,
    alternatives: bool,
    inputs: list[Input],
) -> tuple[tuple[QuoteRequest, ...], tuple[NamedProgramme, ...]]:
    """Every programme of every submission, each priced by what its application is, in one
    request per institution; a file given twice is counted once. What was read is added to
    ``inputs``."""
    from nums.cli.common import edition_inputs, load_submission_for, submission_inputs
    from nums.fees import institution_requests

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
        inputs += [*submission_inputs(path, submission), *edition_inputs(edition.folder)]
    assert edition is not None
    return institution_requests(
        edition,
        loaded,
        today=date.today(),
        on=on,
        mentors=mentors,
        vat_rate=vat_rate,
        alternatives=alternatives,
    )
