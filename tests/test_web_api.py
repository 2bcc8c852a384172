"""The JSON API: a contract like `--json`, answering with the CLI's own functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli
from nums.skeleton import submission_skeleton
from nums.standard import Edition
from tests.web_support import bearer, client_for, copy_examples


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_programmes_are_listed_with_their_awardable_level_and_errors(root: Path) -> None:
    (root / "broken").mkdir()
    (root / "broken" / "submission.yaml").write_text("criteria: [\n")
    client, _ = client_for(root)
    rows = {row["id"]: row for row in client.get("/api/programmes", headers=bearer()).json()}
    keys = {"id", "path", "name", "institution", "application", "awardable_level", "valid_until", "errors"}
    assert all(keys <= row.keys() for row in rows.values())
    assert rows["peer-mentoring"]["awardable_level"] == "silver"
    assert rows["peer-mentoring"]["valid_until"] == "2026-05-11"
    assert rows["peer-mentoring"]["errors"] == []
    assert rows["broken"]["errors"] and "broken/submission.yaml:" in rows["broken"]["errors"][0]


def test_a_new_programme_is_what_nums_init_writes(root: Path, edition: Edition) -> None:
    client, _ = client_for(root)
    response = client.post("/api/programmes", json={"folder": "faculty/new-scheme"}, headers=bearer())
    assert response.status_code == 201 and response.json()["id"] == "faculty/new-scheme"
    assert (root / "faculty/new-scheme/submission.yaml").read_text() == submission_skeleton(edition)
    assert (root / "faculty/new-scheme/evidence").is_dir()
    again = client.post("/api/programmes", json={"folder": "faculty/new-scheme"}, headers=bearer())
    assert again.status_code == 409
    for bad in ("../escape", "/abs", "a/b/c/d", ".hidden", "evidence", "sp ace"):
        assert client.post("/api/programmes", json={"folder": bad}, headers=bearer()).status_code == 422, bad
    assert not (root.parent / "escape").exists()


def test_the_submission_is_the_files_document_with_iso_dates(root: Path) -> None:
    client, _ = client_for(root)
    body = client.get("/api/programmes/peer-mentoring/submission", headers=bearer()).json()
    assert len(body["sha256"]) == 64
    assert body["submission"]["application"]["date"] == "2026-03-02"
    assert body["submission"]["history"] == [{"level": "bronze", "awarded": "2025-05-12"}]


def test_the_assessment_is_what_nums_assess_json_prints(root: Path) -> None:
    """ "exactly what `nums assess --json` prints for that file\"."""
    client, _ = client_for(root)
    for programme in ("peer-mentoring", "department-combined"):
        path = str(root / programme / "submission.yaml")
        api = client.get(f"/api/programmes/{programme}/assessment", headers=bearer()).json()
        assert api == cli_json("assess", "--json", path)
        later = client.get(f"/api/programmes/{programme}/assessment?on=2026-09-01", headers=bearer()).json()
        assert later == cli_json("assess", "--json", "--on", "2026-09-01", path)
    bad_date = client.get("/api/programmes/peer-mentoring/assessment?on=soon", headers=bearer())
    assert bad_date.status_code == 422


def test_a_put_saves_a_file_that_validates_and_assesses_the_same(root: Path) -> None:
    """ "A file saved through PUT passes nums validate, and nums assess --json on it equals the
    assessment the PUT returned.\""""
    client, _ = client_for(root)
    url = "/api/programmes/peer-mentoring/submission"
    got = client.get(url, headers=bearer()).json()
    document = got["submission"]
    document["criteria"]["celebration.2"]["evidence"] = [
        {"title": "Case studies", "url": "https://example.org/case-studies"}
    ]
    document["programme"]["note"] = "kept, though not a field"
    response = client.put(url, json={"base_sha256": got["sha256"], "submission": document}, headers=bearer())
    assert response.status_code == 200, response.text
    path = root / "peer-mentoring" / "submission.yaml"
    check = CliRunner().invoke(cli, ["validate", str(path)])
    assert check.exit_code == 0, check.output
    assert response.json()["assessment"] == cli_json("assess", "--json", str(path))
    assert response.json()["assessment"]["criteria"]["celebration.2"]["status"] == "met"
    written = path.read_text()
    assert "# Celebrating the programme" in written or "# ===== Pillar 7" in written
    assert "note: " in written
    assert response.json()["sha256"] == client.get(url, headers=bearer()).json()["sha256"]


