"""The site's web security, each point of issue 22 "Signing in, done as the best sites do" as the
browser and an API client meet it: throttling, session fixation, sign-out everywhere, CSRF,
the Host header, forwarded addresses, the cookie's attributes, and one institution reading
another's programme by any address (its id, an evidence path, the pack, the review, the letter).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.testclient import TestClient

from nums.site import accounts, sessions
from nums.site import db as tables
from nums.site.folder import OpenSite, open_site
from nums.web import session_api
from nums.web.app import create_site_app
from nums.web.site_security import client_address, site_hosts, trusted_networks
from tests import site_support
from tests.site_support import (
    LONG_ENOUGH,
    SITE_ADDRESS,
    add_institution,
    add_person,
    add_programme,
    make_site,
)

quick_hashes = site_support.quick_hashes  # every password here is hashed quickly

OWN, OTHER = "northfield", "southgate"
CORA, SAM = f"cora@{OWN}.test", f"sam@{OTHER}.test"
SECRET_TEXT = "First-Year Peer Mentoring"  # the example's title: must never reach the other institution


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[OpenSite]:
    opened = open_site(make_site(tmp_path / "site"))
    add_institution(opened, OWN, "Northfield University")
    add_institution(opened, OTHER, "Southgate University")
    add_person(opened, CORA, "coordinator", OWN, "peer-mentoring")
    add_person(opened, SAM, "coordinator", OTHER, "peer-mentoring")
    add_person(opened, f"lee@{OTHER}.test", "lead", OTHER)
    for institution in (OWN, OTHER):
        add_programme(opened, f"{institution}/peer-mentoring")
    yield opened
    opened.engine.dispose()


def site_client(site: OpenSite, **options: Any) -> TestClient:
    app = create_site_app(site, submitted=lambda programme_id: True, **options)
    return TestClient(app, base_url=SITE_ADDRESS, follow_redirects=False)


def sign_in(client: TestClient, email: str, password: str = LONG_ENOUGH) -> dict[str, str]:
    """Sign in by the API; the headers a write then needs (the CSRF token)."""
    answer = client.post("/api/session", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def cookie_name(client: TestClient) -> str:
    return client.app.state.session_cookie.name


# --- signing in ------------------------------------------------------------------------------


def test_sign_in_answers_who_and_a_session_cookie(site: OpenSite) -> None:
    """ "POST /api/session with {"email", "password"} gives 200 and a session cookie"; GET /api/me
    "gives {email, name, roles, institution}"; the cookie is HttpOnly, SameSite, Path=/."""
    client = site_client(site)
    answer = client.post("/api/session", json={"email": CORA.upper(), "password": LONG_ENOUGH})
    assert answer.status_code == 200
    body = answer.json()
    assert {k: body[k] for k in ("email", "name", "roles", "institution")} == client.get("/api/me").json()
    assert body["roles"] == ["coordinator"] and body["institution"] == OWN and len(body["csrf"]) == 64
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("nums_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie  # the address is http://
    assert LONG_ENOUGH not in answer.text


def test_over_https_the_cookie_is_secure_and_host_only(tmp_path: Path) -> None:
    """ "a random id in an HttpOnly, SameSite cookie (Secure when the public address is https)"."""
    opened = open_site(make_site(tmp_path / "secure", address="https://nums.test"))
    client = TestClient(create_site_app(opened), base_url="https://nums.test", follow_redirects=False)
    answer = client.post("/api/session", json={"email": "admin@scheme.test", "password": LONG_ENOUGH})
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-nums_session=") and "; Secure" in cookie and "Domain" not in cookie
    assert client.get("/api/me").status_code == 200
    opened.engine.dispose()


def test_a_wrong_password_and_an_unknown_account_get_the_same_plain_401(site: OpenSite) -> None:
    """ "401 with a plain message otherwise"; "the message never says whether the account exists"."""
    client = site_client(site)
    wrong = client.post("/api/session", json={"email": CORA, "password": "not the password at all"})
    unknown = client.post("/api/session", json={"email": "nobody@x.test", "password": LONG_ENOUGH})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": accounts.BAD_SIGN_IN}
    assert "set-cookie" not in wrong.headers and client.get("/api/me").status_code == 401
    assert client.post("/api/session", json={"email": CORA}).status_code == 422
    assert client.post("/api/session", content=b"not json").status_code == 422


def test_failures_are_throttled_with_retry_after_known_account_or_not(site: OpenSite) -> None:
    """ "Sign-in failures slowed per account and per address (a few tries, then growing delays)":
    past the free tries, 429 with Retry-After, and the right password waits too; an address that
    is no account is slowed the same way, with the same words."""
    client = site_client(site)
    for email in (CORA, "nobody@x.test"):
        answers = [
            client.post("/api/session", json={"email": email, "password": "wrong password, again"})
            for _ in range(accounts.FREE_TRIES_PER_ACCOUNT)
        ]
        assert [a.status_code for a in answers] == [401] * accounts.FREE_TRIES_PER_ACCOUNT
        throttled = client.post("/api/session", json={"email": email, "password": LONG_ENOUGH})
        assert throttled.status_code == 429
        wait = int(throttled.headers["retry-after"])
        assert 1 <= wait <= 2 * accounts.FIRST_DELAY.total_seconds()
        assert throttled.json() == {"error": f"too many tries: wait {wait} seconds, then try again"}
        assert "set-cookie" not in throttled.headers


def test_a_planted_session_id_is_never_the_one_signed_in(site: OpenSite) -> None:
    """ "a new id at every sign-in": a cookie set before sign-in (by an attacker, on a shared
    computer) is not the session that is signed in, and stays nobody's."""
    client = site_client(site)
    planted = "attacker-chosen-session-id-0123456789"
    client.cookies.set(cookie_name(client), planted)
    answer = client.post("/api/session", json={"email": CORA, "password": LONG_ENOUGH})
    new_id = answer.cookies[cookie_name(client)]
    assert new_id != planted
    attacker = site_client(site)
    attacker.cookies.set(cookie_name(attacker), planted)
    assert attacker.get("/api/me").status_code == 401
    assert client.get("/api/me").json()["email"] == CORA


