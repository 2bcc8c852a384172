"""What waits for each person on signing in (issue 23): "Each person sees, on signing in, what is
waiting for them: the coordinator's open requests, the assessor's queue, finance's unpaid
invoices, the lead's programmes lapsing within the horizon." On SQLite and PostgreSQL.

The horizon is the standard's: the farthest reminder day of rules.yaml (``reminders.reminder_days``),
read from the edition here, never written in the test. The example programme holds a bronze award
from 2025-05-12 in its history; "the award lasts a year", so its last day is 2026-05-11."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from nums.edition_loading import load_edition
from nums.site import journey
from nums.site.reminders import reminder_days
from nums.site.waiting import waiting_on_site
from tests import journey_support, site_support
from tests.browser_support import WIDTHS, no_serious_violations, shots_folder
from tests.journey_support import PROGRAMME, JourneySite, final_review
from tests.test_site_journey import move
from tests.test_site_web_journey import Browser

engine, quick_hashes, journey_site = site_support.engine, site_support.quick_hashes, journey_support.journey

LAST_DAY = date(2026, 5, 11)  # bronze from 2025-05-12, for a year
HORIZON = max(reminder_days(load_edition(None)))


def waiting(j: JourneySite, who: str, on: date) -> list[journey.Waiting]:
    return waiting_on_site(j.site, j.person(who), on)


def lapsing(j: JourneySite, who: str, on: date) -> list[tuple[str, date | None]]:
    return [(w.programme, w.when) for w in waiting(j, who, on) if w.kind == "lapsing"]


def test_the_lead_sees_their_programme_lapsing_within_the_horizon(journey_site: JourneySite) -> None:
    """ "the lead's programmes lapsing within the horizon": from the farthest reminder day before
    the last day, to the last day itself; not before, not after it lapsed."""
    j = journey_site
    first_day = LAST_DAY - timedelta(days=HORIZON)
    assert lapsing(j, "lead", first_day - timedelta(days=1)) == []
    assert lapsing(j, "lead", first_day) == [(PROGRAMME, LAST_DAY)]
    assert lapsing(j, "lead", LAST_DAY) == [(PROGRAMME, LAST_DAY)]
    assert lapsing(j, "lead", LAST_DAY + timedelta(days=1)) == []
    said = [w.what for w in waiting(j, "lead", first_day)]
    assert said == [f"the bronze award ends on 2026-05-11 ({HORIZON} days left): apply to renew it"]


def test_only_the_lead_of_the_programmes_institution_is_told(journey_site: JourneySite) -> None:
    """The lead's part is the lead's: not the coordinator's (their reminders come by mail), not
    the admin's or an assessor's, never another institution's people."""
    j = journey_site
    on = LAST_DAY - timedelta(days=HORIZON)
    for who in ("coordinator", "admin", "assessor", "finance", "home assessor", "stranger"):
        assert lapsing(j, who, on) == [], who


def test_a_renewal_on_its_way_is_not_waiting_for_the_lead(journey_site: JourneySite) -> None:
    """As the reminders: "No reminder is sent for a programme whose renewal is already on its way"."""
    j = journey_site
    move(j, "coordinator", "submitted")
    assert lapsing(j, "lead", LAST_DAY - timedelta(days=HORIZON)) == []
    move(j, "coordinator", "withdrawn")
    assert lapsing(j, "lead", LAST_DAY - timedelta(days=HORIZON)) == [(PROGRAMME, LAST_DAY)]


def test_an_award_the_site_decided_lapses_for_the_lead_too(journey_site: JourneySite) -> None:
    """ "the award is recorded [...] as the review dates it [...] so the portfolio, the next
    application and the register follow": the lapse of a decided award (the review dates silver
    from 2026-03-20: its last day 2027-03-19) waits for the lead before its history holds it."""
    j = journey_site
    final_review(j.folder)
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    move(j, "assessor", "decided")
    silver_last_day = date(2027, 3, 19)
    assert "2026-03-20" not in (j.folder / "submission.yaml").read_text(encoding="utf-8")
    on = silver_last_day - timedelta(days=HORIZON)
    assert lapsing(j, "lead", on) == [(PROGRAMME, silver_last_day)]
    assert lapsing(j, "lead", on - timedelta(days=1)) == []


