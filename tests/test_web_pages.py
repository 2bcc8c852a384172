"""The coordinator's pages with JavaScript off: plain form posts and full pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli
from nums.web.files import KEEP_VERSIONS
from tests.web_support import awardable_on, client_for, copy_examples, form_fields


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


def test_home_lists_programmes_and_the_broken_ones_with_their_errors(root: Path) -> None:
    (root / "broken").mkdir()
    (root / "broken" / "submission.yaml").write_text("programme:\n  name: [\n")
    client, _ = client_for(root)
    html = client.get("/").text
    assert "First-Year Peer Mentoring" in html and "Harbourside University" in html
    assert "Programmes that need fixing" in html and "broken/submission.yaml:" in html
    assert "New programme" in html


def test_new_programme_then_fill_it_in_with_plain_form_posts(root: Path) -> None:
    client, guard = client_for(root)
    created = client.post(f"/new?csrf={guard.csrf}", data={"folder": "new-scheme"})
    assert created.status_code == 303 and created.headers["location"].startswith("/p/new-scheme")
    page = client.get("/p/new-scheme").text
    assert "to fix" in page  # a blank submission is not valid yet, and says what is missing
    fields = form_fields(page)
    fields.update(
        {
            "p0.name": "Study Buddies",
            "p0.institution": "Fenwick University",
            "p0.coordinator.name": "Ana Silva",
            "p0.purpose": "peer mentoring of first-year students",
            "p0.mentors": "12",
            "p0.started": "2024-09-16",
            "application.date": "2026-03-02",
            "application.level": "bronze",
            "c.aims.1.met": "1",
            "c.aims.1.statement": "Our aim is to help first-years settle in.",
            "c.aims.1.new.url": "https://example.org/study-buddies",
            "action": "save",
        }
    )
    saved = client.post(f"/p/new-scheme/save?csrf={guard.csrf}", data=fields)
    assert saved.status_code == 303, saved.text[:3000]
    path = root / "new-scheme" / "submission.yaml"
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0
    page = client.get("/p/new-scheme?saved=1").text
    assert "Saved." in page and "https://example.org/study-buddies" in page
    assert "Our aim is to help first-years settle in." in path.read_text()


def test_an_invalid_value_is_shown_next_to_its_field_and_nothing_is_saved(root: Path) -> None:
    client, guard = client_for(root)
    fields = form_fields(client.get("/p/peer-mentoring").text)
    fields.update({"p0.mentors": "lots", "c.aims.1.statement": "typed but not saved", "action": "save"})
    path = root / "peer-mentoring" / "submission.yaml"
    before = path.read_bytes()
    response = client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data=fields)
    assert response.status_code == 422
    assert path.read_bytes() == before
    assert 'id="f-p0-mentors-error"' in response.text
    assert "typed but not saved" in response.text  # what the person typed is still in the form


def test_a_stale_page_is_refused_and_keeps_what_was_typed(root: Path) -> None:
    """ "if the file changed on disk since ... the save is refused with a clear message, the file is left
    as it is, and what the person typed is still in the form.\""""
    client, guard = client_for(root)
    fields = form_fields(client.get("/p/peer-mentoring").text)
    path = root / "peer-mentoring" / "submission.yaml"
    path.write_text(path.read_text() + "# edited elsewhere\n")
    before = path.read_bytes()
    fields.update({"c.aims.1.statement": "my careful words", "action": "save"})
    response = client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data=fields)
    assert response.status_code == 409
    assert "the file changed on disk" in response.text and "my careful words" in response.text
    assert path.read_bytes() == before
    fields = form_fields(response.text)
    fields["action"] = "overwrite"
    assert client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data=fields).status_code == 303
    assert "my careful words" in path.read_text()


def test_a_hand_broken_file_is_shown_with_its_lines_and_never_overwritten_unasked(root: Path) -> None:
    client, guard = client_for(root)
    path = root / "peer-mentoring" / "submission.yaml"
    path.write_text("programme:\n  name: First\n  name: Second\ncriteria: [\n")
    before = path.read_bytes()
    page = client.get("/p/peer-mentoring").text
    assert re.search(r"submission\.yaml:\d+: ", page)
    assert "cannot be read as a submission" in page
    assert (
        client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data={"action": "save"}).status_code == 409
    )
    assert client.post(f"/p/peer-mentoring/replace?csrf={guard.csrf}", data={}).status_code == 422
    assert path.read_bytes() == before
    sha = form_fields(page)  # the broken page has no programme form
    assert sha == {}
    from nums.workspace import file_sha256

    replaced = client.post(
        f"/p/peer-mentoring/replace?csrf={guard.csrf}",
        data={"confirm": "1", "base_sha256": file_sha256(before)},
    )
    assert replaced.status_code == 303
    assert path.read_bytes() != before
    kept = sorted((root / "peer-mentoring" / ".nums" / "history").iterdir())
    assert kept[-1].read_bytes() == before


def test_saves_keep_the_last_versions_and_one_can_be_restored(root: Path) -> None:
    """ "The version it replaces is kept ... (the last 20), and the page can restore one.\""""
    client, guard = client_for(root)
    path = root / "peer-mentoring" / "submission.yaml"
    original = path.read_bytes()
    for number in range(KEEP_VERSIONS + 3):
        fields = form_fields(client.get("/p/peer-mentoring").text)
        fields.update({"c.aims.1.statement": f"version {number}", "action": "save"})
        assert client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data=fields).status_code == 303
    history = root / "peer-mentoring" / ".nums" / "history"
    assert len(list(history.iterdir())) == KEEP_VERSIONS
    page = client.get("/p/peer-mentoring").text
    assert page.count("Restore</button>") == KEEP_VERSIONS
    newest = sorted(history.iterdir())[-1]
    current = form_fields(page)["base_sha256"]
    restored = client.post(
        f"/p/peer-mentoring/restore?csrf={guard.csrf}", data={"version": newest.name, "base_sha256": current}
    )
    assert restored.status_code == 303
    assert "version 21" in path.read_text() and path.read_bytes() != original
    bad = client.post(
        f"/p/peer-mentoring/restore?csrf={guard.csrf}", data={"version": "../../x", "base_sha256": current}
    )
    assert bad.status_code == 404


def test_buttons_add_and_remove_rows_without_saving(root: Path) -> None:
    client, guard = client_for(root)
    path = root / "peer-mentoring" / "submission.yaml"
    before = path.read_bytes()
    fields = form_fields(client.get("/p/peer-mentoring").text)
    added = client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data={**fields, "action": "add-award"})
    assert added.status_code == 200 and 'name="history.1.level"' in added.text
    removed = client.post(
        f"/p/peer-mentoring/save?csrf={guard.csrf}", data={**fields, "action": "remove-evidence:aims.1:0"}
    )
    assert removed.status_code == 200
    assert form_fields(removed.text)["c.aims.1.ev-count"] == "1"
    assert path.read_bytes() == before


def test_an_upload_from_the_form_becomes_evidence(root: Path) -> None:
    client, guard = client_for(root)
    fields = form_fields(client.get("/p/peer-mentoring").text)
    fields.update({"action": "save", "c.celebration.2.new.title": "Case studies 2025"})
    response = client.post(
        f"/p/peer-mentoring/save?csrf={guard.csrf}",
        data=fields,
        files={"c.celebration.2.upload": ("case studies.pdf", b"%PDF-1.4 case studies")},
    )
    assert response.status_code == 303, response.text[:2000]
    assert (root / "peer-mentoring" / "evidence" / "case-studies.pdf").read_bytes().startswith(b"%PDF")
    text = (root / "peer-mentoring" / "submission.yaml").read_text()
    assert '{title: "Case studies 2025", file: "evidence/case-studies.pdf"}' in text


def test_the_live_preview_follows_the_form_without_saving(root: Path) -> None:
    client, guard = client_for(root)
    page = client.get("/p/academic-mentoring").text
    assert awardable_on(page) == "Bronze"
    fields = form_fields(page)
    fields["application.level"] = "bronze"
    preview = client.post(f"/p/academic-mentoring/preview?csrf={guard.csrf}", data=fields)
    assert preview.status_code == 200 and "not saved yet" in preview.text
    fields["p0.started"] = ""
    fields["application.date"] = "2020-01-01"
    preview = client.post(f"/p/academic-mentoring/preview?csrf={guard.csrf}", data=fields)
    assert awardable_on(preview.text) == "Nothing yet"


def test_the_pack_html_preview_is_sandboxed(root: Path) -> None:
    client, _ = client_for(root)
    response = client.get("/p/peer-mentoring/pack.html")
    assert response.status_code == 200 and "First-Year Peer Mentoring" in response.text
    assert "sandbox" in response.headers["content-security-policy"]


def test_an_oversize_upload_from_the_form_is_413_and_saves_nothing(root: Path) -> None:
    """ "Uploads have a size limit ... a larger one gets 413 and writes nothing.\""""
    client, guard = client_for(root, max_upload=1000)
    fields = form_fields(client.get("/p/peer-mentoring").text)
    fields.update({"action": "save", "c.aims.1.statement": "not saved with a too-large file"})
    path = root / "peer-mentoring" / "submission.yaml"
    before = path.read_bytes()
    evidence = sorted((root / "peer-mentoring" / "evidence").iterdir())
    response = client.post(
        f"/p/peer-mentoring/save?csrf={guard.csrf}",
        data=fields,
        files={"c.aims.1.upload": ("big.pdf", b"x" * 1001)},
    )
    assert response.status_code == 413
    assert "not saved with a too-large file" in response.text
    assert path.read_bytes() == before
    assert sorted((root / "peer-mentoring" / "evidence").iterdir()) == evidence


def test_the_live_preview_names_each_problems_field_as_the_save_does(root: Path) -> None:
    """Issue 13: 'an invalid value is shown next to its field with the same message `nums validate`
    gives'. The preview carries each message with the form control it belongs to (app.js puts it
    there); the message is the save's, and the control is on the page."""
    client, guard = client_for(root)
    page = client.get("/p/peer-mentoring").text
    assert "data-field-errors" in page
    fields = form_fields(page)
    fields.update({"p0.mentors": "lots"})
    preview = client.post(f"/p/peer-mentoring/preview?csrf={guard.csrf}", data=fields)
    assert preview.status_code == 200
    shown = dict(re.findall(r'<li data-field="[^"]+" data-control="([^"]+)">([^<]+)</li>', preview.text))
    assert "f-p0-mentors" in shown and 'id="f-p0-mentors"' in page
    saved = client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data={**fields, "action": "save"})
    beside = re.search(r'id="f-p0-mentors-error" data-field-error>([^<]+)<', saved.text)
    assert beside is not None and beside[1] == shown["f-p0-mentors"]
    broken = root / "broken.yaml"
    broken.write_text(
        (root / "peer-mentoring" / "submission.yaml").read_text().replace("mentors: ", "mentors: lots #", 1)
    )
    validate = CliRunner().invoke(cli, ["validate", str(broken)])
    assert validate.exit_code == 2
    assert shown["f-p0-mentors"].split(" (")[0] in " ".join(validate.output.split())
    # nothing wrong: no list, so the page clears what it showed
    clean = client.post(f"/p/peer-mentoring/preview?csrf={guard.csrf}", data=form_fields(page))
    assert 'id="field-errors"' not in clean.text


def test_two_problems_on_one_field_share_one_described_element() -> None:
    """An id names one element: aria-describedby must find every message of a field (axe: duplicate-id)."""
    from nums.web.templating import ENV as _ENV

    macros = _ENV.get_template("_macros.html").make_module({})
    errors = {"programme.mentors": ["the number of mentors must be a whole number", "must be 1 or more"]}
    html = str(macros.input(errors, "programme.mentors", "Mentors", "lots"))
    assert html.count('id="f-programme-mentors-error"') == 1
    assert "the number of mentors must be a whole number<br>must be 1 or more" in html
    described = re.search(r'aria-describedby="([^"]*)"', html)
    assert described is not None and "f-programme-mentors-error" in described.group(1).split()


def test_the_programme_page_of_nums_serve_has_no_journey(root: Path) -> None:
    """Issue 23: the journey (``/p/ID/journey``) is the site's; `nums serve` has none, so its
    programme page neither links to it nor shows requests, and names the file by its full path."""
    client, _ = client_for(root)
    html = client.get("/p/peer-mentoring").text
    assert "/journey" not in html and 'class="request' not in html
    assert str(root / "peer-mentoring" / "submission.yaml") in html
    assert "s review of this submission</a>" in html
    assert client.get("/p/peer-mentoring/journey").status_code == 404
