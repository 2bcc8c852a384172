"""Trust at the boundary (issue 19): a review belongs to one submission (§3), values are taken
only as written (§8), and every number and date is bounded (§6).

"A review written for a different submission (its programme, or its submission_sha256 when
present) is refused with a message that says it is a different submission, not that the
submission 'has changed'." "`mentors: true` is taken as 1; an application date given as the text
'1772409600' is read as a Unix time. Refuse both in the standard's words." "Year-9999 dates and a
VAT rate of 1e30 crash quote, pack, portfolio and review."
"""

from __future__ import annotations

import hashlib
import json
import shutil
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from nums import models
from nums.cli import cli
from nums.editions import EditionFile, shipped_editions
from nums.fingerprint import document_sha256, fingerprints
from nums.pillar_file import PillarFile
from nums.prices import PricesFile
from nums.review import ReviewFile
from nums.rules import Rules
from nums.submission import SubmissionFile
from nums.yamlsource import MAX_DIGITS, parse_yaml
from tests.conftest import EXAMPLES
from tests.web_support import bearer, client_for, copy_examples

PEER = EXAMPLES / "peer-mentoring"
ACADEMIC = EXAMPLES / "academic-mentoring"
OTHER_PROGRAMME = (
    "this review was written for First-Year Peer Mentoring of Harbourside University, "
    "not for Academic Mentoring Scheme of University of Northmoor"
)


def invoke(*args: Any) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def started_review(
    tmp_path: Path, submission: Path = PEER / "submission.yaml", name: str = "review.yaml"
) -> Path:
    """A review begun with `nums review --init`, with a reviewer, a date and aims.1 accepted."""
    path = tmp_path / name
    assert invoke("review", "--init", submission, "-o", path).exit_code == 0
    text = path.read_text().replace('reviewer: {name: ""', 'reviewer: {name: "A. Assessor"', 1)
    text = text.replace("date: null", "date: 2026-05-01", 1)
    path.write_text(text.replace("decision:                   #", "decision: accepted          #", 1))
    return path


def copied(tmp_path: Path, example: Path, old: str = "", new: str = "") -> Path:
    folder = tmp_path / example.name
    if not folder.exists():
        shutil.copytree(example, folder)
    path = folder / "submission.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --- §3 a review belongs to one submission ----------------------------------------------------


def test_a_review_started_with_init_records_the_submission_it_is_for(tmp_path: Path) -> None:
    text = started_review(tmp_path).read_text()
    assert (
        'submission: {programme: "First-Year Peer Mentoring", institution: "Harbourside University"}' in text
    )


def test_another_programmes_review_is_refused_as_a_different_submission(tmp_path: Path) -> None:
    """One programme's decisions never reach another university's letter."""
    review = started_review(tmp_path)
    letter = tmp_path / "letter.pdf"
    result = invoke("review", ACADEMIC / "submission.yaml", review, "--letter", letter)
    assert result.exit_code == 2
    assert f"review.yaml:7: submission: {OTHER_PROGRAMME}" in result.output
    assert "has changed" not in result.output
    assert result.output.count("error:") == 1  # the one thing to say, not its dates and ids too
    assert not letter.exists()


def test_a_changed_submission_of_the_same_programme_is_a_warning_not_a_refusal(tmp_path: Path) -> None:
    submission = copied(tmp_path, PEER)
    review = started_review(tmp_path, submission)
    copied(tmp_path, PEER, "purpose: peer mentoring", "purpose: peer mentoring of first years")
    result = invoke("review", submission, review)
    assert result.exit_code == 0, result.output
    assert f"warning: {submission} has changed since the review file was written\n" in result.stderr
    assert "written for" not in result.output


def test_names_are_compared_as_people_read_them(tmp_path: Path) -> None:
    review = started_review(tmp_path)
    review.write_text(review.read_text().replace('"Harbourside University"', '"harbourside  university"'))
    assert invoke("review", PEER / "submission.yaml", review).exit_code == 0


