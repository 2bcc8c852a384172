"""The app's route tables: every address it answers is a named action in one table.

Rules: "one route table per web surface, pages beside their JSON twins"; each action has a
name a policy can be keyed on (issue 22 walks every route against every role), so a route
without a name, or two actions of one name, is a defect; and the app answers nothing that is
not in the tables (besides its static files and the icon it declines).
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount, Route

from nums.web.routes import SURFACES, all_actions
from tests.web_support import bearer, client_for, copy_examples

NOT_IN_A_TABLE = {"/favicon.ico", "/static"}  # no action: the stylesheet, the script, no icon


def test_every_route_has_a_name_and_a_handler() -> None:
    listed = all_actions()
    assert {surface.name for surface, _ in listed} == {surface.name for surface in SURFACES}
    nameless = [action for _, action in listed if not action.name.strip()]
    assert nameless == [], f"a route without an action name: {nameless}"
    names = [action.name for _, action in listed]
    assert sorted({n for n in names if names.count(n) > 1}) == [], "two actions of one name"
    for surface, action in listed:
        assert action.page is not None or action.api is not None, (
            f"{surface.name}: {action.name} answers nothing"
        )
        assert action.methods, f"{action.name} takes no method"


def test_pages_and_their_json_twins_share_one_row() -> None:
    """The pack, a programme's evidence, its review and its letter, the quote and its PDF, the
    list of programmes and a received pack: each page has its JSON twin in the same row."""
    twins = {action.name for _, action in all_actions() if action.page is not None and action.api is not None}
    assert {
        "programmes.list",
        "programmes.create",
        "packs.receive",
        "quote.view",
        "quote.pdf",
        "evidence.download",
        "pack.pdf",
        "review.view",
        "review.letter",
        "audit.view",  # issue 23: the trail's page beside its JSON twin
        "trail.view",
    } <= twins
    assert [surface.name for surface in SURFACES] == [
        "programmes",
        "session",
        "register",
        "accounts",
        "admin",
        "institution",
        "finance",
        "programme",
        "review",
        "journey",  # issue 23: an application's state and steps, under a programme
        "waiting",  # issue 23: what waits for each person
        "audit",  # issue 23: a programme's audit trail, under a programme
        "trail",  # issue 23: a person's audit trail
    ]


def test_the_app_answers_only_what_the_tables_list(tmp_path: Path) -> None:
    """Every Starlette route of the app is a table's (named ``ACTION.page``/``ACTION.api``) or
    one of the two per side that take a programme's id and look the rest up in the tables."""
    client, _ = client_for(copy_examples(tmp_path))
    names = {action.name for _, action in all_actions()}
    for route in client.app.routes:
        if isinstance(route, Mount) or route.path in NOT_IN_A_TABLE:
            continue
        assert isinstance(route, Route) and route.name, f"{route} has no name"
        action, _, side = route.name.rpartition(".")
        assert side in {"page", "api"} and (action in names or action == "programme"), route.name


def test_a_page_address_the_tables_do_not_hold_is_not_found(tmp_path: Path) -> None:
    """Under a programme, the rest of the address is looked up in the tables: not there is 404
    (the page's "Not found", the API's JSON); a path of the API with another method is 405."""
    client, _ = client_for(copy_examples(tmp_path))
    assert client.get("/p/peer-mentoring/no-such-page").status_code == 404
    assert client.get("/api/programmes/peer-mentoring/no-such-thing", headers=bearer()).json() == {
        "error": "not found"
    }
    wrong_method = client.post("/api/programmes/peer-mentoring/review", headers=bearer(), json={})
    assert wrong_method.status_code == 405
