"""A loaded edition kept on disk between runs.

Loading an edition reads about ten YAML files and builds the pydantic
validators that check them: half of a cold ``nums assess``. The checked
result is the same every time the files are the same, so it is kept, pickled,
in the user's cache folder (``$NUMS_CACHE_DIR``, else ``$XDG_CACHE_HOME/nums``,
else ``~/.cache/nums``) under a key made of every byte of the edition's YAML
files, the versions of nums, Python and pydantic, and the modules whose classes
the pickle holds. A changed file is a new
key; an unreadable or damaged cache entry is ignored and rebuilt; a cache that
cannot be written costs nothing but the time. ``NUMS_CACHE_DIR=off`` turns it
off. Only what nums itself checked and wrote is ever unpickled, from a folder
that belongs to the user running it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_FORMAT = "1"
_MODEL_MODULES = ("standard.py", "prices.py", "editions.py", "models.py", "editioncache.py")


def cache_folder() -> Path | None:
    """Where cached editions live, or None when caching is off."""
    chosen = os.environ.get("NUMS_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nums"


def cached_edition(folder: Path, build: Callable[[], T]) -> T:
    """The edition in ``folder``: from the cache when its files are unchanged, else built and kept."""
    where = cache_folder()
    key = _key(folder) if where is not None else None
    if where is None or key is None:
        return build()
    entry = where / f"edition-{key}.pickle"
    try:
        with open(entry, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, damaged or from another build: build it again
        pass
    edition = build()
    _keep(entry, edition)
    return edition


def _key(folder: Path) -> str | None:
    """A digest of every YAML file of the edition and the versions that shape the pickle."""
    from pydantic.version import VERSION as pydantic_version

    from nums import __version__

    digest = hashlib.sha256()
    digest.update(f"{_FORMAT} {__version__} {sys.version} {pydantic_version} {folder}".encode())
    try:
        for module in _MODEL_MODULES:  # the classes the pickle is made of: a changed one is a new key
            info = (Path(__file__).parent / module).stat()
            digest.update(f"{module} {info.st_size} {info.st_mtime_ns}".encode())
        for path in sorted(folder.rglob("*.yaml")):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    except OSError:
        return None
    return digest.hexdigest()[:32]


def _keep(entry: Path, edition: object) -> None:
    from nums.writing import write_bytes_atomically

    # a read-only home, a full disk, an object that cannot be pickled: no cache, no harm
    with contextlib.suppress(Exception):
        write_bytes_atomically(entry, pickle.dumps(edition, protocol=pickle.HIGHEST_PROTOCOL))
