"""The audit trail, complete and shown (issue 23, "Nothing happens unseen").

"An append-only audit trail records every change of state, every save of a submission or review,
every decision, invoice, role change, sign-in failure and mail sent: who, when, what, and the
fingerprints before and after. It is shown per programme and per person to those who may see it,
exported as CSV [...] and kept when a programme is withdrawn. Nothing in the app can rewrite it."

Each test makes the change as a person does (a page, the JSON API, a ``nums site`` command or the
library function both call) and reads the trail back from the database; the pages are read as the
people who may, and may not, see them. Every test runs on SQLite and, with
``NUMS_TEST_POSTGRES_URL``, on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from nums import policy
from nums.cli import cli
from nums.site import accounts, audit, invoices, journey, people, sessions
from nums.site import db as tables
from nums.site.records import AuditEvent
from nums.web import files
from nums.web.app import create_site_app
from nums.workspace import file_sha256
from tests import journey_support, site_support
from tests.journey_support import EMAILS, INSTITUTION, PROGRAMME, JourneySite

engine, quick_hashes, journey_site = site_support.engine, site_support.quick_hashes, journey_support.journey
ADDRESS = "https://nums.example.org"
API = f"/api/programmes/{PROGRAMME}"
PAGE = f"/p/{PROGRAMME}"
PASSWORD = site_support.LONG_ENOUGH


class Browser:
    """One person's session on the site's app: its cookie and the CSRF token its writes send."""

    def __init__(self, j: JourneySite, who: str | None) -> None:
        app = create_site_app(j.site)
        self.client = TestClient(app, base_url=ADDRESS, follow_redirects=False)
        self.token = ""
        if who is None:
            return
        with j.site.transaction() as db:
            found = accounts.find_person(db, EMAILS[who])
            assert found is not None
            session_id = sessions.start(db, found.id)
        self.client.cookies.set(app.state.session_cookie.name, session_id)
        self.token = sessions.csrf_token(app.state.site_secret, session_id)

    def get(self, path: str, **params: str) -> Any:
        return self.client.get(path, params=params)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(path, json=body, headers={"X-CSRF-Token": self.token})

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.client.post(path, headers={"X-CSRF-Token": self.token}, **kwargs)


def trail(j: JourneySite) -> list[AuditEvent]:
    with j.site.transaction() as db:
        found = audit.events(db)
        db.expunge_all()
        return found


def last(j: JourneySite, what: str) -> AuditEvent:
    found = [event for event in trail(j) if event.what == what]
    assert found, f"no {what!r} event in {[e.what for e in trail(j)]}"
    return found[-1]


def detail(event: AuditEvent) -> dict[str, Any]:
    return json.loads(event.detail)


def with_password(j: JourneySite, who: str) -> None:
    with j.site.transaction() as db:
        found = accounts.find_person(db, EMAILS[who])
        assert found is not None
        found.password_hash = accounts.HASHER.hash(PASSWORD)


# --- every save of a submission or review ----------------------------------------------------------


def test_a_submission_saved_by_the_api_is_recorded_with_its_fingerprints(journey_site: JourneySite) -> None:
    """ "every save of a submission [...]: who, when, what, and the fingerprints before and after" """
    coordinator = Browser(journey_site, "coordinator")
    read = coordinator.get(f"{API}/submission").json()
    document = read["submission"]
    document["programme"]["name"] = "Peer mentoring, renamed"
    saved = coordinator.put(f"{API}/submission", {"base_sha256": read["sha256"], "submission": document})
    assert saved.status_code == 200, saved.text
    event = last(journey_site, audit.SUBMISSION_SAVED)
    assert (event.actor, event.programme) == (EMAILS["coordinator"], PROGRAMME)
    assert event.before == read["sha256"]
    assert (
        event.after
        == saved.json()["sha256"]
        == file_sha256((journey_site.folder / "submission.yaml").read_bytes())
    )


def test_the_forms_saves_are_recorded_as_the_apis_are(journey_site: JourneySite) -> None:
    """ "every save of a submission or review": the programme's form and the review's form (web
    form posts, JavaScript off) save through the same library function as the JSON API."""
    from tests.test_web_review import review_form
    from tests.web_support import form_fields

    coordinator = Browser(journey_site, "coordinator")
    fields = form_fields(coordinator.get(PAGE).text)
    fields.update(
        {"c.aims.1.statement": "Said again, in other words.", "action": "save", "csrf": coordinator.token}
    )
    assert coordinator.post(f"{PAGE}/save", data=fields).status_code == 303
    event = last(journey_site, audit.SUBMISSION_SAVED)
    assert (event.actor, event.before) == (EMAILS["coordinator"], fields["base_sha256"])
    assert event.after == file_sha256((journey_site.folder / "submission.yaml").read_bytes())

    assert coordinator.post(f"{API}/transitions", json={"to": "submitted"}).status_code == 200
    assessor = Browser(journey_site, "assessor")
    answers = dict(review_form(assessor.get(f"{PAGE}/review").text)) | {"csrf": assessor.token}
    assert assessor.post(f"{PAGE}/review/save", data=answers).status_code == 303
    event = last(journey_site, audit.REVIEW_SAVED)
    assert (event.actor, event.before) == (EMAILS["assessor"], answers["base_sha256"])
    assert event.after == file_sha256((journey_site.folder / "review.yaml").read_bytes())


def test_a_save_refused_as_stale_records_nothing(journey_site: JourneySite) -> None:
    """The event is in the save's transaction: a save that did not happen is not in the trail."""
    coordinator = Browser(journey_site, "coordinator")
    document = coordinator.get(f"{API}/submission").json()["submission"]
    before = len(trail(journey_site))
    stale = coordinator.put(f"{API}/submission", {"base_sha256": "0" * 64, "submission": document})
    assert stale.status_code == 409
    assert len(trail(journey_site)) == before


