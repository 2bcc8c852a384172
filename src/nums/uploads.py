"""What nums accepts as an uploaded file, in the app and when a pack is received: its name
made only a name, and the size beyond which it is refused."""

from __future__ import annotations

import re
import unicodedata


class TooLarge(Exception):
    """An upload bigger than the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"a file may be at most {limit} bytes")


def safe_name(name: str) -> str:
    """A file name that is only a name: no folders, no leading dots, plain characters."""
    base = unicodedata.normalize("NFKC", name.replace("\\", "/")).rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\-]+", "-", base, flags=re.ASCII).strip("-.")
    base = re.sub(r"-{2,}", "-", base)
    if len(base) > 100:
        stem, dot, ext = base.rpartition(".")
        base = stem[: 100 - len(ext) - 1] + dot + ext if dot and len(ext) <= 10 else base[:100]
    return base or "upload"
