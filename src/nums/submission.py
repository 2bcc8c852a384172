"""The submission file: a coordinator's programme, application, history,
self-rating and per-criterion statements with evidence.

The file format is a public contract (other tools write and read it): keys
and meanings only ever grow. Unknown keys are allowed but reported as
warnings with the nearest known key, so a misspelling never passes silently.
Every problem names the file, line and field.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from nums.errors import NumsError, Problem, did_you_mean, limited
from nums.evidence import EvidenceCheck, check_file, check_url
from nums.limits import (
    MAX_NAME_CHARACTERS,
    MAX_TITLE_CHARACTERS,
    MAX_URL_CHARACTERS,
    citation_problems,
    text_problems,
)
from nums.models import Day, Open, WholeNumber, YesNo, unknown_keys, validation_problems
from nums.standard import Edition
from nums.yamlsource import Location, YamlDocument, load_yaml, parse_yaml

ApplicationType = Literal["initial", "reaccreditation"]
SUBMISSION_FILE = "submission file"  # how messages name the file


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


NAME = MAX_NAME_CHARACTERS  # a one-line field (limits.py)


class Coordinator(Open):
    name: str = Field(min_length=1, max_length=NAME)
    email: str | None = Field(default=None, max_length=NAME)


class Programme(Open):
    name: str = Field(min_length=1, max_length=NAME)
    institution: str | None = Field(default=None, min_length=1, max_length=NAME)
    coordinator: Coordinator | None = None
    purpose: str = Field(min_length=1)
    mentors: WholeNumber = Field(gt=0)
    started: Day | None = None
    website: str | None = Field(default=None, max_length=MAX_URL_CHARACTERS)
    department: str | None = Field(default=None, max_length=NAME)  # compared across a combined application
    framework: str | None = Field(default=None, max_length=NAME)  # a free id: programmes run to one framework


class Application(Open):
    date: Day
    level: str
    type: ApplicationType = "initial"


class Award(Open):
    """An award already made, dated by the day its year starts (the date on the certificate)."""

    level: str
    awarded: Day
    programmes: tuple[str, ...] | None = None  # the programmes it covered, by name, when it covered several


class Declaration(Open):
    """The coordinator's sign-off: the evidence is accurate and the programmes are running."""

    name: str = Field(min_length=1, max_length=NAME)
    role: str = Field(default="", max_length=NAME)
    date: Day


class EvidenceItem(Open):
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARACTERS)
    url: str | None = Field(default=None, max_length=MAX_URL_CHARACTERS)
    file: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> EvidenceItem:
        if (self.url is None) == (self.file is None):
            raise ValueError(
                "give exactly one of 'url' (a web address) or 'file' (a path in the submission's folder)"
            )
        return self

    def check(self, folder: Path, root: str | None = None) -> EvidenceCheck:
        return check_url(self.url) if self.url is not None else check_file(self.file or "", folder, root)