def test_a_review_saved_by_the_api_is_recorded(journey_site: JourneySite) -> None:
    """ "every save of [...] a review": the assessor, the programme, the review's fingerprints"""
    assessor = Browser(journey_site, "assessor")
    coordinator = Browser(journey_site, "coordinator")
    assert coordinator.post(f"{API}/transitions", json={"to": "submitted"}).status_code == 200
    read = assessor.get(f"{API}/review").json()
    saved = assessor.put(f"{API}/review", {"base_sha256": read["sha256"], "review": read["review"]})
    assert saved.status_code == 200, saved.text
    event = last(journey_site, audit.REVIEW_SAVED)
    assert (event.actor, event.programme, event.before) == (EMAILS["assessor"], PROGRAMME, read["sha256"])
    assert event.after == file_sha256((journey_site.folder / "review.yaml").read_bytes())


def test_a_restored_version_and_an_uploaded_file_are_recorded(journey_site: JourneySite) -> None:
    """A restore is a save (the version it brought back named); an evidence file's SHA-256 is kept."""
    folder = journey_site.folder
    original = files.current_sha256(folder / "submission.yaml")
    text = (folder / "submission.yaml").read_text(encoding="utf-8")
    files.save_submission(folder, text + "\n", original)  # a version to restore
    version = files.versions(folder, files.HISTORY)[0].name
    coordinator = Browser(journey_site, "coordinator")
    base = files.current_sha256(folder / "submission.yaml") or ""
    restored = coordinator.post(
        f"{PAGE}/restore", data={"version": version, "base_sha256": base, "csrf": coordinator.token}
    )
    assert restored.status_code == 303, restored.text
    event = last(journey_site, audit.SUBMISSION_SAVED)
    assert (event.before, event.after, detail(event)["restored"]) == (base, original, version)

    uploaded = coordinator.post(
        f"{API}/evidence", files={"file": ("minutes.txt", b"the minutes", "text/plain")}
    )
    assert uploaded.status_code == 201
    event = last(journey_site, audit.EVIDENCE_ADDED)
    assert event.after == file_sha256(b"the minutes") == uploaded.json()["sha256"]
    assert detail(event)["file"] == uploaded.json()["file"]


# --- role changes, by the admin's pages and by `nums site` ------------------------------------------


