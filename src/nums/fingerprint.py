"""The fingerprint of a submission document, whatever carries it.

A review file records the SHA-256 of the submission it reviews, so that nums
can warn when the submission changes. The same submission reaches the
assessor as ``submission.yaml`` or inside a pack PDF (as JSON), so the
fingerprint is taken over the document's data in one canonical JSON form,
not over the bytes of its container: the YAML and its pack agree.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any


def json_ready(value: Any) -> Any:
    """Data as JSON holds it: string keys, lists, ISO dates."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def document_sha256(data: Any) -> str:
    """SHA-256 of the document's data in canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(json_ready(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprints(data: Any, source: bytes | None = None) -> tuple[str, ...]:
    """Every fingerprint a review's ``submission_sha256`` may hold for this submission: the
    document's (the same for a ``submission.yaml`` and its pack), and, given the bytes of the
    file that holds it, their SHA-256, which review files of earlier versions recorded.

    The first is the one a new review records."""
    digest = document_sha256(data)
    return (digest,) if source is None else (digest, hashlib.sha256(source).hexdigest())
