"""Reading one of the register's published JSON files (the key set, the status list): a file
anyone may have handed over, so it is bounded before it is read and every failure is a message
that names it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nums.errors import NumsError, Problem


def read_json_file(path: Path, max_bytes: int, what: str) -> Any:
    """The JSON data of ``path``, which should be ``what`` ("a key set"), refused in words when it
    is larger than ``max_bytes`` or cannot be read as JSON."""
    try:
        if path.stat().st_size > max_bytes:
            raise NumsError(Problem(f"is too large to be {what}", file=str(path)))
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NumsError(Problem(f"cannot be read as {what}: {exc}", file=str(path))) from None