def test_the_admins_changes_are_recorded_with_who_made_them(journey_site: JourneySite) -> None:
    """ "every [...] role change": grant, revoke, disable, a person invited, an institution added"""
    site, admin = journey_site.site, journey_site.person("admin")
    people.add_institution(site, admin, "eastbridge", "Eastbridge University")
    people.invite(site, admin, "new.lead@eastbridge.example.ac.uk", "New Lead", "lead", "eastbridge", None)
    people.grant_role(site, admin, EMAILS["finance"], "assessor", None)
    people.revoke_role(site, admin, EMAILS["finance"], "assessor", None)
    people.disable(site, admin, EMAILS["stranger"])
    events = [(e.actor, e.what, detail(e).get(audit.SUBJECT)) for e in trail(site_of(journey_site))]
    mine = [e for e in events if e[0] == EMAILS["admin"]]
    assert mine == [
        (EMAILS["admin"], audit.INSTITUTION_ADDED, None),
        (EMAILS["admin"], audit.PERSON_ADDED, "new.lead@eastbridge.example.ac.uk"),
        (EMAILS["admin"], audit.ROLE_GRANTED, "new.lead@eastbridge.example.ac.uk"),
        (EMAILS["admin"], audit.PERSON_INVITED, "new.lead@eastbridge.example.ac.uk"),
        (EMAILS["admin"], audit.MAIL_NOT_SENT, "new.lead@eastbridge.example.ac.uk"),  # no mail set up
        (EMAILS["admin"], audit.ROLE_GRANTED, EMAILS["finance"]),
        (EMAILS["admin"], audit.ROLE_REVOKED, EMAILS["finance"]),
        (EMAILS["admin"], audit.ACCOUNT_DISABLED, EMAILS["stranger"]),
    ]


def site_of(j: JourneySite) -> JourneySite:
    return j


def test_a_coordinators_role_is_in_the_programmes_trail(journey_site: JourneySite) -> None:
    """A role over one programme is a change to who may change it: the programme's trail has it."""
    people.assign_coordinator(
        journey_site.site, journey_site.person("admin"), EMAILS["home assessor"], PROGRAMME
    )
    event = last(journey_site, audit.ROLE_GRANTED)
    assert (event.programme, detail(event)["role"]) == (PROGRAMME, "coordinator")


def test_registration_approved_and_refused_are_recorded(journey_site: JourneySite) -> None:
    site, admin = journey_site.site, journey_site.person("admin")
    people.ask_registration(site, "lead@westmoor.example.ac.uk", "West Lead", "Westmoor University", "")
    people.ask_registration(site, "lead@nowhere.example.ac.uk", "No Lead", "Nowhere College", "")
    first, second = (row["id"] for row in people.registrations(site, admin))
    people.approve_registration(site, admin, first, "westmoor")
    people.refuse_registration(site, admin, second, "not a university")
    approved, refused = (
        last(journey_site, audit.REGISTRATION_APPROVED),
        last(journey_site, audit.REGISTRATION_REFUSED),
    )
    assert approved.actor == refused.actor == EMAILS["admin"]
    assert detail(approved)[audit.SUBJECT] == "lead@westmoor.example.ac.uk"
    assert detail(refused)[audit.SUBJECT] == "lead@nowhere.example.ac.uk"
    kinds = [
        detail(e)["kind"] for e in trail(journey_site) if e.what in {audit.MAIL_SENT, audit.MAIL_NOT_SENT}
    ]
    assert kinds == [
        "registration_received",
        "registration_received",
        "registration_approved",
        "registration_refused",
    ]