class Claim(Open):
    """A coordinator's claim for one assessable item."""

    met: YesNo = False
    statement: str = ""
    evidence: tuple[EvidenceItem, ...] = ()

    @field_validator("statement", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("evidence", mode="before")
    @classmethod
    def _none_is_no_evidence(cls, value: Any) -> Any:
        return () if value is None else value


class Continuation(Claim):
    """Reaccreditation evidence that provision continues; judged like a claim."""

    met: YesNo = True


class SubmissionFile(Open):
    standard: str | None = None
    programme: Programme | None = None
    programmes: tuple[Programme, ...] | None = None
    application: Application
    history: tuple[Award, ...] = ()
    self_rating: dict[str, str | None] = Field(default_factory=dict)
    criteria: dict[str, Claim] = Field(default_factory=dict)
    continuation: Continuation | None = None
    combined_approach: str | None = None  # what a combined application's programmes share
    declaration: Declaration | None = None

    @field_validator("history", mode="before")
    @classmethod
    def _none_is_empty_history(cls, value: Any) -> Any:
        return () if value is None else value

    @field_validator("self_rating", "criteria", mode="before")
    @classmethod
    def _none_is_empty_mapping(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("self_rating", mode="before")
    @classmethod
    def _blank_ratings(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _blank_to_none(v) for k, v in value.items()}
        return value


@dataclass(frozen=True)
class Submission:
    """A checked submission, ready to evaluate. ``claims`` is keyed by item id."""

    path: Path
    edition: str
    programmes: tuple[Programme, ...]
    combined: bool
    application: Application
    history: tuple[Award, ...]
    self_rating: dict[str, str | None]
    claims: dict[str, Claim]
    continuation: Continuation | None
    declared_standard: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)
    warnings: tuple[Problem, ...] = ()
    combined_approach: str | None = None
    declaration: Declaration | None = None
    # The line of each evidence item as written: (criterion id or "continuation", index) -> line,
    # so a warning about an item names its line whether or not the file loads.
    evidence_lines: dict[tuple[str, int], int] = field(default_factory=dict, repr=False, compare=False)

    def evidence_line(self, where: str, index: int) -> int | None:
        """The line of the ``index``-th evidence item of a criterion (or ``"continuation"``)."""
        return self.evidence_lines.get((where, index))

    @property
    def folder(self) -> Path:
        return self.path.parent

    @functools.cached_property
    def evidence_checks(self) -> dict[tuple[str | None, str | None], EvidenceCheck]:
        """Each distinct evidence target checked once: the file system is read
        once per submission, however often it is assessed."""
        items = [e for claim in self.claims.values() for e in claim.evidence]
        if self.continuation is not None:
            items += self.continuation.evidence
        checks: dict[tuple[str | None, str | None], EvidenceCheck] = {}
        root = os.path.realpath(self.folder)  # resolved once, not once per file
        for item in items:
            key = (item.url, item.file)
            if key not in checks:
                checks[key] = item.check(self.folder, root)
        return checks

    def check(self, item: EvidenceItem) -> EvidenceCheck:
        return self.evidence_checks.get((item.url, item.file)) or item.check(self.folder)

    @property
    def programme(self) -> Programme:
        """The first (or only) programme: it names the application."""
        return self.programmes[0]

    @property
    def title(self) -> str:
        if not self.combined:
            return self.programme.name
        return " · ".join(p.name for p in self.programmes)


def declared_standard(path: str | Path) -> str | None:
    """The ``standard:`` a submission names, read before choosing the edition."""
    doc = load_yaml(path, kind=SUBMISSION_FILE)
    data = doc.data if isinstance(doc.data, dict) else {}
    value = data.get("standard")
    return str(value) if value is not None else None


def load_submission(path: str | Path, edition: Edition) -> Submission:
    """Read, validate and check a submission against ``edition``."""
    doc = load_yaml(path, kind=SUBMISSION_FILE)
    return submission_from_document(doc, edition, Path(path))


def parse_submission(text: str, edition: Edition, path: str | Path) -> Submission:
    """The same, from text in memory (``path`` places evidence files and names the file)."""
    return submission_from_document(parse_yaml(text, str(path), SUBMISSION_FILE), edition, Path(path))


def submission_from_document(doc: YamlDocument, edition: Edition, path: Path) -> Submission:
    if not isinstance(doc.data, dict):
        raise NumsError(
            doc.problem((), "a submission must be a mapping with 'programme', 'application' and 'criteria'")
        )
    too_long = text_problems(doc, "submission")
    if too_long:
        raise NumsError(too_long)
    try:
        parsed = SubmissionFile.model_validate(doc.data)
    except ValidationError as exc:
        problems = validation_problems(doc, exc, SubmissionFile)
        reported = {p.field for p in problems}
        more = (p for p in _edition_checks(doc, edition, None) if p.field not in reported)
        raise NumsError(
            limited(itertools.chain(problems, more), doc.path), raw_warnings(doc, path.parent)
        ) from None
    problems = limited(_check(doc, parsed, edition), doc.path)
    if problems:
        raise NumsError(problems, raw_warnings(doc, path.parent))
    programmes = _programmes(parsed)
    return Submission(
        path=path,
        edition=edition.id,
        programmes=programmes,
        combined=parsed.programmes is not None,
        application=parsed.application,
        history=tuple(sorted(parsed.history, key=lambda award: award.awarded)),
        self_rating=dict(parsed.self_rating),
        claims=dict(parsed.criteria),
        continuation=parsed.continuation,
        declared_standard=parsed.standard,
        raw=doc.data,
        warnings=tuple(limited(_unknown_keys(doc), doc.path)),
        combined_approach=(parsed.combined_approach or "").strip() or None,
        declaration=parsed.declaration,
        evidence_lines=_evidence_lines(doc, parsed),
    )


def _evidence_lines(doc: YamlDocument, parsed: SubmissionFile) -> dict[tuple[str, int], int]:
    """Where each evidence item of each claim (and of the continuation) is written: the line of
    its ``file:`` or ``url:``, as ``raw_warnings`` gives it for a file that does not load."""
    places: list[tuple[str, tuple[str, ...], int]] = [
        (ident, ("criteria", ident), len(claim.evidence)) for ident, claim in parsed.criteria.items()
    ]
    if parsed.continuation is not None:
        places.append(("continuation", ("continuation",), len(parsed.continuation.evidence)))
    lines: dict[tuple[str, int], int] = {}
    for where, location, count in places:
        for index in range(count):
            item = (*location, "evidence", index)
            line = doc.lines.get((*item, "file")) or doc.lines.get((*item, "url")) or doc.lines.get(item)
            if line is not None:
                lines[(where, index)] = line
    return lines


def _programmes(parsed: SubmissionFile) -> tuple[Programme, ...]:
    """Programmes of a combined application inherit the first one's institution and coordinator."""
    if parsed.programmes is None:
        assert parsed.programme is not None
        return (parsed.programme,)
    first = parsed.programmes[0]
    return tuple(
        p.model_copy(
            update={
                "institution": p.institution or first.institution,
                "coordinator": p.coordinator or first.coordinator,
            }
        )
        for p in parsed.programmes
    )


def _check(doc: YamlDocument, parsed: SubmissionFile, edition: Edition) -> Iterator[Problem]:
    """What the schema cannot say: programmes, citations, and dates and ids that must agree
    with the edition."""
    yield from _check_programmes(doc, parsed)
    yield from citation_problems(doc, _citations(parsed))
    yield from _edition_checks(doc, edition, parsed)


def _edition_checks(doc: YamlDocument, edition: Edition, parsed: SubmissionFile | None) -> Iterator[Problem]:
    """The level, pillar and criterion ids, read from the file's own data, so that they run
    (``parsed`` None) when the schema already failed too, and every problem in the file is
    reported in one run; the history's dates only once it has been read."""
    data: dict[str, Any] = doc.data
    levels = edition.levels
    application = data.get("application")
    if isinstance(application, dict) and isinstance(application.get("level"), str):
        level = application["level"]
        if level not in levels:
            yield doc.problem(
                ("application", "level"), f"unknown level {level!r}", _levels_hint(level, levels)
            )
    for index, award in enumerate(parsed.history if parsed is not None else ()):
        if award.level not in levels:
            yield doc.problem(
                ("history", index, "level"),
                f"unknown level {award.level!r}",
                _levels_hint(award.level, levels),
            )
        if award.awarded > parsed.application.date:
            yield doc.problem(
                ("history", index, "awarded"),
                f"award dated {award.awarded.isoformat()} is after the application date "
                f"{parsed.application.date.isoformat()}",
                "history lists awards already made",
            )
    ratings = data.get("self_rating")
    for pillar_id, level in ratings.items() if isinstance(ratings, dict) else ():
        if pillar_id not in edition.pillar_ids:
            yield doc.problem(
                ("self_rating", pillar_id),
                f"unknown pillar {pillar_id!r}",
                did_you_mean(pillar_id, edition.pillar_ids),
            )
        elif isinstance(level, str) and level.strip() and level not in levels:
            yield doc.problem(
                ("self_rating", pillar_id), f"unknown level {level!r}", _levels_hint(level, levels)
            )
    criteria = data.get("criteria")
    for item_id in criteria if isinstance(criteria, dict) else ():
        problem = _check_item_id(doc, edition, item_id)
        if problem:
            yield problem


def _citations(parsed: SubmissionFile) -> list[tuple[Location, int]]:
    """Where each list of evidence is and how many pieces it cites."""
    cited: list[tuple[Location, int]] = [
        (("criteria", ident, "evidence"), len(claim.evidence)) for ident, claim in parsed.criteria.items()
    ]
    if parsed.continuation is not None:
        cited.append((("continuation", "evidence"), len(parsed.continuation.evidence)))
    return cited


def _check_programmes(doc: YamlDocument, parsed: SubmissionFile) -> Iterator[Problem]:
    if parsed.programme is None and parsed.programmes is None:
        yield doc.problem((), "the submission needs 'programme' (or 'programmes' for a combined application)")
    elif parsed.programme is not None and parsed.programmes is not None:
        yield doc.problem(("programmes",), "give either 'programme' or 'programmes', not both")
    elif parsed.programmes is not None:
        if not parsed.programmes:
            yield doc.problem(("programmes",), "a combined application lists at least one programme")
        else:
            first = parsed.programmes[0]
            if first.institution is None:
                yield doc.problem(("programmes", 0, "institution"), "required field is missing")
            if first.coordinator is None:
                yield doc.problem(("programmes", 0, "coordinator"), "required field is missing")
    else:
        assert parsed.programme is not None
        if parsed.programme.institution is None:
            yield doc.problem(("programme", "institution"), "required field is missing")
        if parsed.programme.coordinator is None:
            yield doc.problem(("programme", "coordinator"), "required field is missing")


def _check_item_id(doc: YamlDocument, edition: Edition, item_id: str) -> Problem | None:
    found = edition.item_id_problem(item_id, "assessed", "rate each topic instead")
    return doc.problem(("criteria", item_id), *found) if found else None


def _levels_hint(level: str, levels: Sequence[str]) -> str:
    return did_you_mean(level.lower(), levels) or "levels: " + ", ".join(levels)


def _unknown_keys(doc: YamlDocument) -> Iterator[Problem]:
    """Warnings for keys the format does not define (allowed, but often typos)."""
    for unknown in unknown_keys(doc.data, SubmissionFile):
        yield unknown.problem(doc, "not a field of the submission format; it is kept but not used")


# --- warnings for a file that does not load -----------------------------------------------


def raw_warnings(doc: YamlDocument, folder: Path) -> list[Problem]:
    """What ``validate`` would also warn about, found in the data as written when the file does
    not load: keys the format does not define and evidence files that are not there, each at
    its line, so the file is fixed in one pass."""
    found = list(_unknown_keys(doc))
    data = doc.data if isinstance(doc.data, dict) else {}
    cited: list[tuple[tuple[str | int, ...], Any]] = []
    criteria = data.get("criteria")
    for ident, claim in criteria.items() if isinstance(criteria, dict) else ():
        if isinstance(claim, dict):
            cited.append((("criteria", ident), claim.get("evidence")))
    if isinstance(data.get("continuation"), dict):
        cited.append((("continuation",), data["continuation"].get("evidence")))
    for where, evidence in cited:
        for index, item in enumerate(evidence if isinstance(evidence, list) else ()):
            written = item.get("file") if isinstance(item, dict) else None
            if isinstance(written, str) and written.strip():
                check = check_file(written, folder)
                if check.problem:
                    found.append(
                        doc.problem((*where, "evidence", index, "file"), f"{written}: {check.problem}")
                    )
    return limited(found, doc.path)
