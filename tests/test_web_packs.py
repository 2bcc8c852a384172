"""Received packs in the app (issue 14): 'uploading a pack makes it a programme for review: its
embedded submission and attached evidence are read, never trusted for paths, and the submission
is read-only in the app.'"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli
from tests.builders import pdf_with_attachments
from tests.web_support import bearer, client_for, copy_examples


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


@pytest.fixture()
def pack(tmp_path: Path, root: Path) -> bytes:
    target = tmp_path / "pack.pdf"
    result = CliRunner().invoke(
        cli,
        ["pack", str(root / "peer-mentoring" / "submission.yaml"), "-o", str(target), "--attach-evidence"],
    )
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def upload(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post("/api/packs", files={"file": (name, data, "application/pdf")}, headers=bearer())


def test_a_pack_becomes_a_programme_named_by_the_upload_made_safe(root: Path, pack: bytes) -> None:
    client, _ = client_for(root)
    got = upload(client, "../../Harbourside pack.pdf", pack)
    assert got.status_code == 201 and got.json()["id"] == "received/Harbourside-pack"
    folder = root / "received" / "Harbourside-pack"
    assert (folder / "submission.yaml").is_file() and (folder / "evidence" / "mentee-leaflet.md").is_file()
    assert (folder / "pack.pdf").read_bytes() == pack
    again = upload(client, "Harbourside pack.pdf", pack)
    assert again.json()["id"] == "received/Harbourside-pack-2"  # never over an earlier one
    assert not list(root.glob(".pack-*"))  # no scratch left behind
    ids = [row["id"] for row in client.get("/api/programmes", headers=bearer()).json()]
    assert "received/Harbourside-pack" in ids


def test_a_received_pack_is_reviewed_like_its_submission(root: Path, pack: bytes) -> None:
    """The outcome of the same review is the same for the pack as for the folder it was packed from."""
    client, _ = client_for(root)
    ident = upload(client, "pm.pdf", pack).json()["id"]
    review = client.get("/api/programmes/peer-mentoring/review", headers=bearer()).json()["review"]
    saved = client.put(
        f"/api/programmes/{ident}/review", json={"base_sha256": None, "review": review}, headers=bearer()
    )
    assert saved.status_code == 200, saved.json()
    assert (
        saved.json()["outcome"]
        == client.get("/api/programmes/peer-mentoring/outcome", headers=bearer()).json()
    )


def test_the_submission_of_a_received_pack_is_read_only(root: Path, pack: bytes) -> None:
    client, guard = client_for(root)
    ident = upload(client, "pm.pdf", pack).json()["id"]
    folder = root / ident
    before = (folder / "submission.yaml").read_bytes()
    sha = client.get(f"/api/programmes/{ident}/submission", headers=bearer()).json()["sha256"]
    put = client.put(
        f"/api/programmes/{ident}/submission", json={"base_sha256": sha, "submission": {}}, headers=bearer()
    )
    assert put.status_code == 409 and "read-only" in put.json()["error"]
    evidence = client.post(
        f"/api/programmes/{ident}/evidence", files={"file": ("x.txt", b"x")}, headers=bearer()
    )
    assert evidence.status_code == 409
    assert client.post(f"/p/{ident}/save?csrf={guard.csrf}", data={"base_sha256": sha}).status_code == 409
    assert (folder / "submission.yaml").read_bytes() == before
    assert "read-only here" in client.get(f"/p/{ident}").text


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"hello, not a pdf", "is not a PDF, so it is not a nums pack"),
        (pdf_with_attachments({}), "this PDF has no embedded submission.json, so it is not a nums pack"),
        (
            pdf_with_attachments({"submission.json": b"{nope"}),
            "the embedded submission.json is not valid JSON",
        ),
    ],
)
def test_a_pdf_that_is_not_a_pack_is_422_and_leaves_nothing(root: Path, data: bytes, words: str) -> None:
    client, guard = client_for(root)
    got = upload(client, "sent.pdf", data)
    assert got.status_code == 422 and words in got.json()["error"]
    page = client.post(f"/packs?csrf={guard.csrf}", files={"file": ("sent.pdf", data, "application/pdf")})
    assert page.status_code == 422 and words in page.text
    assert not (root / "received").exists() or not any((root / "received").iterdir())
    assert not list(root.glob(".pack-*"))


@pytest.mark.parametrize(
    "name",
    ["../../escaped.txt", "/tmp/escaped.txt", "evidence/../../../escaped.txt", "a\\..\\..\\escaped.txt"],
)
def test_embedded_names_are_never_paths(root: Path, tmp_path: Path, name: str) -> None:
    """'From a pack, nums takes the submission it wrote ... and the evidence files the submission
    cites; nothing else is unpacked or read': a name the submission does not cite is ignored, and
    the answer says so."""
    submission = json.dumps({"submission": {"programme": {"name": "x"}}}).encode()
    client, _ = client_for(root)
    got = upload(client, "sent.pdf", pdf_with_attachments({"submission.json": submission, name: b"x"}))
    assert got.status_code == 201, got.json()
    [warning] = got.json()["warnings"]
    assert f"ignored 1 embedded file the submission does not cite: {name!r}" in warning["message"]
    assert not list(tmp_path.rglob("escaped.txt")) and not Path("/tmp/escaped.txt").exists()
    assert sorted(p.name for p in (root / got.json()["id"]).iterdir()) == [
        ".nums",
        "pack.pdf",
        "submission.yaml",
    ]
    assert not list(root.glob(".pack-*"))


def test_a_pack_upload_needs_the_token_and_csrf(root: Path, pack: bytes) -> None:
    client, _ = client_for(root)
    assert client.post("/packs", files={"file": ("p.pdf", pack, "application/pdf")}).status_code == 403
    anonymous, _ = client_for(root, cookie=False)
    assert anonymous.post("/api/packs", files={"file": ("p.pdf", pack, "application/pdf")}).status_code in {
        401,
        403,
    }
    assert not (root / "received").exists()


def test_a_pack_dropped_into_the_workspace_is_offered_and_received_by_name_only(
    root: Path, pack: bytes
) -> None:
    """'Uploading a pack (or dropping one into the workspace) makes it a programme for review.'"""
    (root / "Harbourside sent this.pdf").write_bytes(pack)
    (root / "notes.pdf").write_bytes(b"not a pdf at all")
    client, guard = client_for(root)
    home = client.get("/").text
    assert "Harbourside sent this.pdf" in home and "notes.pdf" not in home
    outside = client.post(f"/packs?csrf={guard.csrf}&dropped=../peer-mentoring/submission.yaml")
    assert outside.status_code == 422 and "no pack PDF called" in outside.text
    got = client.post(f"/packs?csrf={guard.csrf}&dropped=Harbourside%20sent%20this.pdf")
    assert got.status_code == 303 and got.headers["location"] == "/p/received/Harbourside-sent-this/review"
    assert 'href="/p/received/Harbourside-sent-this/review">review it' in client.get("/").text