def test_a_stale_base_is_409_and_leaves_the_file(root: Path) -> None:
    """ "if the file changed on disk since base_sha256 ... 409 (file untouched)\"."""
    client, _ = client_for(root)
    url = "/api/programmes/peer-mentoring/submission"
    got = client.get(url, headers=bearer()).json()
    path = root / "peer-mentoring" / "submission.yaml"
    path.write_text(path.read_text() + "\n# a colleague's edit\n")
    before = path.read_bytes()
    response = client.put(
        url, json={"base_sha256": got["sha256"], "submission": got["submission"]}, headers=bearer()
    )
    assert response.status_code == 409
    assert path.read_bytes() == before


def test_an_invalid_submission_is_422_with_validates_messages_and_leaves_the_file(root: Path) -> None:
    client, _ = client_for(root)
    url = "/api/programmes/peer-mentoring/submission"
    got = client.get(url, headers=bearer()).json()
    document = got["submission"]
    document["programme"]["mentors"] = "lots"
    path = root / "peer-mentoring" / "submission.yaml"
    before = path.read_bytes()
    response = client.put(url, json={"base_sha256": got["sha256"], "submission": document}, headers=bearer())
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "programme.mentors" in errors
    document["programme"]["mentors"] = 24
    document["application"]["level"] = "silverr"
    response = client.put(url, json={"base_sha256": got["sha256"], "submission": document}, headers=bearer())
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert response.status_code == 422 and "did you mean 'silver'" in errors["application.level"]
    document["application"]["level"] = "silver"
    document["application"]["date"] = "2026-13-01"
    response = client.put(url, json={"base_sha256": got["sha256"], "submission": document}, headers=bearer())
    assert response.status_code == 422 and "application.date" in {
        e["field"] for e in response.json()["errors"]
    }
    assert client.put(url, json={"submission": []}, headers=bearer()).status_code == 422
    assert path.read_bytes() == before


def test_a_submission_over_the_text_limit_is_422_at_the_field_that_holds_it(root: Path) -> None:
    """The browser gets the same limit as `nums validate` (limits.py), so no pack can take minutes."""
    client, _ = client_for(root)
    url = "/api/programmes/peer-mentoring/submission"
    got = client.get(url, headers=bearer()).json()
    document = got["submission"]
    document["criteria"]["aims.2"]["statement"] = "peer mentoring " * 15_000
    path = root / "peer-mentoring" / "submission.yaml"
    before = path.read_bytes()
    response = client.put(url, json={"base_sha256": got["sha256"], "submission": document}, headers=bearer())
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "is 225,000 characters long" in errors["criteria.aims.2.statement"]
    assert path.read_bytes() == before


def test_uploads_get_safe_fresh_names_and_download_back(root: Path) -> None:
    """ "An upload never overwrites an existing file: a clashing name gets a suffix. File names are made safe.\""""
    client, _ = client_for(root)
    url = "/api/programmes/peer-mentoring/evidence"
    first = client.post(url, files={"file": ("../../Annual report.pdf", b"one")}, headers=bearer()).json()
    second = client.post(url, files={"file": ("Annual report.pdf", b"two")}, headers=bearer()).json()
    assert first["file"] == "evidence/Annual-report.pdf"
    assert second["file"] == "evidence/Annual-report-2.pdf"
    assert second["size"] == 3 and len(second["sha256"]) == 64
    hidden = client.post(url, files={"file": (".htaccess", b"x")}, headers=bearer()).json()
    assert hidden["file"] == "evidence/htaccess"
    download = client.get(f"/api/programmes/peer-mentoring/files/{first['file']}", headers=bearer())
    assert download.content == b"one"
    assert download.headers["content-disposition"].startswith("attachment")


def test_the_pack_is_the_same_bytes_as_nums_pack(root: Path, tmp_path: Path) -> None:
    client, _ = client_for(root)
    response = client.get("/api/programmes/peer-mentoring/pack.pdf", headers=bearer())
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    target = tmp_path / "pack.pdf"
    result = CliRunner().invoke(
        cli, ["pack", str(root / "peer-mentoring" / "submission.yaml"), "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert response.content == target.read_bytes()
    # the page's download and the page's HTML are the CLI's too: one renderer, its bytes answered
    assert client.get("/p/peer-mentoring/pack.pdf").content == target.read_bytes()
    html = tmp_path / "pack.html"
    written = CliRunner().invoke(cli, ["pack", str(root / "peer-mentoring"), "--html", str(html)])
    assert written.exit_code == 0, written.output
    assert client.get("/p/peer-mentoring/pack.html").text == html.read_text(encoding="utf-8")
