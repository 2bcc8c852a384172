"""Route tables: every address the app answers, as data, each with an action's name.

The app has two sides, pages (HTML forms that work with JavaScript off) and the JSON API, and
each action is one row holding both: its page handler beside its JSON twin, as Datasette keeps
them. A surface (``web/routes.py``: the programmes, one programme, its review, the quote and
the portfolio, received packs) is a tuple of rows. A new page is one row in one table.

Two kinds of surface:

- at the top (``/quote``, ``/api/quote``): each row becomes Starlette ``Route``s at
  ``page_prefix + path`` and ``api_prefix + api_path``; its handlers take the request;
- under a programme (``/p/{id}/save``, ``/api/programmes/{id}/review``): a programme's id holds
  ``/``, so one Starlette route per side takes the rest of the path, the id is split from it
  against the disk (``Workspace.split``: the longest id that is a programme) and what follows
  is looked up in the surface's rows; its handlers take the request and the ``Target``.

Each row's ``name`` is the action a policy can be keyed on (issue 22: every route against every
role); ``actions`` lists them all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from nums.received import is_received
from nums.workspace import ProgrammeFolder, Workspace

Side = Literal["page", "api"]
TopHandler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Target:
    """What a request under a programme is about: the workspace, the programme, and what
    follows the row's path (a file's path under ``files/``; else empty)."""

    workspace: Workspace
    place: ProgrammeFolder
    rest: str = ""


ProgrammeHandler = Callable[[Request, Target], Awaitable[Response]]
Handler = TopHandler | ProgrammeHandler


@dataclass(frozen=True)
class Action:
    """One thing the app does, named, with its page and its JSON twin (either may be None).

    ``path`` is the page's address below its surface's prefix, ``api_path`` the API's (the same
    when not given); a path ending in ``/`` takes everything below it. ``edits_submission``: part
    of editing the submission, refused for a programme received as a pack, whose submission
    stays as it was sent."""

    name: str
    methods: tuple[str, ...]
    path: str
    page: Handler | None = None
    api: Handler | None = None
    api_path: str | None = None
    edits_submission: bool = False

    def path_on(self, side: Side) -> str | None:
        """The path this action answers on ``side``, or None when that side has no handler."""
        if side == "page":
            return self.path if self.page is not None else None
        return (self.path if self.api_path is None else self.api_path) if self.api is not None else None

    def handler_on(self, side: Side) -> Handler | None:
        return self.page if side == "page" else self.api


@dataclass(frozen=True)
class Surface:
    """One route table: a part of the app with its pages and JSON twins side by side."""

    name: str
    actions: tuple[Action, ...]
    page_prefix: str = "/"
    api_prefix: str = "/api/"
    under_programme: bool = False


@dataclass(frozen=True)
class Answers:
    """How one side answers what no row takes, under a programme: no such programme, no such
    action (``known_path``: the path is a row's, but not with this method), and a refused
    change to a received pack's submission."""

    no_programme: TopHandler
    not_found: Callable[[Request, bool], Awaitable[Response]]
    read_only: ProgrammeHandler


def top_routes(surface: Surface) -> list[BaseRoute]:
    """The Starlette routes of a surface at the top: one per row and side."""
    assert not surface.under_programme
    routes: list[BaseRoute] = []
    for action in surface.actions:
        for side, prefix in (("page", surface.page_prefix), ("api", surface.api_prefix)):
            path, handler = action.path_on(side), action.handler_on(side)
            if path is not None and handler is not None:
                routes.append(
                    Route(prefix + path, handler, methods=list(action.methods), name=f"{action.name}.{side}")
                )
    return routes


def programme_route(
    side: Side, prefix: str, surfaces: Sequence[Surface], answers: Answers, methods: Sequence[str]
) -> Route:
    """One Starlette route for a side's every action under a programme (``prefix{id}/{path}``)."""
    rows = [a for s in surfaces if s.under_programme for a in s.actions if a.path_on(side) is not None]

    async def dispatch(request: Request) -> Response:
        workspace: Workspace = request.app.state.workspace
        found = workspace.split(request.path_params["rest"])
        if found is None or (side == "api" and not found[1]):
            return await answers.no_programme(request)
        place, rest = found
        action, below = _row_for(rows, side, rest, request.method)
        if action is None:
            return await answers.not_found(request, below is not None)
        target = Target(workspace, place, below or "")
        if action.edits_submission and is_received(place.folder):
            return await answers.read_only(request, target)
        handler = action.handler_on(side)
        assert handler is not None
        return await handler(request, target)  # type: ignore[call-arg]

    return Route(prefix + "{rest:path}", dispatch, methods=list(methods), name=f"programme.{side}")


def _row_for(rows: Sequence[Action], side: Side, rest: str, method: str) -> tuple[Action | None, str | None]:
    """The row for ``rest`` and ``method`` with what follows its path; (None, below) when the
    path is a row's but the method is not; (None, None) when no row has the path."""
    known = None
    for action in rows:
        path = action.path_on(side) or ""
        below = _below(path, rest)
        if below is None:
            continue
        if method in action.methods:
            return action, below
        known = below
    return None, known


def _below(path: str, rest: str) -> str | None:
    """What follows ``path`` in ``rest`` (empty for the path itself), or None when it is not there."""
    if path.endswith("/"):
        return rest.removeprefix(path) if rest.startswith(path) else None
    return "" if rest == path else None


def actions(surfaces: Sequence[Surface]) -> Iterator[tuple[Surface, Action]]:
    """Every action of every surface, for a policy (or a test) to walk."""
    for surface in surfaces:
        for action in surface.actions:
            yield surface, action
