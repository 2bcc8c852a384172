"""Commands for assessors: review (and its --init and --letter)."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from nums.cli.common import echo_json, echo_text, load_submission_for
from nums.errors import NumsError, Problem
from nums.evaluation import assess
from nums.fingerprint import document_sha256
from nums.packfile import is_pdf, read_pack, unpack
from nums.render.review_text import review_json, review_text
from nums.review import load_review, review_outcome
from nums.skeleton import review_skeleton
from nums.standard import Edition
from nums.submission import Submission
from nums.writing import write_text_atomically


@click.command()
@click.argument("submission", type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
        digest = document_sha256(sub.raw)
        if init:
            _write_init(edition, sub, digest, output or submission.parent / "review.yaml", force)
            return
        if review_file is None:
            raise NumsError(Problem("give the review file to read, or --init to write one", field="REVIEW"))
        decisions = load_review(review_file, edition, sub)
        if decisions.submission_sha256 and decisions.submission_sha256 not in _fingerprints(
            submission, digest
        ):
            echo_text(f"warning: {submission} has changed since the review file was written", err=True)
        result = review_outcome(edition, sub, decisions, evidence_levels)
        if letter is not None:
            from nums.render.letter_pdf import write_letter  # WeasyPrint only for the letter

            write_letter(result, letter)
        if as_json:
            echo_json(review_json(result))
        else:
            echo_text(review_text(result))
            if letter is not None:
                echo_text(f"\nWrote {letter}")


def _fingerprints(path: Path, digest: str) -> tuple[str, str]:
    """What a review's ``submission_sha256`` may match: the submission document's
    fingerprint (the same for the YAML and its pack), or the SHA-256 of the file's
    bytes, which earlier review files recorded."""
    return digest, hashlib.sha256(path.read_bytes()).hexdigest()


def _load(ctx: click.Context, path: Path, scratch: Path) -> tuple[Edition, Submission, dict[str, str | None]]:
    """A submission file, or a pack unpacked into ``scratch``; with the coordinator's evidence levels."""
    if not is_pdf(path):
        edition, sub = load_submission_for(ctx, str(path))
        result = assess(edition, sub)
        return edition, sub, {pillar_id: p.level for pillar_id, p in result.pillars.items()}
    pack = read_pack(path)
    unpacked = unpack(path, scratch)
    try:
        edition, sub = load_submission_for(ctx, str(unpacked))
    except NumsError as error:  # name the pack, not the scratch folder
        raise NumsError(_in_pack(error.problems, str(unpacked), path)) from None
    pillars = pack.get("assessment", {}).get("pillars", {})
    return (
        edition,
        sub,
        {pillar_id: pillars.get(pillar_id, {}).get("level") for pillar_id in edition.pillar_ids},
    )


def _in_pack(problems: tuple[Problem, ...], unpacked: str, pack: Path) -> list[Problem]:
    shown = f"{pack} (its embedded submission.json)"
    return [replace(p, file=shown) if p.file == unpacked else p for p in problems]


def _write_init(edition: Edition, sub: Submission, digest: str, target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise NumsError(Problem("already exists", file=str(target), suggestion="use --force to overwrite it"))
    write_text_atomically(target, review_skeleton(edition, sub, digest))
    echo_text(f"Wrote {target}: fill in the reviewer, the date and a decision for each criterion.")
