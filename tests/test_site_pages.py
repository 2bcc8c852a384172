"""The site's pages for people (issue 22), through Starlette's TestClient on a real site folder,
mail through a real SMTP server (aiosmtpd): signing in as the best sites do ("the message never
says whether the account exists", "a new id at every sign-in"), one-time links ("expiring in a
day, used once"), "an institution's lead can ask for an account, and an admin approves it", the
admin's "accounts, roles, institutions, assignments", and the lead who "invites coordinators of
that institution". Every form works with JavaScript off: these are plain posts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from starlette.testclient import TestClient

from nums.site import accounts
from nums.site import db as tables
from nums.site.folder import OpenSite
from nums.starting import start_in_workspace
from nums.web.app import create_site_app
from nums.workspace import Workspace
from tests import site_support, test_site_mail
from tests.site_support import ADMIN_EMAIL, LONG_ENOUGH, SITE_ADDRESS, open_mailing_site

quick_hashes, inbox = site_support.quick_hashes, test_site_mail.inbox
Inbox = test_site_mail.Inbox
NEW_PASSWORD = "a different long passphrase"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture()
def site(tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[OpenSite]:
    opened = open_mailing_site(tmp_path / "site", smtp_port=inbox[1])
    site_support.add_institution(opened, "northfield", "Northfield University")
    site_support.add_institution(opened, "southgate", "Southgate University")
    site_support.add_person(opened, "lee@northfield.ac.uk", "lead", "northfield")
    site_support.add_person(opened, "sam@southgate.ac.uk", "lead", "southgate")
    start_in_workspace(Workspace(opened.workspace), "northfield/peer-mentoring")
    start_in_workspace(Workspace(opened.workspace), "southgate/buddies")
    yield opened
    opened.engine.dispose()


def client_of(site: OpenSite) -> TestClient:
    return TestClient(create_site_app(site, submitted=lambda programme_id: False), base_url=SITE_ADDRESS)


def signed_in(site: OpenSite, email: str, password: str = LONG_ENOUGH) -> TestClient:
    client = client_of(site)
    answer = client.post("/sign-in", data={"email": email, "password": password}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(client: TestClient, path: str = "/home") -> str:
    """The token of the page's own forms (in ``main``; the header's sign-out has it too), and
    every form of the page carries that one (CONTRACT 4)."""
    main = client.get(path).text.split("<main", 1)[1]
    tokens = set(CSRF.findall(main)) | set(re.findall(r"[?&](?:amp;)?csrf=([0-9a-f]*)", main))
    assert len(tokens) <= 1 and "" not in tokens, (path, tokens)
    return tokens.pop() if tokens else CSRF.findall(client.get(path).text)[0]


def post(client: TestClient, path: str, data: dict[str, str], page: str = "/home"):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf": csrf_of(client, page)}, follow_redirects=False)


def token_in(message) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"\?token=(\S+)", message.get_content())
    assert found
    return unquote(found.group(1))


# --- signing in and out --------------------------------------------------------------------------


def test_signing_in_leads_home_and_signing_out_ends_the_session(site: OpenSite) -> None:
    client = client_of(site)
    page = client.get("/sign-in")
    assert page.status_code == 200 and "<h1>Sign in</h1>" in page.text
    answer = client.post(
        "/sign-in", data={"email": ADMIN_EMAIL, "password": LONG_ENOUGH}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/home"
    assert "HttpOnly" in answer.headers["set-cookie"] and "SameSite=Lax" in answer.headers["set-cookie"]
    home = client.get("/home")
    assert "Welcome, Ada Admin" in home.text and 'href="/admin/people"' in home.text
    out = post(client, "/sign-out", {})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in?done=out"
    assert client.get("/home", follow_redirects=False).status_code == 303  # to sign in again
    assert "You are signed out." in client.get("/sign-in?done=out").text


def test_a_wrong_password_and_an_unknown_account_get_the_same_words(site: OpenSite) -> None:
    """ "the message never says whether the account exists"."""
    client = client_of(site)
    wrong = client.post("/sign-in", data={"email": ADMIN_EMAIL, "password": "not the right one!"})
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": "not the right one!"})
    assert wrong.status_code == unknown.status_code == 422
    assert accounts.BAD_SIGN_IN in wrong.text and accounts.BAD_SIGN_IN in unknown.text
    assert wrong.text.replace(ADMIN_EMAIL, "X") == unknown.text.replace("nobody@example.org", "X")


def test_the_throttle_says_how_long_to_wait(site: OpenSite) -> None:
    client = client_of(site)
    for _ in range(accounts.FREE_TRIES_PER_ACCOUNT):
        client.post("/sign-in", data={"email": ADMIN_EMAIL, "password": "not the right one!"})
    throttled = client.post("/sign-in", data={"email": ADMIN_EMAIL, "password": LONG_ENOUGH})
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
    assert "too many tries: wait" in throttled.text


def test_every_sign_in_makes_a_new_session_id(site: OpenSite) -> None:
    """ "a new id at every sign-in": a cookie planted before sign-in is not the one signed in."""
    client = client_of(site)
    client.cookies.set("nums_session", "planted-by-someone-else")
    answer = client.post(
        "/sign-in", data={"email": ADMIN_EMAIL, "password": LONG_ENOUGH}, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert cookie and cookie != "planted-by-someone-else"
    again = client.post(
        "/sign-in?next=/account",
        data={"email": ADMIN_EMAIL, "password": LONG_ENOUGH, "csrf": csrf_of(client)},
        follow_redirects=False,
    )
    second = again.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert again.headers["location"] == "/account" and second not in {"", cookie}
    client.cookies.clear()
    client.cookies.set("nums_session", cookie)  # the session the second sign-in replaced is over
    assert client.get("/account", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x=1",
        "/\t/evil.example",
    ],
)
def test_next_is_honoured_only_for_a_path_of_this_site(site: OpenSite, next_path: str) -> None:
    client = client_of(site)
    answer = client.post(
        "/sign-in",
        params={"next": next_path},
        data={"email": ADMIN_EMAIL, "password": LONG_ENOUGH},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/home"


def test_next_leads_back_to_the_page_asked_for(site: OpenSite) -> None:
    client = client_of(site)
    bounced = client.get("/admin/people", follow_redirects=False)
    assert bounced.status_code == 303 and bounced.headers["location"] == "/sign-in?next=%2Fadmin%2Fpeople"
    form = client.get(bounced.headers["location"]).text
    assert 'action="/sign-in?next=/admin/people&amp;csrf=' in form
    answer = client.post(
        "/sign-in?next=%2Fadmin%2Fpeople",
        data={"email": ADMIN_EMAIL, "password": LONG_ENOUGH},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/admin/people"


# --- a forgotten password -----------------------------------------------------------------------


def test_a_forgotten_password_page_says_the_same_whoever_asks(
    site: OpenSite, inbox: tuple[Inbox, int]
) -> None:
    received, _ = inbox
    client = client_of(site)
    known = client.post("/account/forgot", data={"email": ADMIN_EMAIL})
    unknown = client.post("/account/forgot", data={"email": "nobody@example.org"})
    assert known.text.replace(ADMIN_EMAIL, "X") == unknown.text.replace("nobody@example.org", "X")
    [message] = received.messages
    token = token_in(message)
    page = client.get("/account/reset", params={"token": token})
    assert page.status_code == 200 and ADMIN_EMAIL in page.text
    short = client.post("/account/reset", data={"token": token, "password": "short"})
    assert short.status_code == 422 and "must be at least 12 characters long" in short.text
    done = client.post(
        "/account/reset", data={"token": token, "password": NEW_PASSWORD}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/sign-in?done=reset"
    reused = client.post("/account/reset", data={"token": token, "password": "yet another long one"})
    assert reused.status_code == 410 and accounts.BAD_LINK in reused.text
    assert client.get("/account/reset", params={"token": token}).status_code == 410
    signed_in(site, ADMIN_EMAIL, NEW_PASSWORD)


# --- invitations --------------------------------------------------------------------------------


def test_an_admin_invites_and_the_invitation_is_used_once(site: OpenSite, inbox: tuple[Inbox, int]) -> None:
    received, _ = inbox
    admin = signed_in(site, ADMIN_EMAIL)
    answer = post(
        admin,
        "/admin/people/invite",
        {"name": "Asa", "email": "asa@scheme.org", "role": "assessor", "institution": "", "programme": ""},
        "/admin/people",
    )
    assert answer.status_code == 200 and "The invitation is on its way to asa@scheme.org" in answer.text
    token = token_in(received.messages[-1])
    guest = client_of(site)
    page = guest.get("/account/invitation", params={"token": token})
    assert "Welcome, Asa" in page.text and 'name="name"' in page.text
    accepted = guest.post(
        "/account/invitation",
        data={"token": token, "name": "Asa Berg", "password": LONG_ENOUGH},
        follow_redirects=False,
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == "/home?done=welcome"
    home = guest.get("/home?done=welcome")
    assert "Welcome, Asa Berg" in home.text and "Your password is set and you are signed in." in home.text
    again = client_of(site).post("/account/invitation", data={"token": token, "password": LONG_ENOUGH})
    assert again.status_code == 410 and accounts.BAD_LINK in again.text


def test_an_expired_invitation_is_refused(site: OpenSite, inbox: tuple[Inbox, int]) -> None:
    """ "expiring in a day"."""
    received, _ = inbox
    admin = signed_in(site, ADMIN_EMAIL)
    post(
        admin,
        "/admin/people/invite",
        {"name": "Fin", "email": "fin@scheme.org", "role": "finance"},
        "/admin/people",
    )
    token = token_in(received.messages[-1])
    with site.transaction() as db:
        for row in db.query(tables.OneTimeToken):
            row.expires = row.created + timedelta(days=1) - timedelta(days=2)
    guest = client_of(site)
    assert guest.get("/account/invitation", params={"token": token}).status_code == 410
    refused = guest.post("/account/invitation", data={"token": token, "password": LONG_ENOUGH})
    assert refused.status_code == 410 and accounts.BAD_LINK in refused.text
    resent = post(admin, "/admin/people/reinvite", {"email": "fin@scheme.org"}, "/admin/people")
    assert "A new invitation is on its way to fin@scheme.org" in resent.text
    fresh = token_in(received.messages[-1])
    assert (
        guest.post("/account/invitation", data={"token": fresh, "password": LONG_ENOUGH}).status_code == 200
    )


# --- registration ----------------------------------------------------------------------------------


def test_a_lead_asks_for_an_account_and_the_admin_approves_it(
    site: OpenSite, inbox: tuple[Inbox, int]
) -> None:
    received, _ = inbox
    guest = client_of(site)
    assert "Ask for an account" in guest.get("/account/request").text
    bad = guest.post(
        "/account/request", data={"name": "Kit", "email": "not an address", "institution": "Eastmoor"}
    )
    assert bad.status_code == 422 and "is not an email address" in bad.text and 'value="Eastmoor"' in bad.text
    asked = guest.post(
        "/account/request",
        data={
            "name": "Kit Lowe",
            "email": "kit@eastmoor.ac.uk",
            "institution": "University of Eastmoor",
            "message": "Head of mentoring",
        },
    )
    assert (
        asked.status_code == 200 and "your request for <strong>University of Eastmoor</strong>" in asked.text
    )
    assert received.messages[-1]["To"] == "kit@eastmoor.ac.uk"
    admin = signed_in(site, ADMIN_EMAIL)
    page = admin.get("/admin/registrations")
    assert "Kit Lowe" in page.text and "Head of mentoring" in page.text and 'value="eastmoor"' in page.text
    [waiting] = admin.get("/api/admin/registrations").json()
    approved = post(
        admin,
        "/admin/registrations/approve",
        {"id": str(waiting["id"]), "slug": "eastmoor"},
        "/admin/registrations",
    )
    assert "Approved. The invitation is on its way to kit@eastmoor.ac.uk" in approved.text
    assert "No request is waiting." in approved.text
    kit = client_of(site)
    kit.post("/account/invitation", data={"token": token_in(received.messages[-1]), "password": LONG_ENOUGH})
    assert kit.get("/api/me").json() == {
        "email": "kit@eastmoor.ac.uk",
        "name": "Kit Lowe",
        "roles": ["lead"],
        "institution": "eastmoor",
    }
    assert "University of Eastmoor" in kit.get("/institutions/eastmoor").text


def test_a_refusal_needs_a_reason_which_is_mailed(site: OpenSite, inbox: tuple[Inbox, int]) -> None:
    received, _ = inbox
    client_of(site).post(
        "/account/request", data={"name": "S", "email": "s@spam.example", "institution": "Spam U"}
    )
    admin = signed_in(site, ADMIN_EMAIL)
    [waiting] = admin.get("/api/admin/registrations").json()
    no_reason = post(
        admin, "/admin/registrations/refuse", {"id": str(waiting["id"]), "reason": ""}, "/admin/registrations"
    )
    assert no_reason.status_code == 422 and "give the reason" in no_reason.text
    refused = post(
        admin,
        "/admin/registrations/refuse",
        {"id": str(waiting["id"]), "reason": "Not a university."},
        "/admin/registrations",
    )
    assert (
        refused.status_code == 200 and "Refused. The reason is on its way to s@spam.example" in refused.text
    )
    assert "Not a university." in received.messages[-1].get_content()


# --- the admin ---------------------------------------------------------------------------------------


def test_the_admin_manages_people_roles_institutions_and_assignments(site: OpenSite) -> None:
    admin = signed_in(site, ADMIN_EMAIL)
    people_page = admin.get("/admin/people")
    assert people_page.status_code == 200 and "lee@northfield.ac.uk" in people_page.text
    listed = {row["email"]: row for row in admin.get("/api/admin/people").json()}
    assert listed["lee@northfield.ac.uk"]["roles"] == ["lead"]
    granted = post(
        admin, "/admin/people/grant", {"email": "lee@northfield.ac.uk", "role": "assessor"}, "/admin/people"
    )
    assert "lee@northfield.ac.uk is now assessor." in granted.text
    assigned = post(
        admin,
        "/admin/assignments",
        {"assign_email": "lee@northfield.ac.uk", "assign_programme": "northfield/peer-mentoring"},
        "/admin/people",
    )
    assert "lee@northfield.ac.uk now coordinates northfield/peer-mentoring." in assigned.text
    elsewhere = post(
        admin,
        "/admin/assignments",
        {"assign_email": "lee@northfield.ac.uk", "assign_programme": "southgate/buddies"},
        "/admin/people",
    )
    assert elsewhere.status_code == 422 and "is not of southgate" in elsewhere.text
    revoked = post(
        admin,
        "/admin/people/revoke",
        {"email": "lee@northfield.ac.uk", "role": "assessor", "programme": ""},
        "/admin/people",
    )
    assert "lee@northfield.ac.uk is no longer assessor." in revoked.text
    added = post(
        admin, "/admin/institutions", {"name": "Westvale College", "slug": "westvale"}, "/admin/institutions"
    )
    assert "Added westvale." in added.text and (site.workspace / "westvale").is_dir()
    bad_slug = post(admin, "/admin/institutions", {"name": "X", "slug": "../x"}, "/admin/institutions")
    assert bad_slug.status_code == 422 and "is not an institution&#39;s short name" in bad_slug.text
    assert {row["slug"] for row in admin.get("/api/admin/institutions").json()} == {
        "northfield",
        "southgate",
        "westvale",
    }
    lee = signed_in(site, "lee@northfield.ac.uk")
    disabled = post(admin, "/admin/people/disable", {"email": "lee@northfield.ac.uk"}, "/admin/people")
    assert "Disabled lee@northfield.ac.uk; every session it had is ended." in disabled.text
    assert lee.get("/home", follow_redirects=False).status_code == 303  # signed out everywhere


def test_no_one_but_an_admin_reaches_the_admin_pages(site: OpenSite) -> None:
    lee = signed_in(site, "lee@northfield.ac.uk")
    for path in ("/admin/people", "/admin/institutions", "/admin/registrations"):
        assert lee.get(path).status_code == 403
    assert lee.get("/api/admin/people").status_code == 403
    refused = lee.post(
        "/admin/people/invite",
        data={"name": "X", "email": "x@example.org", "role": "admin", "csrf": csrf_of(lee)},
    )
    assert refused.status_code == 403
    anonymous = client_of(site)
    assert anonymous.get("/api/admin/people").json() == {"error": "sign in first"}


def test_a_form_without_its_security_code_is_refused(site: OpenSite) -> None:
    admin = signed_in(site, ADMIN_EMAIL)
    answer = admin.post("/admin/institutions", data={"name": "Westvale", "slug": "westvale"})
    assert answer.status_code == 403 and not (site.workspace / "westvale").exists()


# --- the lead -------------------------------------------------------------------------------------------


def test_a_lead_starts_a_programme_and_invites_its_coordinator(
    site: OpenSite, inbox: tuple[Inbox, int]
) -> None:
    received, _ = inbox
    lee = signed_in(site, "lee@northfield.ac.uk")
    home = lee.get("/home").text
    assert 'href="/institutions/northfield"' in home and 'href="/admin/people"' not in home
    page = lee.get("/institutions/northfield")
    assert "Northfield University" in page.text and 'href="/p/northfield/peer-mentoring"' in page.text
    started = post(lee, "/new", {"folder": "study-buddies"}, "/institutions/northfield")
    assert started.status_code == 303 and "northfield/study-buddies" in started.headers["location"]
    invited = post(
        lee,
        "/institutions/northfield/invite",
        {"name": "Cam", "email": "cam@northfield.ac.uk", "programme": "study-buddies"},
        "/institutions/northfield",
    )
    assert (
        invited.status_code == 200 and "The invitation is on its way to cam@northfield.ac.uk" in invited.text
    )
    cam = client_of(site)
    cam.post("/account/invitation", data={"token": token_in(received.messages[-1]), "password": LONG_ENOUGH})
    assert cam.get("/p/northfield/study-buddies").status_code == 200
    assert cam.get("/p/northfield/peer-mentoring").status_code == 404
    assert "coordinated by Cam" in lee.get("/institutions/northfield").text


def test_a_lead_cannot_reach_another_institution(site: OpenSite) -> None:
    lee = signed_in(site, "lee@northfield.ac.uk")
    assert lee.get("/institutions/southgate").status_code == 404
    assert lee.get("/api/institutions/southgate").status_code == 404
    refused = post(
        lee, "/institutions/southgate/invite", {"name": "X", "email": "x@x.org", "programme": "buddies"}
    )
    assert refused.status_code == 404
    with site.transaction() as db:
        assert accounts.find_person(db, "x@x.org") is None


# --- one's own account -----------------------------------------------------------------------------------


def test_changing_ones_password_signs_out_the_other_browsers(site: OpenSite) -> None:
    here = signed_in(site, "lee@northfield.ac.uk")
    there = signed_in(site, "lee@northfield.ac.uk")
    page = here.get("/account")
    assert "lee@northfield.ac.uk" in page.text and "lead" in page.text
    wrong = post(
        here, "/account/password", {"current": "not my password!", "password": NEW_PASSWORD}, "/account"
    )
    assert wrong.status_code == 422 and "is not your current password" in wrong.text
    short = post(here, "/account/password", {"current": LONG_ENOUGH, "password": "short"}, "/account")
    assert short.status_code == 422 and "must be at least 12 characters long" in short.text
    changed = post(here, "/account/password", {"current": LONG_ENOUGH, "password": NEW_PASSWORD}, "/account")
    assert changed.status_code == 303 and changed.headers["location"] == "/account?done=password"
    assert here.get("/account").status_code == 200
    assert there.get("/account", follow_redirects=False).status_code == 303


def test_the_pages_are_not_there_under_nums_serve(tmp_path: Path) -> None:
    """``site_only``: ``nums serve`` answers as before, with none of the site's pages."""
    from tests.web_support import client_for, copy_examples

    client, _ = client_for(copy_examples(tmp_path))
    for path in ("/sign-in", "/home", "/account", "/admin/people", "/institutions/x", "/account/request"):
        assert client.get(path).status_code == 404, path
