"""The assessor in the app (issue 14): the review API and page answer with `nums review`'s own
functions, save in the `nums review --init` layout, and refuse what the CLI refuses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nums.cli import cli
from nums.review import load_review
from nums.standard import Edition
from nums.submission import load_submission
from tests.web_support import FormReader, bearer, client_for, copy_examples

API = "/api/programmes/{}/review"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


def cli_review_json(folder: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["review", str(folder / "submission.yaml"), str(folder / "review.yaml"), "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def a_review(**decisions: str) -> dict[str, Any]:
    return {
        "reviewer": {"name": "Sam Reviewer"},
        "date": "2026-03-25",
        "decisions": {
            ident: {"decision": word, "comment": f"{word} after reading"} for ident, word in decisions.items()
        },
    }


def test_get_gives_the_files_data_and_hash_or_404_before_a_review(root: Path) -> None:
    client, _ = client_for(root)
    got = client.get(API.format("peer-mentoring"), headers=bearer())
    assert got.status_code == 200
    assert got.json()["review"]["decisions"]["diversity.2"]["decision"] == "more-evidence"
    assert got.json()["review"]["date"] == "2026-03-20"
    assert client.get(API.format("academic-mentoring"), headers=bearer()).status_code == 404


def test_the_outcome_is_exactly_what_nums_review_json_prints(root: Path) -> None:
    """'It is `nums review --json`, computed by the same functions.'"""
    client, _ = client_for(root)
    got = client.get("/api/programmes/peer-mentoring/outcome", headers=bearer())
    assert got.json() == cli_review_json(root / "peer-mentoring")
    assert got.json()["status"] == "provisional"


def test_a_new_review_is_saved_in_the_init_layout_and_reads_back_unchanged(
    root: Path, edition: Edition
) -> None:
    """'Saves review.yaml beside the submission, in the layout nums review --init writes, which
    nums review reads back unchanged.'"""
    folder = root / "academic-mentoring"
    init = CliRunner().invoke(
        cli, ["review", "--init", str(folder / "submission.yaml"), "-o", str(folder / "init.yaml")]
    )
    assert init.exit_code == 0, init.output
    client, _ = client_for(root)
    sent = a_review(**{"aims.1": "accepted", "aims.2": "rejected", "celebration.2": "accepted"})
    saved = client.put(
        API.format("academic-mentoring"), json={"base_sha256": None, "review": sent}, headers=bearer()
    )
    assert saved.status_code == 200, saved.json()
    written = (folder / "review.yaml").read_text()
    skeleton = (folder / "init.yaml").read_text()
    # every line of the --init file is there, in order: comments as written, the blanks filled in
    keys = [
        line.split(":")[0]
        for line in skeleton.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    written_keys = [
        line.split(":")[0]
        for line in written.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert written_keys[: len(keys)] == keys
    assert all(line in written for line in skeleton.splitlines() if line.lstrip().startswith("#"))
    review = load_review(
        folder / "review.yaml", edition, load_submission(folder / "submission.yaml", edition)
    )
    assert {k: (v.decision, v.comment) for k, v in review.decisions.items() if v.decision} == {
        k: (v["decision"], v["comment"]) for k, v in sent["decisions"].items()
    }
    assert saved.json()["outcome"] == cli_review_json(folder)
    assert (
        saved.json()["sha256"]
        == client.get(API.format("academic-mentoring"), headers=bearer()).json()["sha256"]
    )


def test_a_stale_base_is_409_and_leaves_the_file(root: Path) -> None:
    client, _ = client_for(root)
    before = (root / "peer-mentoring" / "review.yaml").read_bytes()
    stale = client.put(
        API.format("peer-mentoring"), json={"base_sha256": "0" * 64, "review": a_review()}, headers=bearer()
    )
    assert stale.status_code == 409 and stale.json()["sha256"]
    created_over = client.put(
        API.format("peer-mentoring"), json={"base_sha256": None, "review": a_review()}, headers=bearer()
    )
    assert created_over.status_code == 409
    assert (root / "peer-mentoring" / "review.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r["decisions"].update({"aims.1": {"decision": "maybe"}}), "decisions.aims.1.decision"),
        (
            lambda r: r.update(overrides={"training": {"level": "gold", "reason": " "}}),
            "overrides.training.reason",
        ),
        (
            lambda r: r.update(overrides={"training": {"level": "platinum", "reason": "why"}}),
            "overrides.training.level",
        ),
        (lambda r: r["decisions"].update({"aims.99": {"decision": "accepted"}}), "decisions.aims.99"),
        (lambda r: r.update(date="2020-01-01"), "date"),
        (lambda r: r.update(reviewer={"name": ""}), "reviewer.name"),
    ],
)
def test_an_invalid_review_is_422_with_nums_reviews_messages_and_leaves_the_file(
    root: Path, change: Any, field: str
) -> None:
    """Invalid decisions, an override without its reason, unknown levels and ids: refused, the file untouched."""
    client, _ = client_for(root)
    got = client.get(API.format("peer-mentoring"), headers=bearer()).json()
    before = (root / "peer-mentoring" / "review.yaml").read_bytes()
    review = got["review"]
    change(review)
    refused = client.put(
        API.format("peer-mentoring"), json={"base_sha256": got["sha256"], "review": review}, headers=bearer()
    )
    assert refused.status_code == 422
    assert field in [e["field"] for e in refused.json()["errors"]], refused.json()
    assert (root / "peer-mentoring" / "review.yaml").read_bytes() == before


def test_saves_are_versioned_apart_from_the_submissions_history(root: Path) -> None:
    client, _ = client_for(root)
    got = client.get(API.format("peer-mentoring"), headers=bearer()).json()
    before = (root / "peer-mentoring" / "review.yaml").read_bytes()
    got["review"]["decisions"]["diversity.2"]["decision"] = "accepted"
    saved = client.put(
        API.format("peer-mentoring"),
        json={"base_sha256": got["sha256"], "review": got["review"]},
        headers=bearer(),
    )
    assert saved.status_code == 200 and saved.json()["outcome"]["status"] == "final"
    assert saved.json()["outcome"]["overall"]["outcome"] == "silver"
    kept = list((root / "peer-mentoring" / ".nums" / "history" / "review").iterdir())
    assert [k.read_bytes() for k in kept] == [before]
    assert not list(
        (root / "peer-mentoring" / ".nums" / "history").glob("*.yaml")
    )  # the submission's history


def test_a_review_of_a_changed_submission_says_so(root: Path) -> None:
    """'A review whose submission changed since it was started says so (submission_sha256).'"""
    client, _ = client_for(root)
    sent = a_review(**{"aims.1": "accepted"})
    assert (
        client.put(
            API.format("academic-mentoring"), json={"base_sha256": None, "review": sent}, headers=bearer()
        ).json()["submission_changed"]
        is False
    )
    assert "submission_sha256:" in (root / "academic-mentoring" / "review.yaml").read_text()
    page = client.get("/p/academic-mentoring/review").text
    assert "has changed since this review was started" not in page
    submission = root / "academic-mentoring" / "submission.yaml"
    submission.write_text(submission.read_text().replace("of undergraduates", "of all undergraduates", 1))
    assert "has changed since this review was started" in client.get("/p/academic-mentoring/review").text


def test_the_review_pages_evidence_is_the_workspaces_file_under_nums_serve(root: Path) -> None:
    """With no snapshot (``nums serve`` has none) the review page's evidence links open the
    programme's own file, the bytes ``files/`` serves (on the site, a snapshot's kept copy while
    one is under review: test_site_web_journey)."""
    client, _ = client_for(root)
    cited = "evidence/mentee-leaflet.md"
    assert f'href="/p/peer-mentoring/review/files/{cited}"' in client.get("/p/peer-mentoring/review").text
    got = client.get(f"/p/peer-mentoring/review/files/{cited}")
    assert got.status_code == 200 and got.content == (root / "peer-mentoring" / cited).read_bytes()
    assert (
        client.get(f"/api/programmes/peer-mentoring/review/files/{cited}", headers=bearer()).status_code
        == 200
    )
    assert client.get("/p/peer-mentoring/review/files/evidence/nothing-here.md").status_code == 404


def test_the_letter_is_the_same_bytes_as_nums_review_letter(root: Path, tmp_path: Path) -> None:
    client, _ = client_for(root)
    folder = root / "peer-mentoring"
    letter = tmp_path / "letter.pdf"
    result = CliRunner().invoke(
        cli, ["review", str(folder / "submission.yaml"), str(folder / "review.yaml"), "--letter", str(letter)]
    )
    assert result.exit_code == 0, result.output
    got = client.get("/api/programmes/peer-mentoring/letter.pdf", headers=bearer())
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert got.content == letter.read_bytes()
    assert client.get("/p/peer-mentoring/review/letter.pdf").content == letter.read_bytes()
    assert client.get("/api/programmes/academic-mentoring/letter.pdf", headers=bearer()).status_code == 404


def review_form(html: str) -> list[tuple[str, str]]:
    reader = FormReader("review-form")
    reader.feed(html)
    return reader.fields


def test_the_page_lists_claimed_items_one_by_one_and_unclaimed_ones_collapsed(root: Path) -> None:
    client, _ = client_for(root)
    html = client.get("/p/peer-mentoring/review").text
    assert 'id="d-training-1-a"' in html  # Training topics one by one
    assert re.search(r"<details><summary>\d+ not claimed", html)
    assert 'target="_blank" rel="noopener noreferrer"' in html  # links open in a new tab
    assert "/p/peer-mentoring/review/files/evidence/" in html  # files download as the review reads them
    assert 'name="o.training.level"' in html and 'name="o.training.reason"' in html


def test_the_page_saves_what_the_form_says_and_shows_the_outcome(root: Path) -> None:
    client, guard = client_for(root)
    fields = [
        (k, "accepted" if k == "d.diversity.2.decision" else v)
        for k, v in review_form(client.get("/p/peer-mentoring/review").text)
    ]
    preview = client.post(f"/p/peer-mentoring/review/preview?csrf={guard.csrf}", data=dict(fields))
    assert re.search(r'id="review-status">final<', preview.text) and re.search(
        r'id="review-outcome"[^>]*>Silver<', preview.text
    )
    saved = client.post(f"/p/peer-mentoring/review/save?csrf={guard.csrf}", data=dict(fields))
    assert saved.status_code == 303
    assert cli_review_json(root / "peer-mentoring")["overall"]["outcome"] == "silver"
    # the same form again is now stale: refused, the file left as it is
    before = (root / "peer-mentoring" / "review.yaml").read_bytes()
    again = client.post(f"/p/peer-mentoring/review/save?csrf={guard.csrf}", data=dict(fields))
    assert again.status_code == 409 and "changed on disk" in again.text
    assert (root / "peer-mentoring" / "review.yaml").read_bytes() == before


def test_an_override_without_a_reason_is_shown_again_not_saved(root: Path) -> None:
    client, guard = client_for(root)
    fields = dict(review_form(client.get("/p/peer-mentoring/review").text))
    fields["o.celebration.level"] = "silver"
    before = (root / "peer-mentoring" / "review.yaml").read_bytes()
    refused = client.post(f"/p/peer-mentoring/review/save?csrf={guard.csrf}", data=fields)
    assert refused.status_code == 422 and "an override must give its reason" in refused.text
    assert (root / "peer-mentoring" / "review.yaml").read_bytes() == before


def test_review_writes_need_the_csrf_token(root: Path) -> None:
    """The middleware's rules hold for the new routes: a write without the CSRF token is refused."""
    client, _ = client_for(root)
    fields = dict(review_form(client.get("/p/peer-mentoring/review").text))
    assert client.post("/p/peer-mentoring/review/save", data=fields).status_code == 403
    anonymous, _ = client_for(root, cookie=False)
    assert anonymous.get(API.format("peer-mentoring")).status_code in {401, 403}


def test_the_queue_shows_each_review_state_sortable_by_application_date(root: Path) -> None:
    client, _ = client_for(root)
    html = client.get("/?sort=application").text
    states = re.findall(r'class="review-state">([^<]*)<', html)
    assert "provisional, 1 open request" in states and "not started" in states
    dates = re.findall(r"on (\d{4}-\d{2}-\d{2})</td>", html)
    assert dates == sorted(dates) and len(dates) == 4
    backwards = re.findall(r"on (\d{4}-\d{2}-\d{2})</td>", client.get("/?sort=-application").text)
    assert backwards == sorted(dates, reverse=True)


def test_a_reaccreditation_is_decided_on_continuation(root: Path) -> None:
    """'The continuation: decision for a reaccreditation': the review is final once it is decided."""
    client, _ = client_for(root)
    html = client.get("/p/department-combined/review").text
    assert 'id="d-continuation"' in html and 'name="d.continuation.decision"' in html
    sent = a_review(continuation="accepted")
    sent["date"] = "2026-04-25"
    saved = client.put(
        API.format("department-combined"), json={"base_sha256": None, "review": sent}, headers=bearer()
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["outcome"]["status"] == "final"
    assert saved.json()["outcome"] == cli_review_json(root / "department-combined")
    # an initial application has no continuation to decide: refused in nums review's words
    refused = client.put(
        API.format("academic-mentoring"),
        json={"base_sha256": None, "review": a_review(continuation="accepted")},
        headers=bearer(),
    )
    assert refused.status_code == 422
    assert "only a reaccreditation has continuation evidence to decide" in refused.text


def test_only_web_addresses_become_links(root: Path) -> None:
    """Evidence links open in a new tab; an address that is not http(s) is shown, never linked."""
    submission = root / "peer-mentoring" / "submission.yaml"
    text = submission.read_text()
    assert "https://www.harbourside.example.ac.uk/peer-mentoring" in text
    submission.write_text(
        text.replace("https://www.harbourside.example.ac.uk/peer-mentoring", "javascript:alert(1)")
    )
    client, _ = client_for(root)
    html = client.get("/p/peer-mentoring/review").text
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html


def test_kept_review_versions_are_listed_and_one_can_be_restored(root: Path) -> None:
    """Issue 13's 'the version it replaces is kept ... and the page can restore one', for review.yaml:
    the review page lists its own history and restores a version, checked like a save."""
    client, guard = client_for(root)
    target = root / "peer-mentoring" / "review.yaml"
    original = target.read_bytes()
    page = client.get("/p/peer-mentoring/review").text
    assert "No earlier versions yet" in page
    fields = [(k, "accepted" if k == "d.diversity.2.decision" else v) for k, v in review_form(page)]
    assert (
        client.post(f"/p/peer-mentoring/review/save?csrf={guard.csrf}", data=dict(fields)).status_code == 303
    )
    saved = target.read_bytes()
    page = client.get("/p/peer-mentoring/review").text
    (version,) = re.findall(r'name="version" value="([^"]+)"', page)
    base = re.search(
        r'action="/p/peer-mentoring/review/restore[^"]*".*?name="base_sha256" value="([0-9a-f]+)"', page, re.S
    )
    assert base is not None
    # a stale base: refused, nothing changed
    stale = client.post(
        f"/p/peer-mentoring/review/restore?csrf={guard.csrf}",
        data={"version": version, "base_sha256": "0" * 64},
    )
    assert stale.status_code == 303 and "conflict=1" in stale.headers["location"]
    assert target.read_bytes() == saved
    assert "changed on disk meanwhile" in client.get(stale.headers["location"]).text
    # traversal or unknown names are 404
    for bad in ("../../submission.yaml", "20260101T000000000000Z-000000000000.yaml"):
        refused = client.post(
            f"/p/peer-mentoring/review/restore?csrf={guard.csrf}",
            data={"version": bad, "base_sha256": base[1]},
        )
        assert refused.status_code == 404
    restored = client.post(
        f"/p/peer-mentoring/review/restore?csrf={guard.csrf}",
        data={"version": version, "base_sha256": base[1]},
    )
    assert restored.status_code == 303 and "restored=1" in restored.headers["location"]
    assert target.read_bytes() == original
    assert cli_review_json(root / "peer-mentoring")["status"] == "provisional"
    # the version it replaced is kept too; the submission's history is untouched
    kept = sorted((root / "peer-mentoring" / ".nums" / "history" / "review").iterdir())
    assert sorted(k.read_bytes() for k in kept) == sorted([original, saved])
    assert not list((root / "peer-mentoring" / ".nums" / "history").glob("*.yaml"))
    assert (
        client.post(
            "/p/peer-mentoring/review/restore", data={"version": version, "base_sha256": base[1]}
        ).status_code
        == 403
    )
