"""The programme page's block cache (``nums.web.blocks``) is invisible (issue 22: the site meets
its speed target "with no lost update: every save is in the file or refused with 409").

A page rendered from the cache is byte-identical to one rendered without it; a save followed by a
load shows the new words, on the same app and on a second app over the same site folder (two
workers); evidence removed on disk changes the page at once (the block is keyed by the claim's
status, not by the file's date). On SQLite, and on PostgreSQL when NUMS_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from nums import loading_cache, policy
from nums.render.assessment import assessment_json
from nums.site import accounts
from nums.site.folder import OpenSite
from nums.web import blocks
from nums.web.app import create_site_app
from nums.workspace import Workspace
from tests import journey_support, site_support
from tests.conftest import EXAMPLES
from tests.site_support import LONG_ENOUGH

engine, quick_hashes = site_support.engine, site_support.quick_hashes
ADDRESS = "https://nums.example.org"
EMAIL = "coordinator@harbourside.example.ac.uk"
SHIPPED = sorted(path.parent.name for path in EXAMPLES.glob("*/submission.yaml"))


@pytest.fixture()
def site(engine: Engine, tmp_path: Path) -> Iterator[OpenSite]:
    """A site with one coordinator of every shipped example, at harbourside/EXAMPLE."""
    made = journey_support.make_site(tmp_path / "site", engine).site
    with made.transaction() as db:
        person = accounts.add_person(db, "all@harbourside.example.ac.uk", "All", LONG_ENOUGH, "harbourside")
        for name in SHIPPED:
            if not (made.workspace / "harbourside" / name).exists():
                shutil.copytree(EXAMPLES / name, made.workspace / "harbourside" / name)
            accounts.grant(db, person, "coordinator", name)
    yield made
    _all_kept()


def _all_kept() -> None:
    blocks.BLOCKS.size, blocks.PILLARS.size = blocks.BLOCKS_KEPT, blocks.PILLARS_KEPT
    blocks.SECTIONS.size = blocks.SECTIONS_KEPT


def signed_in(site: OpenSite) -> tuple[TestClient, str]:
    """A client of a new app over the site (a worker of its own), signed in; and its CSRF token."""
    client = TestClient(create_site_app(site, submitted=lambda programme_id: False), base_url=ADDRESS)
    answer = client.post(
        "/api/session", json={"email": "all@harbourside.example.ac.uk", "password": LONG_ENOUGH}
    )
    assert answer.status_code == 200, answer.text
    return client, answer.json()["csrf"]


def page(client: TestClient, name: str) -> str:
    answer = client.get(f"/p/harbourside/{name}")
    assert answer.status_code == 200
    return answer.text


@pytest.mark.parametrize("name", SHIPPED)
def test_a_page_from_the_cache_is_the_page_without_it(site: OpenSite, name: str) -> None:
    """ "Every cache must be invisible": the same bytes uncached, first cached, and from the cache."""
    client, _ = signed_in(site)
    for kept in (blocks.BLOCKS, blocks.PILLARS, blocks.SECTIONS):
        kept.size = 0
        kept.clear()
    uncached = page(client, name)
    assert len(blocks.BLOCKS) == len(blocks.PILLARS) == len(blocks.SECTIONS) == 0
    _all_kept()
    first = page(client, name)
    hits = blocks.SECTIONS.hits
    again = page(client, name)
    assert blocks.SECTIONS.hits > hits  # the second page came from the cache
    assert uncached == first == again
    assert 'class="claim' in again  # the criterion blocks are there


def _save(client: TestClient, csrf: str, name: str, words: str) -> str:
    api = f"/api/programmes/harbourside/{name}/submission"
    got = client.get(api).json()
    document = got["submission"]
    next(iter(document["criteria"].values()))["statement"] = words
    answer = client.put(
        api, json={"base_sha256": got["sha256"], "submission": document}, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["sha256"]


def test_a_save_then_a_load_shows_the_new_words_on_every_worker(site: OpenSite) -> None:
    """ "Never serve a stale page after a save": two apps over one folder, as two workers are."""
    one, one_csrf = signed_in(site)
    two, two_csrf = signed_in(site)
    for client in (one, two):
        assert "Saved by worker" not in page(client, "peer-mentoring")  # both have the old blocks
    _save(one, one_csrf, "peer-mentoring", "Saved by worker one.")
    assert "Saved by worker one." in page(one, "peer-mentoring")
    assert "Saved by worker one." in page(two, "peer-mentoring")
    _save(two, two_csrf, "peer-mentoring", "Saved by worker two.")
    for client in (one, two):
        shown = page(client, "peer-mentoring")
        assert "Saved by worker two." in shown and "Saved by worker one." not in shown


def test_a_save_renders_anew_only_the_pillar_it_changed(site: OpenSite) -> None:
    """After a save that changed one statement the page shows it, and the other pillars are
    the very sections kept from before (the page is still byte-identical to an uncached one)."""
    client, csrf = signed_in(site)
    _save(client, csrf, "peer-mentoring", "A first save writes the file in the canonical layout.")
    page(client, "peer-mentoring")
    _save(client, csrf, "peer-mentoring", "One statement changed.")
    misses = blocks.PILLARS.misses
    shown = page(client, "peer-mentoring")
    assert "One statement changed." in shown
    assert blocks.PILLARS.misses == misses + 1  # the first pillar; the six others were kept
    for kept in (blocks.BLOCKS, blocks.PILLARS, blocks.SECTIONS):
        kept.size = 0
        kept.clear()
    assert page(client, "peer-mentoring") == shown


def test_a_save_back_to_earlier_words_shows_them_again(site: OpenSite) -> None:
    """A key seen before (the words saved back) is the same page as before: content, not time."""
    client, csrf = signed_in(site)
    before = page(client, "peer-mentoring")
    original = client.get("/api/programmes/harbourside/peer-mentoring/submission").json()["submission"]
    statement = next(iter(original["criteria"].values()))["statement"]
    _save(client, csrf, "peer-mentoring", "For a moment, other words.")
    assert "For a moment, other words." in page(client, "peer-mentoring")
    _save(client, csrf, "peer-mentoring", statement)
    after = page(client, "peer-mentoring")
    assert "For a moment, other words." not in after
    assert _criteria(after) == _criteria(before)  # (the file's hash and history differ: a new version)


def _criteria(html: str) -> str:
    """The page's criteria: from the first pillar to the form's last save button."""
    return html[html.index('class="pillar card"') : html.index('class="savebar bottom"')]


def test_evidence_removed_on_disk_shows_at_once(site: OpenSite) -> None:
    """The file is unchanged but a claim's evidence file is gone: "Claimed but not counted" shows
    on the next load (the block's key holds the claim's status and reasons)."""
    client, _ = signed_in(site)
    folder = site.workspace / "harbourside" / "peer-mentoring"
    before = page(client, "peer-mentoring")
    evidence = sorted((folder / "evidence").iterdir())
    assert evidence, "the example has evidence files"
    for path in evidence:
        path.unlink()
    after = page(client, "peer-mentoring")
    assert after.count("Claimed but not counted") > before.count("Claimed but not counted")


@pytest.mark.parametrize("name", SHIPPED)
def test_a_load_from_the_cache_is_the_load_without_it(tmp_path: Path, name: str) -> None:
    """The parse, the validated submission and the assessment kept by the file's hash are what
    reading the file afresh gives (``Workspace.load``, the CLI's and the web app's)."""
    shutil.copytree(EXAMPLES / name, tmp_path / name)
    workspace = Workspace(tmp_path)
    place = workspace.programme_at(name)
    assert place is not None
    for kept in loading_cache.every_cache():
        kept.size = 0
    try:
        afresh = workspace.load(place)
    finally:
        for kept in loading_cache.every_cache():
            kept.size = loading_cache.FILES_KEPT
    first, again = workspace.load(place), workspace.load(place)
    assert afresh == first == again
    assert afresh.assessment is not None and assessment_json(afresh.assessment) == assessment_json(
        again.assessment  # type: ignore[arg-type]
    )
    assert again.submission is not first.submission  # each load checks the evidence on disk anew


def test_a_file_changed_by_hand_is_read_anew(tmp_path: Path) -> None:
    """Kept by content, never by date: a file changed outside the app (an editor, git) with the
    same size and modification time is still read as it is now."""
    shutil.copytree(EXAMPLES / "peer-mentoring", tmp_path / "p")
    workspace = Workspace(tmp_path)
    place = workspace.programme_at("p")
    assert place is not None
    before = workspace.load(place)
    stat = place.path.stat()
    text = place.path.read_text(encoding="utf-8")
    at = text.index("statement:", text.index("criteria:"))
    changed = text[:at] + text[at:].replace("mentor", "MENTOR", 1)  # the same size
    assert changed != text and len(changed) == len(text)
    place.path.write_text(changed, encoding="utf-8")
    os.utime(place.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = workspace.load(place)
    assert after.sha256 != before.sha256 and after.document != before.document
    assert after.document == Workspace(tmp_path).load(place).document


@pytest.mark.parametrize("role", list(policy.Role))
def test_the_journey_is_asked_only_of_whom_it_can_change(role: policy.Role) -> None:
    """The site skips the journey's "submitted for review" look-up (CONTRACT 7) for a person whose
    every decision is the same either way ("assessor sees programmes submitted for review": the
    assessor's are not)."""
    for institution in ("harbourside", "northfield"):
        person = policy.person_from(
            1, "p@x.test", "P", institution, [(role.value, "harbourside/peer-mentoring")]
        )
        differs = any(
            policy.can(person, action, policy.Programme(place, "peer-mentoring", submitted=True))
            != policy.can(person, action, policy.Programme(place, "peer-mentoring", submitted=False))
            for action in policy.Action
            for place in ("harbourside", "northfield")
        )
        assert not differs or policy.turns_on_submission(person)
        if role is policy.Role.ASSESSOR and institution == "northfield":
            assert differs and policy.turns_on_submission(person)


RENDERED_ALONE = {
    # template: what web/blocks.py passes it, and what it sets for the templates it includes
    "_criterion.html": ({"ed", "item", "id", "claim", "status", "errors", "pending", "journey"}, set()),
    "_claim.html": (
        {"ed", "item", "id", "claim", "status", "errors", "pending", "journey"},
        {"target", "heading", "criterion", "details", "m"},  # set by _criterion.html
    ),
    "_pillar.html": (
        {"ed", "pillar", "id", "rating", "doc", "statuses", "errors", "pending", "requests"},
        set(),
    ),
    "_pillars.html": ({"ed", "id", "doc", "statuses", "errors", "pending", "requests"}, set()),
}


@pytest.mark.parametrize("name", sorted(RENDERED_ALONE))
def test_what_is_rendered_alone_is_given_all_it_uses(name: str) -> None:
    """A name a template rendered on its own is not given would print as nothing, uncached and
    cached alike: each uses only what it is given, what its includer sets, and the globals."""
    from jinja2 import meta

    from nums.web.templating import ENV

    given, set_by_includer = RENDERED_ALONE[name]
    used = meta.find_undeclared_variables(ENV.parse(ENV.loader.get_source(ENV, name)[0]))  # type: ignore[union-attr]
    assert used - set(ENV.globals) <= given | set_by_includer
