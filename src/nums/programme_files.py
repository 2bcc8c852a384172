"""Files nums saves in a programme's folder (the web app's saves, and the site's own), so that
nothing a person wrote is lost. A library module: the site's journey saves the review through it
too (``nums.web.files`` is its name in the web app).

- A save carries the SHA-256 of the file it was based on. If the file changed
  on disk since (another tab, the CLI, a colleague on a shared drive), the save
  is refused and the file is left alone.
- Before a save replaces a file, the old version is kept under
  ``PROGRAMME/.nums/history/`` (the newest ``KEEP_VERSIONS``), and any of them
  can be restored (which keeps the one it replaces, too).
- Uploads land only in the programme's ``evidence/`` folder, under a safe name,
  and never overwrite: a clashing name gets a numbered suffix.
- Files are served only from inside the programme's folder.
- Nothing is saved through a symbolic link, inside the workspace or out
  (``nums.boundary.refuse_link``): a save refuses the link by name and the
  file it points to is not touched. Kept versions are never links, and
  ``.nums/history`` and ``evidence/`` must not lead out of the programme.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nums.boundary import LinkRefused, read_inside, refuse_link, refuse_linked_folders, resolves_inside
from nums.uploads import TooLarge, safe_name
from nums.workspace import SUBMISSION_FILE, file_sha256
from nums.writing import AlreadyExists, Staged, staged, write_bytes_atomically

KEEP_VERSIONS = 20
HISTORY = Path(".nums") / "history"
REVIEW_HISTORY = HISTORY / "review"  # a folder of its own: the submission's History lists only its versions
EVIDENCE = "evidence"
_SAVE_LOCK = threading.Lock()  # one save at a time: the check and the rename are one step
_VERSION_NAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{12}\.yaml$")


class Conflict(Exception):
    """The file changed on disk since the version the person was editing."""

    def __init__(self, current_sha256: str | None) -> None:
        self.current_sha256 = current_sha256
        super().__init__("the file changed on disk since you opened it")


@dataclass(frozen=True)
class Version:
    """One kept version of a submission file."""

    name: str
    saved: datetime
    sha256_prefix: str
    size: int


def current_sha256(path: Path) -> str | None:
    """The hash of the file as it is (None when there is none); a link is not followed."""
    try:
        return file_sha256(read_inside(path, path.parent, follow_links=False))
    except FileNotFoundError:
        return None


def save_submission(folder: Path, text: str, base_sha256: str | None) -> str:
    """Write ``folder/submission.yaml`` atomically if it is still ``base_sha256``; return the new hash."""
    return save_file(folder, SUBMISSION_FILE, text, base_sha256, HISTORY)


def save_file(folder: Path, name: str, text: str, base_sha256: str | None, history: Path) -> str:
    """Write ``folder/name`` atomically if it is still ``base_sha256``, keeping the version it
    replaces under ``folder/history``; return the new hash. The submission and the review
    are saved alike (each with its own history)."""
    target = folder / name
    data = text.encode("utf-8")
    with _SAVE_LOCK:
        refuse_link(target)  # before reading: what a link points to is never read, kept or replaced
        try:
            old = read_inside(target, folder, follow_links=False)
        except FileNotFoundError:
            old = None
        old_sha = file_sha256(old) if old is not None else None
        if old_sha != base_sha256:
            raise Conflict(old_sha)
        if old is not None and old != data:
            _keep(folder / history, target, old)
        write_bytes_atomically(target, data)
    return file_sha256(data)


def _keep(history: Path, target: Path, data: bytes) -> None:
    """Keep the version about to be replaced: a hard link to it costs no copy (the rename
    that follows gives the target a new file), with a copy where links are not possible.
    ``history`` is made by nums: a link anywhere in it would send the kept file elsewhere."""
    refuse_linked_folders(target.parent, history.relative_to(target.parent))
    history.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    kept = history / f"{stamp}-{file_sha256(data)[:12]}.yaml"
    try:
        os.link(target, kept, follow_symlinks=False)
    except OSError:
        write_bytes_atomically(kept, data)
    for old in _version_files(target.parent, history.relative_to(target.parent))[KEEP_VERSIONS:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _version_files(folder: Path, relative: Path) -> list[Path]:
    """Kept versions in ``folder/relative``, newest first: plain files only, in folders that are
    not links (nums never makes a link there, so what one holds is not a kept version)."""
    history = folder / relative
    try:
        refuse_linked_folders(folder, relative)
    except LinkRefused:
        return []
    try:
        names = [
            Path(entry.path)
            for entry in os.scandir(history)
            if _VERSION_NAME.match(entry.name) and entry.is_file(follow_symlinks=False)
        ]
    except OSError:
        return []
    return sorted(names, key=lambda p: p.name, reverse=True)


def versions(folder: Path, history: Path = HISTORY) -> list[Version]:
    """Kept versions of the submission (or, with ``REVIEW_HISTORY``, of the review), newest first."""
    found = []
    for path in _version_files(folder, history):
        stamp, sha = path.stem.split("-", 1)
        saved = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(Version(path.name, saved, sha, path.lstat().st_size))
    return found


def restore(
    folder: Path, name: str, base_sha256: str | None, file: str = SUBMISSION_FILE, history: Path = HISTORY
) -> str:
    """Make a kept version current again (the current one is kept in its turn), checked
    against ``base_sha256`` like a save."""
    if not _VERSION_NAME.match(name):
        raise FileNotFoundError(name)
    data = read_inside(folder / history / name, folder, follow_links=False)
    return save_file(folder, file, data.decode("utf-8"), base_sha256, history)


def save_upload(folder: Path, name: str, chunks: Iterable[bytes], limit: int) -> Path:
    """Write an upload into ``folder/evidence/`` under a fresh safe name; return its path.

    Written to a temporary file first and linked into place, so a name is
    never overwritten (nor is a link or a pipe of that name), and an upload over
    ``limit`` bytes leaves nothing. The file gets the mode the umask gives.
    """
    evidence = folder / EVIDENCE
    if not resolves_inside(evidence, folder):
        raise LinkRefused(evidence, "is a link that leads out of the programme's folder; nothing was stored")
    evidence.mkdir(parents=True, exist_ok=True)
    with staged(evidence, "upload") as upload:
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise TooLarge(limit)
            upload.stream.write(chunk)
        return _link_fresh(evidence, safe_name(name), upload)


def _link_fresh(evidence: Path, name: str, upload: Staged) -> Path:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, dot, ext = name, "", ""
    for number in range(1, 10_000):
        candidate = evidence / (name if number == 1 else f"{stem}-{number}{dot}{ext}")
        try:
            upload.link_as(candidate)
        except AlreadyExists:
            continue
        return candidate
    raise FileExistsError(name)


def file_inside(folder: Path, relative: str) -> Path | None:
    """The file ``relative`` names inside ``folder``, or None when it is not a plain file there.

    Refuses absolute paths, ``..``, hidden parts (so ``.nums/`` is not served)
    and links that lead out of the folder.
    """
    if not relative or relative.startswith("/") or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(not part or part.startswith(".") for part in parts):
        return None
    root = folder.resolve()
    try:
        real = folder.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(root) or not real.is_file():
        return None
    return real
