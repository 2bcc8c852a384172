"""Issue 24 on the site: "the same pages are served publicly at /register with no sign-in, and
follow every decision at once; an admin may withdraw an award with a reason, which updates the
status list"."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from nums.awards import register as register_module
from nums.awards.register import register_files
from nums.site.awards import issue_for_site, issuing_folder
from nums.site.folder import OpenSite, open_site
from nums.web import register_pages
from nums.web.app import create_site_app
from tests import site_support
from tests.awardkit import final_review, run
from tests.site_support import LONG_ENOUGH, SITE_ADDRESS, add_institution, add_person, add_programme

quick_hashes = site_support.quick_hashes


@pytest.fixture()
def site(tmp_path: Path, quick_hashes: None) -> OpenSite:
    opened = open_site(site_support.make_site(tmp_path / "site"))
    add_institution(opened, "harbourside", "Harbourside University")
    add_person(opened, "lead@harbourside.test", "lead", institution="harbourside")
    register_pages._built.clear()
    return opened


def client(site: OpenSite, email: str | None = None) -> tuple[TestClient, str]:
    """A browser on the site, signed in as ``email`` (or no one); with its CSRF token."""
    browser = TestClient(
        create_site_app(site, submitted=lambda _: False), base_url=SITE_ADDRESS, follow_redirects=False
    )
    if email is None:
        return browser, ""
    answer = browser.post("/api/session", json={"email": email, "password": LONG_ENOUGH})
    assert answer.status_code == 200, answer.text
    return browser, answer.json()["csrf"]


def issued(site: OpenSite, tmp_path: Path, on: str | None = None) -> Any:
    programme = site.workspace / "harbourside" / "peer-mentoring"
    if not programme.exists():
        add_programme(site, "harbourside/peer-mentoring")
    return issue_for_site(site, programme / "submission.yaml", final_review(tmp_path, on))


def test_the_register_is_public_and_is_the_static_registers_pages(site: OpenSite, tmp_path: Path) -> None:
    """No sign-in; each file is byte for byte what `nums register` writes for the same day."""
    award = issued(site, tmp_path)
    browser, _ = client(site)
    assert browser.get("/register").headers["location"] == "/register/"
    index = browser.get("/register/")
    assert index.status_code == 200 and award.number in index.text
    assert (
        "Content-Security-Policy" in index.headers
        and "script-src 'self'" in index.headers["Content-Security-Policy"]
    )
    target = tmp_path / "static"
    code, _, err = run("register", issuing_folder(site), "-o", target, "--on", date.today().isoformat())
    assert code == 0, err
    files, _ = register_files(issuing_folder(site), date.today())
    for name in files:
        answer = browser.get(f"/register/{name}")
        assert answer.status_code == 200, name
        assert answer.content == (target / name).read_bytes(), name
    kinds = {
        "awards.json": "application/json",
        "awards.csv": "text/csv; charset=utf-8",
        "status.json": "application/json",
        "status-list.jwt": "application/jwt",
        "jwks.json": "application/jwk-set+json",
        f"awards/{award.number}.svg": "image/svg+xml",
        "register.css": "text/css; charset=utf-8",
    }
    for name, kind in kinds.items():
        assert browser.get(f"/register/{name}").headers["content-type"] == kind, name
    assert browser.get("/register/no-such-page.html").status_code == 404
    assert browser.get("/register/../site.toml").status_code == 404


def test_the_register_follows_every_decision_at_once(site: OpenSite, tmp_path: Path) -> None:
    browser, _ = client(site)
    assert "0 programmes hold an award" in browser.get("/register/").text
    first = issued(site, tmp_path)
    assert first.number in browser.get("/register/").text
    second = issued(site, tmp_path, "2026-03-25")
    listing = browser.get("/register/awards.json").json()
    assert {a["certificate"] for a in listing["awards"]} == {first.number, second.number}


def test_an_unchanged_register_is_not_built_again(
    site: OpenSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued(site, tmp_path)
    builds = []
    real = register_module.register_files
    monkeypatch.setattr(register_pages, "register_files", lambda *a: builds.append(a) or real(*a))
    browser, _ = client(site)
    for _ in range(3):
        assert browser.get("/register/").status_code == 200
    assert len(builds) == 1


def test_an_admin_withdraws_an_award_from_its_page(site: OpenSite, tmp_path: Path) -> None:
    award = issued(site, tmp_path)
    admin, csrf = client(site, "admin@scheme.test")
    form = admin.get(f"/register/withdraw/{award.number}")
    assert form.status_code == 200 and 'name="reason"' in form.text
    empty = admin.post(f"/register/withdraw/{award.number}", data={"csrf": csrf, "reason": "  "})
    assert empty.status_code == 422 and "Say why the award is withdrawn." in empty.text
    done = admin.post(
        f"/register/withdraw/{award.number}", data={"csrf": csrf, "reason": "The programme closed."}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/register/awards/{award.number}.html"
    public, _ = client(site)
    page = public.get(done.headers["location"]).text
    assert "Withdrawn on" in page and "Reason: The programme closed." in page
    assert award.number not in public.get("/register/").text.split("<tbody>")[1]
    # the status list a verifier downloads from the site says so
    offline = tmp_path / "downloaded"
    offline.mkdir()
    for name in ("jwks.json", "status.json", "status-list.jwt"):
        (offline / name).write_bytes(public.get(f"/register/{name}").content)
    (offline / "logo.svg").write_bytes(public.get(f"/register/awards/{award.number}.svg").content)
    code, out, _ = run("verify", offline / "logo.svg", "--register", offline)
    assert code == 4 and out.startswith("withdrawn on") and "The programme closed." in out
    again = admin.post(f"/register/withdraw/{award.number}", data={"csrf": csrf, "reason": "Again."})
    assert again.status_code == 409 and "already withdrawn" in again.text


def test_only_an_admin_may_withdraw(site: OpenSite, tmp_path: Path) -> None:
    award = issued(site, tmp_path)
    anonymous, _ = client(site)
    asked = anonymous.get(f"/register/withdraw/{award.number}")
    assert asked.status_code == 303 and asked.headers["location"].startswith("/sign-in?next=")
    lead, csrf = client(site, "lead@harbourside.test")
    assert lead.get(f"/register/withdraw/{award.number}").status_code in (403, 404)
    refused = lead.post(f"/register/withdraw/{award.number}", data={"csrf": csrf, "reason": "Mine."})
    assert refused.status_code in (403, 404)
    admin, _ = client(site, "admin@scheme.test")
    no_token = admin.post(f"/register/withdraw/{award.number}", data={"reason": "No token."})
    assert no_token.status_code == 403
    assert "Withdrawn" not in anonymous.get(f"/register/awards/{award.number}.html").text
    assert admin.get("/register/withdraw/NUMS21-NOSUCH-01").status_code == 404


def test_nums_serve_has_no_register(tmp_path: Path) -> None:
    """site_only: the register of `nums serve` is `nums register`'s folder, not a page."""
    from tests.web_support import client_for

    (tmp_path / "ws").mkdir()
    browser, _ = client_for(tmp_path / "ws")
    assert browser.get("/register/").status_code == 404
    assert browser.get("/register").status_code == 404


