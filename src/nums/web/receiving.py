"""A pack sent to the app: the multipart field ``file`` read and received by ``nums.received``.

One path for the home page's upload and ``POST /api/packs``; the pack's bytes stream from the
request into the library, which owns the scratch folder it is unpacked in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from nums.errors import NumsError, Problem
from nums.received import receive_pack_reporting
from nums.workspace import ProgrammeFolder

CHUNK = 1 << 16  # bytes read from an upload at a time


def chunks(stream: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    """An uploaded file's bytes, a piece at a time (never the whole file in memory)."""
    while chunk := stream.read(size):
        yield chunk


async def receive_upload(request: Request) -> tuple[ProgrammeFolder, tuple[Problem, ...]]:
    """The multipart field ``file`` received as a pack, with the warnings about what the pack
    held and nums did not take."""
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise NumsError(Problem("send the pack PDF as the multipart field 'file'", field="file"))
        return await run_in_threadpool(
            receive_pack_reporting,
            request.app.state.workspace,
            upload.filename or "pack.pdf",
            chunks(upload.file),
            request.app.state.max_upload,
        )
