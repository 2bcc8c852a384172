"""The Starlette app: the route tables (``web/routes.py``), the static files and the error
pages, with the security middleware outermost.

``create_app`` takes everything it needs as arguments (the workspace, the
token, the allowed hosts, the upload limit), so tests build the very app
``nums serve`` runs.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from nums.errors import NumsError
from nums.web.routes import app_routes
from nums.web.security import BodyTooLarge, Guard, SecurityMiddleware
from nums.workspace import Workspace

STATIC = Path(__file__).resolve().parent / "static"
DEFAULT_MAX_UPLOAD = 25 * 1024 * 1024  # "25 MiB a file by default"


async def _too_large(request: Request, exc: Exception) -> Response:
    limit = request.app.state.max_upload
    return PlainTextResponse(f"Too large: a file may be at most {limit} bytes; nothing was written.", 413)


async def _not_written(request: Request, exc: Exception) -> Response:
    """A write nums refuses (writing.py: a link, a pipe, a folder where a file is saved): words, not a 500."""
    problems = "; ".join(str(p) for p in exc.problems) if isinstance(exc, NumsError) else str(exc)
    return PlainTextResponse(f"Not saved: {problems}. Nothing was written.", 409)


async def _no_icon(request: Request) -> Response:
    return Response(status_code=204)


def create_app(workspace: Workspace, guard: Guard) -> Starlette:
    app = Starlette(
        routes=[
            *app_routes(),
            Route("/favicon.ico", _no_icon),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(SecurityMiddleware, guard=guard)],
        exception_handlers={BodyTooLarge: _too_large, NumsError: _not_written},
    )
    app.state.workspace = workspace
    app.state.max_upload = guard.max_upload
    app.state.csrf = guard.csrf
    return app