# --- in a browser, under the site's Content-Security-Policy ------------------------------------


@pytest.fixture()
def served(tmp_path: Path, quick_hashes: None) -> Any:
    """The site's app on a free loopback port (a real server: the browser gets the site's
    headers, its CSP included), with two awards of which one is withdrawn."""
    import socket
    import threading

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"http://127.0.0.1:{port}"
    site = open_site(site_support.make_site(tmp_path / "site", address))
    add_institution(site, "harbourside", "Harbourside University")
    register_pages._built.clear()
    first = issued(site, tmp_path)
    second = issued(site, tmp_path, "2026-03-25")
    from nums.site.awards import withdraw_for_site

    withdraw_for_site(site, second.number, "Issued twice by mistake.", date(2026, 4, 1))
    server = uvicorn.Server(
        uvicorn.Config(
            create_site_app(site, submitted=lambda _: False), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
    yield {"address": address, "first": first.number, "second": second.number}
    server.should_exit = True
    thread.join(10)


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_sites_register_in_chromium_is_axe_clean(
    served: dict[str, Any], browser: Any, width: int, tmp_path: Path
) -> None:
    """Issue 24: "the register's pages in Chromium at 1280 and 390 px with axe-core clean"; under
    the site's CSP the register's own style and search script load (they are files)."""
    from tests.browser_support import no_serious_violations, shots_folder

    shots = shots_folder(tmp_path)
    base = served["address"]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    for name in ("", f"awards/{served['first']}.html", f"awards/{served['second']}.html"):
        page.goto(f"{base}/register/{name}")
        no_serious_violations(page)
        header = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
        assert header == "rgb(18, 53, 91)", name  # register.css applied
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
        shown = (name or "index").replace("/", "-").replace(".html", "")
        page.screenshot(path=str(shots / f"site-register-{width}-{shown}.png"), full_page=True)
    page.goto(f"{base}/register/")
    page.fill("#search", "first-year")  # register.js ran: the search box works
    assert page.locator("#awards tbody tr:not([hidden])").count() == 1
    signed_in = context.request.post(
        f"{base}/api/session", data={"email": "admin@scheme.test", "password": LONG_ENOUGH}
    )
    assert signed_in.ok
    page.goto(f"{base}/register/withdraw/{served['first']}")
    no_serious_violations(page)
    page.screenshot(path=str(shots / f"site-withdraw-{width}.png"), full_page=True)
    page.click("main button[type=submit]")  # the browser's own check: a reason is required
    assert page.url.endswith(f"/register/withdraw/{served['first']}")
    page.fill("#f-reason", "The programme closed.")
    page.click("main button[type=submit]")
    assert page.url.endswith(f"/register/awards/{served['first']}.html")
    assert "Reason: The programme closed." in page.content()
    page.screenshot(path=str(shots / f"site-withdrawn-{width}.png"), full_page=True)
    assert not blocked, blocked
    context.close()
