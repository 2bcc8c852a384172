"""Every route of the site against every role (issue 22): "a test enumerates every route of the
app against every role, for a thing of the person's own institution and of another, and fails
on any route missing from the table: a new page cannot be added without saying who may use it."

The site is real: a site folder made as ``nums site init`` makes it, its database, two
institutions (Northfield, the people's own, and Southgate), a person of each role (the staff's
assessor employed by Northfield: "never of their own institution"), and the same example
programme at each. Every row of ``routes.all_actions()`` is asked on each of its sides, by each
person and by someone not signed in, about each programme; the answer must be what
``policy.decide`` says: allowed is anything but 401/403/404, refused is exactly its 404 or 403,
and someone not signed in is sent to sign in (a page, 303) or told to (the API, 401).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from nums import policy
from nums.site import accounts, sessions
from nums.site.folder import OpenSite, open_site
from nums.web import files
from nums.web.app import create_site_app
from nums.web.routes import API_PREFIX, PAGE_PREFIX, all_actions
from nums.web.routing import Action, Side, Surface, top_thing
from tests import site_support
from tests.site_support import SITE_ADDRESS, add_institution, add_person, add_programme, make_site

OWN, OTHER = "northfield", "southgate"
PROGRAMME = "peer-mentoring"
EVIDENCE_FILE = "evidence/mentor-training.md"
PEOPLE = {
    "admin": "admin@scheme.test",  # made by make_site
    "assessor": "assessor@scheme.test",
    "finance": "finance@scheme.test",
    "lead": f"lead@{OWN}.test",
    "coordinator": f"coordinator@{OWN}.test",
}
ANONYMOUS = "anonymous"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenSite]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
        folder = make_site(tmp_path_factory.mktemp("site") / "site")
        opened = open_site(folder)
        add_institution(opened, OWN, "Northfield University")
        add_institution(opened, OTHER, "Southgate University")
        add_person(opened, PEOPLE["assessor"], "assessor", OWN)
        add_person(opened, PEOPLE["finance"], "finance")
        add_person(opened, PEOPLE["lead"], "lead", OWN)
        add_person(opened, PEOPLE["coordinator"], "coordinator", OWN, PROGRAMME)
        for institution in (OWN, OTHER):
            with_history(add_programme(opened, f"{institution}/{PROGRAMME}"))
        yield opened
        opened.engine.dispose()


@pytest.fixture(scope="module")
def client(site: OpenSite) -> TestClient:
    """The site's app; every programme is submitted for review, so the assessor's rules are at work."""
    app = create_site_app(site, submitted=lambda programme_id: True)
    return TestClient(app, base_url=SITE_ADDRESS, follow_redirects=False)


def with_history(folder: Path) -> None:
    """One kept version of the submission and of the review, as a save leaves, for the restore rows."""
    for name, history in (("submission.yaml", files.HISTORY), ("review.yaml", files.REVIEW_HISTORY)):
        text = (folder / name).read_text(encoding="utf-8")
        files.save_file(folder, name, text + "\n", files.current_sha256(folder / name), history)


def policy_person(site: OpenSite, role: str) -> policy.Person:
    if role == ANONYMOUS:
        return policy.ANONYMOUS
    with site.transaction() as db:
        found = accounts.find_person(db, PEOPLE[role])
        assert found is not None
        return accounts.as_policy_person(found)


def signed_in_headers(site: OpenSite, client: TestClient, role: str) -> dict[str, str]:
    """A fresh session of ``role`` (started in the database, as a sign-in does): its cookie
    and its CSRF token. Fresh for every request, so signing out by one row ends nothing else."""
    client.cookies.clear()
    if role == ANONYMOUS:
        return {}
    with site.transaction() as db:
        found = accounts.find_person(db, PEOPLE[role])
        assert found is not None
        session_id = sessions.start(db, found.id)
    client.cookies.set(client.app.state.session_cookie.name, session_id)
    return {"X-CSRF-Token": sessions.csrf_token(client.app.state.site_secret, session_id)}


def address(surface: Surface, action: Action, side: Side, programme_id: str | None) -> str:
    path = action.path_on(side)
    assert path is not None
    if not surface.under_programme:  # an institution's rows: the person's own (decided so)
        return (surface.page_prefix if side == "page" else surface.api_prefix) + path.replace(
            "{slug}", OWN
        ).replace("{path:path}", "awards.json").replace("{number}", "NUMS21-NONE")
    prefix = PAGE_PREFIX if side == "page" else API_PREFIX
    if path.endswith("files/"):  # the rows that take what follows them: a real file below it
        path += EVIDENCE_FILE
    return prefix + quote(programme_id or "", safe="/") + (f"/{path}" if path else "")


def request_of(action: Action, folder: Path | None) -> dict[str, Any]:
    """A body a row of this method can read: JSON for the API's writes, a small form otherwise
    (a restore names a version the programme keeps)."""
    method = action.methods[0]
    if method in {"GET", "HEAD", "DELETE"}:
        return {}
    if action.name in {"submission.restore", "review.restore"} and folder is not None:
        history = files.HISTORY if action.name == "submission.restore" else files.REVIEW_HISTORY
        name = "submission.yaml" if action.name == "submission.restore" else "review.yaml"
        version = files.versions(folder, history)[0].name
        return {"data": {"version": version, "base_sha256": files.current_sha256(folder / name) or ""}}
    if action.name == "evidence.upload":
        return {"files": {"file": ("note.txt", b"a note", "text/plain")}}
    if action.name == "packs.receive":
        return {"files": {"file": ("pack.pdf", b"%PDF-1.4 not really", "application/pdf")}}
    return {"json": {}} if method == "PUT" or action.name in {"session.start"} else {"data": {"x": "1"}}


def walk() -> list[Any]:
    cases = []
    for surface, action in all_actions():
        for side in ("page", "api"):
            if action.path_on(side) is None:
                continue
            places = (OWN, OTHER) if surface.under_programme else (None,)
            for role in (*PEOPLE, ANONYMOUS):
                for place in places:
                    cases.append(
                        pytest.param(
                            surface, action, side, role, place, id=f"{action.name}-{side}-{role}-{place}"
                        )
                    )
    return cases


@pytest.fixture()
def restored(site: OpenSite) -> Iterator[None]:
    """Whatever a write did to the programmes is undone after each request."""
    kept = {institution: site.workspace / institution / PROGRAMME for institution in (OWN, OTHER)}
    backup = site.folder.parent / "kept"
    for institution, folder in kept.items():
        shutil.copytree(folder, backup / institution, dirs_exist_ok=True, symlinks=True)
    yield
    for institution, folder in kept.items():
        shutil.rmtree(folder)
        shutil.copytree(backup / institution, folder, symlinks=True)
    for extra in site.workspace.glob("*/*"):
        if extra.name != PROGRAMME:
            shutil.rmtree(extra)
    shutil.rmtree(backup)


@pytest.mark.parametrize(("surface", "action", "side", "role", "place"), walk())
def test_every_route_answers_each_person_as_the_policy_decides(
    site: OpenSite,
    client: TestClient,
    restored: None,
    surface: Surface,
    action: Action,
    side: Side,
    role: str,
    place: str | None,
) -> None:
    assert action.needs is not None, f"{action.name} does not say who may use it"
    person = policy_person(site, role)
    programme_id = f"{place}/{PROGRAMME}" if place else None
    thing = policy.programme_of(programme_id, True) if programme_id else top_thing(action, person)
    decision = policy.decide(person, action.needs, thing)
    headers = signed_in_headers(site, client, role)
    response = client.request(
        action.methods[0],
        address(surface, action, side, programme_id),
        headers=headers,
        **request_of(action, site.workspace / programme_id if programme_id else None),
    )
    shown = f"{action.methods[0]} {response.request.url.path} as {role}: {response.status_code}"
    if decision is policy.Decision.ALLOWED and "{number}" in (action.path_on(side) or ""):
        # an award's rows name one that was never issued: allowed, then "no such award"
        assert response.status_code not in {401, 403}, shown
    elif decision is policy.Decision.ALLOWED:
        assert response.status_code not in {401, 403, 404}, shown
        assert response.status_code < 500, shown
    elif not person.signed_in:
        if side == "api":
            assert (response.status_code, response.json()) == (401, {"error": "sign in first"}), shown
        else:
            assert response.status_code == 303, shown
            assert response.headers["location"].startswith("/sign-in?next=%2F"), shown
    else:
        assert response.status_code == decision.value, shown


def test_every_row_says_who_may_use_it() -> None:
    """ "fails on any route missing from the table": a row without ``needs`` is refused to
    everyone, and this names it; every ``needs`` is a rule of the policy."""
    missing = [action.name for _, action in all_actions() if action.needs is None]
    assert missing == []
    assert {action.needs for _, action in all_actions()} <= set(policy.RULES)


def test_the_walk_covers_every_row_and_side() -> None:
    walked = {(case.values[1].name, case.values[2]) for case in walk()}
    sides = {
        (action.name, side)
        for _, action in all_actions()
        for side in ("page", "api")
        if action.path_on(side) is not None
    }
    assert walked == sides


def test_the_site_only_rows_are_not_there_under_nums_serve(tmp_path: Path) -> None:
    """CONTRACT 1: "A site_only row answers 404 under nums serve" (the local person may do
    everything, yet there is no session to start there)."""
    from tests.web_support import bearer, client_for, copy_examples

    serve, _ = client_for(copy_examples(tmp_path))
    site_only = [(s, a) for s, a in all_actions() if a.site_only]
    people_surfaces = {
        "session",
        "accounts",
        "admin",
        "institution",
        "register",
        "journey",
        "waiting",
        "audit",
        "trail",
    }
    assert {a.name for _, a in site_only} == {a.name for s, a in all_actions() if s.name in people_surfaces}
    for surface, action in site_only:
        for side in ("page", "api"):
            if action.path_on(side) is None:
                continue
            response = serve.request(
                action.methods[0], address(surface, action, side, None), headers=bearer()
            )
            assert response.status_code == 404, (action.name, side)


def test_an_assessor_sees_no_programme_that_is_not_submitted(site: OpenSite) -> None:
    """ "assessor sees programmes submitted for review": one still being written is a 404 by
    page and by API, and is not in their list; the other staff see it as before."""
    app = create_site_app(site, submitted=lambda programme_id: programme_id == f"{OTHER}/{PROGRAMME}")
    drafts = TestClient(app, base_url=SITE_ADDRESS, follow_redirects=False)
    signed_in_headers(site, drafts, "assessor")
    assert drafts.get(f"/p/{OWN}/{PROGRAMME}").status_code == 404
    assert drafts.get(f"/api/programmes/{OWN}/{PROGRAMME}/submission").status_code == 404
    assert [row["id"] for row in drafts.get("/api/programmes").json()] == [f"{OTHER}/{PROGRAMME}"]
    assert drafts.get(f"/p/{OTHER}/{PROGRAMME}/review").status_code == 200


@pytest.mark.parametrize(
    ("role", "listed"),
    [
        ("admin", {f"{OWN}/{PROGRAMME}", f"{OTHER}/{PROGRAMME}"}),
        ("assessor", {f"{OWN}/{PROGRAMME}", f"{OTHER}/{PROGRAMME}"}),
        ("finance", {f"{OWN}/{PROGRAMME}", f"{OTHER}/{PROGRAMME}"}),
        ("lead", {f"{OWN}/{PROGRAMME}"}),
        ("coordinator", {f"{OWN}/{PROGRAMME}"}),
    ],
)
def test_lists_hold_only_what_the_person_sees(
    site: OpenSite, client: TestClient, role: str, listed: set[str]
) -> None:
    """ "answers only with what the person may see": the list of programmes, the home page's
    table and the portfolio download leave out every programme the person may not know of."""
    signed_in_headers(site, client, role)
    assert {row["id"] for row in client.get("/api/programmes").json()} == listed
    home = client.get("/")
    assert home.status_code == 200
    for institution in (OWN, OTHER):
        assert (f"/p/{institution}/{PROGRAMME}" in home.text) is (f"{institution}/{PROGRAMME}" in listed)
    if role in {"admin", "lead"}:
        csv = client.get("/portfolio.csv").text
        for institution in (OWN, OTHER):
            assert (f"{institution}/{PROGRAMME}" in csv) is (f"{institution}/{PROGRAMME}" in listed)


def test_a_lead_starts_a_programme_under_their_own_institution(site: OpenSite, client: TestClient) -> None:
    """CONTRACT 6: "Workspace on the site: DIR/workspace/INSTITUTION/PROGRAMME": the name a lead
    types is placed under their institution; naming another institution is refused."""
    headers = signed_in_headers(site, client, "lead")
    try:
        made = client.post("/api/programmes", json={"folder": "buddy-scheme"}, headers=headers)
        assert (made.status_code, made.json()["id"]) == (201, f"{OWN}/buddy-scheme")
        assert (site.workspace / OWN / "buddy-scheme" / "submission.yaml").is_file()
        elsewhere = client.post("/api/programmes", json={"folder": f"{OTHER}/buddy-scheme"}, headers=headers)
        assert elsewhere.status_code == 422
        assert not (site.workspace / OTHER / "buddy-scheme").exists()
        admin = signed_in_headers(site, client, "admin")
        unnamed = client.post("/api/programmes", json={"folder": "anywhere"}, headers=admin)
        assert unnamed.status_code == 422 and "INSTITUTION/PROGRAMME" in unnamed.text
        named = client.post("/api/programmes", json={"folder": f"{OTHER}/buddy-scheme"}, headers=admin)
        assert (named.status_code, named.json()["id"]) == (201, f"{OTHER}/buddy-scheme")
    finally:
        for institution in (OWN, OTHER):
            shutil.rmtree(site.workspace / institution / "buddy-scheme", ignore_errors=True)


quick_hashes = site_support.quick_hashes  # every password here is hashed quickly
