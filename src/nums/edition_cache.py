"""A snapshot of each loaded edition, kept between runs like Python's own ``__pycache__``.

Reading an edition means parsing its YAML and checking it against the models, about a fifth of
a cold ``nums assess``. The edition's files rarely change, so once an edition has loaded without
problems its validated models are pickled to the user's cache folder with the SHA-256 of every
file they were read from. A later run re-hashes those files and uses the snapshot only if every
byte is the same and the snapshot was made by the same code: the same nums source files, the same
pydantic, the same Python. Anything else (a missing, stale, damaged, foreign or group-writable
snapshot) is ignored and the edition is read and checked afresh, so a cache can make nums faster
but never change a verdict or a message.

The folder is ``$NUMS_CACHE_DIR`` when set (``off`` turns the cache off), else
``$XDG_CACHE_HOME/nums``, else ``~/.cache/nums``. Writing a snapshot never fails a command.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CACHE_ENV = "NUMS_CACHE_DIR"
OFF = "off"
# A snapshot larger than this is not ours (the 2021 edition's is about 35 KB).
_MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024
# Snapshots kept at most (one-off --standard folders would otherwise pile up), oldest dropped.
_MAX_SNAPSHOTS = 32


def cache_folder() -> Path | None:
    """Where snapshots live, or None when the cache is turned off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", OFF) else Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "nums"


def read_snapshot(folder: str) -> Any | None:
    """The edition snapshotted for ``folder`` if it still matches its files, else None."""
    try:
        path = _snapshot_path(folder)
        if path is None:
            return None
        with open(path, "rb") as stream:
            if not _trusted(os.fstat(stream.fileno())) or not _trusted(os.stat(path.parent)):
                return None
            header = json.loads(stream.readline(64 * 1024))
            if not _files_unchanged(header["files"]):
                return None
            return pickle.loads(stream.read(_MAX_SNAPSHOT_BYTES))
    except Exception:  # no home folder, or a damaged or foreign snapshot: only a slower run
        return None


def digests_before_reading(folder: str) -> dict[str, str]:
    """The SHA-256 of every YAML file under ``folder``, taken *before* the edition is read: a
    file edited while it is being read then fails the next run's check instead of leaving a
    snapshot of the old text under the new file's digest. Empty when the cache is off."""
    digests: dict[str, str] = {}
    try:
        if cache_folder() is None:
            return digests
        for path in Path(folder).rglob("*"):
            if path.suffix in (".yaml", ".yml"):
                with contextlib.suppress(OSError):  # not a file nums reads: never in a snapshot
                    digests[str(path)] = _digest(path)
    except Exception:  # no home folder, an unreadable folder: no snapshot this time
        return {}
    return digests


def write_snapshot(folder: str, edition: Any, sources: Sequence[Path], digests: dict[str, str]) -> None:
    """Keep ``edition``, read from ``sources`` whose ``digests`` were taken before reading, for
    the next run; silently skipped if impossible (or if a source was not digested)."""
    from nums.writing import write_bytes_atomically

    try:
        path = _snapshot_path(folder)
        files = {str(source): digests[str(source)] for source in sources}
        if path is None or not files:
            return
        payload = json.dumps({"files": files}).encode() + b"\n" + pickle.dumps(edition, protocol=5)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # private whatever the umask, and never half-written (also on Ctrl-C or SIGTERM)
        write_bytes_atomically(path, payload, mode=0o600)
        _tidy(path)
    except Exception:  # a read-only home, a full disk or a source outside the folder: no snapshot
        pass


def _snapshot_path(folder: str) -> Path | None:
    """One snapshot per edition folder and version of the code that made it."""
    root = cache_folder()
    if root is None:
        return None
    where = hashlib.sha256(folder.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return root / f"edition-{where}-{_code_fingerprint()}.pickle"


@functools.cache
def _code_fingerprint() -> str:
    """Python, pydantic and the content of every module at the top of the nums package (the
    models, the reader, the limits: any of them may change what a loaded edition holds or whether
    it loads at all). Content, not times: copies and packagers often reset file times."""
    import pydantic

    digest = hashlib.sha256(f"{sys.version}|{pydantic.VERSION}".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:24]


def _trusted(info: os.stat_result) -> bool:
    """Only a snapshot this user owns and nobody else may change is loaded (pickle runs code)."""
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    return info.st_uid == owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _files_unchanged(files: dict[str, str]) -> bool:
    return bool(files) and all(_digest(Path(name)) == digest for name, digest in files.items())


def _digest(path: Path) -> str:
    """SHA-256 of a regular file no larger than the reader accepts; anything else (a pipe, a
    device, a huge file) raises, so it never waits or fills memory: no snapshot then."""
    from nums.yamlsource import MAX_BYTES

    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            raise OSError(f"{path} is not a file nums reads")
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(f"{path} grew past what nums reads")
    return hashlib.sha256(data).hexdigest()


def _tidy(kept: Path) -> None:
    """Snapshots of the same folder made by other code are never read again; beyond the newest
    ``_MAX_SNAPSHOTS`` the oldest go; half-written files left by a killed run go after a day."""
    prefix = kept.name.rsplit("-", 1)[0] + "-"
    snapshots = []
    for other in kept.parent.iterdir():
        with contextlib.suppress(OSError):
            if other.name.startswith(prefix) and other.suffix == ".pickle" and other != kept:
                other.unlink()
            elif other.name.startswith("edition-") and other.suffix == ".pickle":
                snapshots.append((other.stat().st_mtime, other))
            elif (
                other.name.startswith(".edition-")
                and other.suffix == ".part"
                and other.stat().st_mtime < time.time() - 24 * 3600
            ):
                other.unlink()
    snapshots.sort(reverse=True)
    for _, old in snapshots[_MAX_SNAPSHOTS:]:
        with contextlib.suppress(OSError):
            old.unlink()
