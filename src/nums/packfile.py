"""Reading a pack back: the ``submission.json`` that ``nums pack`` embeds,
and the evidence files embedded with ``--attach-evidence``.

This is how ``nums review`` accepts a pack PDF in place of a submission file:
the pack alone carries the whole submission.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from nums.errors import NumsError, Problem
from nums.writing import write_bytes_atomically

SUBMISSION_JSON = "submission.json"


def is_pdf(path: str | Path) -> bool:
    """True when the file starts like a PDF, whatever its name."""
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def pack_attachments(path: str | Path) -> dict[str, bytes]:
    """Every embedded file of a pack, by name."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        return {name: contents[0] for name, contents in reader.attachments.items() if contents}
    except (PdfReadError, OSError, ValueError) as exc:
        raise NumsError(Problem(f"cannot be read as a PDF: {exc}", file=str(path))) from None


def read_pack(path: str | Path) -> dict[str, Any]:
    """The embedded ``submission.json`` as data."""
    attachments = pack_attachments(path)
    if SUBMISSION_JSON not in attachments:
        raise NumsError(
            Problem(
                f"this PDF has no embedded {SUBMISSION_JSON}",
                file=str(path),
                suggestion="use a pack written by `nums pack`, or the submission.yaml itself",
            )
        )
    try:
        data = json.loads(attachments[SUBMISSION_JSON])
    except ValueError as exc:
        raise NumsError(
            Problem(f"the embedded {SUBMISSION_JSON} is not valid JSON: {exc}", file=str(path))
        ) from None
    if not isinstance(data, dict) or "submission" not in data:
        raise NumsError(Problem(f"the embedded {SUBMISSION_JSON} is not a nums pack", file=str(path)))
    return data


def unpack(path: str | Path, folder: Path) -> Path:
    """Write the pack's submission (as JSON, which is YAML) and its embedded evidence
    into ``folder``; return the submission file's path."""
    data = read_pack(path)
    for name, content in pack_attachments(path).items():
        if name == SUBMISSION_JSON:
            continue
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            continue  # never write outside the folder, whatever the PDF says
        write_bytes_atomically(folder / relative, content)
    target = folder / "submission.yaml"
    write_bytes_atomically(
        target, json.dumps(data["submission"], indent=2, ensure_ascii=False).encode("utf-8")
    )
    return target