def test_a_combined_applications_programmes_may_be_listed_in_any_order(tmp_path: Path) -> None:
    combined = EXAMPLES / "department-combined" / "submission.yaml"
    review = started_review(tmp_path, combined)
    names = "Engineering Peer Mentoring · Engineering Reverse Mentoring · Engineering Career Mentoring"
    text = review.read_text()
    assert names in text
    review.write_text(text.replace(names, " · ".join(reversed(names.split(" · ")))))
    assert invoke("review", combined, review).exit_code == 0
    review.write_text(text.replace(names, "Engineering Peer Mentoring · Engineering Career Mentoring"))
    result = invoke("review", combined, review)
    assert result.exit_code == 2
    assert (
        "this review was written for Engineering Peer Mentoring · Engineering Career Mentoring of"
        in result.output
    )


def test_a_review_that_names_no_programme_says_what_nums_cannot_tell(tmp_path: Path) -> None:
    """Reviews written before `submission:` carry only the fingerprint: a mismatch may be a change
    or another submission, and the warning says to check."""
    review = started_review(tmp_path)
    review.write_text(
        "".join(line for line in review.read_text().splitlines(True) if "programme:" not in line)
    )
    result = invoke("review", ACADEMIC / "submission.yaml", review)
    assert result.exit_code == 0
    assert (
        "has changed since the review file was written (the review does not name its programme"
        in result.stderr
    )


def test_the_fingerprints_a_review_may_hold_are_one_rule() -> None:
    """The document's fingerprint (the YAML and its pack agree) or the SHA-256 of the file's bytes,
    which earlier versions recorded: the CLI and the web app both ask ``fingerprints``."""
    raw = (PEER / "submission.yaml").read_bytes()
    data = parse_yaml(raw.decode(), "s.yaml").data
    assert fingerprints(data, raw) == (document_sha256(data), hashlib.sha256(raw).hexdigest())
    assert fingerprints(data) == (document_sha256(data),)


def test_a_review_recording_the_files_bytes_is_still_this_submissions(tmp_path: Path) -> None:
    review = started_review(tmp_path)
    text = review.read_text()
    recorded = text.split("submission_sha256: ", 1)[1].split()[0]
    bytes_sha = hashlib.sha256((PEER / "submission.yaml").read_bytes()).hexdigest()
    review.write_text(text.replace(recorded, bytes_sha))
    result = invoke("review", PEER / "submission.yaml", review)
    assert result.exit_code == 0 and "changed" not in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("decisions:\n", "decisons:\n", "decisons: not a field of the review format"),
        ("overrides: {}", "overides: {}", "overides: not a field of the review format"),
        ("    comment: ", "    coment: ", "decisions.aims.1.coment: not a field of the review format"),
        ("    decision: accepted", "    decison: accepted", "decisions.aims.1.decison: not a field"),
    ],
)
def test_a_misspelt_key_where_decisions_live_is_an_error_with_a_suggestion(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    """A misspelt `decisons:` dropped every decision and the outcome was "no award" with no word.
    A review decides a verdict, so nums does not decide one with part of it unread."""
    review = started_review(tmp_path)
    review.write_text(review.read_text().replace(old, new, 1))
    result = invoke("review", PEER / "submission.yaml", review)
    assert result.exit_code == 2
    assert expected in result.output
    assert "nums does not decide a review with part of it unread (did you mean '" in result.output


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            "First-Year Peer Mentoring",
            "submission: the submission reviewed is written as {programme: ..., institution: ...}",
        ),
        ('{programme: ""}', "submission.programme: the programme must not be empty"),
        (
            "{programme: First-Year Peer Mentoring, level: silver}",
            "submission.level: not a field of the review format",
        ),
    ],
)
def test_a_submission_record_of_the_wrong_shape_says_how_to_write_it(
    tmp_path: Path, record: str, expected: str
) -> None:
    review = tmp_path / "review.yaml"
    review.write_text(f"reviewer: {{name: A}}\ndate: 2026-03-20\nsubmission: {record}\n")
    result = invoke("review", PEER / "submission.yaml", review)
    assert result.exit_code == 2
    assert expected in result.output


