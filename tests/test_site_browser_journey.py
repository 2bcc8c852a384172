"""Issue 23, "Tested as people use it", first bullet: "Chromium, three people in three browser
contexts: a coordinator submits; finance records the invoice; the assessor requests evidence on two
criteria; the coordinator answers one and resubmits; the assessor sees what changed, accepts, and
decides; the award is in the programme's history and the coordinator's mail holds the letter's
link. The same journey with JavaScript off."

The site's own app (``create_site_app(site)``, the journey's record of what is submitted) served by
uvicorn on a free loopback port, its mail going to a real SMTP server (aiosmtpd) that the test
reads. Every step is a click on the page's own form, so the run with JavaScript off proves each is
a plain form post. With JavaScript on, axe-core checks every page visited and each journey page is
photographed at 1280 and 390 px (NUMS_SCREENSHOTS=folder keeps them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nums.site.folder import OpenSite
from tests import site_support, test_site_mail
from tests.browser_support import CHROMIUM, WIDTHS, no_serious_violations, shots_folder
from tests.site_support import open_mailing_site
from tests.test_site_browser import Running, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no chromium at {CHROMIUM}"),
]
pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
quick_hashes, inbox = site_support.quick_hashes, test_site_mail.inbox
Inbox = test_site_mail.Inbox

PROGRAMME = "harbourside/peer-mentoring"
PAGE = f"/p/{PROGRAMME}"
COORDINATOR, FINANCE, ASSESSOR = "tom@harbourside.ac.uk", "fay@scheme.test", "asa@scheme.test"
SECOND_ASK = "Please send the photographs and the programme of the end-of-year celebration."
ANSWER = "The profile by ethnicity and declared disability, beside the whole first year, is attached."
CELEBRATED = "The photographs and the evening's programme of the end-of-year celebration, attached here."


@pytest.fixture(params=site_support.BACKENDS)
def running(
    request: pytest.FixtureRequest, tmp_path: Path, inbox: tuple[Inbox, int]
) -> Iterator[tuple[Running, OpenSite]]:
    """The example programme of Harbourside, its coordinator, finance and an assessor of the
    scheme; on SQLite, and on PostgreSQL too when NUMS_TEST_POSTGRES_URL names one."""
    port = test_site_mail.free_port()
    address = f"http://127.0.0.1:{port}"
    site = open_mailing_site(tmp_path / "site", smtp_port=inbox[1], address=address, backend=request.param)
    site_support.add_institution(site, "harbourside", "Harbourside University")
    site_support.add_programme(site, PROGRAMME)
    site_support.add_person(site, COORDINATOR, "coordinator", "harbourside", "peer-mentoring")
    site_support.add_person(site, "lead@harbourside.ac.uk", "lead", "harbourside")
    site_support.add_person(site, FINANCE, "finance")
    site_support.add_person(site, ASSESSOR, "assessor")
    served = Running(site, port, journey=True)  # the journey says what is submitted
    with served:
        yield served, site
    site.engine.dispose()


class Look:
    """Every page a person reaches: axe-core (no serious or critical violations), and the named
    ones photographed at each width with nothing wider than the screen. JavaScript must be on for
    axe to run in the page; with it off the pages are the same HTML, so only the steps are checked."""

    def __init__(self, folder: Path, javascript: bool) -> None:
        self.folder, self.javascript = folder, javascript

    def __call__(self, page: Any, name: str | None = None, *focus: str) -> None:
        """``focus``: the parts of a long page (a criterion's fieldset) photographed on their own;
        the page itself is then photographed as far as the screen shows it."""
        if not self.javascript:
            return
        no_serious_violations(page)
        if name is None:
            return
        before = page.viewport_size
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width + 1, f"{name} is {wide} px wide at {width} px"
            page.screenshot(path=str(self.folder / f"journey-{name}-{width}.png"), full_page=not focus)
            for part in focus:
                shown = part.strip("#").replace(" ", "-").replace(".", "")
                page.locator(part).screenshot(path=str(self.folder / f"journey-{name}-{shown}-{width}.png"))
        page.set_viewport_size(before)


def mail_to(received: Inbox, to: str, subject: str) -> str:
    """The body of the newest message to ``to`` whose subject holds ``subject``."""
    found = [m for m in received.messages if m["To"] == to and subject in str(m["Subject"])]
    assert found, [(m["To"], m["Subject"]) for m in received.messages]
    return found[-1].get_content()


def state_words(page: Any) -> str:
    return page.locator("#state-heading + p").inner_text()


def decide_on(page: Any, criterion: str, decision: str, comment: str | None = None) -> None:
    """The review page's radio for ``criterion``, and its comment."""
    page.locator(f'input[name="d.{criterion}.decision"][value="{decision}"]').check()
    if comment is not None:
        page.locator(f'textarea[name="d.{criterion}.comment"]').fill(comment)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_three_people_carry_an_application_from_submission_to_award(
    browser: Any,
    running: tuple[Running, OpenSite],
    inbox: tuple[Inbox, int],
    tmp_path: Path,
    javascript: bool,
) -> None:
    served, site = running
    base = served.base
    received, _ = inbox
    look = Look(shots_folder(tmp_path / ("js" if javascript else "no-js")), javascript)

    def person(email: str) -> Any:
        width = WIDTHS[0] if javascript else WIDTHS[1]  # with JavaScript off, on a phone's width
        context = browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        page = context.new_page()
        sign_in(page, base, email)
        look(page)
        return page

    # 1. the coordinator submits, from the programme page's link to its journey
    coordinator = person(COORDINATOR)
    coordinator.goto(base + PAGE)
    look(coordinator)
    # the site names the file, never where the server keeps it; and offers no review they may not open
    assert "file submission.yaml" in coordinator.locator("main").inner_text()
    assert str(site.folder) not in coordinator.content()
    assert coordinator.get_by_role("link", name="Assessor's review of this submission").count() == 0
    coordinator.get_by_role("link", name=re.compile(r"^The application: draft")).click()
    coordinator.wait_for_url(re.compile(r"/journey$"))
    look(coordinator, "draft")
    assert coordinator.locator("h1").inner_text() == "Application: First-Year Peer Mentoring"
    coordinator.get_by_role("button", name="Submit for review").click()
    coordinator.wait_for_url(re.compile(r"/journey$"))
    assert "This application is submitted" in state_words(coordinator)
    look(coordinator, "submitted")

    # 2. finance finds it waiting, records the invoice from the quote, then that it was paid
    finance = person(FINANCE)
    finance.goto(base + "/waiting")
    assert "no invoice recorded yet" in finance.locator("main").inner_text()
    look(finance, "waiting-finance")
    finance.get_by_role("link", name=PROGRAMME).click()
    assert "GBP 350.00 + VAT 70.00 (20%) = 420.00" in finance.locator("#invoice-heading + p").inner_text()
    finance.get_by_label("Issued on").fill("2026-12-01")
    finance.get_by_role("button", name="Record the invoice").click()
    finance.wait_for_url(re.compile(r"/journey$"))
    invoiced = finance.locator("section", has=finance.locator("#invoice-heading")).inner_text()
    assert "Invoice 1: GBP 350.00 + VAT 70.00 (20%) = 420.00, issued 2026-12-01" in invoiced
    look(finance, "invoiced")
    finance.get_by_label("Paid on").fill("2026-12-02")
    finance.get_by_role("button", name="Record the payment").click()
    finance.wait_for_url(re.compile(r"/journey$"))
    assert "paid 2026-12-02" in finance.locator("main").inner_text()
    assert "420.00" in mail_to(received, "lead@harbourside.ac.uk", "Invoice 1 for")

    # 3. the assessor takes it from the queue and asks for evidence on two criteria
    assessor = person(ASSESSOR)
    assert base + PAGE in mail_to(received, ASSESSOR, "Submitted for review")
    # "Each person sees, on signing in, what is waiting for them": the home page, after sign-in
    assert "submitted: waiting for an assessor" in assessor.locator("#waiting").inner_text()
    look(assessor, "home-assessor")
    assessor.locator("#waiting").get_by_role("link", name=PROGRAMME).click()
    assessor.get_by_role("button", name="Take it for review").click()
    assessor.wait_for_url(re.compile(r"/journey$"))
    assert "This application is in review" in state_words(assessor)
    assessor.get_by_role("link", name="The review").click()
    assessor.wait_for_url(re.compile(r"/review$"))
    look(assessor)
    # the example's review already asks for more on diversity.2; the assessor adds a second ask
    decide_on(assessor, "celebration.1", "more-evidence", SECOND_ASK)
    assessor.get_by_role("button", name="Save review").first.click()
    assessor.wait_for_url(re.compile(r"/review\?saved=1$"))
    assessor.get_by_role("link", name=re.compile(r"request the evidence this review asks for")).click()
    assessor.get_by_role("button", name="Request the evidence the review asks for").click()
    assessor.wait_for_url(re.compile(r"/journey$"))
    assert "This application is evidence requested" in state_words(assessor)
    asked = assessor.locator("ul.requests").inner_text()
    assert "diversity.2" in asked and "celebration.1" in asked and SECOND_ASK in asked
    assessor.goto(base + PAGE + "/review")
    boxes = assessor.locator(".request")
    assert boxes.count() == 2 and "Not answered yet." in boxes.first.inner_text()
    look(assessor, "review-requests", "#d-diversity-2", "#d-celebration-1")

    # 4. the coordinator sees both requests beside their criteria, answers one and resubmits
    coordinator.goto(base + "/home")
    assert "evidence requested on celebration.1" in coordinator.locator("#waiting").inner_text()
    told = mail_to(received, COORDINATOR, "More evidence asked for")
    assert "on 2 criteria" in told and base + PAGE in told
    coordinator.goto(base + PAGE)
    diversity, celebration = (
        coordinator.locator("#request-diversity-2"),
        coordinator.locator("#request-celebration-1"),
    )
    assert "declared disability" in diversity.inner_text() and SECOND_ASK in celebration.inner_text()
    due = re.search(r"by (\d{4}-\d\d-\d\d)", diversity.inner_text())
    assert due is not None and due.group(1) in celebration.inner_text()  # the response period, on each
    assert diversity.locator("xpath=ancestor::fieldset[1]").get_attribute("id") == "item-diversity-2"
    look(coordinator, "programme-requests", "#item-diversity-2", "#item-celebration-1")
    claim = coordinator.locator("#item-diversity-2")
    claim.locator("summary", has_text="Add evidence").click()
    claim.get_by_label("Title").last.fill("Participant profile by ethnicity and disability")
    profile = tmp_path / "participant-profile.csv"
    profile.write_text("group,participants,first year\nall,120,3100\n", encoding="utf-8")
    claim.get_by_label("or upload a file").set_input_files(str(profile))
    coordinator.get_by_role("button", name="Save").first.click()
    coordinator.wait_for_url(re.compile(r"\?saved=1$"))
    coordinator.locator("#request-diversity-2").get_by_role(
        "link", name=re.compile("answer the request")
    ).click()
    coordinator.wait_for_url(re.compile(r"/journey#answer-diversity-2$"))
    look(coordinator, "answering")
    carried = coordinator.locator("#answer-diversity-2 .carries").inner_text()
    assert (
        "evidence added: Participant profile by ethnicity and disability" in carried
    )  # what the answer carries
    assert "Nothing on celebration.1 has changed" in coordinator.locator("#answer-celebration-1").inner_text()
    coordinator.get_by_label("What the new evidence for diversity.2 shows").fill(ANSWER)
    coordinator.get_by_role("button", name="Answer the request on diversity.2").click()
    coordinator.wait_for_url(re.compile(r"/journey$"))
    assert ANSWER in coordinator.locator("#answer-diversity-2").inner_text()
    # the second request is answered in one step: the files chosen in the answer form itself are
    # stored in evidence/, added to celebration.1's claim and saved, then the answer is recorded
    box = coordinator.locator("#answer-celebration-1")
    assert "attach the evidence file to this answer below" in box.inner_text()
    assert box.get_by_role("link", name="celebration.1 on the programme's page").count() == 1
    photographs = tmp_path / "celebration-photographs.pdf"
    photographs.write_bytes(b"%PDF-1.4\n% the photographs of the evening\n")
    programme = tmp_path / "celebration-programme.txt"
    programme.write_text("18:00 welcome\n18:30 awards for mentors\n", encoding="utf-8")
    box.get_by_label("What the new evidence for celebration.1 shows").fill(CELEBRATED)
    if javascript:  # a file over the upload limit is stopped in the page: nothing sent, the typing kept
        recording = tmp_path / "celebration-recording.mp4"
        with recording.open("wb") as sparse:
            sparse.truncate(26 * 1024 * 1024)  # over the site's 25 MiB
        box.get_by_label(re.compile(r"^File")).set_input_files(str(recording))
        box.get_by_role("button", name="Answer the request on celebration.1").click()
        said = box.locator(".error[role=alert]").inner_text()
        assert "larger than the 25 MiB a file may be" in said and "Nothing was sent" in said
        assert box.get_by_label(re.compile(r"^File")).get_attribute("aria-invalid") == "true"
        assert box.get_by_label("What the new evidence for celebration.1 shows").input_value() == CELEBRATED
        look(coordinator, "answer-too-large", "#answer-celebration-1")
    box.get_by_label(re.compile(r"^File")).set_input_files([str(photographs), str(programme)])
    assert box.locator(".error").count() == 0  # another choice: the message goes
    box.get_by_label(re.compile(r"^Title")).fill("End-of-year celebration")
    look(coordinator, "answer-with-file", "#answer-celebration-1")
    box.get_by_role("button", name="Answer the request on celebration.1").click()
    coordinator.wait_for_url(re.compile(r"/journey$"))
    assert CELEBRATED in coordinator.locator("#answer-celebration-1").inner_text()
    assert coordinator.locator("#answer-celebration-1 input[type=file]").count() == 0  # answered
    coordinator.goto(base + PAGE)
    cited = coordinator.locator("#item-celebration-1 ul.evidence").inner_text()
    assert "evidence/celebration-photographs.pdf" in coordinator.locator("#item-celebration-1").inner_html()
    assert "evidence/celebration-programme.txt" in coordinator.locator("#item-celebration-1").inner_html()
    assert "Download" in cited
    look(coordinator, "programme-answered", "#item-celebration-1")
    coordinator.goto(base + PAGE + "/journey")
    look(coordinator, "answered")
    coordinator.get_by_role("button", name="Resubmit with the new evidence").click()
    coordinator.wait_for_url(re.compile(r"/journey$"))
    assert "This application is resubmitted" in state_words(coordinator)

    # 5. the assessor sees what changed, criterion by criterion, and that the rest carries over
    assert "What changed is shown beside each criterion." in mail_to(
        received, ASSESSOR, "Submitted for review"
    )
    assessor.goto(base + PAGE + "/journey")
    changed = assessor.locator("ul.changes").inner_text()
    assert (
        "diversity.2" in changed
        and "evidence added: Participant profile by ethnicity and disability" in changed
    )
    assert "evidence/participant-profile.csv" in changed and "SHA-256" in changed
    assert (
        "evidence added: End-of-year celebration: celebration photographs "
        "(evidence/celebration-photographs.pdf" in changed
    )
    assert "evidence/celebration-programme.txt" in changed
    assert changed.count("evidence added") == 3  # nothing else changed
    look(assessor, "what-changed")
    assessor.get_by_role("link", name="The review").click()
    changed_box = assessor.locator("#d-diversity-2 .changed")
    assert "Changed since the last snapshot" in changed_box.inner_text()
    assert ANSWER in assessor.locator("#d-diversity-2 .request").inner_text()
    carried = assessor.locator("#d-aims-1 .carried")
    assert "your earlier decision carries over" in carried.inner_text()
    assert assessor.locator('input[name="d.aims.1.decision"][value="accepted"]').is_checked()
    look(assessor, "review-changed", "#d-diversity-2", "#d-aims-1")
    decide_on(assessor, "diversity.2", "accepted", "The profile answers the request.")
    decide_on(assessor, "celebration.1", "accepted")
    assessor.get_by_role("button", name="Save review").first.click()
    assessor.wait_for_url(re.compile(r"/review\?saved=1$"))
    assessor.get_by_role("link", name=re.compile(r"or decide$")).click()
    assessor.get_by_role("button", name="Decide on the final review").click()
    assessor.wait_for_url(re.compile(r"/journey$"))
    assert "This application is decided" in state_words(assessor)
    assert re.fullmatch(
        r"The decision: (Bronze|Silver|Gold), awarded 2026-03-20\.", assessor.locator("#outcome").inner_text()
    )
    look(assessor, "decided")

    # 6. the award is in the programme's history, and the decision's mail opens the letter
    coordinator.goto(base + PAGE)
    awards = coordinator.locator("#decided-awards").inner_text()
    assert re.search(r"(Bronze|Silver|Gold), awarded 2026-03-20 by the scheme's decision", awards), awards
    look(coordinator, "programme-awarded", "#history")
    letter_mail = mail_to(received, COORDINATOR, "Decided")
    found = re.search(r"(https?://\S+/letter\.pdf)", letter_mail)
    assert found and found.group(1) == f"{base}{PAGE}/letter.pdf", letter_mail
    letter = coordinator.context.request.get(found.group(1))
    assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
    assert letter.body().startswith(b"%PDF-")
    assert (
        coordinator.get_by_role("link", name="Outcome letter (PDF)").get_attribute("href")
        == f"{PAGE}/letter.pdf"
    )
    stranger = browser.new_context()
    unsigned = stranger.request.get(found.group(1))  # not without signing in: sent to sign in first
    assert "/sign-in?next=" in unsigned.url and not unsigned.body().startswith(b"%PDF-")
    stranger.close()
    # nothing happened unseen: each step is in the trail, the answer naming the evidence it carried
    from sqlalchemy import select

    from nums.site.records import AuditEvent

    with site.transaction() as db:
        trail = [
            (e.what, json.loads(e.detail)) for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    steps = [detail["transition"] for what, detail in trail if "transition" in detail]
    assert steps == ["submit", "take", "request evidence", "resubmit", "decide"], steps
    [answered] = [
        detail for what, detail in trail if detail.get("criterion") == "diversity.2" and "note" in detail
    ]
    assert answered["note"] == ANSWER and answered["evidence_added"] == ["evidence/participant-profile.csv"]
    # the answer with its own files: each upload, the save naming what it answers, then the answer
    with_files = [
        (what, detail)
        for what, detail in trail
        if detail.get("file", "").startswith("evidence/celebration")
        or detail.get("answering") == "celebration.1"
        or detail.get("criterion") == "celebration.1"
    ]
    assert [what for what, _ in with_files] == [
        "evidence added",
        "evidence added",
        "submission saved",
        "evidence request answered",
    ], with_files
    assert with_files[-1][1]["evidence_added"] == [
        "evidence/celebration-photographs.pdf",
        "evidence/celebration-programme.txt",
    ]
    coordinator.goto(base + "/register/")
    assert "First-Year Peer Mentoring" in coordinator.content()  # the award issued, in the public register
    look(coordinator)
    for page in (coordinator, finance, assessor):
        page.context.close()
