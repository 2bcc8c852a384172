"""Received packs: an assessor is sent a pack PDF, not a folder (the app's home page and
``POST /api/packs`` call this; it owns the scratch folder a pack is unpacked in).

Uploading one makes it a programme for review under ``received/``: the pack is
unpacked by ``nums.packfile.unpack``, the one reader that decides what a pack
gives (its submission, and the evidence that submission cites; nothing else, so
no ``review.yaml`` or ``.nums/`` history comes from a pack), into a hidden
scratch folder inside the workspace, and only then renamed into place, so a pack
that is refused leaves nothing. The edition is one installed with nums, chosen
by the id the pack names (refused when it is not installed) and recorded beside
the marker, so the folder is never read by rules from anywhere else. The
folder's name comes from the upload's file name made safe, never from anything
inside the PDF. The folder is marked as received, and the app refuses to change
its submission: the assessor reviews what was sent.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nums.boundary import read_inside
from nums.errors import NumsError, Problem
from nums.packfile import RECEIVED_EDITION, RECEIVED_MARKER, is_pdf, is_received, unpack
from nums.uploads import TooLarge, safe_name
from nums.workspace import ProgrammeFolder, Workspace
from nums.writing import atomic_output, write_text_atomically

RECEIVED = "received"
MARKER = RECEIVED_MARKER  # present in a folder made from a received pack
PACK_FILE = "pack.pdf"
_NOTE_LIMIT = 4096  # bytes of a marker read: nums writes one line
__all__ = [
    "MARKER",
    "RECEIVED",
    "Dropped",
    "dropped_packs",
    "is_received",
    "receive_dropped",
    "receive_pack",
    "receive_pack_reporting",
]


def receive_pack(
    workspace: Workspace, filename: str, chunks: Iterable[bytes], limit: int, note: str | None = None
) -> ProgrammeFolder:
    """Store and unpack an uploaded pack as ``received/NAME``; raise ``NumsError`` for a PDF
    that is not a nums pack (or names an edition not installed), ``TooLarge`` over ``limit``."""
    return receive_pack_reporting(workspace, filename, chunks, limit, note)[0]


def receive_pack_reporting(
    workspace: Workspace, filename: str, chunks: Iterable[bytes], limit: int, note: str | None = None
) -> tuple[ProgrammeFolder, tuple[Problem, ...]]:
    """``receive_pack``, with the warnings about what the pack held and nums did not take."""
    scratch = Path(tempfile.mkdtemp(prefix=".pack-", dir=workspace.root))
    try:
        pack = scratch / PACK_FILE
        size = 0
        with atomic_output(pack) as stream:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(limit)
                stream.write(chunk)
        shown = safe_name(filename or PACK_FILE)
        if not is_pdf(pack):
            raise NumsError(Problem("is not a PDF, so it is not a nums pack", file=shown))
        try:
            unpacked = unpack(pack, scratch)
            edition = workspace.edition_for({"standard": unpacked.edition}, by_id=True)
        except NumsError as error:  # name the upload, not the scratch folder
            raise NumsError(
                [Problem(p.message, file=shown, suggestion=p.suggestion) for p in error.problems]
            ) from None
        (scratch / MARKER).parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(scratch / MARKER, note or f"received as {shown}\n")
        write_text_atomically(scratch / RECEIVED_EDITION, edition.id + "\n")
        warnings = tuple(Problem(p.message, file=shown, suggestion=p.suggestion) for p in unpacked.warnings)
        return _place(workspace, scratch, _stem(shown)), warnings
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(scratch)


def _stem(name: str) -> str:
    stem = safe_name(name[:-4] if name.lower().endswith(".pdf") else name).strip(".") or "pack"
    return f"pack-{stem}" if stem in {"evidence", "node_modules", "__pycache__"} else stem


def _place(workspace: Workspace, scratch: Path, stem: str) -> ProgrammeFolder:
    """Rename the unpacked folder to a fresh ``received/STEM[-N]`` (a rename: all or nothing)."""
    received = workspace.root / RECEIVED
    received.mkdir(exist_ok=True)
    for number in range(1, 10_000):
        name = stem if number == 1 else f"{stem}-{number}"
        target = received / name
        try:
            os.rename(scratch, target)  # fails when the target exists and is not empty
        except OSError:
            if target.exists():
                continue
            raise
        place = workspace.programme_at(f"{RECEIVED}/{name}")
        if place is None:  # pragma: no cover - the folder was just made with a submission in it
            raise NumsError(Problem("the unpacked pack is not a programme folder", file=str(target)))
        return place
    raise FileExistsError(stem)


@dataclass(frozen=True)
class Dropped:
    """A pack PDF someone put straight into the workspace folder, and the programme made from it."""

    name: str
    received_id: str | None


def dropped_packs(workspace: Workspace) -> list[Dropped]:
    """The PDFs at the top of the workspace, each with the programme received from it, if any."""
    try:
        entries = sorted(os.scandir(workspace.root), key=lambda entry: entry.name)
    except OSError:
        return []
    made = _received_from(workspace)
    found = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.lower().endswith(".pdf"):
            continue
        if entry.is_file(follow_symlinks=False) and is_pdf(entry.path):
            found.append(Dropped(entry.name, made.get(_dropped_note(entry.name))))
    return found


def _dropped_note(name: str) -> str:
    return f"dropped into the workspace as {name}\n"


def _received_from(workspace: Workspace) -> dict[str, str]:
    """Each received programme's marker text, mapped to its id."""
    made: dict[str, str] = {}
    received = workspace.root / RECEIVED
    try:
        folders = sorted(received.iterdir())
    except OSError:
        return made
    for folder in folders:  # read as every workspace file is: no link out, no pipe to hang on
        with contextlib.suppress(OSError, UnicodeDecodeError, NumsError):
            note = read_inside(folder / MARKER, workspace.root, limit=_NOTE_LIMIT).decode("utf-8")
            made.setdefault(note, f"{RECEIVED}/{folder.name}")
    return made


def receive_dropped(workspace: Workspace, name: str, limit: int) -> ProgrammeFolder:
    """Receive a pack found in the workspace folder; ``name`` is only looked up among them."""
    listed = {d.name: d for d in dropped_packs(workspace)}
    if name not in listed:
        raise NumsError(
            Problem(f"there is no pack PDF called {name!r} in the workspace folder", field="name")
        )
    path = workspace.root / listed[name].name
    with path.open("rb") as stream:
        return receive_pack(
            workspace, name, iter(lambda: stream.read(1 << 16), b""), limit, _dropped_note(name)
        )