def test_a_misspelt_key_in_the_reviewer_is_a_warning(tmp_path: Path) -> None:
    """The reviewer only signs the letter: a stray key there is reported and the review goes on."""
    review = started_review(tmp_path)
    review.write_text(review.read_text().replace('email: ""}', 'emial: "a@example.org"}', 1))
    result = invoke("review", PEER / "submission.yaml", review)
    assert result.exit_code == 0, result.output
    assert "reviewer.emial: not a field of the review format; it is kept but not used" in result.stderr
    assert "(did you mean 'email'?)" in result.stderr


def test_unknown_keys_are_reported_in_the_same_run_as_other_problems(tmp_path: Path) -> None:
    review = tmp_path / "review.yaml"
    review.write_text("reviewer: {name: A}\ndate: 2026-02-30\ndecisons:\n  aims.1: {decision: accepted}\n")
    result = invoke("review", PEER / "submission.yaml", review)
    assert result.exit_code == 2
    assert "date: 2026-02-30 is not a date: February 2026 has 28 days" in result.output
    assert "decisons: not a field of the review format" in result.output


def test_the_web_app_refuses_another_programmes_review_in_the_same_words(tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    review = started_review(tmp_path)
    target = root / "academic-mentoring" / "review.yaml"
    shutil.copy(review, target)
    client, guard = client_for(root)
    page = client.get("/p/academic-mentoring/review").text
    assert OTHER_PROGRAMME in page
    assert 'id="review-status"' not in page  # no outcome is shown for it
    outcome = client.get("/api/programmes/academic-mentoring/outcome", headers=bearer())
    assert outcome.status_code == 422
    assert any(OTHER_PROGRAMME in e["message"] for e in outcome.json()["errors"])
    before = target.read_bytes()
    saved = client.post(f"/p/academic-mentoring/review/save?csrf={guard.csrf}", data={"reviewer.name": "B"})
    assert saved.status_code == 422 and OTHER_PROGRAMME in saved.text
    assert target.read_bytes() == before


def test_the_review_api_refuses_a_review_for_another_programme(tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    client, _ = client_for(root)
    sent = {
        "reviewer": {"name": "Sam Reviewer"},
        "date": "2026-03-25",
        "submission": {"programme": "First-Year Peer Mentoring", "institution": "Harbourside University"},
        "decisions": {"aims.1": {"decision": "accepted"}},
    }
    answer = client.put(
        "/api/programmes/academic-mentoring/review",
        json={"base_sha256": None, "review": sent},
        headers=bearer(),
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["submission"]
    assert not (root / "academic-mentoring" / "review.yaml").exists()


def test_the_web_app_records_the_programme_at_a_reviews_first_save(tmp_path: Path) -> None:
    """The shipped example review predates `submission:`; saved from the app, it says whose it is."""
    root = copy_examples(tmp_path)
    path = root / "peer-mentoring" / "review.yaml"
    path.write_text("".join(line for line in path.read_text().splitlines(True) if "programme:" not in line))
    client, _ = client_for(root)
    got = client.get("/api/programmes/peer-mentoring/review", headers=bearer()).json()
    assert "submission" not in got["review"]
    saved = client.put(
        "/api/programmes/peer-mentoring/review",
        json={"base_sha256": got["sha256"], "review": got["review"]},
        headers=bearer(),
    )
    assert saved.status_code == 200, saved.json()
    assert 'submission: {programme: "First-Year Peer Mentoring", institution: "Harbourside University"}' in (
        path.read_text()
    )


def test_the_portfolio_shows_another_programmes_review_as_a_problem(tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    shutil.copy(started_review(tmp_path), root / "academic-mentoring" / "review.yaml")
    result = invoke("portfolio", root, "--on", "2026-04-01")
    assert result.exit_code == 0
    assert "this review was written for First-Year Peer Mentoring" in " ".join(result.output.split())


# --- §8 loose values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "mentors: 24",
            "mentors: true",
            "programme.mentors: the number of mentors must be a whole number (got true)",
        ),
        ("mentors: 24", "mentors: 24.0", "the number of mentors must be a whole number (got 24.0)"),
        ("mentors: 24", "mentors: '24'", "the number of mentors must be a whole number (got '24')"),
        ("mentors: 24", "mentors: 024", "the number of mentors must be a whole number (got '024')"),
        ("mentors: 24", "mentors: 1:30", "the number of mentors must be a whole number (got '1:30')"),
        (
            "  date: 2026-03-02",
            "  date: '1772409600'",
            "application.date: '1772409600' is not a date; write dates as YYYY-MM-DD, for example 2026-03-02",
        ),
        ("  date: 2026-03-02", "  date: 1772409600", "application.date: must be a date (got 1772409600)"),
        ("  date: 2026-03-02", "  date: 2026-03-02T00:00:00", "'2026-03-02T00:00:00' is not a date"),
        ("    met: true", "    met: 1", "criteria.aims.1.met: 'met' must be true or false (got 1)"),
        ("    met: true", "    met: 'yes'", "'met' must be true or false (got 'yes')"),
    ],
)
def test_a_value_is_taken_only_as_it_is_written(tmp_path: Path, old: str, new: str, expected: str) -> None:
    result = invoke("validate", copied(tmp_path, PEER, old, new))
    assert result.exit_code == 2
    assert expected in result.output


def test_quoted_digits_are_told_to_drop_the_quotes(tmp_path: Path) -> None:
    result = invoke("validate", copied(tmp_path, PEER, "mentors: 24", "mentors: '24'"))
    assert "(got '24'); write it as a plain number, without quotes or a leading zero" in result.output
    result = invoke("validate", copied(tmp_path, PEER, "    met: true", "    met: 'yes'"))
    assert "'met' must be true or false (got 'yes'); write true or false, without quotes" in result.output


def test_a_review_date_is_written_as_a_date(tmp_path: Path) -> None:
    review = started_review(tmp_path)
    review.write_text(review.read_text().replace("date: 2026-05-01", "date: '1774396800'", 1))
    result = invoke("review", PEER / "submission.yaml", review)
    assert result.exit_code == 2
    assert "date: '1774396800' is not a date; write dates as YYYY-MM-DD" in result.output


FORMATS: tuple[type[BaseModel], ...] = (
    SubmissionFile,
    ReviewFile,
    PricesFile,
    EditionFile,
    Rules,
    PillarFile,
)


def _fields(model: type[BaseModel], seen: set[type] | None = None) -> typing.Iterator[tuple[str, Any]]:
    """Every field of every model a file format holds, with its annotation."""
    seen = set() if seen is None else seen
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield f"{model.__name__}.{name}", info
        for inner in _inner_types(info.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _fields(inner, seen)


def _inner_types(annotation: Any) -> typing.Iterator[Any]:
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _inner_types(arg)


STRICT = {typing.get_args(strict)[1] for strict in (models.WholeNumber, models.YesNo, models.Day)}


def test_no_field_of_a_file_format_reads_numbers_flags_or_dates_loosely() -> None:
    """The class, not the examples: every whole number, true/false and date that a submission,
    review, edition or price list holds is read by one of the types that take it only as written."""
    loose = []
    for model in FORMATS:
        for name, info in _fields(model):
            plain = set(_inner_types(info.annotation))
            checks = [*info.metadata, *_validators(info.annotation)]
            if plain & {int, bool, date} and not any(check in STRICT for check in checks):
                loose.append(name)
    assert loose == []


def _validators(annotation: Any) -> typing.Iterator[Any]:
    for inner in _inner_types(annotation):
        yield from getattr(inner, "__metadata__", ())


LOOSE_NUMBERS = st.one_of(
    st.booleans(), st.floats(allow_nan=False).filter(float.is_integer), st.integers().map(str)
)
LOOSE_FLAGS = st.one_of(st.integers(0, 1), st.sampled_from(["yes", "no", "true", "false", "on", "1", "0"]))
LOOSE_DAYS = st.one_of(
    st.integers(0, 2_000_000_000),
    st.integers(0, 2_000_000_000).map(str),
    st.floats(0, 2e9),
    st.dates().map(lambda d: f"{d.isoformat()}T00:00:00"),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.booleans(),
)


@settings(max_examples=120, deadline=None)
@given(mentors=LOOSE_NUMBERS, met=LOOSE_FLAGS, applied=LOOSE_DAYS)
def test_no_loose_value_is_read_as_a_number_a_flag_or_a_date(mentors: Any, met: Any, applied: Any) -> None:
    for place, value in (("mentors", mentors), ("met", met), ("date", applied)):
        data = parse_yaml((PEER / "submission.yaml").read_text(), "s.yaml").data
        target = {
            "mentors": data["programme"],
            "met": data["criteria"]["aims.1"],
            "date": data["application"],
        }
        target[place][place] = value
        with pytest.raises(ValidationError):
            SubmissionFile.model_validate(data)


# --- §6 numbers and dates are bounded ----------------------------------------------------------


def test_base_60_and_leading_zero_numbers_stay_text() -> None:
    """YAML 1.1 reads `1:30` as 90 and `024` as 20; nums files never mean either, and converting
    `1:59:59:...` takes time that grows with the square of its length."""
    doc = parse_yaml("a: 1:30\nb: 024\nc: -1:30:00.5\nd: 0x18\ne: 0b11\nf: 0\ng: 1_000\n", "x.yaml")
    assert doc.data == {"a": "1:30", "b": "024", "c": "-1:30:00.5", "d": 24, "e": 3, "f": 0, "g": 1000}
    long = ":".join(["59"] * 200_000)
    assert parse_yaml(f"statement: 1:{long}\n", "x.yaml").data == {"statement": f"1:{long}"}


def test_a_statement_that_reads_like_a_time_keeps_its_text(tmp_path: Path) -> None:
    path = copied(tmp_path, PEER, "    statement: The leaflet", "    statement: 1:30")
    result = invoke("assess", "--json", path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("number", ["0x" + "f" * 6000, "0b" + "1" * 6000, "9" * 6000, "!!int " + "7" * 6000])
@pytest.mark.parametrize("command", ["validate", "assess", "quote", "pack", "review", "portfolio"])
def test_whole_numbers_of_thousands_of_digits_are_refused_by_every_command(
    tmp_path: Path, command: str, number: str
) -> None:
    """Hex and binary get past Python's 4,300-digit limit when read and then crashed when printed."""
    path = copied(tmp_path, PEER, "mentors: 24", f"mentors: {number}")
    result = invoke(*_command(command, path, tmp_path))
    assert result.exit_code == _REFUSED[command], result.output
    assert "programme.mentors: a value of" in result.output
    assert f"cannot be read as a whole number (nums reads whole numbers of at most {MAX_DIGITS} digits)" in (
        result.output
    )


# The exit code of a command given a file it refuses: the portfolio reports a programme it cannot
# read as a row of its own ("invalid", with the same words) and goes on with the others.
_REFUSED = {"validate": 2, "assess": 2, "quote": 2, "pack": 2, "review": 2, "portfolio": 0}


def _command(command: str, submission: Path, tmp_path: Path) -> list[Any]:
    if command == "pack":
        return ["pack", submission, "-o", tmp_path / "pack.pdf"]
    if command == "review":
        return ["review", submission, PEER / "review.yaml"]
    if command == "portfolio":
        return ["portfolio", submission.parent.parent, "--on", "2026-04-01", "--json"]
    return [command, submission]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("  date: 2026-03-02", "  date: 9999-12-31", "application.date"),
        ("awarded: 2025-05-12", "awarded: 9999-01-01", "history[0].awarded"),
        ("  started: 2023-09-18", "  started: 0023-09-18", "programme.started"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "assess", "quote", "pack", "review", "portfolio"])
def test_dates_beyond_what_nums_reads_are_refused_by_every_command(
    tmp_path: Path, command: str, old: str, new: str, field: str
) -> None:
    """Year-9999 dates crashed quote, pack, portfolio and review adding a year to 9999-12-31."""
    path = copied(tmp_path, PEER, old, new)
    result = invoke(*_command(command, path, tmp_path))
    day = new.split(": ")[1]
    side = "too far ahead" if day > "2999" else "too long ago"
    assert result.exit_code == _REFUSED[command], result.output
    assert f"{field}: {day} is {side}: nums reads dates from 1900-01-01 to 2999-12-31" in result.output
    assert not (tmp_path / "pack.pdf").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["quote", "--initial", "1", "--on", "9999-12-31"],
        ["assess", PEER / "submission.yaml", "--on", "9999-12-31"],
        ["portfolio", EXAMPLES, "--on", "9999-12-31"],
    ],
)
def test_an_on_date_beyond_what_nums_reads_is_refused(args: list[Any]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert (
        "Invalid value for '--on': 9999-12-31 is too far ahead: nums reads dates from 1900-01-01"
        in result.output
    )


def test_a_review_dated_in_the_year_9999_is_refused(tmp_path: Path) -> None:
    review = started_review(tmp_path)
    review.write_text(review.read_text().replace("date: 2026-05-01", "date: 9999-12-31", 1))
    result = invoke("review", PEER / "submission.yaml", review, "--letter", tmp_path / "l.pdf")
    assert result.exit_code == 2
    assert (
        "date: 9999-12-31 is too far ahead: nums reads dates from 1900-01-01 to 2999-12-31" in result.output
    )


def test_the_last_day_nums_reads_still_computes_every_date(tmp_path: Path) -> None:
    """At the edge of what nums reads, a renewal decided on 2999-12-31 continues a Silver award
    into the year 3000 and the next level opens after that: the bounds leave room for every
    period an edition may set, so each command still answers."""
    combined = EXAMPLES / "department-combined"
    path = copied(tmp_path, combined, "  date: 2026-04-20", "  date: 2999-11-20")
    copied(tmp_path, combined, "awarded: 2024-06-10", "awarded: 2998-06-10")
    copied(tmp_path, combined, "awarded: 2025-06-02", "awarded: 2999-06-02")
    copied(tmp_path, combined, "date: 2026-04-17}", "date: 2999-11-17}")
    review = tmp_path / "review.yaml"
    review.write_text(
        "reviewer: {name: A}\ndate: 2999-12-31\ndecisions:\n  continuation: {decision: accepted}\n"
    )
    result = invoke("review", path, review, "--json")
    assert result.exit_code == 0, result.output
    decided = json.loads(result.stdout)
    assert (decided["status"], decided["valid_from"], decided["valid_until"]) == (
        "final",
        "3000-06-02",
        "3001-06-01",
    )
    for args in (
        ["assess", "--json", path],
        ["quote", path, "--on", "2999-12-31"],
        ["pack", path, "--html", tmp_path / "pack.html"],
        ["portfolio", tmp_path, "--on", "2999-12-31", "--json"],
    ):
        assert invoke(*args).exit_code == 0, args


def test_a_vat_rate_is_a_percentage_from_0_to_100() -> None:
    """A VAT rate of 1e30 overflowed the quote's decimal arithmetic."""
    result = invoke("quote", "--initial", "1", "--vat-rate", "1e30")
    assert result.exit_code == 2
    assert (
        "Invalid value for '--vat-rate': '1e30' is more than 100: a VAT rate is a percentage of the net"
        in (result.output)
    )
    assert invoke("quote", "--initial", "1", "--vat-rate", "100", "--on", "2026-03-02").exit_code == 0


def _edition(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "edition"
    if not folder.exists():
        shutil.copytree(shipped_editions()["nums-2021"], folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


EDITION_VALUES = [
    (
        "prices.yaml",
        'vat_rate: "20"',
        'vat_rate: "1e30"',
        "vat_rate: a VAT rate is a percentage from 0 to 100 (got 1E+30)",
    ),
    ("prices.yaml", 'vat_rate: "20"', "vat_rate: true", "vat_rate: the VAT rate must be a number (got true)"),
    ("prices.yaml", 'initial: "350.00"', 'initial: "1e30"', "initial: a price may be at most 1,000,000,000"),
    ("prices.yaml", "quote_valid_days: 30", "quote_valid_days: 9999999", "must be from 1 to 36,600 days"),
    (
        "prices.yaml",
        "quote_valid_days: 30",
        "quote_valid_days: 30.0",
        "the number of days must be a whole number (got 30.0)",
    ),
    (
        "prices.yaml",
        "effective_from: 2021-01-01",
        "effective_from: 9999-01-01",
        "9999-01-01 is too far ahead",
    ),
    ("prices.yaml", "up_to: 50,", "up_to: 5000000,", "up_to: must be from 1 to 1,000 programmes"),
    (
        "prices.yaml",
        "prices_exclude_vat: true",
        "prices_exclude_vat: 1",
        "whether prices exclude VAT must be true or false (got 1)",
    ),
    (
        "rules.yaml",
        "  months: 12",
        "  months: 99999999",
        "validity.months: the number of months must be at most 1200 (got 99999999)",
    ),
    (
        "rules.yaml",
        "  months_at_level: 6",
        "  months_at_level: true",
        "progression.months_at_level: the number of months must be a whole number (got true)",
    ),
    (
        "rules.yaml",
        "  warn_days_before_lapse: 90",
        "  warn_days_before_lapse: 9999999",
        "the number of days must be at most 36600 (got 9999999)",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), EDITION_VALUES)
@pytest.mark.parametrize("command", ["assess", "quote", "pack", "review", "portfolio"])
def test_an_editions_numbers_are_bounded_for_every_command(
    tmp_path: Path, command: str, file: str, old: str, new: str, expected: str
) -> None:
    """An edition folder given with --standard is untrusted too: its periods, prices and rates."""
    folder = _edition(tmp_path, file, old, new)
    path = copied(tmp_path, PEER)
    result = invoke("--standard", folder, *_command(command, path, tmp_path))
    assert result.exit_code == 2, result.output
    assert file in result.output and expected in result.output


def test_a_price_list_rate_within_bounds_still_quotes(tmp_path: Path) -> None:
    folder = _edition(tmp_path, "prices.yaml", 'vat_rate: "20"', "vat_rate: 17.5")
    result = invoke("--standard", folder, "quote", "--initial", "2", "--json", "--on", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert '"vat_rate": "17.5"' in result.output and '"gross": "1175.00"' in result.output


def test_every_money_bound_keeps_a_quote_exact() -> None:
    """At the bounds (the largest price, the highest rate) a quote's pennies still add up."""
    from nums.limits import MAX_PRICE, MAX_VAT_RATE
    from nums.pricing import vat_on

    net = MAX_PRICE * 2
    vat = vat_on(net, MAX_VAT_RATE)
    assert vat == net and (net + vat).quantize(Decimal("0.01")) == Decimal("4000000000.00")


def test_the_web_app_bounds_rates_and_dates_in_the_same_words(tmp_path: Path) -> None:
    client, _ = client_for(copy_examples(tmp_path))
    quote = client.get("/api/quote?initial=1&vat_rate=1e30", headers=bearer())
    assert quote.status_code == 422 and "'1e30' is more than 100: a VAT rate is a percentage" in quote.text
    assessed = client.get("/api/programmes/peer-mentoring/assessment?on=9999-12-31", headers=bearer())
    assert assessed.status_code == 422
    assert "9999-12-31 is too far ahead: nums reads dates from 1900-01-01 to 2999-12-31" in assessed.text


@pytest.mark.parametrize(
    ("typed", "shown"), [("²", "(got &#39;²&#39;)"), ("9" * 5000, "(got text of 5000 characters)")]
)
def test_the_form_reads_a_number_of_mentors_as_the_file_reader_does(
    tmp_path: Path, typed: str, shown: str
) -> None:
    """A superscript digit or 5,000 digits typed into the form was a server error (int() refused it)."""
    from tests.web_support import form_fields

    client, guard = client_for(copy_examples(tmp_path))
    fields = form_fields(client.get("/p/peer-mentoring").text)
    fields["p0.mentors"] = typed
    preview = client.post(f"/p/peer-mentoring/preview?csrf={guard.csrf}", data=fields)
    assert preview.status_code == 200
    assert f"the number of mentors must be a whole number {shown}" in preview.text
