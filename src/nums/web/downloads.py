"""What the app hands back as files: evidence, and the pack as ``nums pack`` writes it.

Evidence is served only from inside its programme's folder and always as a
download (``Content-Disposition: attachment`` with ``nosniff``), so an
uploaded HTML file never runs in the app's origin. The pack is written by the
very function ``nums pack`` calls, into a temporary folder, and read back: the
same bytes.
"""

from __future__ import annotations

import mimetypes
import tempfile
from pathlib import Path

from starlette.responses import FileResponse, Response

from nums.escaping import content_disposition
from nums.evaluation import Assessment
from nums.web.files import file_inside
from nums.workspace import ProgrammeFolder


def evidence_download(place: ProgrammeFolder, relative: str) -> Response | None:
    """A file inside the programme's folder as an attachment, or None when there is none."""
    path = file_inside(place.folder, relative)
    if path is None:
        return None
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/html") or "xml" in media_type or "javascript" in media_type:
        media_type = "application/octet-stream"
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "content-disposition": content_disposition(path.name),
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


def pack_pdf_bytes(result: Assessment) -> bytes:
    """The pack PDF, written by ``nums pack``'s own function."""
    from nums.render.pack_pdf import write_pack

    with tempfile.TemporaryDirectory(prefix="nums-pack-") as folder:
        target = Path(folder) / "pack.pdf"
        write_pack(result, target, None)
        return target.read_bytes()


def pack_html_text(result: Assessment) -> str:
    """The pack as one HTML file (``nums pack --html``)."""
    from nums.render.pack_pdf import write_pack

    with tempfile.TemporaryDirectory(prefix="nums-pack-") as folder:
        target = Path(folder) / "pack.html"
        write_pack(result, None, target)
        return target.read_text(encoding="utf-8")