def test_signing_in_again_ends_the_session_the_browser_had(site: OpenSite) -> None:
    client = site_client(site)
    headers = sign_in(client, CORA)
    first = client.cookies[cookie_name(client)]
    again = client.post("/api/session", json={"email": CORA, "password": LONG_ENOUGH})
    assert again.status_code == 403  # signed in, a sign-in is a cookie write like any other
    again = client.post("/api/session", json={"email": CORA, "password": LONG_ENOUGH}, headers=headers)
    assert again.status_code == 200 and client.cookies[cookie_name(client)] != first
    stale = site_client(site)
    stale.cookies.set(cookie_name(stale), first)
    assert stale.get("/api/me").status_code == 401


def test_sign_out_ends_the_session_and_needs_its_csrf_token(site: OpenSite) -> None:
    """ "DELETE /api/session signs out"; a sign-out is a write, so another site cannot force it."""
    client = site_client(site)
    headers = sign_in(client, CORA)
    kept = client.cookies[cookie_name(client)]
    assert client.delete("/api/session").status_code == 403
    answer = client.delete("/api/session", headers=headers)
    assert answer.status_code == 204 and "Max-Age=0" in answer.headers["set-cookie"]
    again = site_client(site)
    again.cookies.set(cookie_name(again), kept)
    assert again.get("/api/me").status_code == 401


def _sessions_of(site: OpenSite, email: str, count: int) -> list[str]:
    with site.transaction() as db:
        person = accounts.find_person(db, email)
        assert person is not None
        return [sessions.start(db, person.id) for _ in range(count)]


def _me(site: OpenSite, session_id: str) -> int:
    client = site_client(site)
    client.cookies.set(cookie_name(client), session_id)
    return client.get("/api/me").status_code


def test_a_password_change_signs_out_everywhere_else(site: OpenSite) -> None:
    """ "sign-out everywhere when a password changes": every other browser is signed out."""
    here, laptop, phone = _sessions_of(site, CORA, 3)
    with site.transaction() as db:
        person = accounts.find_person(db, CORA)
        assert person is not None
        accounts.change_password(db, person, LONG_ENOUGH, "another long passphrase", keep_session=here)
    assert [_me(site, s) for s in (here, laptop, phone)] == [200, 401, 401]


