"""A coordinator's journey in a real browser (Debian's chromium through Playwright), on a real
`nums serve` process on a free loopback port; axe-core on every page; screenshots at 1280 and 390 px.

Set NUMS_SCREENSHOTS=folder to keep the screenshots for looking at.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser_support import CHROMIUM, WIDTHS, no_serious_violations, shots_folder
from tests.serve_process import Served, serving
from tests.web_support import copy_examples

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run installs it)",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(copy_examples(tmp_path)) as running:
        yield running


def awardable(page: Any) -> str:
    return page.locator("#awardable").inner_text()


def test_a_coordinators_journey_with_javascript(browser: Any, served: Served, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(served.address)
    assert "token=" not in page.url  # the token left the address bar for a cookie
    assert page.get_by_role("heading", name="Programmes").is_visible()

    # create a programme
    page.get_by_label("Folder name").fill("study-buddies")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/p/study-buddies"))
    assert "Created." in page.content()

    # fill in the details
    page.get_by_label("Programme name").fill("Study Buddies")
    page.get_by_label("Institution").fill("Fenwick University")
    page.get_by_label("Coordinator's name").fill("Ana Silva")
    page.get_by_label("Coordinator's email").fill("ana.silva@fenwick.example.ac.uk")
    page.get_by_label("Purpose").fill("peer mentoring of first-year students by second-years")
    page.get_by_label("Number of mentors").fill("14")
    page.get_by_label("Started running on").fill("2024-09-16")
    page.get_by_label("Application date").fill("2026-03-02")
    page.get_by_label("Level applied for").select_option("bronze")

    # tick criteria, write statements, add a link and upload a file
    statements = {
        "aims.1": "Study Buddies helps first-years settle in and find their feet on the course.",
        "aims.2": "The welcome leaflet states the scheme's aims on its first page.",
    }
    for item, statement in statements.items():
        block = page.locator(f"#item-{item.replace('.', '-')}")
        block.get_by_label("We meet this: claim it").check()
        block.get_by_label("Statement").fill(statement)
        block.locator("details.add-evidence > summary").click()
    page.locator("#item-aims-1").get_by_label("Web address").fill(
        "https://fenwick.example.ac.uk/study-buddies"
    )
    page.locator("#item-aims-1").get_by_label("Title").fill("Scheme web page")
    leaflet = tmp_path / "welcome leaflet.pdf"
    leaflet.write_bytes(b"%PDF-1.4\n% a leaflet\n")
    page.locator("#item-aims-2").get_by_label("or upload a file").set_input_files(str(leaflet))
    sync_api.expect(page.locator("#awardable")).to_be_visible()  # the live result appeared as I typed
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url(re.compile(r"saved=1"))
    text = (served_workspace(served) / "study-buddies" / "submission.yaml").read_text()
    assert "https://fenwick.example.ac.uk/study-buddies" in text and "evidence/welcome-leaflet.pdf" in text
    assert (served_workspace(served) / "study-buddies" / "evidence" / "welcome-leaflet.pdf").exists()

    # download the pack and find the statements in it
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the pack (PDF)").click()
    pdf = Path(download_info.value.path()).read_bytes()
    words = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    for statement in statements.values():
        assert statement in words

    # watch the awardable level change as a Silver claim is withdrawn, without a reload
    page.goto(served.base + "/p/peer-mentoring")
    assert awardable(page) == "Silver"
    page.evaluate("window.__kept = 1")
    for item in ("aims.4", "aims.5"):
        page.locator(f"#item-{item.replace('.', '-')}").get_by_label("We meet this: claim it").uncheck()
    sync_api.expect(page.locator("#awardable")).to_have_text("Bronze")
    assert page.evaluate("window.__kept") == 1  # the same page: no full reload
    context.close()


def served_workspace(served: Served) -> Path:
    return Path(served.process.args[4])  # type: ignore[index]


def test_the_same_edit_with_javascript_off(browser: Any, served: Served) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(served.address)
    page.locator("#quote-select").get_by_role(
        "link", name="Academic Mentoring Scheme"
    ).click()  # the table's row
    block = page.locator("#item-celebration-2")
    block.get_by_label("We meet this: claim it").check()
    block.get_by_label("Statement").fill("Each spring we publish three short case studies of pairs.")
    block.locator("details.add-evidence > summary").click()
    block.get_by_label("Web address").fill("https://northmoor.example.ac.uk/mentoring/stories")
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url(re.compile(r"saved=1"))
    assert "Saved." in page.content()
    text = (served_workspace(served) / "academic-mentoring" / "submission.yaml").read_text()
    assert "Each spring we publish three short case studies of pairs." in text
    context.close()


def test_every_page_passes_axe_and_is_photographed(browser: Any, served: Served, tmp_path: Path) -> None:
    workspace = served_workspace(served)
    broken = workspace / "hand-edited"
    broken.mkdir()
    shutil.copy(workspace / "peer-mentoring" / "submission.yaml", broken / "submission.yaml")
    with (broken / "submission.yaml").open("a") as stream:
        stream.write("criteria: [oops\n")
    folder = shots_folder(tmp_path)
    pages = {
        "home": "/",
        "programme": "/p/peer-mentoring",
        "combined": "/p/department-combined",
        "broken": "/p/hand-edited",
        "not-found": "/p/nothing-here",
        "review": "/p/peer-mentoring/review",
        "quote": "/quote?initial=3&reaccreditation=2&on=2026-03-01",
        "quote-tailored": "/quote?initial=51&on=2026-03-01",
        "quote-selected": "/quote?programme=peer-mentoring",
        # programmes of two institutions: refused with the reason ("never priced as one request")
        "quote-two-institutions": "/quote?programme=peer-mentoring&programme=academic-mentoring",
        "quote-addressed": "/quote?initial=2&reaccreditation=4&on=2026-03-01&to=Bursar%2C+Example+University&alternatives=0",
    }
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(served.address)
        for name, path in pages.items():
            page.goto(served.base + path)
            no_serious_violations(page)
            page.screenshot(path=str(folder / f"{name}-{width}.png"))
        context.close()


def test_the_form_works_from_the_keyboard(browser: Any, served: Served) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served.address + "&next=1")
    page.goto(served.base + "/p/peer-mentoring")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.get_by_label("Programme name").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-p0-institution"
    page.keyboard.press("Enter")  # Enter in a field saves (the first button is Save, not Remove)
    page.wait_for_url(re.compile(r"saved=1"))
    context.close()


def test_an_assessors_journey(browser: Any, served: Served) -> None:
    """Issue 14: the assessor accepts the open request, sees the outcome turn final and Silver
    as they click, saves, and finds "Silver" in the outcome letter."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(served.address)
    sync_api.expect(page.get_by_role("link", name="provisional, 1 open request")).to_be_visible()
    page.get_by_role("link", name="provisional, 1 open request").click()
    page.wait_for_url(re.compile(r"/p/peer-mentoring/review"))
    sync_api.expect(page.locator("#review-status")).to_have_text("provisional")
    page.locator("#d-diversity-2").get_by_label("Accepted").check()
    sync_api.expect(page.locator("#review-status")).to_have_text("final")  # live, before saving
    sync_api.expect(page.locator("#review-outcome")).to_have_text("Silver")
    page.get_by_role("button", name="Save review").first.click()
    page.wait_for_url(re.compile(r"saved=1"))
    text = (served_workspace(served) / "peer-mentoring" / "review.yaml").read_text()
    assert "diversity.2:\n    decision: accepted" in text
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Outcome letter (PDF)").click()
    pdf = Path(download_info.value.path()).read_bytes()
    words = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Silver" in words
    page.goto(served.base + "/")
    sync_api.expect(page.get_by_role("link", name="final: Silver")).to_be_visible()
    context.close()


