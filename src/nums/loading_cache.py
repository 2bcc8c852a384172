"""What loading a submission file derives from its content, kept for the next load of the same
content (``Workspace.load``): the parsed YAML, the validated submission, its assessment.

The web app loads a programme for every page and API answer, and the same file is read again
and again between saves. Each value here is a pure function of what its key holds:

- the parse: the file's SHA-256 and its path (which problems and lines name);
- the validated submission: the same, and the edition it is judged by;
- the assessment: the same, the day asked about, today, and the result of checking each
  evidence file on disk now, which ``load`` does afresh every time (a fresh copy of the
  submission, so its ``evidence_checks`` are read anew): a file removed or added beside an
  unchanged submission is a new key.

So a save (new content, new hash) or a new day can never be answered from an old entry; only
results are kept, never failures (a file that does not load is read afresh, with its problems).
Values are shared between loads: no caller may change the parsed document (the web form's
``document_from_form`` works on a deep copy). Each worker process keeps its own entries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from datetime import date
from typing import TYPE_CHECKING

from nums.lru import Kept

if TYPE_CHECKING:
    from pathlib import Path

    from nums.evaluation import Assessment
    from nums.standard import Edition
    from nums.submission import Submission
    from nums.yamlsource import YamlDocument

FILES_KEPT = 128
"""Submission files whose parse, validation and assessment each process keeps: some 170 kB a
file (a submission of seventy criteria, measured), so at most about 20 MB."""

DOCUMENTS: Kept[YamlDocument] = Kept(FILES_KEPT)
SUBMISSIONS: Kept[tuple[Edition, Submission]] = Kept(FILES_KEPT)
ASSESSMENTS: Kept[tuple[Edition, Assessment]] = Kept(FILES_KEPT)
"""The edition whose ``id()`` is in a key is kept with the value, so the id is not reused meanwhile."""


def every_cache() -> tuple[Kept[object], ...]:
    return (DOCUMENTS, SUBMISSIONS, ASSESSMENTS)  # type: ignore[return-value]


def parsed(text: str, sha256: str, path: str, kind: str) -> YamlDocument:
    """``parse_yaml(text, path, kind)``, from the cache when this content was parsed before."""
    from nums.yamlsource import parse_yaml

    key = (path, sha256, kind)
    found = DOCUMENTS.get(key)
    if found is None:
        found = parse_yaml(text, path, kind=kind)  # raises NumsError: nothing kept
        DOCUMENTS.put(key, found)
    return found


def validated(doc: YamlDocument, sha256: str, edition: Edition, path: Path) -> Submission:
    """``submission_from_document``, kept; each call gets its own copy, whose evidence is
    checked on disk anew when it is first asked."""
    from nums.submission import submission_from_document

    key = (str(path), sha256, id(edition))
    found = SUBMISSIONS.get(key)
    if found is None:
        submission = submission_from_document(doc, edition, path)  # raises NumsError: nothing kept
        SUBMISSIONS.put(key, (edition, submission))
    else:
        submission = found[1]
    return dataclasses.replace(submission)


def assessed(
    edition: Edition, submission: Submission, sha256: str, on: date | None, today: date
) -> Assessment:
    """``assess(edition, submission, on, today=today)``, kept by content and by what the
    evidence on disk is now."""
    from nums.evaluation import assess

    evidence: Hashable = tuple(submission.evidence_checks.items())
    key = (str(submission.path), sha256, id(edition), on, today, evidence)
    found = ASSESSMENTS.get(key)
    if found is not None:
        return found[1]
    result = assess(edition, submission, on, today=today)
    ASSESSMENTS.put(key, (edition, result))
    return result
