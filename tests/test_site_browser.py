"""The site as people use it (issue 22, "Tested as people use it"), in Debian's chromium through
Playwright, on the site's app served by uvicorn on a free loopback port, with its mail going to
a real SMTP server (aiosmtpd) whose messages the test reads: "an admin invites a lead; the lead
signs in and invites a coordinator; the coordinator fills in a programme; an assessor from the
scheme sees it; a coordinator of another institution cannot see it, by any page or API address.
axe-core on every new page; screenshots at 1280 and 390 px".

What an assessor may see is a programme submitted for review (CONTRACT 7). Until the journey's
record of submissions lands, this test gives the app its own ``submitted`` function
(``create_site_app(site, submitted=...)``) and marks the programme submitted once its
coordinator has saved it.

Set NUMS_SCREENSHOTS=folder to keep the screenshots for looking at.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from nums.site.folder import OpenSite
from tests import site_support, test_site_mail
from tests.browser_support import CHROMIUM, WIDTHS, no_serious_violations, shots_folder
from tests.site_support import ADMIN_EMAIL, LONG_ENOUGH, open_mailing_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
quick_hashes, inbox = site_support.quick_hashes, test_site_mail.inbox
Inbox = test_site_mail.Inbox


class Running:
    """The site's app under uvicorn in a thread; ``submitted`` is what the app asks."""

    def __init__(self, site: OpenSite, port: int, journey: bool = False) -> None:
        """``journey``: the app asks the journey's record what is submitted (issue 23), as
        ``nums site run`` does, and ``submitted`` is not used."""
        import uvicorn

        from nums.web.app import create_site_app

        self.submitted: set[str] = set()
        self.base = f"http://127.0.0.1:{port}"
        asked = None if journey else (lambda programme_id: programme_id in self.submitted)
        app = create_site_app(site, submitted=asked)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the site did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture()
