"""Commands for the university as a whole: portfolio."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from nums.cli.common import (
    echo_data,
    echo_json,
    echo_text,
    edition_from_context,
    edition_inputs,
)
from nums.errors import NumsError, Problem
from nums.limits import MAX_HORIZON_DAYS
from nums.params import DATE, WholeNumber
from nums.writing import Input, check_outputs, write_bytes_atomically, write_rendered

OUTPUT = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--on", "on", type=DATE, help="Report on this date (YYYY-MM-DD). Default: today.")
@click.option(
    "--horizon",
    "horizon",
    type=WholeNumber(0, MAX_HORIZON_DAYS),
    help="Days ahead in which an award's end makes it 'renewal-due' (default: the edition's, 90).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the portfolio as JSON for other programs.")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per programme (UTF-8 with BOM).")
@click.option("--pdf", "pdf", type=OUTPUT, help="Also write the committee report as PDF.")
@click.option("--ics", "ics", type=OUTPUT, help="Also write the renewals calendar (iCalendar).")
@click.option("--jobs", type=WholeNumber(1, 64), help="Processes for a large workspace (default: the cores).")
@click.pass_context
def portfolio(
    ctx: click.Context,
    workspace: Path,
    on: date | None,
    horizon: int | None,
    as_json: bool,
    as_csv: bool,
    pdf: Path | None,
    ics: Path | None,
    jobs: int | None,
) -> None:
    """Every programme in WORKSPACE on one date: awards, renewals, next steps and next year's fees.

    WORKSPACE is a folder; each folder inside it (up to three deep) holding a
    submission.yaml is a programme, and a review.yaml beside it counts once final.
    """
    if as_json and as_csv:
        raise NumsError(Problem("give --json or --csv, not both"))
    if not workspace.is_dir():
        raise NumsError(
            Problem(
                "is not a folder", file=str(workspace), suggestion="give the folder that holds the programmes"
            )
        )
    from nums.portfolio import build

    edition = edition_from_context(ctx)
    standard = (ctx.find_root().obj or {}).get("standard")
    if pdf is not None or ics is not None:
        check_outputs([("--pdf", pdf), ("--ics", ics)], _workspace_inputs(workspace, edition.folder))
    days = edition.rules.validity.warn_days_before_lapse if horizon is None else horizon
    result = build(workspace, edition, on or date.today(), days, standard, jobs)
    if not result.rows and (as_json or as_csv):  # the text report says so itself
        click.echo(
            f"warning: {workspace}: no programme here: a programme is a folder (up to three deep) holding a "
            "submission.yaml (`nums init FOLDER` makes one)",
            err=True,
        )
    if ics is not None:
        from nums.render.calendar import portfolio_calendar

        write_bytes_atomically(ics, portfolio_calendar(edition, result))
    if pdf is not None:
        from nums.render.portfolio_pdf import portfolio_pdf  # WeasyPrint only when asked

        write_rendered(pdf, lambda: portfolio_pdf(edition, result))
    from nums.render.portfolio import portfolio_csv, portfolio_json, portfolio_text

    if as_json:
        echo_json(portfolio_json(result))
    elif as_csv:
        echo_data(portfolio_csv(result))
    else:
        echo_text(portfolio_text(edition, result))
        for target in (pdf, ics):
            if target is not None:
                echo_text(f"\nWrote {target}")


def _workspace_inputs(workspace: Path, edition_folder: str) -> list[Input]:
    """What the portfolio reads: each programme's folder (its submission, its review, its evidence:
    the web app lists and serves every file there) and the edition's files."""
    from nums.workspace import Workspace

    folders = [
        Input(place.folder, f"the folder of programme {place.id!r}", folder=True)
        for place in Workspace(workspace).programmes()
    ]
    return [*folders, *edition_inputs(edition_folder)]
