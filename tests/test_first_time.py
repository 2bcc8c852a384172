"""Messages that help the first time (issue 20): each quotes what the person sees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli
from tests.conftest import EXAMPLES

PEER = EXAMPLES / "peer-mentoring"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def words(text: str) -> str:
    return " ".join(text.split())


def test_validate_shows_warnings_in_the_same_run_as_errors(tmp_path: Path) -> None:
    """A misspelt key and a missing evidence file are named, with their lines, beside the error
    that stops the file, so it is fixed in one pass."""
    folder = tmp_path / "p"
    shutil.copytree(PEER, folder)
    path = folder / "submission.yaml"
    text = path.read_text().replace("    statement:", "    statment:", 1)
    text = text.replace("file: evidence/mentee-leaflet.md", "file: evidence/x.pdf", 1)
    path.write_text(text.replace("  level: silver", "  level: silverr", 1))
    code, _, err = invoke("validate", path)
    assert code == 2
    assert "error: " in err and "application.level: unknown level 'silverr' (did you mean 'silver'?)" in err
    assert f"warning: {path}:30: criteria.aims.1.statment: not a field of the submission format" in err
    assert "criteria.aims.1.evidence[1].file: evidence/x.pdf: file not found" in err
    path.write_text(text.replace("  mentors: 24", "  mentors: many", 1))
    code, _, err = invoke("validate", path)
    assert code == 2 and "mentors" in err and "statment: not a field" in err, "schema errors too"


def test_the_packs_cover_shows_warnings_in_words(tmp_path: Path) -> None:
    from pypdf import PdfReader

    folder = tmp_path / "p"
    shutil.copytree(PEER, folder)
    path = folder / "submission.yaml"
    path.write_text(path.read_text().replace("    statement:", "    statment:", 1))
    code, _, _ = invoke("pack", path, "-o", tmp_path / "pack.pdf")
    assert code == 0
    cover = words(PdfReader(str(tmp_path / "pack.pdf")).pages[0].extract_text() or "")
    assert "Criterion aims.1, line 30: “statment” is not a field of the submission format" in cover
    assert "Did you mean 'statement'" in cover
    assert str(path) not in cover and "criteria.aims.1.statment" not in cover


def test_a_missing_evidence_file_is_named_at_its_line_whether_or_not_the_file_loads(tmp_path: Path) -> None:
    """The same warning, at the same line and field, from a submission that loads (assess,
    validate) as from one stopped by an error: the coordinator goes to the line either way."""
    folder = tmp_path / "p"
    shutil.copytree(PEER, folder)
    path = folder / "submission.yaml"
    text = path.read_text().replace("file: evidence/mentee-leaflet.md", "file: evidence/x.pdf", 1)
    path.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "evidence/x.pdf" in row)
    expected = f"warning: {path}:{line}: criteria.aims.1.evidence[1].file: evidence/x.pdf: file not found"
    for command in ("assess", "validate"):
        code, _, err = invoke(command, path)
        assert code == 0 and expected in err.splitlines(), err
    path.write_text(text.replace("  level: silver", "  level: silverr", 1))
    code, _, err = invoke("validate", path)
    assert code == 2 and expected in err.splitlines(), err


def test_the_cover_names_each_unusable_evidence_item_once_and_stays_one_page(tmp_path: Path) -> None:
    """A folder whose files are all missing: the cover gives one line per file with every criterion
    (and line) that cites it, and after twelve lines says how many more there are, so the cover
    is one page whatever the count."""
    import re

    from pypdf import PdfReader

    folder = tmp_path / "p"
    shutil.copytree(PEER, folder)
    shutil.rmtree(folder / "evidence")
    path = folder / "submission.yaml"
    code, _, _ = invoke("pack", path, "-o", tmp_path / "same.pdf")
    assert code == 0
    pages = PdfReader(str(tmp_path / "same.pdf")).pages
    cover = words(pages[0].extract_text() or "")
    assert "evidence/mentor-training.md: file not found; cited by training.1.a (line " in cover
    assert cover.count("evidence/mentor-training.md") == 1
    assert "Contents" in words(pages[1].extract_text() or ""), "the cover is one page"
    numbered = iter(range(1, 1000))
    path.write_text(
        re.sub(
            r"file: evidence/[^}\s]+", lambda _: f"file: evidence/m-{next(numbered)}.pdf", path.read_text()
        )
    )
    code, _, _ = invoke("pack", path, "-o", tmp_path / "many.pdf")
    assert code == 0
    pages = PdfReader(str(tmp_path / "many.pdf")).pages
    cover = words(pages[0].extract_text() or "")
    assert "Warnings: 29 points to check" in cover
    assert "evidence/m-11.pdf" in cover and "evidence/m-12.pdf" not in cover
    assert "and 18 more: nums validate lists every one, with its line" in cover
    assert "Contents" in words(pages[1].extract_text() or "")


def test_assess_on_another_day_keeps_the_application_date_in_its_heading() -> None:
    """`--on` asks what the evidence supports on another day; the application is still the one
    dated in the file, and the heading says both."""
    code, out, _ = invoke("assess", PEER / "submission.yaml", "--on", "2026-04-01")
    assert code == 0
    assert out.splitlines()[1] == (
        "Harbourside University · initial application for Silver on 2026-03-02; assessed as on 2026-04-01"
    )
    code, out, _ = invoke("assess", PEER / "submission.yaml")
    assert out.splitlines()[1] == "Harbourside University · initial application for Silver on 2026-03-02"


def test_a_misspelt_command_suggests_the_right_one() -> None:
    code, _, err = invoke("asess", "x")
    assert code == 2 and "no command 'asess'; did you mean 'assess'?" in err


def test_a_folder_is_read_as_its_submission_or_says_so(tmp_path: Path) -> None:
    code, out, _ = invoke("assess", PEER)
    assert code == 0 and out.startswith("First-Year Peer Mentoring")
    code, _, err = invoke("assess", EXAMPLES)
    assert code == 2
    assert f"{EXAMPLES}: is a folder with no submission.yaml in it" in words(err)


def test_a_review_file_given_as_the_submission_says_so() -> None:
    code, _, err = invoke("assess", PEER / "review.yaml")
    assert code == 2
    assert "is a review file (it has 'reviewer' and 'decisions'), not a submission" in words(err)
    code, _, err = invoke("review", PEER / "review.yaml", PEER / "submission.yaml")
    assert code == 2 and "give the submission first and the review second" in words(err)


def test_a_portfolio_of_an_empty_folder_says_there_is_nothing_there(tmp_path: Path) -> None:
    code, out, _ = invoke("portfolio", tmp_path)
    assert code == 0 and "Nothing here: no folder (up to three deep) holds a submission.yaml" in out
    code, out, err = invoke("portfolio", tmp_path, "--json")
    assert json.loads(out)["programmes"] == [] and "no programme here" in err


def test_a_vat_rate_that_looks_like_a_fraction_is_questioned() -> None:
    code, out, err = invoke("quote", "--initial", "1", "--vat-rate", "0.2", "--on", "2026-03-02", "--json")
    assert code == 0 and json.loads(out)["vat_rate"] == "0.2"
    assert "warning: --vat-rate 0.2 is 0.2%, not 20%: the rate is in percent (give 20 for 20%)" in err
    assert invoke("quote", "--initial", "1", "--vat-rate", "20")[2] == ""


def test_the_packs_bytes_do_not_depend_on_the_path_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same submission reached by a relative path, a folder or an absolute path gives the
    same pack, byte for byte."""
    folder = tmp_path / "work"
    shutil.copytree(PEER, folder / "peer")
    monkeypatch.chdir(folder)
    made = []
    for index, typed in enumerate(["peer/submission.yaml", "peer", "./peer/../peer", str(folder / "peer")]):
        code, _, _ = invoke("pack", typed, "-o", tmp_path / f"{index}.pdf", "--attach-evidence")
        assert code == 0
        made.append((tmp_path / f"{index}.pdf").read_bytes())
    assert len(set(made)) == 1
