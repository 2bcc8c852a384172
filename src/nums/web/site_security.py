"""Who is asking the site, and what the browser may do with its pages (``nums site run``).

The sibling of ``web/security.py`` (``nums serve``'s token): the same refusals before anything
else (``request_refusal``: the ``Host`` header, ``..`` and encoded separators, a body over the
upload limit), the same headers on every answer, the same refusal of writes from another site
(``origin_refusal``). What differs is who is let in:

- everyone is let through to the app, which asks ``nums.policy`` about each row: a request with
  the session cookie of a live session is that person (``sessions.person_for``), any other is
  ``policy.ANONYMOUS`` (``request.state.person``, CONTRACT 2);
- the cookie is ``HttpOnly; SameSite=Lax; Path=/``, and ``Secure`` (with the ``__Host-`` name,
  which a browser keeps only from a secure page, for this host alone) when the public address
  is https;
- every write made on the strength of the cookie brings the session's CSRF token
  (``sessions.csrf_token``): the ``X-CSRF-Token`` header (JSON clients), the ``csrf`` query
  parameter (the existing forms' actions), or the ``csrf`` field of a urlencoded form;
- the ``Host`` must be the public address's (site.toml ``[site] address``);
- ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from the proxies listed in
  ``[site] trusted_proxies`` (none by default): the client's address is what the sign-in
  throttle counts, so a header anyone can send must not choose it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from nums import policy
from nums.site import sessions
from nums.site.folder import OpenSite
from nums.web.security import (
    CSRF_MISSING,
    FORM_OVERHEAD,
    SAFE_METHODS,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    cookie_of,
    headers_of,
    origin_refusal,
    pass_on,
    plain,
    request_refusal,
)
from nums.web.work import quick

FORM_TYPE = "application/x-www-form-urlencoded"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SessionCookie:
    """The session cookie's name and attributes, one place for the middleware (which reads it)
    and the session API (which sets and clears it)."""

    secure: bool

    @property
    def name(self) -> str:
        return "__Host-nums_session" if self.secure else "nums_session"

    def _attributes(self) -> str:
        return "HttpOnly; SameSite=Lax; Path=/" + ("; Secure" if self.secure else "")

    def set(self, session_id: str) -> str:
        """The ``Set-Cookie`` value that holds a new session: no Max-Age, so it ends with the
        browser; the server's idle and absolute lifetimes end it sooner."""
        return f"{self.name}={session_id}; {self._attributes()}"

    def clear(self) -> str:
        return f"{self.name}=; Max-Age=0; {self._attributes()}"


def site_hosts(address: str) -> frozenset[str]:
    """The ``Host`` headers that name the public address: its host, with its port, or with and
    without the scheme's default port."""
    parts = urlsplit(address)
    host = (parts.hostname or "").lower()
    if parts.port is not None:
        return frozenset({f"{host}:{parts.port}"})
    default = 443 if parts.scheme == "https" else 80
    return frozenset({host, f"{host}:{default}"})


def trusted_networks(items: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> tuple[str | None, bool]:
    """The client's address, and whether it came through a trusted proxy.

    ``X-Forwarded-For`` is read only when the connection is from a trusted proxy, from the
    right (each proxy appends the address it was reached from): the first address that is not
    a trusted proxy's is the client's. A header from anyone else is ignored."""
    if peer is None or not _within(peer, trusted) or not forwarded_for:
        return peer, False
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return (hop if _is_address(hop) else peer), True
    return (hops[0] if hops and _is_address(hops[0]) else peer), True


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _within(address: str, networks: Sequence[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


@dataclass(frozen=True)
class SiteGuard:
    """What the site's middleware checks against, fixed when the site starts."""

    hosts: frozenset[str]
    max_upload: int
    secret: bytes
    cookie: SessionCookie
    trusted: tuple[Network, ...] = ()

    @classmethod
    def for_site(cls, site: OpenSite, max_upload: int) -> SiteGuard:
        settings = site.settings
        return cls(
            hosts=site_hosts(settings.site.address),
            max_upload=max_upload,
            secret=sessions.read_secret(site.folder),
            cookie=SessionCookie(settings.secure_cookies),
            trusted=trusted_networks(settings.site.trusted_proxies),
        )


def _who(site: OpenSite, session_id: str) -> policy.Person | None:
    """The signed-in person of a session id, as the policy sees them; None for no live session."""
    with site.engine.begin() as connection:  # a plain connection: nothing here queues mail or jobs
        return sessions.policy_person_for(connection, session_id)


class SiteMiddleware:
    def __init__(self, app: ASGIApp, guard: SiteGuard, site: OpenSite) -> None:
        self.app = app
        self.guard = guard
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = headers_of(scope)
        self._forwarded(scope, headers)
        refusal = request_refusal(
            scope, headers, self.guard.hosts, self.guard.max_upload, "the site's public address"
        )
        if refusal is not None:
            await plain(send, *refusal)
            return
        session_id = cookie_of(headers, self.guard.cookie.name)
        person = await quick(_who, self.site, session_id) if session_id else None
        if scope["method"] not in SAFE_METHODS:
            refusal = origin_refusal(headers, self.guard.hosts)
            if refusal is None and person is not None:
                offered, receive = await self._offered_csrf(scope, headers, receive)
                if not sessions.csrf_ok(self.guard.secret, session_id or "", offered):
                    refusal = 403, CSRF_MISSING
            if refusal is not None:
                await plain(send, *refusal)
                return
        state = scope.setdefault("state", {})
        state["person"] = person or policy.ANONYMOUS
        state["session_id"] = session_id if person is not None else None
        state["csrf"] = sessions.csrf_token(self.guard.secret, session_id) if person and session_id else ""
        await pass_on(self.app, scope, receive, send, self.guard.hosts, self.guard.max_upload)

    def _forwarded(self, scope: Scope, headers: dict[str, str]) -> None:
        """Believe the trusted proxy about the client's address and scheme."""
        peer = scope.get("client")
        address, proxied = client_address(
            peer[0] if peer else None, headers.get("x-forwarded-for"), self.guard.trusted
        )
        if not proxied:
            return
        scope["client"] = (address, 0)
        proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in {"http", "https"}:
            scope["scheme"] = proto

    async def _offered_csrf(
        self, scope: Scope, headers: dict[str, str], receive: Receive
    ) -> tuple[str | None, Receive]:
        """The CSRF token a write brings (header, query, or a urlencoded form's ``csrf`` field),
        and the ``receive`` to hand on (a form read here is replayed to the app)."""
        offered = headers.get("x-csrf-token")
        if offered:
            return offered, receive
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if query.get("csrf"):
            return query["csrf"], receive
        if headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
            return None, receive
        body, replay = await _read_body(receive, FORM_OVERHEAD)
        if body is None:
            return None, replay
        fields = dict(parse_qsl(body.decode("latin-1")))
        return fields.get("csrf"), replay


async def _read_body(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """A whole (small) body, and a ``receive`` that gives it again; None past ``limit``."""
    parts: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None, _replaying([message])
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None, _replaying([{"type": "http.request", "body": b"", "more_body": False}])
        parts.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(parts)
    return body, _replaying([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replaying(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return replay


def session_cookie(request: Any) -> SessionCookie:
    """The running site's session cookie (set by ``create_site_app``)."""
    return request.app.state.session_cookie
