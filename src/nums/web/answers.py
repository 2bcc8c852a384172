"""How the JSON API answers: errors, request bodies, and saves checked against the file on disk.

Shared by the programme endpoints (``api.py``) and the review endpoints (``review_api.py``), so a
stale save, a bad body and a validation failure read the same wherever they happen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette import responses
from starlette.requests import Request
from starlette.responses import Response

from nums.boundary import LinkRefused
from nums.escaping import json_text
from nums.web import files
from nums.web.editing import problem_json
from nums.web.work import quick


class JSONResponse(responses.JSONResponse):
    """Starlette's JSON answer, written by ``json_text``: any text a file or a folder name
    holds (a lone surrogate included) round-trips, and no value can make the answer fail."""

    def render(self, content: Any) -> bytes:
        return json_text(content, indent=None).encode("utf-8")


def error_json(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def json_body(request: Request) -> Any:
    """The request's JSON, or None when it is not JSON at all."""
    try:
        return await request.json()
    except ValueError:
        return None


async def checked_save(work: Callable[[], dict[str, Any]], what: str) -> Response:
    """Run a check-and-save (quick: ``nums.web.work``): 422 with its ``errors``, 409 when ``what`` changed
    on disk since the base the client sent (the file is left as it is), else 200."""
    try:
        answer = await quick(work)
    except files.Conflict as conflict:
        return error_json(
            409,
            f"{what} changed on disk since base_sha256; it was left as it is",
            sha256=conflict.current_sha256,
        )
    except LinkRefused as refused:  # a link is never saved through: the file it points to is untouched
        return error_json(409, str(refused.problems[0]), errors=[problem_json(p) for p in refused.problems])
    return JSONResponse(answer, status_code=422 if "errors" in answer else 200)