def test_a_reset_or_a_disabled_account_signs_out_everywhere(site: OpenSite) -> None:
    """ "... or an account is disabled"; a reset by mailed link ends every session too."""
    first, second = _sessions_of(site, CORA, 2)
    with site.transaction() as db:
        _, token = accounts.request_reset(db, CORA) or (None, "")
        accounts.reset_password(db, token, "a brand new passphrase")
    assert [_me(site, s) for s in (first, second)] == [401, 401]
    (again,) = _sessions_of(site, CORA, 1)
    assert _me(site, again) == 200
    with site.transaction() as db:
        accounts.disable(db, CORA)
    assert _me(site, again) == 401
    refused = site_client(site).post(
        "/api/session", json={"email": CORA, "password": "a brand new passphrase"}
    )
    assert refused.status_code == 401


def test_an_idle_session_is_over(site: OpenSite) -> None:
    """ "an idle and an absolute lifetime": a session unused past the idle lifetime is nobody's."""
    (session_id,) = _sessions_of(site, CORA, 1)
    with site.transaction() as db:
        row = db.get(tables.SignInSession, sessions.digest(session_id))
        assert row is not None
        row.last_seen = tables.now() - sessions.IDLE_LIFETIME - sessions.TOUCH_INTERVAL
    assert _me(site, session_id) == 401


def test_argon2_checks_are_capped_per_worker(site: OpenSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """``session_api.ARGON2_AT_ONCE``: a burst of sign-ins runs that many password checks at once,
    the rest wait their turn (and all succeed)."""
    running, most = 0, 0
    lock = threading.Lock()

    class Watched(PasswordHasher):
        """The quick hasher, counting the checks running at once (each made to take 50 ms)."""

        def verify(self, hashed: str | bytes, password: str | bytes) -> bool:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05)
            try:
                return super().verify(hashed, password)
            finally:
                with lock:
                    running -= 1

    monkeypatch.setattr(accounts, "HASHER", Watched(time_cost=1, memory_cost=64, parallelism=1))
    with site.transaction() as db:  # a hash of the watched hasher's parameters: no rehash at sign-in
        person = accounts.find_person(db, CORA)
        assert person is not None
        person.password_hash = accounts.HASHER.hash(LONG_ENOUGH)
    app = create_site_app(site)
    statuses: list[int] = []

    def one() -> None:
        client = TestClient(app, base_url=SITE_ADDRESS)
        statuses.append(
            client.post("/api/session", json={"email": CORA, "password": LONG_ENOUGH}).status_code
        )

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert most == session_api.ARGON2_AT_ONCE


# --- CSRF, Host, origin --------------------------------------------------------------------


def _put_submission(client: TestClient, programme: str, headers: dict[str, str]) -> int:
    current = client.get(f"/api/programmes/{programme}/submission").json()
    body = {"base_sha256": current["sha256"], "submission": current["submission"]}
    return client.put(f"/api/programmes/{programme}/submission", json=body, headers=headers).status_code


def test_a_cookie_write_without_its_csrf_token_is_refused(site: OpenSite) -> None:
    """ "CSRF protection on every form and cookie-authenticated write": missing, wrong, or another
    session's token is 403 and nothing is written; the session's own is accepted."""
    client = site_client(site)
    headers = sign_in(client, CORA)
    other = site_client(site)
    others = sign_in(other, CORA)
    programme = f"{OWN}/peer-mentoring"
    before = (site.workspace / programme / "submission.yaml").read_bytes()
    assert _put_submission(client, programme, {}) == 403
    assert _put_submission(client, programme, {"X-CSRF-Token": "0" * 64}) == 403
    assert _put_submission(client, programme, others) == 403
    assert (site.workspace / programme / "submission.yaml").read_bytes() == before
    assert _put_submission(client, programme, headers) == 200


def test_a_form_brings_its_token_as_a_field_or_in_its_action(site: OpenSite) -> None:
    """CONTRACT 4: "every form carries request.state.csrf (hidden field csrf)"; the existing
    forms put it in their action's query. Both are accepted, and the form reaches the page whole."""
    client = site_client(site)
    token = sign_in(client, "admin@scheme.test")["X-CSRF-Token"]
    made = client.post("/new", data={"folder": f"{OWN}/buddy-scheme", "csrf": token})
    assert made.status_code == 303 and made.headers["location"].startswith(f"/p/{OWN}/buddy-scheme")
    made = client.post(f"/new?csrf={token}", data={"folder": f"{OWN}/second-scheme"})
    assert made.status_code == 303
    assert client.post("/new", data={"folder": f"{OWN}/third", "csrf": "wrong"}).status_code == 403
    assert not (site.workspace / OWN / "third").exists()


