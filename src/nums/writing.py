"""Every file nums writes is written here, so that writing never destroys.

- **Atomic**: the bytes go to a temporary file beside the target (``.NAME.RANDOM.part``), are
  flushed to disk, and the file is renamed into place. A reader never sees half a file, and a
  failure leaves an existing target untouched. A target that cannot be written (no such folder,
  no permission) is a problem for the person, not a traceback.
- **Never over an input**: a command names its outputs and its inputs (``check_outputs``) before
  it does any work. An output that *is* one of its inputs, by identity (same device and inode:
  ``./review.yaml``, an absolute path, a hard link or a symbolic link to it all count), or that
  lies in a folder the command reads, or two outputs onto one file, is refused.
- **Only over a regular file**: a symbolic link, a folder, a named pipe, a device or a socket as
  the target is refused (a rename would silently replace it; opening a pipe would wait forever).
  Links are never followed and never replaced.
- **Modes**: a new file gets the mode the umask gives (the system applies it when the file is
  created, so nothing reads or changes the umask); a file replaced keeps its permission bits (a
  0600 pack stays private); a caller may ask for an exact mode (the private edition snapshot).
- **"Already exists" is atomic** (``exclusive``): the finished file is hard-linked to its name,
  which fails if the name exists, so of two runs at once exactly one succeeds.
- **Signals**: SIGTERM, SIGHUP (and SIGINT, where it would kill rather than raise
  ``KeyboardInterrupt``) arriving while a file is being written remove the temporary files, the
  earlier handlers are put back, and the process ends as the signal says (``exit_for``). A signal
  that was ignored stays ignored; Ctrl-C's ``KeyboardInterrupt`` removes them as any failure does.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from nums.errors import NumsError, Problem

TEMPORARY_SUFFIX = ".part"
NAME_MAX = 255
"""Bytes in one file name on the common file systems (ext4, XFS, APFS, NTFS): a temporary name is
cut to fit, so a target whose name is near the limit can still be written."""
NEW_FILE_MODE = 0o666
"""Asked for when a file is created; the system takes the umask away (0o644 under umask 022)."""
KEPT_BITS = 0o777
"""What a replaced file keeps of its mode: its permissions, not set-user-id and the like."""
_CAUGHT_SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS, errno.EXDEV}


class AlreadyExists(NumsError):
    """An exclusive write found its target's name taken (perhaps a moment before, by another run)."""


class Interrupted(SystemExit):
    """A signal that ends nums arrived while a file was being written; the temporary files are
    gone. Its exit code is the shell's for that signal (128 + its number); ``exit_for`` ends
    the process by the signal itself, as a parent process expects."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


# --- what a target is ---------------------------------------------------------------------


def kind_problem(target: Path) -> str | None:
    """Why nothing may be written at ``target``, in words, or None: a new name or a regular file."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # a part of the path is a file, a name too long, a NUL
        return f"cannot be written: {getattr(exc, 'strerror', None) or exc}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "is a symbolic link, which nums never writes through or replaces"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    return "is not a regular file"


@dataclass(frozen=True)
class Input:
    """Something a command reads: one file, or (``folder``) everything inside a folder."""

    path: Path
    what: str  # in words, e.g. "the review file", "the folder of programme 'a'"
    folder: bool = False


def check_outputs(outputs: Sequence[tuple[str, Path | None]], inputs: Iterable[Input]) -> None:
    """Refuse, before any work is done, outputs that would destroy something: an input (or a
    file in a folder input), a target that is not a regular file, two outputs onto one file.

    ``outputs`` are (option, path) pairs (option "" for a path that is an argument); a None path
    is an output not asked for."""
    asked = [(option, Path(path)) for option, path in outputs if path is not None]
    if not asked:
        return
    files, folders = _identities(inputs)
    problems = []
    for option, path in asked:
        problem = _input_problem(path, files, folders) or kind_problem(path)
        if problem is not None:
            problems.append(Problem(f"{_shown(option, path)} {problem}; choose another name"))
    seen: dict[object, str] = {}
    for option, path in asked:
        key = _identity(path) or _new_name(path)
        if key in seen:
            problems.append(
                Problem(
                    f"{seen[key]} and {_shown(option, path)} are the same file",
                    suggestion="give each output a name of its own",
                )
            )
        seen.setdefault(key, _shown(option, path))
    if problems:
        raise NumsError(problems)


