"""Who may talk to the local server, and what the browser may do with its pages.

A server on 127.0.0.1 is still reachable by every web page the person has
open (through their browser) and by every user of the machine. So:

- every request needs the start-up token: once in the address (``?token=``,
  swapped for an HttpOnly, SameSite=Strict cookie and a redirect that drops it
  from the address bar), then the cookie, or ``Authorization: Bearer``;
  tokens are compared in constant time;
- the ``Host`` header must name the address served, which defeats DNS
  rebinding (a hostile name pointed at 127.0.0.1);
- a change made on the strength of the cookie also needs the CSRF token (a
  ``csrf`` query parameter or an ``X-CSRF-Token`` header), and a request from
  another origin is refused;
- paths with ``..`` or encoded separators are 404 before any route sees them;
- bodies over the upload limit are 413 before they are read;
- every response carries a strict Content-Security-Policy (no inline script,
  no framing), ``Referrer-Policy: no-referrer`` and ``nosniff``;
- every redirect is a path on this site (``same_site_location``): ``//host``,
  ``/\\host``, a scheme or another host never reaches a ``Location`` header.

Written as plain ASGI middleware: it runs on every request, so it stays cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from nums.policy import LOCAL_PERSON

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_OVERHEAD = 1024 * 1024  # room for the form fields that travel with an upload
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_ENCODED_SEPARATORS = (b"%2f", b"%5c", b"%2e", b"%00")


def new_token() -> str:
    """A fresh random token: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


