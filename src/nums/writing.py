"""Atomic writes: a temporary file beside the target, then a rename.

A reader never sees half a file, and a failure leaves an existing target
untouched. A target that cannot be written (no such folder, no permission)
is a problem for the person, not a traceback.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from nums.errors import NumsError, Problem


def write_bytes_atomically(target: Path, data: bytes) -> None:
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise NumsError(Problem(f"cannot be written: {exc.strerror}", file=str(target))) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise NumsError(Problem(f"cannot be written: {exc.strerror}", file=str(target))) from None
        raise


def write_text_atomically(target: Path, text: str) -> None:
    write_bytes_atomically(target, text.encode("utf-8"))
