"""Evidence items: is a link a web address, is a file inside the submission's
folder, and what is its size and SHA-256.

A file counts only when it resolves inside the submission's folder: an
assessor receives that folder (or the pack), so anything outside it, an
absolute path or a link pointing out, is not evidence they can see. The path
is judged after resolving, so ``evidence/../leaflet.pdf`` is fine.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class EvidenceCheck:
    """What one evidence item is and whether it can count."""

    usable: bool
    kind: str  # "url" or "file"
    target: str  # the URL or the path as written
    problem: str | None = None
    path: Path | None = None  # resolved file, when usable


def check_url(url: str) -> EvidenceCheck:
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://[" and other addresses that cannot be taken apart
        return EvidenceCheck(False, "url", url, "this is not a web address that can be opened")
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return EvidenceCheck(False, "url", url, "only http:// and https:// web addresses count as evidence")
    return EvidenceCheck(True, "url", url)


FILE_NOT_FOUND = "file not found"


def check_file(written: str, folder: Path, root: str | None = None) -> EvidenceCheck:
    """Usable when the path, once resolved (links followed), is a file inside ``folder``.

    ``root`` is ``folder`` already resolved, when the caller checks many files."""
    if PurePosixPath(written).is_absolute() or PureWindowsPath(written).is_absolute():
        return _unusable(
            written, "absolute paths never count; give the path relative to the submission's folder"
        )
    if "\0" in written:
        return _unusable(written, "a file name cannot contain a NUL character")
    root = root or os.path.realpath(folder)
    try:
        resolved = os.path.realpath(os.path.join(root, written))
    except OSError:  # a name too long for the file system, a loop of links
        return _unusable(written, "file not found")
    if os.path.commonpath((root, resolved)) != root:
        return _unusable(written, "the file is outside the submission's folder, so it does not count")
    try:
        mode = os.stat(resolved).st_mode
    except OSError:
        return _unusable(written, FILE_NOT_FOUND)
    if not stat.S_ISREG(mode):
        return _unusable(written, "not a file")
    return EvidenceCheck(True, "file", written, path=Path(resolved))


def _unusable(written: str, problem: str) -> EvidenceCheck:
    return EvidenceCheck(False, "file", written, problem)


@dataclass(frozen=True)
class FileFacts:
    size: int
    sha256: str | None  # None: larger than the caller would read, so not read at all


def file_facts(path: Path, limit: int | None = None) -> FileFacts:
    """Size and SHA-256, so an assessor can check nothing changed after submission.

    A file of more than ``limit`` bytes is measured by its size alone and never read (a 20 GiB
    file took 53 s to hash); so is one that grows past ``limit`` while it is read. Opened without
    waiting, so a file replaced by a pipe since it was checked cannot hold the run."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a file")
        if limit is not None and info.st_size > limit:
            return FileFacts(info.st_size, None)
        digest = hashlib.sha256()
        size = 0
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
            size += len(block)
            if limit is not None and size > limit:
                return FileFacts(max(size, os.fstat(handle.fileno()).st_size), None)
    return FileFacts(size, digest.hexdigest())


def human_size(size: int) -> str:
    """1234 as "1.2 KB": sizes as people read them."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover
