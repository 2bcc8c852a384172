"""An answer to a request for evidence that brings its own file: "the coordinator answers each
with evidence and a note" (issue 23), in one step on the journey page (and its JSON twin).

One step for the coordinator, three saves in order, each the very one the rest of the site makes:

1. each file is stored in the programme's ``evidence/`` as the programme page stores an upload
   (``files.save_upload`` under ``saving.keeper(...).upload``: audited as "evidence added", held to
   the upload limit, never through a link or out of the programme's folder, never over a name);
2. it becomes an evidence item (title and file) of that criterion's claim in ``submission.yaml``
   by the programme page's own save (``check_document``, then ``save_document`` under
   ``keep.file(SUBMISSION_SAVED, ...)``: validated as ``nums validate`` does, conflict-checked
   against the SHA-256 of the file as it was read, the replaced version kept, audited);
3. the answer is recorded with its note (``journey.answer_request``), whose audit event names the
   evidence the file now adds since the snapshot; the assessor sees it in what changed.

Before anything is written the library is asked whether the answer would be taken
(``journey.check_answer``: the policy's ``ANSWER_WITH_EVIDENCE``, "may both edit the submission and
answer"; the state; the open request; the note), each file's size is held to the limit, and the
submission as it would be saved is checked: a refusal then writes nothing. A step refused after a
file was stored says what is left (``NotAnswered``): a file stored but not added stays in
``evidence/`` and is listed as stored in the form that comes back, which adds it when sent again
(as the programme page's form keeps a stored file until it is saved); a file added whose answer
was refused stays in the saved submission, where the journey page shows it as what the answer
carries.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from nums.boundary import LinkRefused
from nums.errors import Problem
from nums.received import is_received
from nums.site import journey
from nums.uploads import safe_name
from nums.web import files, saving
from nums.web.editing import check_document, save_document
from nums.web.form import CONTINUATION, evidence_of, evidence_title
from nums.web.receiving import chunks
from nums.workspace import ProgrammeFolder, Workspace

MAX_FILES = 20
"""How many files one answer may bring (the form's ``max_files``)."""


@dataclass(frozen=True)
class Chosen:
    """A file chosen in the answer form: its name as sent, its bytes, its size when known."""

    filename: str
    stream: BinaryIO
    size: int | None = None


@dataclass(frozen=True)
class Asked:
    """What an answer form sends: the criterion, the note, an optional title for its files, the
    files chosen, and files an earlier try stored in ``evidence/`` but could not add (``stored``)."""

    criterion: str
    note: str
    title: str = ""
    chosen: tuple[Chosen, ...] = ()
    stored: tuple[str, ...] = ()

    @property
    def brings_evidence(self) -> bool:
        return bool(self.chosen or self.stored)


@dataclass(frozen=True)
class Answered:
    """An answer recorded: the files it added to the claim (``evidence/NAME``, with each one's
    SHA-256 and size) and the submission's new SHA-256 (None when it brought no file)."""

    files: tuple[dict[str, Any], ...] = ()
    sha256: str | None = None


@dataclass(eq=False)
class NotAnswered(Exception):
    """An answer not recorded: why (``reason``, the library's words), the status a page answers
    with, and what the earlier steps left: ``stored`` files in ``evidence/``, and whether they are
    in the saved submission (``added``)."""

    reason: str
    status: int
    stored: tuple[str, ...] = ()
    added: bool = False
    asked: Asked | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        super().__init__(self.reason)

    def words(self) -> str:
        """The whole story in words, for the page."""
        said = self.reason if self.reason.endswith((".", "?", "!")) else self.reason + "."
        named = ", ".join(self.stored)
        if not self.stored:
            brought = self.asked is not None and self.asked.brings_evidence
            return f"Not answered: {said}" + (" Nothing was stored or saved." if brought else "")
        if self.added:
            return (
                f"{named} {'is' if len(self.stored) == 1 else 'are'} stored and added to the submission, "
                f"but the answer was not recorded: {said}"
            )
        return (
            f"Not answered: {said} {named} {'is' if len(self.stored) == 1 else 'are'} stored in the "
            "programme's evidence folder but not in the submission; send the answer again to add "
            f"{'it' if len(self.stored) == 1 else 'them'}."
        )

    def form(self) -> dict[str, Any]:
        """What the answer form shows again: the typing, and the files stored but not added (by
        this try, or by an earlier one whose form was sent again)."""
        asked = self.asked
        earlier = asked.stored if asked else ()
        return {
            "criterion": asked.criterion if asked else "",
            "note": asked.note if asked else "",
            "title": asked.title if asked else "",
            "stored": [] if self.added else list(dict.fromkeys((*earlier, *self.stored))),
        }


def answer(
    keep: saving.Keeper, workspace: Workspace, place: ProgrammeFolder, asked: Asked, limit: int
) -> Answered:
    """Answer the request on ``asked.criterion``, storing and adding its files first (see the
    module's docstring). Slow work (it streams uploads): run it in a thread. ``NotAnswered`` with
    what was done when a step is refused."""
    if keep.site is None:
        raise NotAnswered("only the site keeps an application's journey", 404, asked=asked)
    if not asked.brings_evidence:
        _answer(keep, place, asked, with_evidence=False)
        return Answered()
    base, earlier, document = _before_anything_is_written(keep, workspace, place, asked, limit)
    new = _store(keep, place, asked, limit)
    stored = (*earlier, *(name for name, _ in new))
    pairs = (*((name, name) for name in earlier), *new)
    checked = check_document(workspace, place, _with_items(document, asked, pairs))
    if checked.problems:
        raise NotAnswered(_problem_words(checked.problems[0]), 422, stored, asked=asked)
    try:
        sha = keep.file(
            saving.SUBMISSION_SAVED,
            place.id,
            base,
            lambda: save_document(place, checked, base),
            answering=asked.criterion,
        )
    except files.Conflict:
        reason = (
            "the submission changed on disk since it was read (another tab, or a colleague), "
            "so it was left as it is"
        )
        raise NotAnswered(reason, 409, stored, asked=asked) from None
    except LinkRefused as refused:
        raise NotAnswered(_link_words(refused, place), 409, stored, asked=asked) from None
    try:
        _answer(keep, place, asked, with_evidence=True)
    except NotAnswered as refused:
        raise NotAnswered(refused.reason, refused.status, stored, added=True, asked=asked) from None
    return Answered(tuple(_file_facts(place, name) for name in stored), sha)


def _answer(keep: saving.Keeper, place: ProgrammeFolder, asked: Asked, with_evidence: bool) -> None:
    assert keep.site is not None
    try:
        journey.answer_request(
            keep.site, keep.person, place.id, asked.criterion, asked.note, with_evidence=with_evidence
        )
    except journey.Refused as refused:
        raise NotAnswered(refused.reason, refused.status, asked=asked) from None


def _before_anything_is_written(
    keep: saving.Keeper, workspace: Workspace, place: ProgrammeFolder, asked: Asked, limit: int
) -> tuple[str | None, tuple[str, ...], dict[str, Any]]:
    """Everything that can be known before a file is stored: the library's answer (who, the
    state, the request, the note), the sizes, the files stored by an earlier try, and the
    submission as it would be saved. The SHA-256 the save is checked against, the earlier files,
    and the document as read."""
    assert keep.site is not None
    try:
        journey.check_answer(
            keep.site, keep.person, place.id, asked.criterion, asked.note, with_evidence=True
        )
    except journey.Refused as refused:
        raise NotAnswered(refused.reason, refused.status, asked=asked) from None
    if is_received(place.folder):
        reason = "this programme came from a received pack: its submission is read-only"
        raise NotAnswered(reason, 409, asked=asked)
    for chosen in asked.chosen:
        if chosen.size is not None and chosen.size > limit:
            reason = f"{chosen.filename or 'the file'} is larger than the {_mib(limit)} a file may be"
            raise NotAnswered(reason, 413, asked=asked)
    earlier = tuple(_earlier(place, name, asked) for name in dict.fromkeys(asked.stored))
    loaded = workspace.load(place)
    if loaded.document is None:
        problem = loaded.problems[0] if loaded.problems else Problem("it cannot be read")
        reason = (
            f"the submission cannot be read as it stands ({problem.message}); mend it on the programme's page"
        )
        raise NotAnswered(reason, 409, asked=asked)
    pairs = (
        *((name, name) for name in earlier),
        *((f"{files.EVIDENCE}/{safe_name(c.filename or 'upload')}", c.filename) for c in asked.chosen),
    )
    trial = check_document(workspace, place, _with_items(loaded.document, asked, pairs))
    if trial.problems:
        raise NotAnswered(_problem_words(trial.problems[0]), 422, asked=asked)
    return loaded.sha256, earlier, loaded.document


def _earlier(place: ProgrammeFolder, name: str, asked: Asked) -> str:
    """A file an earlier try stored: ``evidence/NAME`` (a name nums gives), a plain file inside
    the programme's folder."""
    parts = name.split("/")
    if len(parts) != 2 or parts[0] != files.EVIDENCE or parts[1] != safe_name(parts[1]):
        reason = f"{name[:200]!r} is not a file stored in the programme's evidence folder"
        raise NotAnswered(reason, 422, asked=replace(asked, stored=()))
    if files.file_inside(place.folder, name) is None:
        reason = f"{name} is not a file in the programme's evidence folder (moved, removed, or a link that leads out)"
        raise NotAnswered(reason, 409, asked=replace(asked, stored=()))
    return name


def _store(
    keep: saving.Keeper, place: ProgrammeFolder, asked: Asked, limit: int
) -> tuple[tuple[str, str], ...]:
    """Each chosen file stored in ``evidence/`` as the programme page's upload stores it: the
    name it was stored under (``evidence/NAME``) beside the name it was sent with."""
    stored: list[tuple[str, str]] = []
    for chosen in asked.chosen:
        try:
            path = keep.upload(
                place.id,
                lambda chosen=chosen: files.save_upload(
                    place.folder, chosen.filename or "upload", chunks(chosen.stream), limit
                ),
            )
        except files.TooLarge:
            reason = f"{chosen.filename or 'a file'} is larger than the {_mib(limit)} a file may be"
            raise NotAnswered(reason, 413, _so_far(asked, stored), asked=asked) from None
        except LinkRefused as refused:
            raise NotAnswered(_link_words(refused, place), 409, _so_far(asked, stored), asked=asked) from None
        stored.append((f"{files.EVIDENCE}/{path.name}", chosen.filename))
    return tuple(stored)


def _so_far(asked: Asked, stored: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    return (*dict.fromkeys(asked.stored), *(name for name, _ in stored))


def _with_items(document: dict[str, Any], asked: Asked, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``document`` with each file (``evidence/NAME`` beside the name it was sent with) as an
    evidence item of the criterion's claim (made if the file has none), after what the claim
    cites already; a file it cites already is not cited twice."""
    changed = copy.deepcopy(document)
    if asked.criterion == CONTINUATION:
        claim = changed.get(CONTINUATION)
        if not isinstance(claim, dict):
            claim = changed[CONTINUATION] = {}
    else:
        criteria = changed.get("criteria")
        if not isinstance(criteria, dict):
            criteria = changed["criteria"] = {}
        claim = criteria.get(asked.criterion)
        if not isinstance(claim, dict):
            claim = criteria[asked.criterion] = {}
    items = claim["evidence"] = evidence_of(claim)
    cited = {str(item.get("file")) for item in items if item.get("file")}
    for name, sent_as in pairs:
        if name in cited:
            continue
        items.append({"title": evidence_title(asked.title, sent_as, name, len(pairs) > 1), "file": name})
        cited.add(name)
    return changed


def _file_facts(place: ProgrammeFolder, name: str) -> dict[str, Any]:
    """What ``POST /api/programmes/{id}/evidence`` says of a file: its name, SHA-256 and size."""
    path = files.file_inside(place.folder, name)
    data = path.read_bytes() if path is not None else b""
    return {"file": name, "sha256": files.file_sha256(data), "size": len(data)}


def _problem_words(problem: Problem) -> str:
    where = f"{problem.field}: " if problem.field else ""
    return where + problem.message + (f" ({problem.suggestion})" if problem.suggestion else "")


def _link_words(refused: LinkRefused, place: ProgrammeFolder) -> str:
    problem = refused.problems[0]
    try:
        named = Path(problem.file or "").relative_to(place.folder).as_posix()
    except ValueError:
        named = Path(problem.file or "").name
    return f"{named} {problem.message}"


def _mib(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
