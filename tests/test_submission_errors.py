"""Bad submissions: a clear message naming file, line and field; exit code 2; no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli

GOOD = """\
standard: nums-2021
programme:
  name: Peer Mentoring
  institution: Example University
  coordinator: {name: A. Coordinator, email: a@example.ac.uk}
  purpose: peer mentoring
  mentors: 24
  started: 2024-09-16
application:
  date: 2026-03-02
  level: bronze
  type: initial
history: []
self_rating: {aims: bronze}
criteria:
  aims.1:
    met: true
    statement: Our aims are on the web page.
    evidence:
      - {title: Web page, url: "https://www.example.ac.uk/mentoring"}
"""


def run(tmp_path: Path, text: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "submission.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, [*args, "validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_good_submission_validates(tmp_path: Path) -> None:
    code, output = run(tmp_path, GOOD)
    assert code == 0, output
    assert "1 criteria claimed, 1 met" in output


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  aims.1:\n", "  aims.11:\n", ":16: criteria.aims.11: unknown criterion 'aims.11'"),
        ("  aims.1:\n", "  aim.1:\n", "did you mean 'aims.1'"),
        ("  aims.1:\n", "  training.1:\n", "rate each topic instead: training.1.a"),
        (
            "mentors: 24",
            "mentors: 0",
            ":7: programme.mentors: the number of mentors must be more than 0 (got 0)",
        ),
        ("mentors: 24", "mentors: -3", "programme.mentors"),
        (
            "mentors: 24",
            "mentors: many",
            ":7: programme.mentors: the number of mentors must be a whole number (got 'many')",
        ),
        ("level: bronze", "level: platinum", ":11: application.level: unknown level 'platinum'"),
        ("level: bronze", "level: Silver", "did you mean 'silver'"),
        (
            "history: []",
            "history:\n  - {level: bronze, awarded: 2026-05-01}",
            "is after the application date",
        ),
        ("{aims: bronze}", "{aimz: bronze}", "self_rating.aimz: unknown pillar 'aimz'"),
        (
            "date: 2026-03-02",
            "date: 02/03/2026",
            ":10: application.date: '02/03/2026' is not a date; write dates as YYYY-MM-DD",
        ),
        ("type: initial", "type: renewal", "application.type"),
        ("    met: true\n", "    met: true\n    met: false\n", "key 'met' appears twice"),
        (
            "  - {title: Web page, url:",
            "  - {title: Web page, file: a.pdf, url:",
            "give exactly one of 'url'",
        ),
        ("programme:", "programme: [\n", "not valid YAML"),
        (
            "standard: nums-2021",
            "standard: nums-2099",
            ":1: standard: no edition of the standard at 'nums-2099'",
        ),
    ],
)
def test_bad_input_is_reported_for_people(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    code, output = run(tmp_path, GOOD.replace(old, new, 1))
    assert code == 2, output
    assert expected in output
    assert "Traceback" not in output


def test_unknown_keys_are_warnings_with_a_suggestion(tmp_path: Path) -> None:
    code, output = run(tmp_path, GOOD.replace("self_rating:", "self_ratings:"))
    assert code == 0
    assert "self_ratings: not a field of the submission format" in output
    assert "did you mean 'self_rating'" in output


def test_standard_option_must_agree_with_the_file(tmp_path: Path) -> None:
    """A file that names one edition while --standard loads another is an error."""
    other = tmp_path / "other-edition"
    import shutil

    from nums.editions import shipped_editions

    shutil.copytree(shipped_editions()["nums-2021"], other)
    text = (other / "edition.yaml").read_text().replace("id: nums-2021", "id: nums-2024")
    (other / "edition.yaml").write_text(text)
    code, output = run(tmp_path, GOOD, "--standard", str(other))
    assert code == 2
    assert "names edition 'nums-2021' but --standard loads 'nums-2024'" in output


def test_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_a_pack_pdf_is_not_a_submission_file(tmp_path: Path) -> None:
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    result = CliRunner().invoke(cli, ["assess", str(pdf)])
    assert result.exit_code == 2 and "is a pack PDF" in result.output
