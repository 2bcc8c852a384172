"""Evidence items: 'an http(s) URL, or a file that exists inside the submission's folder'."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nums.evidence import check_file, check_url, file_facts


@pytest.mark.parametrize(
    ("url", "usable"),
    [
        ("https://www.example.ac.uk/mentoring", True),
        ("http://example.org/leaflet.pdf", True),
        ("file:///etc/passwd", False),
        ("ftp://example.org/x", False),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("www.example.ac.uk", False),
    ],
)
def test_only_web_addresses_count(url: str, usable: bool) -> None:
    assert check_url(url).usable is usable


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    sub = tmp_path / "programme"
    (sub / "evidence").mkdir(parents=True)
    (sub / "evidence" / "leaflet.txt").write_text("leaflet")
    (sub / "leaflet.txt").write_text("top-level leaflet")
    (tmp_path / "secret.txt").write_text("outside")
    return sub


@pytest.mark.parametrize(
    ("written", "usable"),
    [
        ("evidence/leaflet.txt", True),
        ("evidence/../leaflet.txt", True),  # judged on the resolved path
        ("./evidence/leaflet.txt", True),
        ("../secret.txt", False),  # leaves the folder
        ("evidence/../../secret.txt", False),
        ("/etc/passwd", False),  # absolute paths never count
        ("evidence/missing.pdf", False),
        ("evidence", False),  # a folder is not a file
    ],
)
def test_files_must_be_inside_the_submission_folder(folder: Path, written: str, usable: bool) -> None:
    assert check_file(written, folder).usable is usable


def test_a_link_pointing_out_does_not_count(folder: Path) -> None:
    os.symlink(folder.parent / "secret.txt", folder / "evidence" / "link.txt")
    check = check_file("evidence/link.txt", folder)
    assert not check.usable and "outside" in (check.problem or "")


def test_file_facts_give_size_and_sha256(folder: Path) -> None:
    facts = file_facts(folder / "evidence" / "leaflet.txt")
    assert facts.size == 7
    import hashlib

    assert facts.sha256 == hashlib.sha256(b"leaflet").hexdigest()
