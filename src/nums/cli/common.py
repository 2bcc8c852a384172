"""What every command shares: choosing the edition, printing JSON, dates, what a command reads."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nums.errors import NumsError, Problem

if TYPE_CHECKING:
    from nums.standard import Edition
    from nums.submission import Submission
    from nums.writing import Input


def edition_from_context(
    ctx: click.Context, declared: str | None = None, declared_in: str | None = None, by_id: bool = False
) -> Edition:
    """The edition for this run: ``--standard``, else the file's ``standard:``, else the newest.

    A file that names one edition while ``--standard`` loads another is an
    error: silently assessing against the wrong rules is worse than stopping.
    With ``by_id`` (a pack), ``declared`` is only ever looked up among the installed editions.
    """
    from nums.edition_loading import load_edition  # quotes never need the whole edition
    from nums.editions import installed_edition_folder

    chosen = (ctx.find_root().obj or {}).get("standard")
    where = installed_edition_folder(declared) if by_id and chosen is None else declared
    edition = load_edition(where) if chosen is None else _edition_from_option(chosen)
    if chosen is not None and declared is not None and declared != edition.id:
        raise NumsError(
            Problem(
                f"the file names edition {declared!r} but --standard loads {edition.id!r}",
                file=declared_in,
                field="standard",
                suggestion="drop --standard, or change the file's 'standard:' to match",
            )
        )
    return edition


def _edition_from_option(chosen: str) -> Edition:
    """The edition ``--standard`` names; a problem with it blames the option, not a file."""
    from nums.edition_loading import load_edition

    try:
        return load_edition(chosen)
    except NumsError as error:
        raise NumsError(
            [
                Problem(p.message, field="--standard", suggestion=p.suggestion) if p.file is None else p
                for p in error.problems
            ]
        ) from None


def echo_warnings(problems: Sequence[Problem]) -> None:
    """Warnings go to standard error, so ``--json`` output stays clean."""
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)


def echo_text(report: str, err: bool = False, nl: bool = True) -> None:
    """A report or a message for a person: no control character but its line breaks (and the
    headings' bold) reaches the terminal (``terminal_text``)."""
    from nums.render.terminal import terminal_text

    click.echo(terminal_text(report), err=err, nl=nl)


def echo_data(text: str) -> None:
    """Data (the CSV) on standard output: exactly as written when it goes to a file or a pipe
    (click would strip from it whatever looks like a terminal colour), and shown as a report
    (``terminal_text``) when standard output is a terminal."""
    if sys.stdout is not None and sys.stdout.isatty():
        echo_text(text.replace("\r\n", "\n"), nl=False)  # the CSV's line ends are not shown as escapes
    else:
        click.echo(text, nl=False, color=True)


def echo_json(data: Any) -> None:
    """Stable, readable JSON on standard output; any text round-trips (``json_text``)."""
    from nums.escaping import json_text

    click.echo(json_text(data, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


SUBMISSION_NAME = "submission.yaml"  # the file a programme folder holds (workspace.SUBMISSION_FILE)


def submission_path(path: str) -> str:
    """A folder given where a submission is expected is read as its submission.yaml."""
    folder = Path(path)
    if not folder.is_dir():
        return path
    inside = folder / SUBMISSION_NAME
    if inside.is_file():
        return str(inside)
    raise NumsError(
        Problem(
            f"is a folder with no {SUBMISSION_NAME} in it",
            file=path,
            suggestion=f"give the {SUBMISSION_NAME} to read, or make one with `nums init {path}`",
        )
    )


def looks_like_review(data: object) -> bool:
    """A review file's keys and none of a submission's: the two files were given the wrong way round."""
    if not isinstance(data, dict):
        return False
    return {"reviewer", "decisions"} <= set(data) and not {"programme", "programmes", "application"} & set(
        data
    )


def load_submission_for(ctx: click.Context, path: str) -> tuple[Edition, Submission]:
    """Read a submission once, pick its edition (``--standard`` or ``standard:``), check it."""
    from nums.packfile import is_pdf
    from nums.submission import SUBMISSION_FILE, submission_from_document  # not every command needs it
    from nums.yamlsource import load_yaml

    path = submission_path(path)
    if is_pdf(path):
        raise NumsError(
            Problem(
                "is a pack PDF, not a submission file",
                file=path,
                suggestion="give the submission.yaml the pack was made from (`nums review` reads packs directly)",
            )
        )
    doc = load_yaml(path, kind=SUBMISSION_FILE)
    if looks_like_review(doc.data):
        raise NumsError(
            Problem(
                "is a review file (it has 'reviewer' and 'decisions'), not a submission",
                file=path,
                suggestion="give the submission first and the review second: nums review SUBMISSION REVIEW",
            )
        )
    declared = doc.data.get("standard") if isinstance(doc.data, dict) else None
    try:
        edition = edition_from_context(ctx, str(declared) if declared is not None else None, path)
    except NumsError as error:
        first = error.problems[0]
        if first.file is not None or first.field == "--standard":
            raise
        raise NumsError(doc.problem(("standard",), first.message, first.suggestion)) from None
    return edition, submission_from_document(doc, edition, Path(path))


def submission_inputs(path: str | Path, submission: Submission, what: str = "the submission") -> list[Input]:
    """What a command that loads a submission reads: the file, and each evidence file it cites
    (``nums pack`` hashes them and may attach them)."""
    from nums.writing import Input

    found = [Input(Path(path), what)]
    for check in submission.evidence_checks.values():
        if check.path is not None:
            found.append(Input(check.path, f"the evidence file {check.target}"))
    return found


def edition_inputs(folder: str | Path) -> list[Input]:
    """The files of the edition in ``folder``: edition.yaml, its rules, prices and pillars."""
    from nums.editions import EDITION_FILE, read_edition_file
    from nums.writing import Input

    root = Path(folder)
    names = [EDITION_FILE]
    try:
        _, meta = read_edition_file(root)
        names += [meta.rules, meta.prices, *meta.pillars]
    except NumsError:  # the edition loaded a moment ago; if it no longer reads, its file still counts
        pass
    return [Input(root / name, "a file of the edition of the standard") for name in names]


def write_new_file(target: Path, text: str, force: bool) -> None:
    """A file that ``--force`` may replace; without it, "already exists" is decided by the write
    itself, so of two runs at once only one writes."""
    from nums.writing import AlreadyExists, write_text_atomically

    try:
        write_text_atomically(target, text, exclusive=not force)
    except AlreadyExists:
        raise NumsError(
            Problem("already exists", file=str(target), suggestion="use --force to overwrite it")
        ) from None