def test_a_finance_officers_quote(browser: Any, served: Served) -> None:
    """Issue 14: counts typed give the total as they type; 51 programmes need tailored costs."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(served.address)
    page.get_by_role("link", name="Quote by numbers").click()
    page.get_by_label("Quote date").fill("2026-03-01")
    page.get_by_label("Initial assessments").fill("3")
    sync_api.expect(page.locator("#quote-total")).to_have_text(re.compile(r"^£[\d,]+\.\d\d$"))
    page.get_by_label("Initial assessments").fill("51")
    sync_api.expect(page.locator("#quote-total")).to_have_text("tailored")
    assert "more than 50 programmes need tailored costs" in page.locator("#tailored").inner_text()
    context.close()


def test_an_assessors_review_with_javascript_off(browser: Any, served: Served) -> None:
    """Issue 14 with JavaScript off ('plain form posts and full pages'): the assessor accepts the
    open request, saves with a plain form post, and the page that comes back says final and Silver;
    the replaced review is listed under its history."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(served.address)
    page.get_by_role("link", name="provisional, 1 open request").click()
    page.wait_for_url(re.compile(r"/p/peer-mentoring/review"))
    assert page.locator("#review-status").inner_text() == "provisional"
    page.locator("#d-diversity-2").get_by_label("Accepted").check()
    assert page.locator("#review-status").inner_text() == "provisional"  # nothing live without JavaScript
    page.get_by_role("button", name="Save review").first.click()
    page.wait_for_url(re.compile(r"saved=1"))
    assert page.locator("#review-status").inner_text() == "final"
    assert page.locator("#review-outcome").inner_text() == "Silver"
    assert (
        page.locator("#versions").get_by_role("button", name=re.compile("Restore the review saved")).count()
        == 1
    )
    text = (served_workspace(served) / "peer-mentoring" / "review.yaml").read_text()
    assert "diversity.2:\n    decision: accepted" in text
    context.close()