def test_nums_site_commands_are_recorded_as_the_command_line(tmp_path: Path) -> None:
    """`nums site user add`, `user disable`, `institution add`: who did it is the command line and
    the system account that ran it (there is no session to name)."""
    folder = tmp_path / "site"
    runner = CliRunner()

    def nums(*args: str, password: str | None = None) -> None:
        result = runner.invoke(cli, list(args), input=None if password is None else password + "\n")
        assert result.exit_code == 0, result.output

    nums("site", "init", str(folder), "--admin-email", "admin@scheme.test", password=PASSWORD)
    nums("site", "institution", "add", str(folder), "--slug", "northfield", "--name", "Northfield")
    nums("site", "user", "add", str(folder), "--email", "lead@northfield.test", "--name", "Lead", "--role", "lead", "--institution", "northfield", password=PASSWORD)  # fmt: skip
    nums("site", "user", "disable", str(folder), "--email", "lead@northfield.test")
    from nums.site.folder import open_site

    with open_site(folder).transaction() as db:
        events = [(e.actor, e.what) for e in audit.events(db)]
    actor = audit.command_line()
    assert actor.startswith("command line (")
    assert events == [
        (actor, audit.PERSON_ADDED),  # the admin, by `nums site init`
        (actor, audit.ROLE_GRANTED),
        (actor, audit.INSTITUTION_ADDED),
        (actor, audit.PERSON_ADDED),
        (actor, audit.ROLE_GRANTED),
        (actor, audit.ACCOUNT_DISABLED),
    ]
    exported = runner.invoke(cli, ["site", "audit", str(folder), "--person", "LEAD@northfield.test"])
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [row["what"] for row in rows] == [audit.PERSON_ADDED, audit.ROLE_GRANTED, audit.ACCOUNT_DISABLED]
    ended = runner.invoke(cli, ["site", "audit", str(folder), "--until", "2000-01-01"])
    assert list(csv.reader(io.StringIO(ended.output))) == [list(audit.CSV_COLUMNS)]


# --- sign-in failures and password resets ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "password", "reason"),
    [
        ("  Coordinator@Harbourside.example.ac.uk ", "not the password at all", accounts.WRONG_PASSWORD),
        ("nobody@nowhere.example", PASSWORD, accounts.UNKNOWN_ACCOUNT),
        (EMAILS["stranger"], PASSWORD, accounts.DISABLED),
    ],
)
def test_a_failed_sign_in_is_recorded_without_its_password(
    journey_site: JourneySite, typed: str, password: str, reason: str
) -> None:
    """ "every [...] sign-in failure": the address as typed (normalised), where from, why; never
    the password. The person trying is told none of it."""
    with_password(journey_site, "coordinator")
    with_password(journey_site, "stranger")
    people.disable(journey_site.site, journey_site.person("admin"), EMAILS["stranger"])
    answer = Browser(journey_site, None).client.post(
        "/api/session", json={"email": typed, "password": password}
    )
    assert answer.status_code == 401
    event = last(journey_site, audit.SIGN_IN_FAILED)
    assert (event.actor, detail(event)["reason"]) == (audit.ANYONE, reason)
    assert detail(event)[audit.SUBJECT] == typed.strip().casefold()
    assert detail(event)["address"] == "testclient"
    assert password not in event.detail


def test_a_throttled_sign_in_is_recorded_as_throttled(journey_site: JourneySite) -> None:
    with_password(journey_site, "coordinator")
    client = Browser(journey_site, None).client
    for _ in range(accounts.FREE_TRIES_PER_ACCOUNT + 1):
        client.post("/api/session", json={"email": EMAILS["coordinator"], "password": "wrong, wrong, wrong"})
    throttled = client.post("/api/session", json={"email": EMAILS["coordinator"], "password": PASSWORD})
    assert throttled.status_code == 429
    assert detail(last(journey_site, audit.SIGN_IN_FAILED))["reason"] == accounts.THROTTLED


def test_the_sign_in_form_records_a_failure_too(journey_site: JourneySite) -> None:
    """The page and the API sign in by one library function (``people.sign_in``)."""
    browser = Browser(journey_site, None)
    browser.client.get("/sign-in")
    csrf = browser.client.cookies.get("nums_csrf") or ""
    form = {"email": "x" * 5000 + "@example.org", "password": "whatever it is", "csrf": csrf}
    browser.client.post("/sign-in", data=form)
    event = last(journey_site, audit.SIGN_IN_FAILED)
    assert len(detail(event)[audit.SUBJECT]) == audit.TYPED_LONGEST  # cut to an email's length