def test_a_write_from_another_site_is_refused_even_with_the_token(site: OpenSite) -> None:
    client = site_client(site)
    headers = sign_in(client, CORA)
    programme = f"{OWN}/peer-mentoring"
    assert _put_submission(client, programme, {**headers, "Origin": "https://evil.example"}) == 403
    assert _put_submission(client, programme, {**headers, "Sec-Fetch-Site": "cross-site"}) == 403


@pytest.mark.parametrize("host", ["evil.example", "nums.test:9999", "localhost:8000", ""])
def test_the_host_must_be_the_public_address(site: OpenSite, host: str) -> None:
    """DNS rebinding: a request naming another host is refused before anything is read."""
    client = site_client(site)
    sign_in(client, CORA)
    answer = client.get("/api/me", headers={"Host": host})
    assert answer.status_code == 421 and CORA not in answer.text


def test_public_address_hosts() -> None:
    assert site_hosts("https://nums.example.org") == {"nums.example.org", "nums.example.org:443"}
    assert site_hosts("http://Nums.Test:8000/") == {"nums.test:8000"}


def test_the_security_headers_of_nums_serve_are_sent(site: OpenSite) -> None:
    """ "the security headers nums serve sends": the CSP, no framing, no referrer, no caching."""
    answer = site_client(site).get("/api/me")
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY" and answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"


# --- forwarded addresses -------------------------------------------------------------------


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    """The address the throttle counts: a header anyone can send never chooses it."""
    trusted = trusted_networks(["127.0.0.1", "10.0.0.0/8"])
    assert client_address("203.0.113.9", "198.51.100.1", trusted) == ("203.0.113.9", False)
    assert client_address("127.0.0.1", "198.51.100.1", trusted) == ("198.51.100.1", True)
    # a client's own X-Forwarded-For is passed on by the proxy, which appends the real address
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.5", trusted) == ("198.51.100.1", True)
    assert client_address("127.0.0.1", "not-an-address", trusted) == ("127.0.0.1", True)
    assert client_address("127.0.0.1", "198.51.100.1", ()) == ("127.0.0.1", False)


def _from(app: Starlette, peer: str) -> TestClient:
    """A client whose connection comes from ``peer`` (as a proxy's would)."""

    async def shim(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (peer, 40000)}
        await app(scope, receive, send)

    return TestClient(shim, base_url=SITE_ADDRESS, follow_redirects=False)


def _trusting(site: OpenSite, proxies: list[str]) -> OpenSite:
    settings = site.settings.model_copy(
        update={"site": site.settings.site.model_copy(update={"trusted_proxies": tuple(proxies)})}
    )
    return OpenSite(site.folder, settings, site.engine)


def _fail_until_throttled(client: TestClient, forwarded: str, tries: int) -> list[int]:
    statuses = []
    for number in range(tries):
        answer = client.post(
            "/api/session",
            json={"email": f"guess{number}@x.test", "password": "wrong password, again"},
            headers={"X-Forwarded-For": forwarded},
        )
        statuses.append(answer.status_code)
    return statuses


def test_the_throttle_counts_the_address_the_trusted_proxy_names(site: OpenSite) -> None:
    """Behind a trusted proxy, one guesser (many accounts, one address) is slowed, and a
    colleague behind the same proxy is not; from an untrusted peer the header is ignored."""
    proxied = _from(create_site_app(_trusting(site, ["127.0.0.1"])), "127.0.0.1")
    tries = accounts.FREE_TRIES_PER_ADDRESS
    assert _fail_until_throttled(proxied, "198.51.100.7", tries) == [401] * tries
    assert (
        proxied.post(
            "/api/session",
            json={"email": CORA, "password": LONG_ENOUGH},
            headers={"X-Forwarded-For": "198.51.100.7"},
        ).status_code
        == 429
    )
    colleague = proxied.post(
        "/api/session",
        json={"email": CORA, "password": LONG_ENOUGH},
        headers={"X-Forwarded-For": "198.51.100.8"},
    )
    assert colleague.status_code == 200
    direct = _from(create_site_app(site), "203.0.113.50")
    assert _fail_until_throttled(direct, "198.51.100.99", tries) == [401] * tries
    spoofed = direct.post(
        "/api/session", json={"email": SAM, "password": LONG_ENOUGH}, headers={"X-Forwarded-For": "192.0.2.1"}
    )
    assert spoofed.status_code == 429  # the guesser's own address, whatever the header says