def test_a_live_problem_shows_beside_its_field(browser: Any, served: Served) -> None:
    """Issue 13: 'an invalid value is shown next to its field with the same message `nums validate`
    gives', as the person types, not only in the result panel; and it goes once put right."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served.address + "&next=1")
    page.goto(served.base + "/p/peer-mentoring")
    mentors = page.locator("#f-p0-mentors")
    mentors.fill("")
    beside = page.locator("#f-p0-mentors-error")
    sync_api.expect(beside).to_be_visible()
    assert mentors.get_attribute("aria-invalid") == "true"
    assert "f-p0-mentors-error" in (mentors.get_attribute("aria-describedby") or "")
    mentors.fill("24")
    sync_api.expect(beside).to_have_count(0)
    assert mentors.get_attribute("aria-invalid") is None
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_chosen_file_survives_other_buttons_until_saved(
    browser: Any, served: Served, tmp_path: Path, javascript: bool
) -> None:
    """Issue 19: 'A file chosen under "Add evidence" is silently dropped when the coordinator then
    presses any other add or remove button before saving.' Chosen, then two other buttons, then Save:
    the saved file has the evidence, and the page said the file was stored."""
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served.address)
    page.goto(served.base + "/p/peer-mentoring")
    block = page.locator("#item-aims-2")
    block.locator("details.add-evidence > summary").click()
    leaflet = tmp_path / "welcome leaflet.pdf"
    leaflet.write_bytes(b"%PDF-1.4\n% a leaflet\n")
    block.get_by_label("or upload a file").set_input_files(str(leaflet))
    page.get_by_role("button", name="Add an award").click()
    sync_api.expect(page.locator("#stored")).to_contain_text("evidence/welcome-leaflet.pdf")
    kept = page.locator("#item-aims-2 .pending")
    sync_api.expect(kept).to_have_text("Stored; not in the saved file until you save")
    awards = page.get_by_role("button", name=re.compile(r"^Remove award \d+$"))
    awards.last.click()
    sync_api.expect(page.locator("#item-aims-2 .pending")).to_have_count(1)
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url(re.compile(r"saved=1"))
    text = (served_workspace(served) / "peer-mentoring" / "submission.yaml").read_text()
    assert "evidence/welcome-leaflet.pdf" in text
    context.close()


def test_the_changed_pages_pass_axe_and_are_photographed(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    """Issue 19's pages: a programme with a kept upload, a received pack (read-only), and the home
    page listing a programme whose submission is a link leading out of the workspace."""
    workspace = served_workspace(served)
    secret = tmp_path / "outside.yaml"
    secret.write_text("programme: {name: SECRET-not-to-be-shown}\n")
    (workspace / "linked").mkdir()
    (workspace / "linked" / "submission.yaml").symlink_to(secret)
    pack = tmp_path / "sent pack.pdf"
    from click.testing import CliRunner

    from nums.cli import cli

    made = CliRunner().invoke(
        cli, ["pack", str(workspace / "peer-mentoring" / "submission.yaml"), "-o", str(pack)]
    )
    assert made.exit_code == 0, made.output
    folder = shots_folder(tmp_path)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(served.address)
        assert "SECRET-not-to-be-shown" not in page.content()
        assert "is a link that leads outside the workspace" in page.content()
        no_serious_violations(page)
        page.screenshot(path=str(folder / f"home-outside-link-{width}.png"), full_page=True)
        page.goto(served.base + "/p/linked")
        assert "SECRET-not-to-be-shown" not in page.content()
        no_serious_violations(page)
        page.screenshot(path=str(folder / f"outside-link-{width}.png"))
        page.goto(served.base + "/p/peer-mentoring")
        block = page.locator("#item-aims-2")
        block.locator("details.add-evidence > summary").click()
        block.get_by_label("or upload a file").set_input_files(str(pack))
        page.get_by_role("button", name="Add an award").click()
        sync_api.expect(page.locator("#stored")).to_be_visible()
        no_serious_violations(page)
        page.screenshot(path=str(folder / f"pending-upload-{width}.png"))
        page.locator("#item-aims-2").scroll_into_view_if_needed()
        page.screenshot(path=str(folder / f"pending-upload-row-{width}.png"))
        if width == WIDTHS[0]:
            page.goto(served.base + "/")
            page.get_by_label("Pack PDF").set_input_files(str(pack))
            page.get_by_role("button", name="Upload and review").click()
            page.wait_for_url(re.compile(r"/p/received/.+/review"))
        received = next((workspace / "received").iterdir()).name
        page.goto(served.base + f"/p/received/{received}")
        assert page.locator("main input, main textarea, main select, main button").count() == 0
        sync_api.expect(page.locator("#read-only")).to_contain_text("nothing on this page can be changed")
        no_serious_violations(page)
        page.screenshot(path=str(folder / f"received-read-only-{width}.png"))
        context.close()


def test_an_upload_over_the_limit_is_stopped_before_the_typing_is_sent(browser: Any, tmp_path: Path) -> None:
    """A body over the limit is refused before the server reads the form, so the page stops it:
    the message beside the file, nothing sent, the typing still there."""
    with serving(copy_examples(tmp_path), "--max-upload", "1") as running:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(running.address)
        page.goto(running.base + "/p/peer-mentoring")
        block = page.locator("#item-aims-2")
        block.get_by_label("Statement").fill("Typed before choosing a file that is too large.")
        block.locator("details.add-evidence > summary").click()
        big = tmp_path / "big.pdf"
        big.write_bytes(b"%PDF" + b"0" * (2 * 1024 * 1024))
        block.get_by_label("or upload a file").set_input_files(str(big))
        page.get_by_role("button", name="Save").first.click()
        sync_api.expect(block.locator(".error")).to_contain_text("larger than the 1 MiB a file may be")
        assert "saved=1" not in page.url
        assert (
            block.get_by_label("Statement").input_value() == "Typed before choosing a file that is too large."
        )
        context.close()
