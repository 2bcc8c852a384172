"""A workspace: a folder of programmes, each a folder holding a ``submission.yaml``.

The web app, and later the portfolio and the assessor's pages, look at many
programmes at once. This module finds them (up to three folders deep), gives
each a stable id (its folder relative to the workspace, with ``/``), and loads
each one *safely*: a programme whose file does not parse or validate is still
returned, carrying its problems, so one broken file never hides the others.

Ids come from people's folder names and arrive in URLs, so ``programme_at``
accepts only an id that names a real programme folder inside the workspace:
no ``..``, no absolute paths, no hidden folders, no links leading out. Every
file nums reads in a programme is read through ``nums.boundary.read_inside``:
a ``submission.yaml`` that is a link leading out of the workspace is listed
with the message that says so, and what it points to is never read.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nums.errors import NumsError, Problem

if TYPE_CHECKING:
    from nums.evaluation import Assessment
    from nums.standard import Edition
    from nums.submission import Submission

SUBMISSION_FILE = "submission.yaml"
MAX_DEPTH = 3  # "every folder inside it (at any depth up to 3)"
_SKIPPED = frozenset({"evidence", "node_modules", "__pycache__"})


@dataclass(frozen=True)
class ProgrammeFolder:
    """Where one programme lives: its id and its submission file."""

    id: str
    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / SUBMISSION_FILE

    @property
    def root(self) -> Path:
        """The workspace this programme is in (its folder less the id's parts)."""
        return self.folder.parents[self.id.count("/")]


@dataclass(frozen=True)
class LoadedProgramme:
    """A programme as read from disk, whether or not its file is valid.

    ``document`` is the parsed YAML (None when it does not parse or is not a
    mapping); ``submission`` and ``assessment`` are None when it does not
    validate, and then ``problems`` says why, with file, line and field.
    """

    place: ProgrammeFolder
    text: str | None
    sha256: str | None
    document: dict[str, Any] | None
    edition: Edition | None
    submission: Submission | None
    assessment: Assessment | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.place.id

    @property
    def valid(self) -> bool:
        return self.assessment is not None


class Workspace:
    """A folder of programmes. ``standard`` is the ``--standard`` override, if any."""

    def __init__(self, root: str | Path, standard: str | None = None) -> None:
        self.root = Path(root)
        self.resolved = self.root.resolve()
        self.standard = standard

    def programmes(self) -> list[ProgrammeFolder]:
        """Every programme folder, sorted by id."""
        found: list[ProgrammeFolder] = []
        self._walk(self.resolved, (), found)
        return sorted(found, key=lambda place: place.id)

    def _walk(self, folder: Path, parts: tuple[str, ...], found: list[ProgrammeFolder]) -> None:
        if len(parts) >= MAX_DEPTH:
            return
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            if not _visible_name(entry.name) or entry.name in _SKIPPED:
                continue
            if not entry.is_dir(follow_symlinks=False):
                continue
            child = (*parts, entry.name)
            place = self.programme_at("/".join(child))
            if place is not None:
                found.append(place)
            self._walk(Path(entry.path), child, found)

    def programme_at(self, programme_id: str) -> ProgrammeFolder | None:
        """The programme with this id, or None for anything that is not one.

        Refuses ids with empty, hidden or ``..`` parts, backslashes, more than
        three levels, and folders that resolve outside the workspace.
        """
        if not programme_id or "\\" in programme_id or "\x00" in programme_id:
            return None
        parts = programme_id.split("/")
        if len(parts) > MAX_DEPTH or not all(_visible_name(p) and p not in _SKIPPED for p in parts):
            return None
        folder = self.root.joinpath(*parts)
        try:
            real = folder.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if folder.is_symlink() or not real.is_relative_to(self.resolved) or real == self.resolved:
            return None
        if not (real / SUBMISSION_FILE).is_file():
            return None
        return ProgrammeFolder(programme_id, folder)

    def split(self, path: str) -> tuple[ProgrammeFolder, str] | None:
        """``a/b/submission`` as (programme ``a/b``, ``submission``): ids hold ``/``, so the
        longest id that names a programme wins."""
        parts = path.strip("/").split("/")
        for cut in range(min(len(parts), MAX_DEPTH), 0, -1):
            place = self.programme_at("/".join(parts[:cut]))
            if place is not None:
                return place, "/".join(parts[cut:])
        return None

    def new_folder(self, name: str) -> Path:
        """Where ``POST /api/programmes`` puts a new programme; refuses unsafe names."""
        parts = name.strip().split("/")
        if not name.strip() or len(parts) > MAX_DEPTH or not all(_creatable_name(p) for p in parts):
            raise NumsError(
                Problem(
                    f"{name!r} cannot be a programme folder",
                    field="folder",
                    suggestion="use letters, digits, '-', '_' and '.', with '/' between at most three folders",
                )
            )
        return self.root.joinpath(*parts)

    def load(self, place: ProgrammeFolder, on: date | None = None) -> LoadedProgramme:
        """Read, validate and assess one programme; problems are returned, never raised.

        What is derived from the file's content alone is kept by its hash (``nums.loading_cache``):
        the file is read every time, the evidence beside it checked every time."""
        from nums import loading_cache
        from nums.submission import SUBMISSION_FILE as SUBMISSION_KIND

        text, sha256, problems = _read(place.path, self.resolved)
        if text is None or sha256 is None:
            return LoadedProgramme(place, None, None, None, None, None, None, problems)
        try:
            doc = loading_cache.parsed(text, sha256, str(place.path), SUBMISSION_KIND)
        except NumsError as error:
            return LoadedProgramme(place, text, sha256, None, None, None, None, error.problems)
        document = doc.data if isinstance(doc.data, dict) else None
        try:
            edition = self.edition_for(document, place.folder)
        except NumsError as error:
            located = [doc.problem(("standard",), p.message, p.suggestion) for p in error.problems]
            return LoadedProgramme(place, text, sha256, document, None, None, None, tuple(located))
        try:
            submission = loading_cache.validated(doc, sha256, edition, place.path)
        except NumsError as error:
            return LoadedProgramme(place, text, sha256, document, edition, None, None, error.problems)
        result = loading_cache.assessed(edition, submission, sha256, on, date.today())
        return LoadedProgramme(
            place, text, sha256, document, edition, submission, result, (), submission.warnings
        )

    def edition_for(
        self, document: dict[str, Any] | None, folder: Path | None = None, by_id: bool = False
    ) -> Edition:
        """The edition a document is judged by: ``--standard``, else its ``standard:``, else the newest.

        A folder made from a received pack (or ``by_id``) is judged by an installed edition,
        chosen by the id recorded when it was received, never by a folder its file names."""
        from nums.edition_loading import load_edition
        from nums.editions import installed_edition_folder
        from nums.packfile import is_received, received_edition

        declared = document.get("standard") if document else None
        if folder is not None and is_received(folder):
            declared, by_id = received_edition(folder) or declared, True
        if self.standard is not None:
            edition = load_edition(self.standard)
            if declared is not None and str(declared) != edition.id:
                raise NumsError(
                    Problem(
                        f"the file names edition {declared!r} but --standard loads {edition.id!r}",
                        suggestion="change the file's 'standard:' to match",
                    )
                )
            return edition
        name = str(declared) if declared is not None else None
        return load_edition(installed_edition_folder(name) if by_id else name)

    def load_all(self, on: date | None = None) -> list[LoadedProgramme]:
        return [self.load(place, on) for place in self.programmes()]


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path, root: Path) -> tuple[str | None, str | None, tuple[Problem, ...]]:
    from nums.boundary import read_inside
    from nums.yamlsource import MAX_BYTES

    try:
        data = read_inside(path, root, limit=MAX_BYTES + 1)  # more is refused by the parser
    except NumsError as error:  # a link that leads out of the workspace: never read
        return None, None, error.problems
    except OSError as exc:
        return None, None, (Problem(f"cannot be read: {exc.strerror}", file=str(path)),)
    try:
        return data.decode("utf-8"), file_sha256(data), ()
    except UnicodeDecodeError as exc:
        return None, file_sha256(data), (Problem(f"not UTF-8 text ({exc.reason})", file=str(path)),)


def _visible_name(name: str) -> bool:
    return bool(name) and not name.startswith(".") and name not in {"..", "."}


def _creatable_name(name: str) -> bool:
    return (
        _visible_name(name)
        and name not in _SKIPPED
        and len(name) <= 80
        and all(ch.isalnum() or ch in "-_." for ch in name)
    )
