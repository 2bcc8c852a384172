"""The Starlette app: the route tables (``web/routes.py``), the static files and the error
pages, with the security middleware outermost.

Two doors to one app: ``create_app`` is ``nums serve``'s (the start-up token, one local person
who may do everything), ``create_site_app`` the site's (``nums site run``: sessions, each person
what ``nums.policy`` allows). Both take everything they need as arguments, so tests build the
very app that runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from nums.errors import NumsError
from nums.web.routes import app_routes
from nums.web.security import BodyTooLarge, Guard, SecurityMiddleware
from nums.workspace import Workspace

if TYPE_CHECKING:
    from nums.site.folder import OpenSite

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


def _routes() -> list[BaseRoute]:
    return [
        *app_routes(),
        Route("/favicon.ico", _no_icon),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


def _starlette(middleware: Middleware) -> Starlette:
    return Starlette(
        routes=_routes(),
        middleware=[middleware],
        exception_handlers={BodyTooLarge: _too_large, NumsError: _not_written},
    )


def create_app(workspace: Workspace, guard: Guard) -> Starlette:
    """``nums serve``'s app: the token guards it; the one person is ``policy.LOCAL_PERSON``."""
    app = _starlette(Middleware(SecurityMiddleware, guard=guard))
    app.state.workspace = workspace
    app.state.max_upload = guard.max_upload
    app.state.csrf = guard.csrf
    app.state.site = None
    app.state.submitted = None
    return app


Submitted = Callable[[str], bool]


def create_site_app(
    site: OpenSite, submitted: Submitted | None = None, max_upload: int = DEFAULT_MAX_UPLOAD
) -> Starlette:
    """The site's app (``nums site run``): the same routes, the site's middleware (sessions,
    CSRF, the public address), the workspace ``DIR/workspace``.

    ``submitted(programme_id)`` says whether a programme is submitted for review (CONTRACT 7:
    what an assessor may see); by default the journey's record of it (``nums.site.journey``),
    or nothing submitted while that is not there."""
    from nums.web.site_security import SiteGuard, SiteMiddleware

    guard = SiteGuard.for_site(site, max_upload)
    app = _starlette(Middleware(SiteMiddleware, guard=guard, site=site))
    app.state.workspace = Workspace(site.workspace)
    app.state.max_upload = max_upload
    app.state.site = site
    app.state.site_secret = guard.secret
    app.state.session_cookie = guard.cookie
    app.state.submitted = submitted if submitted is not None else _journey_submitted(site)
    return app


SITE_FOLDER_VARIABLE = "NUMS_SITE_FOLDER"
"""Where ``site_app_from_environment`` finds the site: uvicorn's workers are new processes that
import the app by name, so ``nums site run`` hands them the folder this way."""


def site_app_from_environment() -> Starlette:
    """The site's app for a uvicorn worker (``nums site run``: a factory, named by import string,
    so that ``--workers N`` can start N of them)."""
    import logging
    import os

    from nums.render.pdf import lay_out_in_a_helper
    from nums.site.folder import open_site

    nums_log = logging.getLogger("nums")
    if not nums_log.handlers:  # the links mailed when mail is not set up are read in this log
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(name)s: %(message)s"))
        nums_log.addHandler(handler)
        nums_log.setLevel(logging.INFO)
    app = create_site_app(open_site(Path(os.environ[SITE_FOLDER_VARIABLE])))
    _warm()
    lay_out_in_a_helper()  # a PDF's layout must not hold the GIL this worker's event loop needs
    return app


def _warm() -> None:
    """Read the edition and compile the busiest templates before the first request, so the
    first person a new worker serves does not wait for what every later one finds ready."""
    import contextlib

    from nums.edition_loading import load_edition
    from nums.errors import NumsError
    from nums.web.templating import ENV

    with contextlib.suppress(NumsError):  # a broken edition is reported by the page that needs it
        load_edition()
    for name in ("home.html", "programme.html", "review.html", "missing.html"):
        ENV.get_template(name)


def _journey_submitted(site: OpenSite) -> Submitted:
    """``nums.site.journey.under_review`` asked in a transaction of its own; until the journey
    is merged, no programme is submitted (an assessor then sees none)."""
    try:
        from nums.site.journey import under_review  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return lambda programme_id: False

    def submitted(programme_id: str) -> bool:
        with site.transaction() as db:
            return bool(under_review(db, programme_id))

    return submitted