def _shown(option: str, path: Path) -> str:
    """An output as the person typed it: ``--letter review.yaml`` (or the path alone)."""
    return f"{option} {path}" if option else str(path)


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of what ``path`` names, links followed; None when nothing is there."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _new_name(path: Path) -> tuple[str, str]:
    """A name not yet on disk, as the same spelling of one folder would give it."""
    return os.path.realpath(path.parent), path.name


def _identities(inputs: Iterable[Input]) -> tuple[dict[tuple[int, int], str], list[Input]]:
    files: dict[tuple[int, int], str] = {}
    folders: list[Input] = []
    for item in inputs:
        if item.folder:
            folders.append(item)
            continue
        identity = _identity(item.path)
        if identity is not None:
            files.setdefault(identity, item.what)
    return files, folders


def _input_problem(path: Path, files: dict[tuple[int, int], str], folders: list[Input]) -> str | None:
    identity = _identity(path)
    if identity in files:
        return f"is one of this command's inputs ({files[identity]})"
    real = Path(os.path.realpath(path))
    linked = identity is not None and os.stat(path).st_nlink > 1
    for folder in folders:
        root = Path(os.path.realpath(folder.path))
        if real.is_relative_to(root):
            return f"is inside {folder.what}, which this command reads"
        if linked and identity in _files_in(root):
            return f"is a hard link to a file in {folder.what}, which this command reads"
    return None


def _files_in(root: Path) -> set[tuple[int, int]]:
    """Identities of the files under ``root`` (only asked when a target has other hard links)."""
    found = set()
    for folder, _, names in os.walk(root):
        for name in names:
            identity = _identity(Path(folder) / name)
            if identity is not None:
                found.add(identity)
    return found


# --- writing ----------------------------------------------------------------------------------


def write_bytes_atomically(
    target: Path, data: bytes, *, exclusive: bool = False, mode: int | None = None
) -> None:
    """Write ``data`` at ``target`` all at once (see the module's rules); ``exclusive``: only if
    the name is free (``AlreadyExists`` otherwise); ``mode``: exactly this mode."""
    with atomic_output(target, exclusive=exclusive, mode=mode) as stream:
        stream.write(data)


def write_rendered(target: Path, render: Callable[[], bytes]) -> None:
    """Write the bytes ``render`` returns (a PDF) at ``target``, with the temporary file open
    before the rendering starts: a target that cannot be written is refused before any
    rendering, and a signal during a long one removes the temporary file too."""
    with atomic_output(target) as stream:
        stream.write(render())


