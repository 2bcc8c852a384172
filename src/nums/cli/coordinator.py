"""Commands for programme coordinators: init, validate, assess, schema."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path

import click

from nums.cli.common import (
    echo_json,
    echo_text,
    echo_warnings,
    edition_from_context,
    edition_inputs,
    load_submission_for,
    submission_inputs,
)
from nums.errors import NumsError, Problem
from nums.evaluation import MET
from nums.evaluation import assess as evaluate
from nums.params import DATE
from nums.render.assessment import assessment_json, assessment_text, assessment_warnings
from nums.schema import submission_schema
from nums.starting import start_programme
from nums.writing import AlreadyExists, check_outputs, write_rendered, write_text_atomically

SUBMISSION = click.Path(path_type=str)  # a folder is read as its submission.yaml


@click.command()
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing submission.yaml.")
@click.pass_context
def init(ctx: click.Context, folder: Path, force: bool) -> None:
    """Write FOLDER/submission.yaml listing every criterion, ready to fill.

    Also makes FOLDER/evidence/ for the files you cite.
    """
    edition = edition_from_context(ctx)
    target = folder / "submission.yaml"
    check_outputs([("", target)], edition_inputs(edition.folder))
    try:
        start_programme(folder, edition, replace=force)
    except AlreadyExists:
        raise NumsError(
            Problem("already exists", file=str(target), suggestion="use --force to overwrite it")
        ) from None
    echo_text(f"Wrote {target}. Fill it in, then: nums validate {shlex.quote(str(target))}")


@click.command()
@click.argument("file", type=SUBMISSION)
@click.pass_context
def validate(ctx: click.Context, file: str) -> None:
    """Check a submission file: structure, ids, levels, dates and evidence files."""
    edition, submission = load_submission_for(ctx, file)
    result = evaluate(edition, submission)
    echo_warnings(assessment_warnings(result))
    claimed = sum(1 for c in submission.claims.values() if c.met)
    met = sum(1 for c in result.claims.values() if c.status == MET)
    echo_text(
        f"{file}: valid submission for {edition.id}; {claimed} criteria claimed, {met} met with evidence."
    )


@click.command()
@click.argument("file", type=SUBMISSION)
@click.option(
    "--on", "on", type=DATE, help="Judge on this date instead of the application date (YYYY-MM-DD)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON for other programs.")
@click.pass_context
def assess(ctx: click.Context, file: str, on: date | None, as_json: bool) -> None:
    """Say what the evidence supports, what may be awarded, and what is missing."""
    edition, submission = load_submission_for(ctx, file)
    result = evaluate(edition, submission, on, today=date.today())
    echo_warnings(assessment_warnings(result))
    if as_json:
        echo_json(assessment_json(result))
    else:
        echo_text(assessment_text(result))


@click.command()
@click.pass_context
def schema(ctx: click.Context) -> None:
    """Print the JSON Schema of the submission file (for editors)."""
    echo_json(submission_schema(edition_from_context(ctx)))


@click.command()
@click.argument("file", type=SUBMISSION)
@click.option(
    "-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), help="The PDF to write."
)
@click.option(
    "--html",
    "html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also (or only) write the pack as one HTML file.",
)
@click.option(
    "--attach-evidence",
    is_flag=True,
    help="Embed the evidence files in the PDF, so the pack alone is the whole submission.",
)
@click.pass_context
def pack(
    ctx: click.Context, file: str, output: Path | None, html: Path | None, attach_evidence: bool
) -> None:
    """Write the PDF submission pack an assessor reads.

    The pack has a cover, a summary with the self-rating wheel, one section per
    pillar, the gaps, the fee and an evidence index with SHA-256 hashes. The
    submission and its assessment are embedded as submission.json.
    """
    if output is None and html is None:
        raise NumsError(
            Problem("say where to write the pack", suggestion="use -o pack.pdf and/or --html pack.html")
        )
    edition, submission = load_submission_for(ctx, file)
    check_outputs(
        [("-o", output), ("--html", html)],
        [*submission_inputs(file, submission), *edition_inputs(edition.folder)],
    )
    from nums.render.pack_pdf import pack_document  # WeasyPrint only when a pack is written
    from nums.render.pdf import render_pdf

    result = evaluate(edition, submission)
    echo_warnings(assessment_warnings(result))
    document = pack_document(result, attach_evidence)
    if html is not None:
        write_text_atomically(html, document.html)
    if output is not None:
        write_rendered(output, lambda: render_pdf(document))
    for target in (output, html):
        if target is not None:
            echo_text(f"Wrote {target}")
