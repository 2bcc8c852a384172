"""Signing in and out by the JSON API (issue 22): ``POST /api/session``, ``DELETE /api/session``,
``GET /api/me``. A public contract, like ``--json``.

The rules are ``nums.site.accounts``' (Argon2id, the throttle, words that never say whether an
account exists, a new session id at every sign-in, the failure's audit event); this module only
reads the body, calls ``people.sign_in`` in a worker thread, and answers. The answer to a sign-in carries the session's CSRF token, so a
client of the API can make the writes that need it (``X-CSRF-Token``).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from nums import policy
from nums.site import accounts, people, sessions
from nums.site.folder import OpenSite
from nums.web.answers import JSONResponse, error_json, json_body
from nums.web.routing import person_of
from nums.web.site_security import session_cookie

ARGON2_AT_ONCE = people.ARGON2_AT_ONCE
"""Password checks one worker runs at once: the library's (``people.ARGON2_AT_ONCE``), named here
as before."""


def me_json(person: policy.Person) -> dict[str, Any]:
    """``GET /api/me``: who is signed in."""
    return {
        "email": person.email,
        "name": person.name,
        "roles": sorted(str(role) for role in person.roles),
        "institution": person.institution,
    }


async def sign_in(request: Request) -> Response:
    body = await json_body(request)
    if not (
        isinstance(body, dict)
        and isinstance(body.get("email"), str)
        and isinstance(body.get("password"), str)
    ):
        return error_json(422, 'send {"email": "...", "password": "..."}')
    address = request.client.host if request.client else "unknown"
    site: OpenSite = request.app.state.site
    previous = getattr(request.state, "session_id", None)
    result = await run_in_threadpool(people.sign_in, site, body["email"], body["password"], address, previous)
    if isinstance(result, accounts.SignInRefused):
        message = str(result.problems[0].message)
        if result.retry_after:
            throttled = error_json(429, message)
            throttled.headers["retry-after"] = str(result.retry_after)
            return throttled
        return error_json(401, message)
    session_id, person = result
    secret = request.app.state.site_secret
    answer = JSONResponse({**me_json(person), "csrf": sessions.csrf_token(secret, session_id)})
    answer.headers.append("set-cookie", session_cookie(request).set(session_id))
    return answer


def _sign_out(site: OpenSite, session_id: str) -> None:
    with site.transaction() as db:
        sessions.end(db, session_id)


async def sign_out(request: Request) -> Response:
    session_id = getattr(request.state, "session_id", None)
    if session_id:
        await run_in_threadpool(_sign_out, request.app.state.site, session_id)
    answer = Response(status_code=204)
    answer.headers.append("set-cookie", session_cookie(request).clear())
    return answer


async def me(request: Request) -> Response:
    return JSONResponse(me_json(person_of(request)))