def create_new_file(target: Path, data: bytes) -> None:
    """A new file made in one step, for a fresh folder nums has just made (one a pack is
    unpacked into), where no temporary name is needed and a long name leaves no room for one:
    refused if the name exists, never following a link; the umask keeps its say. Raises
    ``OSError`` for the caller to word."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(target, flags, 0o666)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)


def write_text_atomically(target: Path, text: str, *, exclusive: bool = False) -> None:
    write_bytes_atomically(target, text.encode("utf-8"), exclusive=exclusive)


@contextlib.contextmanager
def atomic_output(target: Path, *, exclusive: bool = False, mode: int | None = None) -> Iterator[BinaryIO]:
    """A stream whose bytes become ``target`` when the block ends without an exception.

    The temporary file exists from the start, so a long rendering inside the block is covered
    by the signal handling too; any failure removes it and leaves the target as it was."""
    target = Path(target)
    _refuse_kind(target)
    if exclusive and os.path.lexists(target):
        raise AlreadyExists(Problem("already exists", file=str(target)))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    with staged(target.parent, target.name, _mode_for(target, mode)) as pending:
        yield pending.stream
        if exclusive:
            pending.link_as(target)
        else:
            pending.rename_to(target)


def _refuse_kind(target: Path) -> None:
    problem = kind_problem(target)
    if problem is not None:
        raise NumsError(Problem(problem, file=str(target), suggestion="choose another name"))


def _mode_for(target: Path, asked: int | None) -> int | None:
    """The exact mode the new file must have, or None for the umask's."""
    if asked is not None:
        return asked
    try:
        info = os.lstat(target)
    except OSError:
        return None
    return stat.S_IMODE(info.st_mode) & KEPT_BITS if stat.S_ISREG(info.st_mode) else None


def _cannot_write(target: Path, exc: OSError) -> NumsError:
    return NumsError(Problem(f"cannot be written: {exc.strerror or exc}", file=str(target)))


class Staged:
    """A temporary file being filled beside its target. Until it is renamed or linked into
    place it is removed on any failure, and on the signals this module catches."""

    def __init__(self, folder: Path, target_name: str, mode: int | None) -> None:
        self.done = False  # renamed or linked into place: nothing left to remove
        with _signals_blocked():  # created and registered as one step: no signal in between
            descriptor, self.path = _create_temporary(folder, target_name)
            _register(self.path)
        try:
            if mode is not None:
                _set_mode(descriptor, self.path, mode)
            self.stream: BinaryIO = os.fdopen(descriptor, "wb")
        except BaseException:
            os.close(descriptor)
            _remove(self.path)
            raise

    def _finish(self) -> None:
        """Everything on disk before the name appears; and a signal taken meanwhile is obeyed."""
        if not self.stream.closed:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
        if _signalled is not None:
            raise Interrupted(_signalled)

    def rename_to(self, target: Path) -> None:
        self._finish()
        _refuse_kind(target)  # again at the last moment: a pipe or a link made meanwhile stays
        try:
            os.replace(self.path, target)
        except OSError as exc:
            raise _cannot_write(target, exc) from None
        self.done = True
        _unregister(self.path)

    def link_as(self, target: Path) -> None:
        """Give the file the name ``target`` only if nothing has it (``AlreadyExists``): a link
        never replaces, whatever is there (a file, a link, a pipe)."""
        self._finish()
        try:
            os.link(self.path, target)
        except FileExistsError:
            raise AlreadyExists(Problem("already exists", file=str(target))) from None
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise _cannot_write(target, exc) from None
            self._copy_exclusively(target)
        self.done = True
        self.discard()  # the target keeps the file; only the temporary name goes

    def _copy_exclusively(self, target: Path) -> None:
        """Where hard links are not possible: create the name exclusively, then copy into it."""
        mode = stat.S_IMODE(os.stat(self.path).st_mode)
        flags = (
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        )
        try:
            with _signals_blocked():
                descriptor = os.open(target, flags, mode)
                _register(str(target))
        except FileExistsError:
            raise AlreadyExists(Problem("already exists", file=str(target))) from None
        except OSError as exc:
            raise _cannot_write(target, exc) from None
        try:
            with os.fdopen(descriptor, "wb") as copy, open(self.path, "rb") as source:
                for block in iter(lambda: source.read(1 << 20), b""):
                    copy.write(block)
                copy.flush()
                os.fsync(copy.fileno())
        except BaseException:
            _remove(str(target))
            raise
        _unregister(str(target))

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()
        _remove(self.path)