def test_a_reset_asked_for_and_used_is_recorded(journey_site: JourneySite) -> None:
    with_password(journey_site, "coordinator")
    with journey_site.site.transaction() as db:
        found = accounts.request_reset(db, EMAILS["coordinator"])
        assert found is not None
        token = found[1]
    people.reset_password(journey_site.site, token, "a brand new passphrase")
    asked, used = last(journey_site, audit.RESET_ASKED), last(journey_site, audit.RESET_USED)
    assert asked.actor == audit.ANYONE and used.actor == EMAILS["coordinator"]
    assert detail(asked)[audit.SUBJECT] == detail(used)[audit.SUBJECT] == EMAILS["coordinator"]


# --- every kind of step leaves a row --------------------------------------------------------------


def _steps(j: JourneySite) -> list[tuple[str, Callable[[], object], str]]:
    site, admin, coordinator = j.site, j.person("admin"), j.person("coordinator")
    return [
        ("submit", lambda: journey.move(site, coordinator, PROGRAMME, "submitted"), audit.STATE_CHANGED),
        ("invoice", lambda: invoices.record_invoice(site, j.person("finance"), PROGRAMME), audit.INVOICE_RECORDED),
        ("payment", lambda: invoices.record_payment(site, j.person("finance"), PROGRAMME, tables.now().date()), audit.INVOICE_PAID),
        ("withdraw", lambda: journey.move(site, coordinator, PROGRAMME, "withdrawn"), audit.STATE_CHANGED),
        ("institution", lambda: people.add_institution(site, admin, "lakeside", "Lakeside"), audit.INSTITUTION_ADDED),
        ("grant", lambda: people.grant_role(site, admin, EMAILS["finance"], "admin", None), audit.ROLE_GRANTED),
        ("revoke", lambda: people.revoke_role(site, admin, EMAILS["finance"], "admin", None), audit.ROLE_REVOKED),
        ("assign", lambda: people.assign_coordinator(site, admin, EMAILS["lead"], PROGRAMME), audit.ROLE_GRANTED),
        ("disable", lambda: people.disable(site, admin, EMAILS["home assessor"]), audit.ACCOUNT_DISABLED),
        ("invite", lambda: people.invite(site, admin, "x@scheme.example.org", "X", "finance", None, None), audit.PERSON_INVITED),
        ("reinvite", lambda: people.reinvite(site, admin, "x@scheme.example.org"), audit.MAIL_NOT_SENT),
        ("sign in", lambda: people.sign_in(site, EMAILS["admin"], "not it at all", "192.0.2.1", None), audit.SIGN_IN_FAILED),
    ]  # fmt: skip


def test_every_kind_of_step_the_site_takes_leaves_an_audit_row(journey_site: JourneySite) -> None:
    """A table of the site's steps, in an order each can be taken: each adds at least one event,
    the last of them saying what the step was."""
    for name, step, what in _steps(journey_site):
        before = len(trail(journey_site))
        step()
        after = trail(journey_site)
        assert len(after) > before, f"{name} left no audit row"
        assert what in {e.what for e in after[before:]}, f"{name}: {[e.what for e in after[before:]]}"


def test_the_trail_is_kept_when_a_programme_is_withdrawn(journey_site: JourneySite) -> None:
    """ "kept when a programme is withdrawn" """
    coordinator = journey_site.person("coordinator")
    journey.move(journey_site.site, coordinator, PROGRAMME, "submitted")
    kept = len(trail(journey_site))
    journey.move(journey_site.site, coordinator, PROGRAMME, "withdrawn")
    events = trail(journey_site)
    assert len(events) == kept + 1
    states = [detail(e)["state"] for e in events if e.what == audit.STATE_CHANGED]
    assert states == ["submitted", "withdrawn"]


# --- shown per programme ---------------------------------------------------------------------------


def _hostile_note(j: JourneySite) -> None:
    """An event whose detail an applicant chose: markup and a spreadsheet formula."""
    with j.site.transaction() as db:
        audit.record(
            db,
            j.person("coordinator"),
            audit.REQUEST_ANSWERED,
            PROGRAMME,
            note='=HYPERLINK("x")<script>alert(1)</script>',
        )


