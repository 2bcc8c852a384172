"""The journey on the site's web side (issue 23), three people each in their own session: the
JSON contract (`POST /api/programmes/{id}/transitions` -> `{state, since, snapshot_sha256}` or
403/409 with the reason; `GET /api/programmes/{id}/state`) and the same steps as forms with
JavaScript off (every form carries its `csrf` field)."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from nums.site import accounts, sessions
from nums.web.app import create_site_app
from tests import journey_support, site_support
from tests.journey_support import EMAILS, PROGRAMME, JourneySite, final_review

engine, quick_hashes, journey_site = site_support.engine, site_support.quick_hashes, journey_support.journey
ADDRESS = "https://nums.example.org"
API = f"/api/programmes/{PROGRAMME}"
PAGE = f"/p/{PROGRAMME}"


class Browser:
    """One person's session: its cookie, and the CSRF token its JSON writes send."""

    def __init__(self, j: JourneySite, who: str) -> None:
        app = create_site_app(j.site)
        self.client = TestClient(app, base_url=ADDRESS, follow_redirects=False)
        with j.site.transaction() as db:
            found = accounts.find_person(db, EMAILS[who])
            assert found is not None
            session_id = sessions.start(db, found.id)
        self.client.cookies.set(app.state.session_cookie.name, session_id)
        self.token = sessions.csrf_token(app.state.site_secret, session_id)

    def step(self, to: str, **more: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"{API}/transitions", json={"to": to, **more}, headers={"X-CSRF-Token": self.token}
        )

    def form(self, path: str, **fields: str):  # type: ignore[no-untyped-def]
        """A form as the page sends it: the csrf field read from the page itself."""
        page = self.client.get(f"{PAGE}/journey")
        assert page.status_code == 200, page.text
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None, "the page's forms carry their csrf field"
        return self.client.post(f"{PAGE}/{path}", data={"csrf": found.group(1), **fields})


@pytest.fixture()
def people(journey_site: JourneySite) -> dict[str, Browser]:
    return {who: Browser(journey_site, who) for who in ("coordinator", "assessor", "finance", "lead")}


def test_three_people_carry_an_application_to_its_decision(
    journey_site: JourneySite, people: dict[str, Browser]
) -> None:
    coordinator, assessor, finance = people["coordinator"], people["assessor"], people["finance"]
    submitted = coordinator.step("submitted")
    assert submitted.status_code == 200 and set(submitted.json()) == {"state", "since", "snapshot_sha256"}
    assert submitted.json()["state"] == "submitted"
    assert "GBP 350.00 + VAT 70.00 (20%) = 420.00" in finance.client.get(f"{PAGE}/journey").text  # the quote
    # finance records the invoice with the page's form (JavaScript off): a redirect back to the page
    answer = finance.form("invoice", issued="2026-03-21")
    assert answer.status_code == 303 and answer.headers["location"] == f"{PAGE}/journey"
    assert "Invoice 1: GBP 350.00 + VAT 70.00 (20%) = 420.00" in finance.client.get(f"{PAGE}/journey").text
    assert assessor.step("in review").json()["state"] == "in review"
    assert assessor.step("evidence requested").json()["state"] == "evidence requested"
    state = coordinator.client.get(f"{API}/state").json()
    assert (
        state["state"] == "evidence requested"
        and state["snapshot_sha256"] == submitted.json()["snapshot_sha256"]
    )
    assert [(r["criterion"], r["answered"]) for r in state["requests"]] == [("diversity.2", False)]
    page = coordinator.client.get(f"{PAGE}/journey").text
    assert "diversity.2" in page and "Resubmit with the new evidence" in page and 'name="note"' in page
    assert (
        coordinator.form("requests", criterion="diversity.2", note="The profile is added.").status_code == 303
    )
    assert coordinator.client.get(f"{API}/state").json()["requests"][0]["answered"] is True
    assert coordinator.form("transitions", to="resubmitted").status_code == 303
    changes = assessor.client.get(f"{API}/changes").json()["changes"]
    assert changes and all(c["unchanged"] for c in changes)  # nothing was changed in the file this time
    final_review(journey_site.folder)
    decided = assessor.step("decided")
    assert decided.status_code == 200 and decided.json()["state"] == "decided"


def test_refusals_are_403_or_409_with_the_reason(
    journey_site: JourneySite, people: dict[str, Browser]
) -> None:
    coordinator, assessor, lead = people["coordinator"], people["assessor"], people["lead"]
    refused = lead.step("submitted")
    assert refused.status_code == 403 and "may not submit" in refused.json()["error"]
    assert coordinator.step("submitted").status_code == 200
    again = coordinator.step("submitted")
    assert again.status_code == 409 and "the application is submitted" in again.json()["error"]
    assert assessor.step("in review").status_code == 200
    not_final = assessor.step("decided")
    assert not_final.status_code == 409 and "not final" in not_final.json()["error"]
    bad = coordinator.client.post(
        f"{API}/transitions", json={"too": 1}, headers={"X-CSRF-Token": coordinator.token}
    )
    assert bad.status_code == 422
    page = coordinator.form("transitions", to="decided")
    assert page.status_code == 403 and "may not decide" in page.text