def running(tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[tuple[Running, OpenSite]]:
    port = test_site_mail.free_port()
    site = open_mailing_site(tmp_path / "site", smtp_port=inbox[1], address=f"http://127.0.0.1:{port}")
    site_support.add_institution(site, "southgate", "Southgate University")
    site_support.add_programme(site, "southgate/buddies")
    site_support.add_person(site, "sol@southgate.ac.uk", "coordinator", "southgate", "buddies")
    site_support.add_person(site, "asa@scheme.test", "assessor")
    with Running(site, port) as served:
        yield served, site
    site.engine.dispose()


def link_in(received: Inbox, to: str) -> str:
    """The one-time link of the newest message to ``to``, as the person would click it."""
    message = [m for m in received.messages if m["To"] == to][-1]
    found = re.search(r"(https?://\S+\?token=\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


class Camera:
    """axe-core on each page the journey reaches, and its screenshot at this width."""

    def __init__(self, folder: Path, width: int) -> None:
        self.folder, self.width = folder, width

    def __call__(self, page: Any, name: str) -> None:
        no_serious_violations(page)
        page.screenshot(path=str(self.folder / f"site-{name}-{self.width}.png"), full_page=True)


def sign_in(page: Any, base: str, email: str, password: str = LONG_ENOUGH) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.locator("#f-password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/home$"))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_admin_a_lead_a_coordinator_an_assessor_and_an_outsider(
    browser: Any,
    running: tuple[Running, OpenSite],
    inbox: tuple[Inbox, int],
    tmp_path: Path,
    width: int,
    javascript: bool,
) -> None:
    served, _ = running
    base = served.base
    received, _ = inbox
    snap = Camera(shots_folder(tmp_path), width) if javascript else (lambda page, name: None)

    def person() -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        return context.new_page()

    # the admin signs in, adds the institution and invites its lead
    admin = person()
    admin.goto(base + "/admin/people")
    admin.wait_for_url(re.compile(r"/sign-in\?next="))  # not signed in: sent to sign in, and back
    snap(admin, "sign-in")
    admin.get_by_label("Email address").fill(ADMIN_EMAIL)
    admin.locator("#f-password").fill("not the password at all")
    admin.get_by_role("button", name="Sign in").click()
    assert "the email address or the password is not right" in admin.content()
    snap(admin, "sign-in-refused")
    admin.locator("#f-password").fill(LONG_ENOUGH)
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(base + "/admin/people")
    admin.goto(base + "/home")
    snap(admin, "home-admin")
    admin.get_by_role("link", name="Institutions").click()
    admin.get_by_label("Name (required)", exact=True).fill("Northfield University")
    admin.get_by_label("Short name").fill("northfield")
    admin.get_by_role("button", name="Add").click()
    assert "Added northfield." in admin.locator("#notice").inner_text()
    snap(admin, "admin-institutions")
    admin.goto(base + "/admin/people")
    invite = admin.locator("form", has=admin.get_by_role("button", name="Send the invitation"))
    invite.get_by_label("Name (required)", exact=True).fill("Lee Chan")
    invite.get_by_label("Email address").fill("lee@northfield.ac.uk")
    invite.get_by_label("Role").select_option("lead")
    invite.get_by_label("Institution").select_option("northfield")
    admin.get_by_role("button", name="Send the invitation").click()
    assert "The invitation is on its way to lee@northfield.ac.uk" in admin.locator("#notice").inner_text()
    snap(admin, "admin-people")

    # the lead follows the mailed link, chooses a password, starts a programme, invites its coordinator
    lead = person()
    lead.goto(link_in(received, "lee@northfield.ac.uk"))
    assert "Welcome, Lee Chan" in lead.content()
    snap(lead, "invitation")
    lead.get_by_label("New password").fill("short")
    lead.get_by_role("button", name="Choose my password and sign in").click()
    assert "must be at least 12 characters long" in lead.content()
    snap(lead, "invitation-refused")
    lead.get_by_label("New password").fill(LONG_ENOUGH)
    lead.get_by_role("button", name="Choose my password and sign in").click()
    lead.wait_for_url(re.compile(r"/home\?done=welcome"))
    snap(lead, "home-lead")
    lead.get_by_role("link", name="Your institution").click()
    lead.get_by_label("Folder name").fill("peer-mentoring")
    lead.get_by_role("button", name="Start").click()
    lead.wait_for_url(re.compile(r"/p/northfield/peer-mentoring"))
    lead.goto(base + "/institutions/northfield")
    lead.get_by_label("Their name").fill("Cam Diaz")
    lead.get_by_label("Their email address").fill("cam@northfield.ac.uk")
    lead.get_by_label("Programme", exact=True).select_option("peer-mentoring")
    lead.get_by_role("button", name="Invite").click()
    assert "The invitation is on its way to cam@northfield.ac.uk" in lead.locator("#notice").inner_text()
    snap(lead, "institution")

    # the coordinator follows their link and fills in the programme
    coordinator = person()
    coordinator.goto(link_in(received, "cam@northfield.ac.uk"))
    coordinator.get_by_label("New password").fill(LONG_ENOUGH)
    coordinator.get_by_role("button", name="Choose my password and sign in").click()
    coordinator.wait_for_url(re.compile(r"/home"))
    snap(coordinator, "home-coordinator")
    coordinator.get_by_role("link", name="northfield/peer-mentoring").click()
    coordinator.get_by_label("Programme name").fill("Peer Mentoring at Northfield")
    coordinator.get_by_label("Institution").fill("Northfield University")
    coordinator.get_by_label("Coordinator's name").fill("Cam Diaz")
    coordinator.get_by_label("Coordinator's email").fill("cam@northfield.ac.uk")
    coordinator.get_by_label("Purpose").fill("peer mentoring of first-year students by second-years")
    coordinator.get_by_label("Number of mentors").fill("12")
    coordinator.get_by_label("Started running on").fill("2024-09-16")
    coordinator.get_by_label("Application date").fill("2026-03-02")
    coordinator.get_by_label("Level applied for").select_option("bronze")
    coordinator.get_by_role("button", name="Save").first.click()
    coordinator.wait_for_load_state()
    assert "Saved." in coordinator.content(), coordinator.locator("#problems").all_inner_texts()
    coordinator.goto(base + "/account")
    assert "coordinator of" in coordinator.locator("#me-roles").inner_text()
    snap(coordinator, "account")
    served.submitted.add("northfield/peer-mentoring")  # CONTRACT 7, until the journey records it

    # an assessor of the scheme sees it
    assessor = person()
    sign_in(assessor, base, "asa@scheme.test")
    assessor.goto(base + "/")
    assessor.locator("table.programmes").get_by_role("link", name="Peer Mentoring at Northfield").click()
    assessor.wait_for_url(re.compile(r"/p/northfield/peer-mentoring$"))
    assert assessor.get_by_label("Programme name").input_value() == "Peer Mentoring at Northfield"

    # a coordinator of another institution sees nothing of it, by page or API address
    outsider = person()
    sign_in(outsider, base, "sol@southgate.ac.uk")
    outsider.goto(base + "/")
    assert "Peer Mentoring at Northfield" not in outsider.content()
    for path in (
        "/p/northfield/peer-mentoring",
        "/p/northfield/peer-mentoring/review",
        "/p/northfield/peer-mentoring/pack.pdf",
        "/p/northfield/peer-mentoring/files/submission.yaml",
        "/api/programmes/northfield/peer-mentoring/submission",
        "/api/programmes/northfield/peer-mentoring/assessment",
        "/institutions/northfield",
    ):
        answer = outsider.request.get(base + path)
        assert answer.status == 404, (path, answer.status)
        assert "Peer Mentoring at Northfield" not in answer.text()
    listed = outsider.request.get(base + "/api/programmes").json()
    assert [row["id"] for row in listed] == ["southgate/buddies"]

    # signing out
    outsider.get_by_role("button", name="Sign out").click()
    outsider.wait_for_url(re.compile(r"/sign-in\?done=out"))
    assert outsider.request.get(base + "/api/me").status == 401
    for page in (admin, lead, coordinator, assessor, outsider):
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_public_pages_pass_axe_and_are_photographed(
    browser: Any, running: tuple[Running, OpenSite], inbox: tuple[Inbox, int], tmp_path: Path, width: int
) -> None:
    """Asking for an account, a forgotten password, a reset link used twice, the admin's requests."""
    served, _ = running
    base = served.base
    received, _ = inbox
    snap = Camera(shots_folder(tmp_path), width)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(base + "/sign-in")
    page.get_by_role("link", name="ask for an account for your institution").click()
    snap(page, "ask-account")
    page.get_by_label("Your name").fill("Kit Lowe")
    page.get_by_label("Your work email address").fill("kit@eastmoor.ac.uk")
    page.get_by_label("Your institution").fill("University of Eastmoor")
    page.get_by_label("Your role, and anything the scheme should know").fill("Head of student mentoring.")
    page.get_by_role("button", name="Send my request").click()
    assert "is with the scheme's staff" in page.content()
    snap(page, "ask-account-received")
    page.goto(base + "/account/forgot")
    snap(page, "forgot")
    page.get_by_label("Email address").fill(ADMIN_EMAIL)
    page.get_by_role("button", name="Mail me a link").click()
    snap(page, "forgot-sent")
    link = link_in(received, ADMIN_EMAIL)
    page.goto(link)
    snap(page, "reset")
    page.get_by_label("New password").fill("a different long passphrase")
    page.get_by_role("button", name="Choose my new password").click()
    page.wait_for_url(re.compile(r"/sign-in\?done=reset"))
    snap(page, "sign-in-after-reset")
    page.goto(link)
    assert "this link cannot be used" in page.content()
    snap(page, "reset-used")
    sign_in(page, base, ADMIN_EMAIL, "a different long passphrase")
    page.goto(base + "/admin/registrations")
    assert "Kit Lowe" in page.content()
    snap(page, "admin-registrations")
    page.get_by_role("button", name="Approve and invite").click()
    assert "Approved. The invitation is on its way to kit@eastmoor.ac.uk" in page.content()
    assert unquote(link_in(received, "kit@eastmoor.ac.uk")).startswith(base + "/account/invitation?token=")
    page.context.close()


NARROW = 760
"""The width at and below which the site's pages are laid out for a phone (``app.css``)."""
SCROLLS_SIDEWAYS = (
    "() => document.documentElement.scrollWidth > window.innerWidth"
    " || [...document.querySelectorAll('.table-wrap')].some(e => e.scrollWidth > e.clientWidth + 1)"
)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_audit_trails_pass_axe_and_are_photographed(
    browser: Any, running: tuple[Running, OpenSite], tmp_path: Path, width: int
) -> None:
    """Issue 23: the trail "shown per programme and per person to those who may see it": the
    admin's own trail, a person's from the people page (with a failed sign-in of theirs), a
    programme's filtered by day; each passing axe."""
    served, _ = running
    base = served.base
    snap = Camera(shots_folder(tmp_path), width)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill("  SOL@southgate.ac.uk ")  # as typed: in Sol's trail
    page.locator("#f-password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, base, ADMIN_EMAIL)
    page.goto(base + "/account")
    page.get_by_role("link", name="Your audit trail").click()
    page.wait_for_url(re.compile(r"/audit$"))
    assert "role granted" in page.content()
    snap(page, "audit-own")
    page.goto(base + "/admin/people")
    page.get_by_role("link", name=re.compile(r"audit trail of sol$")).first.click()
    assert "sign-in failed" in page.content() and "wrong password" in page.content()
    snap(page, "audit-person")
    if width <= NARROW:  # on a phone the trail is a card a record: nothing scrolls sideways
        assert page.evaluate(SCROLLS_SIDEWAYS) is False
    page.goto(base + "/p/southgate/buddies/audit")
    assert "role granted" in page.content()
    page.get_by_label("From").fill("2999-01-01")
    page.get_by_role("button", name="Show").click()
    assert "No events on these days" in page.content()
    snap(page, "audit-programme")
    page.context.close()
