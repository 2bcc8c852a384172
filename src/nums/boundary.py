"""What nums reads in a workspace stays in the workspace.

A workspace travels by git or a shared drive, and both keep symbolic links, so
a ``submission.yaml`` (or a ``review.yaml``, a kept version, an upload) may be
a link to any file on the machine. nums follows a link only while it stays
inside the workspace; one that leads out is refused by name, and what it
points to is never read, so never listed, served, shown or packed.

``read_inside`` is the one way nums reads such a file. It resolves the path
(links followed) and refuses it when it resolves outside ``root``; then it
opens the resolved path one folder at a time from ``root`` without following
any link (``O_NOFOLLOW`` on every part), so a folder swapped for a link
between the check and the open is refused, never followed. A FIFO or a device
is refused without blocking (``O_NONBLOCK``, then ``fstat``).

Saving is stricter: nums never saves through a link, inside or out
(``refuse_link``), because a save replaces the file, and replacing a link
either changes another programme's file or, through a link that leads out,
a file that is not the workspace's at all.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from nums.errors import NumsError, Problem

LEADS_OUTSIDE = "is a link that leads outside the workspace, so nums does not read it"
LEADS_OUTSIDE_HELP = "put the file itself in the workspace in place of the link"
NOT_SAVED_THROUGH_LINK = "is a symbolic link, and nums never saves through a link; nothing was written"
NOT_SAVED_THROUGH_LINK_HELP = "replace the link with the file itself, then save again"
BECAME_A_LINK = (
    "is a link that does not end at a file inside the workspace (a loop of links, or it changed"
    " while nums read it), so nums does not read it"
)

_READ = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
)
_FOLDER = (
    os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)
_BY_FOLDER = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")


class OutsideWorkspace(NumsError):
    """A file nums would read is a link that leads outside the workspace."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(Problem(LEADS_OUTSIDE, file=str(path), suggestion=LEADS_OUTSIDE_HELP))


class LinkRefused(NumsError):
    """A save (or an upload) would go through a symbolic link; nothing is written."""

    def __init__(self, path: str | Path, message: str = NOT_SAVED_THROUGH_LINK) -> None:
        super().__init__(Problem(message, file=str(path), suggestion=NOT_SAVED_THROUGH_LINK_HELP))


def is_outside_refusal(problem: Problem) -> bool:
    """The problem ``read_inside`` gives for a link that leads out (pages word it their own way)."""
    return problem.message == LEADS_OUTSIDE


def within(path: str, root: str) -> bool:
    """``path`` is ``root`` or inside it; both already resolved."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolves_inside(path: str | Path, root: str | Path) -> bool:
    """``path``, links followed, stays inside ``root`` (a missing path counts where it would be)."""
    return within(os.path.realpath(path), os.path.realpath(root))


def read_inside(
    path: str | Path, root: str | Path, follow_links: bool = True, limit: int | None = None
) -> bytes:
    """The bytes of the regular file ``path``, which must resolve inside ``root``
    (at most ``limit`` of them: the caller says what is too large).

    Raises ``OutsideWorkspace`` for a link that leads out, ``FileNotFoundError``
    when there is no file, ``IsADirectoryError`` or ``OSError`` for what is not a
    regular file. With ``follow_links=False`` no part of ``path`` below ``root``
    may be a link at all (for files only nums writes, such as kept versions).
    """
    real_root = os.path.realpath(root)
    below = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    real = os.path.realpath(path) if follow_links else os.path.join(real_root, below)
    if not within(real, real_root) or real == real_root:
        if not os.path.lexists(path):
            raise FileNotFoundError(errno.ENOENT, "file not found", str(path))
        raise OutsideWorkspace(path)
    try:
        descriptor = _open_below(real_root, os.path.relpath(real, real_root))
    except OSError as exc:
        if exc.errno not in {errno.ELOOP, errno.ENOTDIR}:
            raise
        if not follow_links:  # which part is the link: it is named, not followed
            refuse_linked_folders(root, below, "is a link, and nums reads no link here")
        elif os.path.lexists(path):
            raise NumsError(Problem(BECAME_A_LINK, file=str(path))) from None
        raise
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file (a pipe or a device?)", str(path))
        return stream.read() if limit is None else stream.read(limit)


def _open_below(root: str, relative: str) -> int:
    """Open ``root/relative`` walking down from ``root``, following no link on the way."""
    if not _BY_FOLDER:  # pragma: no cover - platforms without openat (Windows)
        return os.open(os.path.join(root, relative), _READ & ~getattr(os, "O_NONBLOCK", 0))
    parts = relative.split(os.sep)
    folder = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        for part in parts[:-1]:
            inner = os.open(part, _FOLDER, dir_fd=folder)
            os.close(folder)
            folder = inner
        return os.open(parts[-1], _READ, dir_fd=folder)
    finally:
        os.close(folder)


def refuse_link(path: str | Path) -> None:
    """Raise ``LinkRefused`` when ``path`` is a symbolic link (a save never goes through one)."""
    if os.path.islink(path):
        raise LinkRefused(path)


def refuse_linked_folders(
    root: str | Path,
    relative: str | Path,
    message: str = "is a link, and nums writes into no linked folder; nothing was written",
) -> None:
    """Raise ``LinkRefused`` when any part of ``root/relative`` below ``root`` is a link:
    nums makes ``.nums/history`` itself, so a link there can only send its writes elsewhere."""
    here = Path(root)
    for part in Path(relative).parts:
        here = here / part
        if os.path.islink(here):
            raise LinkRefused(here, message)