def test_each_person_sees_what_waits_for_them(people: dict[str, Browser]) -> None:
    people["coordinator"].step("submitted")
    waiting = people["assessor"].client.get("/api/waiting").json()["waiting"]
    assert [w["what"] for w in waiting] == ["submitted: waiting for an assessor"]
    page = people["finance"].client.get("/waiting")
    assert page.status_code == 200 and "no invoice recorded yet" in page.text


def test_requests_stand_beside_their_criteria_and_the_letter_opens_for_its_people(
    journey_site: JourneySite, people: dict[str, Browser]
) -> None:
    """ "each more-evidence decision becomes a request the coordinator sees on the programme's
    page, beside the criterion, with the assessor's words and the response period"; "the outcome
    letter is stored with the application and sent" (the decision's mail links to it)."""
    coordinator, assessor, finance = people["coordinator"], people["assessor"], people["finance"]
    page = coordinator.client.get(PAGE).text
    assert f'href="{PAGE}/journey"' in page and "The application: draft" in page  # linked from the page
    assert coordinator.client.get(f"{PAGE}/letter.pdf").status_code == 409  # no decision, no letter
    coordinator.step("submitted")
    assessor.step("in review")
    assessor.step("evidence requested")
    page = coordinator.client.get(PAGE).text
    beside = page[page.index('id="item-diversity-2"') :]
    beside = beside[: beside.index("</fieldset>")]
    assert 'id="request-diversity-2"' in beside and "The assessor asks for more evidence" in beside
    assert "declared disability" in beside and "by 2026-" in beside  # their words, the response period
    assert page.count('class="request"') == 1  # only the criterion asked about
    assert coordinator.form("requests", criterion="diversity.2", note="Profile added.").status_code == 303
    state = coordinator.client.get(f"{API}/state").json()
    assert state["requests"][0]["note"] == "Profile added."
    review = assessor.client.get(f"{PAGE}/review").text
    assert "answer: Profile added." in review and 'class="request answered"' in review
    assert coordinator.form("transitions", to="resubmitted").status_code == 303
    review = assessor.client.get(f"{PAGE}/review").text
    assert "your earlier decision carries over" in review  # nothing changed in the file this time
    final_review(journey_site.folder)
    assert assessor.step("decided").json()["state"] == "decided"
    letter = coordinator.client.get(f"{PAGE}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF-")
    assert people["lead"].client.get(f"{PAGE}/letter.pdf").status_code == 200
    assert finance.client.get(f"{PAGE}/letter.pdf").status_code == 403  # finance sees it, not the letter
    stranger = Browser(journey_site, "stranger")
    assert stranger.client.get(f"{PAGE}/letter.pdf").status_code == 404
    assert f'href="{PAGE}/letter.pdf"' in coordinator.client.get(PAGE).text


def test_the_assessor_reviews_the_snapshot_not_the_file_that_can_still_change(
    journey_site: JourneySite, people: dict[str, Browser]
) -> None:
    """ "It is frozen as a snapshot [...] The assessor reviews the snapshot, never a file that can
    still change." The coordinator edits a statement while the application is in review: the
    review page still shows what was submitted; the coordinator's own
    page shows the edit, which goes to the assessor only with a resubmission."""
    coordinator, assessor = people["coordinator"], people["assessor"]
    submitted = "The leaflet and the web page both open with the scheme's three aims in plain words."
    edited = "Rewritten while the assessor was reading."
    assert coordinator.step("submitted").status_code == 200
    assert assessor.step("in review").status_code == 200
    path = journey_site.folder / "submission.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(submitted, edited), encoding="utf-8")
    page = assessor.client.get(f"{PAGE}/review")
    shown = submitted.split("'")[0]  # the page escapes the apostrophe
    assert page.status_code == 200 and shown in page.text and edited not in page.text
    assert edited in coordinator.client.get(PAGE).text


def test_the_review_pages_evidence_opens_the_file_as_it_was_submitted(
    journey_site: JourneySite, people: dict[str, Browser]
) -> None:
    """Issue 23: "The assessor reviews the snapshot, never a file that can still change": the
    review page's evidence links (``review/files/``) open the copy the snapshot kept while the
    application is with the assessors, whatever the coordinator has changed in the workspace
    since (under ``nums serve``, and before a submission, the workspace's file: test_web_review)."""
    coordinator, assessor = people["coordinator"], people["assessor"]
    cited = "evidence/mentee-leaflet.md"
    leaflet = journey_site.folder / cited
    as_submitted = leaflet.read_bytes()
    assert coordinator.step("submitted").status_code == 200
    assert assessor.step("in review").status_code == 200
    leaflet.write_bytes(b"# Changed after the submission\n")
    review_page = assessor.client.get(f"{PAGE}/review").text
    assert f'href="{PAGE}/review/files/{cited}"' in review_page
    kept = assessor.client.get(f"{PAGE}/review/files/{cited}")
    assert kept.status_code == 200 and kept.content == as_submitted
    assert 'filename="mentee-leaflet.md"' in kept.headers["content-disposition"]
    assert kept.headers["x-content-type-options"] == "nosniff"
    assert assessor.client.get(f"{API}/review/files/{cited}").content == as_submitted  # the JSON side's twin
    assert coordinator.client.get(f"{PAGE}/files/{cited}").content == b"# Changed after the submission\n"
    assert assessor.client.get(f"{PAGE}/review/files/evidence/not-cited.md").status_code == 404
    assert assessor.client.get(f"{PAGE}/review/files/submission.yaml").status_code == 404
