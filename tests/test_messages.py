"""Messages people read: who is blamed, where warnings go, and the words of help and templates.

"Errors are for people": a problem names the input that caused it, warnings do
not pass unnoticed, and help text is never cut mid-sentence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from nums.cli import cli
from tests.conftest import EXAMPLES

PEER = EXAMPLES / "peer-mentoring"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_unknown_edition_blames_the_option_not_the_submission() -> None:
    code, _, err = run("--standard", "nums-2099", "assess", str(PEER / "submission.yaml"))
    assert code == 2
    assert err.startswith("error: --standard: ")
    assert "submission.yaml" not in err


def _misspelt_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(PEER, folder)
    path = folder / "submission.yaml"
    path.write_text(path.read_text().replace("    statement:", "    statment:", 1))
    return path


def test_assess_and_pack_warn_on_standard_error_like_validate(tmp_path: Path) -> None:
    path = _misspelt_copy(tmp_path)
    for args in (("validate",), ("assess",), ("assess", "--json")):
        code, out, err = run(*args, str(path))
        assert code == 0
        assert "warning:" in err and "statment" in err
    code, out, _ = run("assess", "--json", str(path))
    assert any("statment" in warning for warning in json.loads(out)["warnings"])
    code, _, err = run("pack", str(path), "--html", str(tmp_path / "pack.html"))
    assert code == 0 and "warning:" in err and "statment" in err


def test_review_of_the_pack_matches_a_review_started_from_the_yaml(tmp_path: Path) -> None:
    """The fingerprint is the submission document's, not its container's."""
    review = tmp_path / "review.yaml"
    pack = tmp_path / "pack.pdf"
    assert run("review", "--init", str(PEER / "submission.yaml"), "-o", str(review))[0] == 0
    text = review.read_text().replace('reviewer: {name: ""', 'reviewer: {name: "A. Assessor"', 1)
    review.write_text(text.replace("date: null", "date: 2026-03-20", 1))
    assert run("pack", str(PEER / "submission.yaml"), "-o", str(pack))[0] == 0
    code, _, err = run("review", str(pack), str(review))
    assert code == 0 and "changed" not in err
    review.write_text(review.read_text().replace("submission_sha256: ", "submission_sha256: 0", 1))
    assert "has changed" in run("review", str(pack), str(review))[2]


def test_standards_help_is_not_cut_mid_sentence() -> None:
    _, out, _ = run("standards", "--help")
    commands = out.split("Commands:")[1]
    assert "e.g." not in commands and "..." not in commands
    assert "Show one pillar or criterion in full." in commands


def test_init_suggests_a_path_the_shell_reads_as_one(tmp_path: Path) -> None:
    _, out, _ = run("init", str(tmp_path / "my programme 2"))
    assert f"nums validate '{tmp_path / 'my programme 2' / 'submission.yaml'}'" in out


def test_the_template_reads_as_sentences(tmp_path: Path) -> None:
    """Training topics follow "covering:" once; training.3 says how skills are assessed."""
    run("init", str(tmp_path))
    text = (tmp_path / "submission.yaml").read_text()
    assert "::" not in text
    before = text.split("  training.3:")[0].rsplit("# --- Gold ---", 1)[1]
    before = " ".join(before.replace("#", " ").split())
    assert "assessed by: any one of" in before and "observation of mentoring session" in before
