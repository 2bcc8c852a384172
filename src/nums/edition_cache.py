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
import hashlib
import json
import os
import pickle
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CACHE_ENV = "NUMS_CACHE_DIR"
OFF = "off"
# The modules whose classes a snapshot holds: a change to any of them makes old snapshots stale.
_MODEL_MODULES = ("standard.py", "prices.py", "editions.py", "models.py", "edition_cache.py")
# A snapshot larger than this is not ours (the 2021 edition's is about 35 KB).
_MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024


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
    try:
        if cache_folder() is None:
            return {}
        return {
            str(path): _digest(path)
            for path in Path(folder).rglob("*")
            if path.suffix in (".yaml", ".yml")
            and path.is_file()
            and path.stat().st_size <= _MAX_SNAPSHOT_BYTES
        }
    except Exception:
        return {}


def write_snapshot(folder: str, edition: Any, sources: Sequence[Path], digests: dict[str, str]) -> None:
    """Keep ``edition``, read from ``sources`` whose ``digests`` were taken before reading, for
    the next run; silently skipped if impossible (or if a source was not digested)."""
    temporary: Path | None = None
    try:
        path = _snapshot_path(folder)
        files = {str(source): digests[str(source)] for source in sources}
        if path is None or not files:
            return
        payload = json.dumps({"files": files}).encode() + b"\n" + pickle.dumps(edition, protocol=5)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, path)
        _drop_older_snapshots(path)
    except Exception:  # a read-only home, a full disk or a source outside the folder: no snapshot
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _snapshot_path(folder: str) -> Path | None:
    """One snapshot per edition folder and version of the code that made it."""
    root = cache_folder()
    if root is None:
        return None
    where = hashlib.sha256(folder.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return root / f"edition-{where}-{_code_fingerprint()}.pickle"


def _code_fingerprint() -> str:
    """Python, pydantic and the size and time of the nums files whose classes are pickled."""
    import pydantic

    here = Path(__file__).parent
    parts = [sys.version, pydantic.VERSION]
    for name in _MODEL_MODULES:
        info = os.stat(here / name)
        parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _trusted(info: os.stat_result) -> bool:
    """Only a snapshot this user owns and nobody else may change is loaded (pickle runs code)."""
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    return info.st_uid == owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _files_unchanged(files: dict[str, str]) -> bool:
    return bool(files) and all(_digest(Path(name)) == digest for name, digest in files.items())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _drop_older_snapshots(kept: Path) -> None:
    """Snapshots of the same folder made by older code are never read again."""
    prefix = kept.name.rsplit("-", 1)[0] + "-"
    for other in kept.parent.glob(prefix + "*.pickle"):
        if other != kept:
            with contextlib.suppress(OSError):
                other.unlink()
