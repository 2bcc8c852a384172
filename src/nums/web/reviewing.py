"""The assessor's review in the app: one path for the review page and the JSON API.

A review the assessor edits is written in the layout ``nums review --init``
writes (``review_skeleton`` with the values filled in), read back and checked
by the loader ``nums review`` uses, and only then saved beside the submission,
conflict-checked and versioned like the submission. Its outcome is
``review_outcome`` and ``review_json``: what ``nums review --json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nums.boundary import read_inside
from nums.errors import NumsError, Problem
from nums.evaluation import Assessment
from nums.fingerprint import fingerprints
from nums.outcome import Outcome, review_outcome
from nums.render.letter_pdf import letter_pdf
from nums.render.review import review_json
from nums.review import Review, review_from_text
from nums.review import submission_changed as changed_since
from nums.skeleton import review_skeleton
from nums.standard import Edition
from nums.submission import Submission
from nums.web import files
from nums.workspace import LoadedProgramme, ProgrammeFolder, file_sha256
from nums.yamlsource import parse_yaml

REVIEW_FILE = "review.yaml"


@dataclass(frozen=True)
class Case:
    """A submission under review: what every review of it is checked and judged against."""

    folder: Path
    edition: Edition
    submission: Submission
    evidence_levels: dict[str, str | None]
    fingerprints: tuple[str, ...]  # what the review's submission_sha256 may match
    root: Path | None = None  # the workspace: a review that is a link leading out of it is not read

    @property
    def path(self) -> Path:
        return self.folder / REVIEW_FILE

    @property
    def digest(self) -> str:
        return self.fingerprints[0]


def case_of(loaded: LoadedProgramme, at: ProgrammeFolder | None = None) -> Case | None:
    """The case for a programme whose submission validates, else None. ``at``: where its review
    lives when the submission was loaded from elsewhere (the site's snapshot under review)."""
    result: Assessment | None = loaded.assessment
    if result is None or loaded.submission is None or loaded.edition is None:
        return None
    levels = {pillar_id: pillar.level for pillar_id, pillar in result.pillars.items()}
    known = fingerprints(loaded.submission.raw, (loaded.text or "").encode("utf-8"))
    place = at or loaded.place
    return Case(place.folder, loaded.edition, loaded.submission, levels, known, place.root)


@dataclass(frozen=True)
class Stored:
    """The review file as it is on disk: its text, hash and data (None when there is none)."""

    text: str | None
    sha256: str | None
    document: dict[str, Any] | None
    problems: tuple[Problem, ...]


def stored_review(case: Case) -> Stored:
    """The review on disk; one that is a link leading out of the workspace has no text, only
    the problem that says so (what it points to is never read)."""
    try:
        data = read_inside(case.path, case.root or case.folder)
    except FileNotFoundError:
        return Stored(None, None, None, ())
    except NumsError as error:
        return Stored(None, None, None, error.problems)
    text = data.decode("utf-8", errors="replace")
    try:
        doc = parse_yaml(text, str(case.path), kind="review file")
    except NumsError as error:
        return Stored(text, file_sha256(data), None, error.problems)
    document = doc.data if isinstance(doc.data, dict) else None
    return Stored(text, file_sha256(data), document, ())


@dataclass(frozen=True)
class CheckedReview:
    text: str
    review: Review | None
    problems: tuple[Problem, ...]


def check_review(case: Case, document: Any) -> CheckedReview:
    """``document`` as the review file it would become, and what ``nums review`` would say of it."""
    if not isinstance(document, dict):
        return CheckedReview(
            "", None, (Problem("a review must be a mapping with 'reviewer', 'date' and 'decisions'"),)
        )
    filled = dict(document)
    recorded = filled.get("submission_sha256")
    if "submission" not in filled and recorded and recorded not in case.fingerprints:
        # a review that does not say which programme it is for gets that at its first save
        # (review_skeleton writes this submission's), unless its fingerprint is another's
        filled["submission"] = None
    filled.setdefault("submission_sha256", case.digest)
    text = review_skeleton(case.edition, case.submission, case.digest, filled)
    try:
        review = review_from_text(text, case.path, case.edition, case.submission)
    except NumsError as error:
        return CheckedReview(text, None, error.problems)
    return CheckedReview(text, review, ())


def outcome(case: Case, review: Review) -> Outcome:
    return review_outcome(case.edition, case.submission, review, case.evidence_levels)


def outcome_json(case: Case, review: Review) -> dict[str, Any]:
    """Exactly what ``nums review SUBMISSION REVIEW --json`` prints."""
    return review_json(outcome(case, review))


def save_review(case: Case, checked: CheckedReview, base_sha256: str | None) -> str:
    """Save a checked review if the file is still ``base_sha256`` (else ``files.Conflict``)."""
    if checked.review is None:
        raise ValueError("only a valid review is saved")
    return files.save_file(case.folder, REVIEW_FILE, checked.text, base_sha256, files.REVIEW_HISTORY)


def submission_changed(case: Case, review: Review | None) -> bool:
    """The review names a submission fingerprint that is no longer this submission's."""
    return review is not None and changed_since(review, case.fingerprints)


def letter_bytes(result: Outcome) -> bytes:
    """The outcome letter: the bytes ``nums review --letter`` writes."""
    return letter_pdf(result)
