"""What the app hands back as files from a programme's folder: its evidence.

Evidence is served only from inside its programme's folder and always as a
download (``Content-Disposition: attachment`` with ``nosniff``), so an
uploaded HTML file never runs in the app's origin.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.responses import FileResponse, Response

from nums.escaping import content_disposition
from nums.web.files import file_inside
from nums.workspace import ProgrammeFolder


def evidence_download(place: ProgrammeFolder, relative: str) -> Response | None:
    """A file inside the programme's folder as an attachment, or None when there is none."""
    path = file_inside(place.folder, relative)
    if path is None:
        return None
    return file_download(path, path.name)


def file_download(path: Path, name: str) -> Response:
    """``path`` as an attachment called ``name``, never shown in the app's origin: a kept
    snapshot's file is named by its hash on disk and by its cited name here."""
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type.startswith("text/html") or "xml" in media_type or "javascript" in media_type:
        media_type = "application/octet-stream"
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "content-disposition": content_disposition(name),
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )
