"""The assessor's review file: who reviews, the date, a decision per criterion and
overrides per pillar, checked against the edition and the one submission it reviews.
The outcome those decisions lead to is ``outcome.py``'s.

A review belongs to one submission. ``nums review --init`` records which
(``submission: {programme, institution}``) and its fingerprint
(``submission_sha256``): a review naming another programme is refused, before
anything else in it is read; one whose fingerprint differs is for the same
programme's changed submission, and nums warns. Unknown keys are refused where
the verdict is decided (a misspelt ``decisons:`` would silently drop every
decision), and only warned about in ``reviewer:``. The review file is a public
contract, like the submission file.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from nums.errors import NumsError, Problem, did_you_mean, limited
from nums.limits import MAX_NAME_CHARACTERS, text_problems
from nums.models import Day, Open, unknown_keys, validation_problems
from nums.standard import Edition
from nums.submission import Submission
from nums.yamlsource import YamlDocument, load_yaml, parse_yaml

DecisionWord = Literal["accepted", "rejected", "more-evidence"]
ACCEPTED, REJECTED, MORE_EVIDENCE = "accepted", "rejected", "more-evidence"
CONTINUATION = "continuation"


class Reviewer(Open):
    name: str = Field(max_length=MAX_NAME_CHARACTERS)
    email: str | None = Field(default=None, max_length=MAX_NAME_CHARACTERS)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the reviewer's name is needed: the outcome letter is signed with it")
        return value


class Decision(Open):
    """One criterion's decision; an empty decision means not decided yet."""

    decision: DecisionWord | None = None
    comment: str = ""

    @field_validator("comment", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class Override(Open):
    """A pillar level set by the assessor's judgement; the reason is required."""

    level: str | None
    reason: str = ""


class Reviewed(Open):
    """The submission a review was written for, as ``nums review --init`` records it."""

    programme: str = Field(min_length=1)  # its name; a combined application's names joined by " · "
    institution: str | None = None


class ReviewFile(Open):
    reviewer: Reviewer
    date: Day
    submission: Reviewed | None = None
    submission_sha256: str | None = None
    decisions: dict[str, Decision] = Field(default_factory=dict)
    overrides: dict[str, Override] = Field(default_factory=dict)

    @field_validator("decisions", "overrides", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


@dataclass(frozen=True)
class Review:
    path: Path
    reviewer: Reviewer
    date: date
    decisions: dict[str, Decision]
    overrides: dict[str, Override]
    submission_sha256: str | None = None
    submission: Reviewed | None = None  # the programme it was written for, when it says
    warnings: tuple[Problem, ...] = ()


def reviewed(submission: Submission) -> dict[str, str | None]:
    """What a review records of the submission it is written for (its ``submission:``)."""
    return {"programme": submission.title, "institution": submission.programme.institution}


def submission_changed(review: Review, fingerprints: Collection[str]) -> bool:
    """The review names a submission fingerprint that is not one of this submission's
    (``fingerprint.fingerprints``): the submission has changed since the review was started.

    Only a review for this submission gets this far: one whose ``submission:`` names
    another programme is refused when it is read."""
    recorded = review.submission_sha256
    return bool(recorded) and recorded not in fingerprints


def load_review(path: str | Path, edition: Edition, submission: Submission) -> Review:
    """Read and check a review file against the edition and the submission it reviews."""
    return review_from_document(load_yaml(path, kind="review file"), Path(path), edition, submission)


def review_from_text(text: str, path: str | Path, edition: Edition, submission: Submission) -> Review:
    """A review file's text, checked as ``load_review`` checks the file (the web app's saves)."""
    return review_from_document(
        parse_yaml(text, str(path), kind="review file"), Path(path), edition, submission
    )


def review_from_document(doc: YamlDocument, path: Path, edition: Edition, submission: Submission) -> Review:
    """The checks of ``load_review`` on a parsed review file."""
    if not isinstance(doc.data, dict):
        raise NumsError(doc.problem((), "a review must be a mapping with 'reviewer', 'date' and 'decisions'"))
    too_long = text_problems(doc, "review")
    if too_long:
        raise NumsError(too_long)
    other = _written_for(doc, submission)
    if other:  # the one thing to say: none of its decisions are this submission's
        raise NumsError(other)
    unread, warnings = _unknown_keys(doc)
    try:
        parsed = ReviewFile.model_validate(doc.data)
    except ValidationError as exc:
        problems = validation_problems(doc, exc, ReviewFile)
        reported = {p.field for p in problems}
        more = (
            p
            for p in itertools.chain(_check(doc, None, edition, submission), unread)
            if p.field not in reported
        )
        raise NumsError(limited(itertools.chain(problems, more), doc.path)) from None
    problems = limited(itertools.chain(_check(doc, parsed, edition, submission), unread), doc.path)
    if problems:
        raise NumsError(problems)
    return Review(
        Path(path),
        parsed.reviewer,
        parsed.date,
        dict(parsed.decisions),
        dict(parsed.overrides),
        parsed.submission_sha256,
        parsed.submission,
        tuple(limited(warnings, doc.path)),
    )


def _unknown_keys(doc: YamlDocument) -> tuple[Iterator[Problem], Iterator[Problem]]:
    """Keys the review format does not define: refused where the verdict is decided (the top
    level, each decision, each override), where a misspelt ``decisons:`` or ``coment:`` would
    silently drop what it holds; a warning in ``reviewer:``, which only signs the letter.
    Both are lazy, so a file of many unknown keys costs only the problems reported."""
    refused = (
        unknown.problem(doc, _UNREAD)
        for unknown in unknown_keys(doc.data, ReviewFile)
        if unknown.location[0] != "reviewer"
    )
    warned = (
        unknown.problem(doc, "not a field of the review format; it is kept but not used")
        for unknown in unknown_keys(doc.data, ReviewFile)
        if unknown.location[0] == "reviewer"
    )
    return refused, warned


_UNREAD = "not a field of the review format, and nums does not decide a review with part of it unread"


def _written_for(doc: YamlDocument, submission: Submission) -> Problem | None:
    """A review whose ``submission:`` names another programme (or institution) than the
    submission's is for another submission: refused before anything else is read, so one
    programme's decisions never reach another's letter."""
    record = doc.data.get("submission")
    if not isinstance(record, dict):
        return None
    programme, institution = record.get("programme"), record.get("institution")
    if not isinstance(programme, str) or not programme.strip():
        return None  # the schema's error says what is wrong with it
    if not (institution is None or isinstance(institution, str)):
        return None
    ours = reviewed(submission)
    if _names(programme) == _names(ours["programme"]) and (
        institution is None or _names(institution) == _names(ours["institution"])
    ):
        return None
    written = programme + (f" of {institution}" if institution else "")
    return doc.problem(
        ("submission",),
        f"this review was written for {written}, not for {ours['programme']} of {ours['institution']}",
        "review each submission with its own review file, started with nums review --init; "
        "if the programme was renamed, correct submission: in the review",
    )


def _names(text: str | None) -> list[str]:
    """Names compared as people read them: case, runs of spaces and the order of a combined
    application's programmes (joined by " · ") do not count."""
    return sorted(" ".join(part.split()).casefold() for part in (text or "").split(" · "))


def _check(
    doc: YamlDocument, parsed: ReviewFile | None, edition: Edition, submission: Submission
) -> Iterator[Problem]:
    """What the schema cannot say: the date, and ids, pillars and levels that must agree with
    the edition. The id checks read the file's own data, so they run (``parsed`` None) when the
    schema already failed too, and every problem in a review is reported in one run."""
    data: dict[str, Any] = doc.data
    if parsed is not None and parsed.date < submission.application.date:
        applied = submission.application.date
        yield doc.problem(
            ("date",),
            f"the review is dated {parsed.date.isoformat()}, before the application ({applied.isoformat()})",
            "a decision follows the application",
        )
    decisions = data.get("decisions")
    for ident in decisions if isinstance(decisions, dict) else ():
        if ident == CONTINUATION:
            if submission.application.type != "reaccreditation":
                yield doc.problem(
                    ("decisions", ident), "only a reaccreditation has continuation evidence to decide"
                )
        elif problem := _unknown_item(doc, edition, ident):
            yield problem
    overrides = data.get("overrides")
    for pillar_id, override in overrides.items() if isinstance(overrides, dict) else ():
        where = ("overrides", pillar_id)
        if pillar_id not in edition.pillar_ids:
            yield doc.problem(
                where, f"unknown pillar {pillar_id!r}", did_you_mean(pillar_id, edition.pillar_ids)
            )
        level = override.get("level") if isinstance(override, dict) else None
        if isinstance(level, str) and level not in edition.levels:
            yield doc.problem(
                (*where, "level"),
                f"unknown level {level!r}",
                did_you_mean(level.lower(), edition.levels) or "levels: " + ", ".join(edition.levels),
            )
        checked = parsed.overrides.get(pillar_id) if parsed is not None else None
        if checked is not None and not checked.reason.strip():
            yield doc.problem(
                (*where, "reason"),
                "an override must give its reason",
                "add reason: with the judgement behind the level",
            )


def _unknown_item(doc: YamlDocument, edition: Edition, ident: str) -> Problem | None:
    found = edition.item_id_problem(ident, "decided", "decide each topic")
    return doc.problem(("decisions", ident), *found) if found else None