@dataclass
class Guard:
    """What the middleware checks against, fixed when the server starts."""

    token: str
    hosts: frozenset[str]  # "127.0.0.1:8765", "localhost:8765", ...
    max_upload: int
    cookie_name: str = "nums_token"
    csrf: str = field(init=False)

    def __post_init__(self) -> None:
        self.csrf = hmac.new(self.token.encode(), b"nums csrf", hashlib.sha256).hexdigest()

    def token_matches(self, offered: str | None) -> bool:
        return offered is not None and hmac.compare_digest(offered.encode(), self.token.encode())

    def csrf_matches(self, offered: str | None) -> bool:
        return offered is not None and hmac.compare_digest(offered.encode(), self.csrf.encode())


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers that name this server: the address bound, and localhost for loopback."""
    names = {host}
    if host in {"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"}:
        names |= {"127.0.0.1", "localhost", "[::1]"}
    if host in {"0.0.0.0", "::"}:  # every address of this machine: its names and addresses
        names |= _machine_names()
    if ":" in host and not host.startswith("["):
        names.add(f"[{host}]")
    return frozenset(f"{name}:{port}" for name in names)


def _machine_names() -> set[str]:
    import socket

    names = {socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):
        names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    return {name.lower() for name in names if name}


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = headers_of(scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await plain(send, *refusal)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query and scope["method"] in SAFE_METHODS:
            await self._swap_token_for_cookie(scope, query, send)
            return
        by_cookie = False
        if not self._bearer_ok(headers):
            if not self.guard.token_matches(cookie_of(headers, self.guard.cookie_name)):
                await plain(send, 401, "This address needs its token: open the link `nums serve` printed.")
                return
            by_cookie = True
        if scope["method"] not in SAFE_METHODS:
            refusal = self._write_refusal(headers, query, by_cookie)
            if refusal is not None:
                await plain(send, *refusal)
                return
        state = scope.setdefault("state", {})
        state["csrf"] = self.guard.csrf
        state["person"] = LOCAL_PERSON
        await pass_on(self.app, scope, receive, send, self.guard.hosts, self.guard.max_upload)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        return request_refusal(
            scope, headers, self.guard.hosts, self.guard.max_upload, "the address `nums serve` printed"
        )

    def _bearer_ok(self, headers: dict[str, str]) -> bool:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.guard.token_matches(value.strip())

    def _write_refusal(
        self, headers: dict[str, str], query: dict[str, str], by_cookie: bool
    ) -> tuple[int, str] | None:
        refusal = origin_refusal(headers, self.guard.hosts)
        if refusal is not None:
            return refusal
        if by_cookie and not self.guard.csrf_matches(headers.get("x-csrf-token") or query.get("csrf")):
            return 403, CSRF_MISSING
        return None

    async def _swap_token_for_cookie(self, scope: Scope, query: dict[str, str], send: Send) -> None:
        if not self.guard.token_matches(query.get("token")):
            await plain(send, 401, "This token is not the one `nums serve` printed for this start.")
            return
        rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
        location = same_site_path(scope["path"]) + (f"?{rest}" if rest else "")
        cookie = f"{self.guard.cookie_name}={self.guard.token}; HttpOnly; SameSite=Strict; Path=/"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode()),
                    (b"set-cookie", cookie.encode()),
                    (b"cache-control", b"no-store"),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


# --- shared with the site's middleware (web/site_security.py) ---------------------------------


def request_refusal(
    scope: Scope, headers: dict[str, str], hosts: frozenset[str], max_upload: int, address: str
) -> tuple[int, str] | None:
    """What every request is refused for before anything else: a ``Host`` that is not one of
    ``hosts`` (DNS rebinding; ``address`` says which address is), a path with ``..`` or an
    encoded separator, a body declared larger than the upload limit."""
    if headers.get("host", "").lower() not in hosts:
        return 421, f"This server answers only to {address}."
    raw = scope.get("raw_path") or scope["path"].encode()
    lowered = raw.lower()
    if any(mark in lowered for mark in _ENCODED_SEPARATORS) or b"/.." in lowered or b"\\" in lowered:
        return 404, "Not found."
    length = headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > max_upload + FORM_OVERHEAD):
        return 413, f"Too large: a file may be at most {_mib(max_upload)}."
    return None


def origin_refusal(headers: dict[str, str], hosts: frozenset[str]) -> tuple[int, str] | None:
    """A write sent from another site (its ``Origin``, or the browser's ``Sec-Fetch-Site``)."""
    # Browsers send Sec-Fetch-Site; Origin is "null" for our own posts under no-referrer.
    origin = headers.get("origin")
    cross_origin = origin not in {None, "null"} and origin.split("://", 1)[-1].lower() not in hosts
    if cross_origin or headers.get("sec-fetch-site") in {"cross-site", "same-site"}:
        return 403, "Refused: the request came from another site."
    return None


async def pass_on(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, hosts: frozenset[str], max_upload: int
) -> None:
    """Hand an accepted request to the app: its body held to the upload limit, every answer
    with the security headers and a same-site ``Location``."""
    await app(scope, _limited(receive, max_upload + FORM_OVERHEAD), _with_headers(send, hosts))


CSRF_MISSING = "Refused: the form is missing its security code. Reload the page and try again."


_PATH_SAFE = "/:@!$&'()*+,;=-._~"  # RFC 3986 path characters; everything else is escaped


def same_site_path(path: str, encoded: bool = False) -> str:
    """``path`` as a Location that a browser can only read as a path on this site.

    Built from the path alone, every character outside RFC 3986's path set escaped
    (so a backslash, a tab or a line break cannot be read as a separator, as browsers
    do), then with one leading ``/``: ``//evil.example/`` would be another host.
    ``encoded`` keeps the ``%XX`` escapes a path already has.
    """
    return "/" + quote(path, safe=_PATH_SAFE + ("%" if encoded else "")).lstrip("/")


def same_site_location(location: str, hosts: frozenset[str]) -> str:
    """Any redirect the app answers with, as a same-site path: an address naming this server
    keeps its path and query; one naming any other host goes to the home page."""
    parts = urlsplit(location)
    if parts.netloc and parts.netloc.lower() not in hosts:
        return "/"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return same_site_path(parts.path, encoded=True) + query + fragment


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a body without a length runs past the limit."""


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise BodyTooLarge()
        return message

    return wrapped


def _with_headers(send: Send, hosts: frozenset[str]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [
                (name, same_site_location(value.decode("latin-1"), hosts).encode())
                if name.lower() == b"location"
                else (name, value)
                for name, value in message.get("headers", [])
            ]
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
            message["headers"] = [*message.get("headers", []), *extra]
            if b"cache-control" not in present:
                message["headers"].append((b"cache-control", b"no-store"))
        await send(message)

    return wrapped


def headers_of(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


def cookie_of(headers: dict[str, str], name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is simply no cookie
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


async def plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
