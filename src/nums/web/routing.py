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

Each row names the permission it needs (``needs``, a ``policy.Action``; issue 22: "a new page
cannot be added without saying who may use it"), and the dispatch asks ``policy.decide`` before
any handler runs: a row under a programme is decided against that ``policy.Programme``, a row at
the top against ``policy.SITE`` or the person's ``policy.Institution`` (``on``). A refusal is
the policy's: 404 for a thing the person may not see, 403 for one they see; someone not signed
in is sent to sign in (a page) or told to (the API, 401). A ``site_only`` row (the session API)
is not there under ``nums serve``. ``actions`` lists every row, for a test to walk.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from nums import policy
from nums.received import is_received
from nums.web.answers import error_json
from nums.web.templating import render
from nums.workspace import ProgrammeFolder, Workspace

Side = Literal["page", "api"]
On = Literal["site", "institution", "account"]
SIGN_IN_PAGE = "/sign-in"
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
    stays as it was sent. ``needs``: the permission asked of ``policy.decide`` before the
    handler runs (a row without one is refused to everyone, and fails the route test).
    ``on``: what a top row is decided against: the site, the person's institution, or their own
    account (``policy.Account``, for a person's audit trail).
    ``site_only``: answered only under ``nums site run`` (404 under ``nums serve``)."""

    name: str
    methods: tuple[str, ...]
    path: str
    page: Handler | None = None
    api: Handler | None = None
    api_path: str | None = None
    edits_submission: bool = False
    needs: policy.Action | None = None
    site_only: bool = False
    on: On = "site"

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


def person_of(request: Request) -> policy.Person:
    """Who is asking (CONTRACT 2): set by the middleware on every request; no one, if not."""
    return getattr(request.state, "person", policy.ANONYMOUS)


def on_site(request: Request) -> bool:
    """Whether the app is the site (``nums site run``), not the local ``nums serve``."""
    return getattr(request.app.state, "site", None) is not None


def top_thing(action: Action, person: policy.Person) -> policy.Thing:
    """What a top row is decided against: the site, or the person's own institution when the
    row is ``on="institution"`` and they have one (a lead's portfolio, a lead's new programme),
    or their own account when it is ``on="account"`` (their audit trail; the library asks again
    about the one the address names, another's being an admin's to see)."""
    if action.on == "institution" and person.institution is not None:
        return policy.Institution(person.institution)
    if action.on == "account" and person.signed_in and person.email:
        return policy.Account(person.email)
    return policy.SITE


def programme_thing(request: Request, programme_id: str) -> policy.Programme:
    """A programme of the workspace as the policy sees it, with whether it is submitted for
    review (CONTRACT 7: ``app.state.submitted``; none under ``nums serve``), asked only of the
    journey when the person's answer may turn on it (``policy.turns_on_submission``)."""
    submitted = getattr(request.app.state, "submitted", None)
    if submitted is None or not policy.turns_on_submission(person_of(request)):
        return policy.programme_of(programme_id)  # nothing this person may do turns on it
    return policy.programme_of(programme_id, bool(submitted(programme_id)))


async def refusal(
    request: Request, side: Side, action: Action, thing: policy.Thing, missing: TopHandler | None = None
) -> Response | None:
    """The answer for a request the policy refuses, or None when it may go ahead.

    Someone not signed in: a page sends them to sign in and back (303), the API says 401
    (CONTRACT 5); someone signed in: the policy's 404 or 403. ``missing`` answers the 404
    under a programme: the very answer for a programme that is not there, so a refusal says
    nothing of whether it exists."""
    if action.site_only and not on_site(request):
        return _not_there(request, side)
    person = person_of(request)
    decision = (
        policy.decide(person, action.needs, thing) if action.needs is not None else policy.Decision.NOT_FOUND
    )
    if decision is policy.Decision.ALLOWED:
        return None
    if not person.signed_in:
        if side == "api":
            return error_json(401, "sign in first")
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        return RedirectResponse(f"{SIGN_IN_PAGE}?next={target}", status_code=303)
    if decision is policy.Decision.NOT_FOUND and missing is not None:
        return await missing(request)
    return await _refused(request, side, decision)


def _not_there(request: Request, side: Side) -> Response:
    if side == "api":
        return error_json(404, "not found")
    return render(request, "missing.html", status=404, title="Not found")


async def _refused(request: Request, side: Side, decision: policy.Decision) -> Response:
    if side == "api":
        return error_json(
            decision.value, "not found" if decision is policy.Decision.NOT_FOUND else "forbidden"
        )
    if decision is policy.Decision.NOT_FOUND:
        return render(request, "missing.html", status=404, title="Not found")
    return render(
        request,
        "missing.html",
        status=403,
        title="Not allowed",
        message="Your account may see this, but not do this here.",
    )


def _guarded(action: Action, side: Side, handler: TopHandler) -> TopHandler:
    """A top row's handler behind the policy's decision."""

    async def guarded(request: Request) -> Response:
        refused = await refusal(request, side, action, top_thing(action, person_of(request)))
        return refused if refused is not None else await handler(request)

    guarded.__name__ = getattr(handler, "__name__", action.name)
    return guarded


def top_routes(surface: Surface) -> list[BaseRoute]:
    """The Starlette routes of a surface at the top: one per row and side."""
    assert not surface.under_programme
    routes: list[BaseRoute] = []
    for action in surface.actions:
        for side, prefix in (("page", surface.page_prefix), ("api", surface.api_prefix)):
            path, handler = action.path_on(side), action.handler_on(side)
            if path is not None and handler is not None:
                routes.append(
                    Route(
                        prefix + path,
                        _guarded(action, side, handler),  # type: ignore[arg-type]
                        methods=list(action.methods),
                        name=f"{action.name}.{side}",
                    )
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
        thing = programme_thing(request, place.id)
        if action is None:
            if not policy.sees(person_of(request), thing):  # "not found" says nothing of the id
                return await answers.no_programme(request)
            return await answers.not_found(request, below is not None)
        refused = await refusal(request, side, action, thing, answers.no_programme)
        if refused is not None:
            return refused
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