def test_the_programmes_trail_page_shows_its_events_escaped(journey_site: JourneySite) -> None:
    """Text an applicant typed is text: escaped in the page."""
    journey.move(journey_site.site, journey_site.person("coordinator"), PROGRAMME, "submitted")
    _hostile_note(journey_site)
    page = Browser(journey_site, "coordinator").get(f"{PAGE}/audit")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert audit.STATE_CHANGED in page.text and f'href="{PAGE}/audit.csv"' in page.text
    journey_page = Browser(journey_site, "coordinator").get(f"{PAGE}/journey")
    assert f'href="{PAGE}/audit"' in journey_page.text  # linked from the application's page


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("lead", 200), ("coordinator", 200), ("stranger", 404), ("finance", 403), ("assessor", 403)])  # fmt: skip
def test_the_programmes_trail_is_shown_to_those_who_may_see_it(
    journey_site: JourneySite, who: str, status: int
) -> None:
    """ "shown per programme [...] to those who may see it": the admin, its lead, its coordinators;
    finance and the assessor see the programme, so are refused with 403; another institution 404."""
    journey.move(journey_site.site, journey_site.person("coordinator"), PROGRAMME, "submitted")
    browser = Browser(journey_site, who)
    assert browser.get(f"{PAGE}/audit").status_code == status
    answer = browser.get(f"{API}/audit")
    assert answer.status_code == status
    if status == 200:
        shown = answer.json()["events"]  # newest first: the mails the step sent, the step, the role
        assert [e["what"] for e in shown] == [
            audit.MAIL_NOT_SENT,
            audit.MAIL_NOT_SENT,
            audit.STATE_CHANGED,
            audit.ROLE_GRANTED,
        ]
        assert shown[2]["detail"]["state"] == "submitted"
        assert {e["programme"] for e in shown} == {PROGRAMME}


def test_the_json_twin_pages_newest_first_and_filters_by_day(journey_site: JourneySite) -> None:
    """Paging for long trails, newest first; filters by date; a bad filter names its field."""
    for number in range(5):
        with journey_site.site.transaction() as db:
            audit.record(
                db, journey_site.person("coordinator"), audit.REQUEST_ANSWERED, PROGRAMME, note=str(number)
            )
    admin = Browser(journey_site, "admin")
    first = admin.get(f"{API}/audit", limit="2").json()
    assert [e["detail"]["note"] for e in first["events"]] == ["4", "3"]
    second = admin.get(f"{API}/audit", limit="2", before=str(first["older"])).json()
    assert [e["detail"]["note"] for e in second["events"]] == ["2", "1"]
    last_page = admin.get(f"{API}/audit", limit="2", before=str(second["older"])).json()
    # the oldest page: the last note, and the coordinator's role given when the site was made
    assert [e["detail"].get("note") for e in last_page["events"]] == ["0", None]
    assert (
        admin.get(f"{API}/audit", limit="2", before=str(last_page["events"][-1]["id"])).json()["events"] == []
    )
    page = admin.get(f"{PAGE}/audit", limit="2")
    assert f"before={first['older']}" in page.text  # the page's link to older events
    assert admin.get(f"{API}/audit", since="2999-01-01").json()["events"] == []
    for field, value in (("since", "yesterday"), ("until", "2026-13-01"), ("limit", "-3"), ("before", "x")):
        refused = admin.get(f"{API}/audit", **{field: value})
        assert refused.status_code == 422 and refused.json()["field"] == field
        assert admin.get(f"{PAGE}/audit", **{field: value}).status_code == 422