# --- one institution reading another's -----------------------------------------------------

OTHERS = f"{OTHER}/peer-mentoring"
ADDRESSES = [
    f"/p/{OTHERS}",
    f"/api/programmes/{OTHERS}/submission",
    f"/api/programmes/{OTHERS}/assessment",
    f"/p/{OTHERS}/files/evidence/mentor-training.md",
    f"/api/programmes/{OTHERS}/files/evidence/mentor-training.md",
    f"/p/{OTHERS}/pack.pdf",
    f"/p/{OTHERS}/pack.html",
    f"/api/programmes/{OTHERS}/pack.pdf",
    f"/p/{OTHERS}/review",
    f"/api/programmes/{OTHERS}/review",
    f"/api/programmes/{OTHERS}/outcome",
    f"/p/{OTHERS}/review/letter.pdf",
    f"/p/{OTHERS}/review/files/evidence/mentor-training.md",
    f"/api/programmes/{OTHERS}/review/files/evidence/mentor-training.md",
    f"/p/{OWN}/peer-mentoring/review/files/../../../../{OTHERS}/evidence/mentor-training.md",
    f"/api/programmes/{OTHERS}/letter.pdf",
    f"/p/{OTHERS}/no-such-page",
    f"/p/{OWN}/peer-mentoring/files/../../../{OTHERS}/submission.yaml",
    f"/p/{OWN}/peer-mentoring/files/%2e%2e/%2e%2e/{OTHERS}/submission.yaml",
    f"/p/{OWN}/..%2f{OTHER}/peer-mentoring",
]


@pytest.mark.parametrize("path", ADDRESSES)
def test_one_institution_cannot_read_another_s_programme(site: OpenSite, path: str) -> None:
    """ "a coordinator of another institution cannot see it, by any page or API address": by its
    id, by an evidence path, by its pack, its review and its letter, by a path that climbs out of
    one's own; always the same 404 as for a programme that does not exist, with nothing of it."""
    client = site_client(site)
    sign_in(client, CORA)
    answer = client.get(path)
    assert answer.status_code == 404
    assert SECRET_TEXT not in answer.text and "Southgate" not in answer.text
    nothing = client.get(path.replace(OTHER, "nowhere"))
    assert nothing.status_code == 404
    if path.startswith("/api/"):
        assert answer.json() == nothing.json()


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_one_institution_cannot_write_to_another_s_programme(site: OpenSite, method: str) -> None:
    """Nor change it: a write to another institution's programme, token and all, is a 404 and
    nothing changes on disk."""
    client = site_client(site)
    headers = sign_in(client, CORA)
    before = (site.workspace / OTHERS / "submission.yaml").read_bytes()
    if method == "PUT":
        answer = client.put(f"/api/programmes/{OTHERS}/submission", json={"submission": {}}, headers=headers)
    else:
        answer = client.post(f"/p/{OTHERS}/save", data={"x": "1"}, headers=headers)
    upload = client.post(
        f"/api/programmes/{OTHERS}/evidence", files={"file": ("x.txt", b"x", "text/plain")}, headers=headers
    )
    assert answer.status_code == upload.status_code == 404
    assert (site.workspace / OTHERS / "submission.yaml").read_bytes() == before
    assert not (site.workspace / OTHERS / "evidence" / "x.txt").exists()


def test_someone_not_signed_in_is_sent_to_sign_in_and_back(site: OpenSite) -> None:
    """CONTRACT 5: a page: 303 to /sign-in?next=PATH; an API address: 401 "sign in first"."""
    client = site_client(site)
    page = client.get(f"/p/{OWN}/peer-mentoring?x=1")
    assert page.status_code == 303
    assert page.headers["location"] == f"/sign-in?next=%2Fp%2F{OWN}%2Fpeer-mentoring%3Fx%3D1"
    assert client.get("/api/programmes").json() == {"error": "sign in first"}
    assert client.get("/api/programmes").status_code == 401
