"""Saving an edited submission: one path for the form and the JSON API.

The document a person edited is written in the canonical layout, parsed back
and validated by the same loader ``nums validate`` uses, and only then saved,
conflict-checked, over the file. So a file saved from the browser always
passes ``nums validate``, and its assessment is what ``nums assess`` says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from nums import loading_cache
from nums.canonical import filled_submission
from nums.errors import NumsError, Problem
from nums.evaluation import Assessment
from nums.standard import Edition
from nums.submission import SUBMISSION_FILE, Submission
from nums.web.files import save_submission
from nums.workspace import ProgrammeFolder, Workspace, file_sha256


@dataclass(frozen=True)
class Checked:
    """A document written out and validated, not yet saved."""

    text: str
    edition: Edition | None
    submission: Submission | None
    problems: tuple[Problem, ...]

    def assessment(self, on: date | None = None) -> Assessment | None:
        if self.edition is None or self.submission is None:
            return None
        sha256 = file_sha256(self.text.encode("utf-8"))  # kept, for the load after the save
        return loading_cache.assessed(self.edition, self.submission, sha256, on, date.today())


def check_document(workspace: Workspace, place: ProgrammeFolder, document: Any) -> Checked:
    """``document`` as the file it would become, and what ``nums validate`` would say of it."""
    if not isinstance(document, dict):
        problem = Problem("a submission must be a mapping with 'programme', 'application' and 'criteria'")
        return Checked("", None, None, (problem,))
    try:
        edition = workspace.edition_for(document, place.folder)
    except NumsError as error:
        return Checked("", None, None, tuple(_located(p, "standard") for p in error.problems))
    text = filled_submission(edition, document)
    try:
        submission = _parsed_back(text, edition, place)
    except NumsError as error:
        return Checked(text, edition, None, error.problems)
    return Checked(text, edition, submission, ())


def _parsed_back(text: str, edition: Edition, place: ProgrammeFolder) -> Submission:
    """``parse_submission(text, edition, place.path)`` through ``nums.loading_cache``: the text
    is what the save writes, so the page loaded after the save finds its parse ready."""
    sha256 = file_sha256(text.encode("utf-8"))
    doc = loading_cache.parsed(text, sha256, str(place.path), SUBMISSION_FILE)
    return loading_cache.validated(doc, sha256, edition, place.path)


def save_document(place: ProgrammeFolder, checked: Checked, base_sha256: str | None) -> str:
    """Save a checked, valid document over the file if it is still ``base_sha256``.

    Raises ``files.Conflict`` when it is not (the file is left as it is).
    """
    if checked.problems:
        raise ValueError("only a valid document is saved")
    return save_submission(place.folder, checked.text, base_sha256)


def problem_json(problem: Problem) -> dict[str, Any]:
    """One problem for the API: the field, the message ``nums validate`` prints, and where."""
    message = problem.message + (f" ({problem.suggestion})" if problem.suggestion else "")
    return {"field": problem.field, "message": message, "line": problem.line, "text": str(problem)}


def json_ready(value: Any) -> Any:
    """A YAML document as JSON: dates as ISO strings, keys as text."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _located(problem: Problem, field: str) -> Problem:
    return Problem(problem.message, problem.file, problem.line, problem.field or field, problem.suggestion)