def test_the_landing_page_after_sign_in_shows_what_waits(journey_site: JourneySite) -> None:
    """ "Each person sees, on signing in, what is waiting for them": the page after sign-in lists it
    and links to /waiting; the JSON twin keeps its fields (programme, what, when) and adds kind."""
    j = journey_site
    assessor, lead = Browser(j, "assessor"), Browser(j, "lead")
    home = assessor.client.get("/home")
    assert home.status_code == 200 and "Nothing is waiting for you." in home.text
    move(j, "coordinator", "submitted")
    home = assessor.client.get("/home")
    section = re.search(
        r'<section class="card" aria-labelledby="waiting-heading"[^>]*>(.*?)</section>', home.text, re.S
    )
    assert section is not None
    assert "submitted: waiting for an assessor" in section.group(1)
    assert f'href="/p/{PROGRAMME}/journey"' in section.group(1) and 'href="/waiting"' in section.group(1)
    assert assessor.client.get("/api/waiting").json() == {
        "waiting": [
            {
                "programme": PROGRAMME,
                "what": "submitted: waiting for an assessor",
                "when": date.today().isoformat(),
                "kind": "queue",
            }
        ]
    }
    assert "Nothing is waiting for you." in lead.client.get("/home").text  # its award lapsed long ago


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_the_lead_signs_in_and_sees_the_award_lapsing(browser: Any, tmp_path: Path, width: int) -> None:
    """In Chromium: the lead signs in and the landing page says, first, that the programme's award
    ends soon, with the way to /waiting; axe finds nothing serious; a screenshot at each width."""
    from nums.site import db as tables
    from nums.site.folder import OpenSite
    from nums.site.settings import read_settings
    from tests.test_site_browser import Running, sign_in
    from tests.test_site_mail import free_port

    engine = tables.engine_for(f"sqlite:///{tmp_path / 'site.db'}")
    tables.migrate(engine)
    j = journey_support.make_site(tmp_path / "site", engine)
    today = date.today()
    awarded = today.replace(year=today.year - 1) + timedelta(days=30)  # a year's award, ending in 29 days
    path = j.folder / "submission.yaml"
    text = path.read_text(encoding="utf-8").replace("awarded: 2025-05-12", f"awarded: {awarded.isoformat()}")
    for day in ("2026-03-02", "2026-03-01"):  # the application and its declaration: today
        text = text.replace(f"date: {day}", f"date: {today.isoformat()}")
    path.write_text(text, encoding="utf-8")
    site_support.add_person(j.site, "lee@harbourside.example.ac.uk", "lead", journey_support.INSTITUTION)
    assert [w.kind for w in waiting_on_site(j.site, j.person("lead"), today)] == ["lapsing"]
    port = free_port()
    settings = j.site.folder / "site.toml"
    text = settings.read_text(encoding="utf-8").replace(
        "https://nums.example.org", f"http://127.0.0.1:{port}"
    )
    settings.write_text(text, encoding="utf-8")
    served_site = OpenSite(j.site.folder, read_settings(j.site.folder), engine)
    with Running(served_site, port) as served:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, served.base, "lee@harbourside.example.ac.uk")
        section = page.get_by_role("region", name="Waiting for you")
        said = section.inner_text()
        assert "award ends on" in said and "apply to renew it" in said
        last_day = re.search(r"award ends on (\d{4}-\d{2}-\d{2})", said)
        assert last_day is not None and said.count(last_day.group(1)) == 1  # said once, not again after
        no_serious_violations(page)
        page.screenshot(
            path=str(shots_folder(tmp_path) / f"site-home-lead-waiting-{width}.png"), full_page=True
        )
        section.get_by_role("link", name="All that is waiting for you").click()
        page.wait_for_url(re.compile(r"/waiting$"))
        assert "award ends on" in page.content()
        context.close()
    engine.dispose()