@contextlib.contextmanager
def staged(folder: Path, target_name: str, mode: int | None = None) -> Iterator[Staged]:
    """A temporary file in ``folder`` named after ``target_name``, removed at the end of the block
    unless it was renamed or linked into place (``Staged.rename_to``, ``Staged.link_as``).
    ``mode`` None: the umask's."""
    with _catching_signals():
        try:
            pending = Staged(folder, target_name, mode)
        except OSError as exc:
            raise _cannot_write(folder / target_name, exc) from None
        try:
            yield pending
        except OSError as exc:
            pending.discard()
            raise _cannot_write(folder / target_name, exc) from None
        except BaseException:
            pending.discard()
            raise
        else:
            if not pending.done:
                pending.discard()


def _create_temporary(folder: Path, target_name: str) -> tuple[int, str]:
    """``.NAME.RANDOM.part`` created exclusively, with the umask's mode; NAME cut to fit."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    stem = target_name
    for _ in range(100):
        token = os.urandom(4).hex()
        while stem and len(os.fsencode(f".{stem}.{token}{TEMPORARY_SUFFIX}")) > NAME_MAX:
            stem = stem[:-1]
        path = os.path.join(folder, f".{stem}.{token}{TEMPORARY_SUFFIX}")
        try:
            return os.open(path, flags, NEW_FILE_MODE), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def _set_mode(descriptor: int, path: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, mode)
    else:  # pragma: no cover - Windows keeps only the read-only bit anyway
        os.chmod(path, mode)


# --- signals ------------------------------------------------------------------------------------

_pending: set[str] = set()  # temporary files not yet in place, in this process
_lock = threading.RLock()
_depth = 0  # writes under way in the main thread
_installed: dict[int, Any] = {}  # signal -> the handler it had before ours
_signalled: int | None = None  # the signal taken during a write, once its handler has run


def _register(path: str) -> None:
    with _lock:
        _pending.add(path)


def _unregister(path: str) -> None:
    with _lock:
        _pending.discard(path)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
    _unregister(path)


def _caught_signals() -> list[int]:
    return [getattr(signal, name) for name in _CAUGHT_SIGNALS if hasattr(signal, name)]


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """No signal handler runs inside the block (one that arrives runs as it ends)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _caught_signals())
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _catching_signals() -> Iterator[None]:
    """Our handler, for the signals that would kill the process outright, while a write is under
    way in the main thread (only the main thread can set handlers; other threads' temporary
    files are removed by their own failure paths)."""
    global _depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with _lock:
        _depth += 1
        if _depth == 1:
            for signum in _caught_signals():
                if signal.getsignal(signum) is signal.SIG_DFL:
                    _installed[signum] = signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _restore_handlers()


def _restore_handlers() -> None:
    with _lock:
        for signum, previous in list(_installed.items()):
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, previous)
            del _installed[signum]


def _on_signal(signum: int, frame: object) -> None:
    """Remove every temporary file at once, put the old handlers back (a second signal acts as
    it always would), then unwind: ``Interrupted`` runs every cleanup on the way out."""
    global _signalled
    with _lock:
        for path in list(_pending):
            _remove(path)
        _restore_handlers()
    _signalled = signum
    raise Interrupted(signum)


def interrupted_in(error: BaseException) -> Interrupted | None:
    """The ``Interrupted`` an exception carries, when the signal arrived somewhere that wraps what
    is raised in it: Python 3.11 turns an exception raised while a class is made (a module of
    WeasyPrint's being imported as the pack is laid out) into a ``RuntimeError`` whose cause it is."""
    seen: set[int] = set()
    found: BaseException | None = error
    while found is not None and id(found) not in seen:
        if isinstance(found, Interrupted):
            return found
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return None


def exit_for(interrupted: Interrupted) -> None:
    """End the process by the signal that interrupted it (a shell shows 143 for SIGTERM), or with
    its exit code where a signal cannot be sent to oneself."""
    sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError):
        signal.signal(interrupted.signum, signal.SIG_DFL)
        os.kill(os.getpid(), interrupted.signum)
    sys.exit(interrupted.code)
