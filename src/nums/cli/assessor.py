"""Commands for assessors: review (and its --init and --letter)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
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
    write_new_file,
)
from nums.errors import NumsError, Problem
from nums.evaluation import assess
from nums.fingerprint import fingerprints
from nums.outcome import review_outcome
from nums.packfile import is_pdf, recorded_levels, unpack
from nums.render.review import review_json, review_text
from nums.review import load_review, submission_changed
from nums.skeleton import review_skeleton
from nums.standard import Edition
from nums.submission import SUBMISSION_FILE, Submission, submission_from_document
from nums.writing import Input, check_outputs, write_rendered
from nums.yamlsource import load_yaml


@click.command()
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@click.argument(
    "review_file", metavar="[REVIEW]", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--init", "init", is_flag=True, help="Write a review file to fill in, listing every claimed criterion."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="With --init: where to write it."
)
@click.option("--force", is_flag=True, help="With --init: overwrite an existing review file.")
@click.option("--json", "as_json", is_flag=True, help="Print the review as JSON for other programs.")
@click.option(
    "--letter", type=click.Path(dir_okay=False, path_type=Path), help="Also write the outcome letter (PDF)."
)
@click.pass_context
def review(
    ctx: click.Context,
    submission: Path,
    review_file: Path | None,
    init: bool,
    output: Path | None,
    force: bool,
    as_json: bool,
    letter: Path | None,
) -> None:
    """Review SUBMISSION (a submission.yaml or a pack PDF) with the decisions in REVIEW.

    Start with `nums review --init SUBMISSION -o review.yaml`, fill in a decision
    (accepted, rejected or more-evidence) for each criterion, then run
    `nums review SUBMISSION review.yaml`. Add --letter outcome.pdf for the letter.
    """
    with tempfile.TemporaryDirectory(prefix="nums-review-") as scratch:
        edition, sub, evidence_levels = _load(ctx, submission, Path(scratch))
        known = fingerprints(sub.raw, submission.read_bytes())
        inputs = [
            *submission_inputs(submission, sub, "the pack" if is_pdf(submission) else "the submission"),
            *edition_inputs(edition.folder),
        ]
        if init:
            target = output or submission.parent / "review.yaml"
            check_outputs([("-o" if output else "--init", target)], inputs)
            _write_init(edition, sub, known[0], target, force)
            return
        if review_file is None:
            raise NumsError(Problem("give the review file to read, or --init to write one", field="REVIEW"))
        check_outputs([("--letter", letter)], [*inputs, Input(review_file, "the review file")])
        decisions = load_review(review_file, edition, sub)
        echo_warnings(decisions.warnings)
        if submission_changed(decisions, known):
            unnamed = (
                ""
                if decisions.submission
                else " (the review does not name its programme: check it is this one)"
            )
            echo_text(
                f"warning: {submission} has changed since the review file was written{unnamed}", err=True
            )
        result = review_outcome(edition, sub, decisions, evidence_levels)
        if letter is not None:
            from nums.render.letter_pdf import letter_pdf  # WeasyPrint only for the letter

            write_rendered(letter, lambda: letter_pdf(result))
        if as_json:
            echo_json(review_json(result))
        else:
            echo_text(review_text(result))
            if letter is not None:
                echo_text(f"\nWrote {letter}")


def _load(ctx: click.Context, path: Path, scratch: Path) -> tuple[Edition, Submission, dict[str, str | None]]:
    """A submission file, or a pack unpacked into ``scratch``; with the coordinator's evidence levels."""
    if not is_pdf(path):
        edition, sub = load_submission_for(ctx, str(path))
        return edition, sub, _evidence_levels(edition, sub)
    unpacked = unpack(path, scratch)
    echo_warnings(unpacked.warnings)
    try:
        doc = load_yaml(unpacked.submission, kind=SUBMISSION_FILE)
        try:  # the edition a pack names, by id, from those installed: never a folder from the pack
            edition = edition_from_context(ctx, unpacked.edition, str(path), by_id=True)
        except NumsError as error:
            raise NumsError(
                [
                    p if p.file is not None else doc.problem(("standard",), p.message, p.suggestion)
                    for p in error.problems
                ]
            ) from None
        sub = submission_from_document(doc, edition, unpacked.submission)
    except NumsError as error:  # name the pack, not the scratch folder
        raise NumsError(_in_pack(error.problems, str(unpacked.submission), path)) from None
    levels, warnings = recorded_levels(unpacked.document, edition, str(path))
    echo_warnings(warnings)
    return edition, sub, levels if levels is not None else _evidence_levels(edition, sub)


def _evidence_levels(edition: Edition, sub: Submission) -> dict[str, str | None]:
    result = assess(edition, sub)
    return {pillar_id: p.level for pillar_id, p in result.pillars.items()}


def _in_pack(problems: tuple[Problem, ...], unpacked: str, pack: Path) -> list[Problem]:
    shown = f"{pack} (its embedded submission.json)"
    return [replace(p, file=shown) if p.file == unpacked else p for p in problems]


def _write_init(edition: Edition, sub: Submission, digest: str, target: Path, force: bool) -> None:
    write_new_file(target, review_skeleton(edition, sub, digest), force)
    echo_text(f"Wrote {target}: fill in the reviewer, the date and a decision for each criterion.")
