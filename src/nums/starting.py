"""Starting a programme: the one way ``nums init`` and the app's "New programme" make one.

A programme is a folder holding ``submission.yaml``; a new one gets the skeleton that lists
every criterion of the edition with its text as a comment, and an empty ``evidence/`` folder
for the files it will cite. The write is exclusive unless asked to replace, so of two starts at
once only one writes.
"""

from __future__ import annotations

from pathlib import Path

from nums.skeleton import submission_skeleton
from nums.standard import Edition
from nums.workspace import SUBMISSION_FILE, ProgrammeFolder, Workspace
from nums.writing import write_text_atomically

EVIDENCE_FOLDER = "evidence"


def start_programme(folder: Path, edition: Edition, *, replace: bool = False) -> Path:
    """Write ``folder/submission.yaml`` and make ``folder/evidence/``; return the file written.

    Raises ``writing.AlreadyExists`` when the file is there and ``replace`` is not asked."""
    target = folder / SUBMISSION_FILE
    write_text_atomically(target, submission_skeleton(edition), exclusive=not replace)
    (folder / EVIDENCE_FOLDER).mkdir(exist_ok=True)
    return target


def start_in_workspace(workspace: Workspace, name: str) -> ProgrammeFolder:
    """A new programme in the workspace, in a folder that is new or empty (``FileExistsError``
    otherwise; ``NumsError`` for a name that cannot be a programme folder)."""
    folder = workspace.new_folder(name)
    if (folder / SUBMISSION_FILE).exists() or (folder.exists() and any(folder.iterdir())):
        raise FileExistsError(str(folder))
    start_programme(folder, workspace.edition_for(None))
    place = workspace.programme_at(folder.relative_to(workspace.root).as_posix())
    if place is None:  # pragma: no cover - new_folder refuses what programme_at would
        raise FileNotFoundError(str(folder))
    return place