def test_the_csv_download_is_what_the_page_shows_guarded(journey_site: JourneySite) -> None:
    """ "exported as CSV": each cell through ``escaping.csv_cell``, a formula stays text."""
    _hostile_note(journey_site)
    download = Browser(journey_site, "lead").get(f"{PAGE}/audit.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == list(audit.CSV_COLUMNS)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any("HYPERLINK" in cell for row in rows for cell in row)
    assert Browser(journey_site, "stranger").get(f"{PAGE}/audit.csv").status_code == 404


# --- shown per person ------------------------------------------------------------------------------


def test_a_person_sees_their_own_trail_and_only_the_admin_sees_anothers(journey_site: JourneySite) -> None:
    """ "shown [...] per person": one's own (what they did, what was done to their account); any
    person's for the admin; another's is not there for anyone else."""
    site, admin = journey_site.site, journey_site.person("admin")
    people.grant_role(site, admin, EMAILS["finance"], "assessor", None)
    journey.move(site, journey_site.person("coordinator"), PROGRAMME, "submitted")
    finance = Browser(journey_site, "finance").get("/api/audit").json()
    assert finance["person"] == EMAILS["finance"]
    assert [(e["actor"], e["what"]) for e in finance["events"]] == [
        (EMAILS["coordinator"], audit.MAIL_NOT_SENT),  # the submission's mail to finance
        (EMAILS["admin"], audit.ROLE_GRANTED),
        (audit.SITE_ACTOR, audit.ROLE_GRANTED),  # as the site was made
        (audit.SITE_ACTOR, audit.PERSON_ADDED),
    ]
    assert finance["events"][0]["detail"]["to"] == EMAILS["finance"]  # not the one to the assessor
    seen_by_admin = Browser(journey_site, "admin").get("/api/audit", person=EMAILS["coordinator"]).json()
    assert audit.STATE_CHANGED in [e["what"] for e in seen_by_admin["events"]]  # what they did
    assert {e["actor"] for e in seen_by_admin["events"]} <= {EMAILS["coordinator"], audit.SITE_ACTOR}
    for who in ("lead", "coordinator", "assessor"):
        assert Browser(journey_site, who).get("/api/audit", person=EMAILS["finance"]).status_code == 404
        assert Browser(journey_site, who).get("/audit", person=EMAILS["finance"]).status_code == 404
    own_page = Browser(journey_site, "finance").get("/audit")
    assert own_page.status_code == 200 and audit.ROLE_GRANTED in own_page.text
    assert Browser(journey_site, None).get("/audit").status_code == 303  # sign in first
    admin_csv = Browser(journey_site, "admin").get("/audit.csv", person=EMAILS["finance"])
    assert admin_csv.status_code == 200 and audit.ROLE_GRANTED in admin_csv.text


def test_the_policy_says_who_sees_a_persons_trail() -> None:
    """``policy.Account``: the admin any; everyone signed in their own; no one else another's."""
    lead = policy.Person(
        1, "Lead@Harbourside.example.ac.uk", "Lead", frozenset({policy.Role.LEAD}), INSTITUTION
    )
    admin = policy.Person(2, "admin@scheme.example.org", "Admin", frozenset({policy.Role.ADMIN}))
    own, other = policy.Account("lead@harbourside.example.ac.uk"), policy.Account("someone@else.example")
    assert policy.can(lead, policy.Action.VIEW_AUDIT, own)
    assert not policy.can(lead, policy.Action.VIEW_AUDIT, other)
    assert policy.can(admin, policy.Action.VIEW_AUDIT, other)
    assert not policy.can(policy.ANONYMOUS, policy.Action.VIEW_AUDIT, policy.Account(""))


def test_a_hostile_filter_is_text_or_a_refusal_never_a_failure(journey_site: JourneySite) -> None:
    """ "every input hostile": a person asked for with NUL and markup, a limit of fifteen digits."""
    admin = Browser(journey_site, "admin")
    odd = "\x00<script>x</script>@example.org"
    answer = admin.get("/api/audit", person=odd)
    assert answer.status_code == 200 and answer.json()["events"] == []
    page = admin.get("/audit", person=odd)
    assert page.status_code == 200 and "<script>x</script>" not in page.text
    refused = admin.get("/api/audit", limit="1" * 15)
    assert refused.status_code == 422 and refused.json()["field"] == "limit"
    assert admin.get(f"{API}/audit", until="2026-01-01", since="2026-02-01").json()["field"] == "until"
