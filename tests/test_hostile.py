"""Hostile and careless input: every class of bad file ends in one message for people,
exit code 2, no traceback (issue: "no file, however it was made, crashes nums or holds it
for minutes")."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from pydantic_core import InitErrorDetails
from pydantic_core.core_schema import ErrorType

from nums import limits, packfile
from nums.cli import cli
from nums.models import validation_problems
from nums.review import ReviewFile
from nums.submission import SubmissionFile
from nums.yamlsource import parse_yaml
from tests.builders import pdf_with_attachments
from tests.conftest import EXAMPLES

PEER = EXAMPLES / "peer-mentoring"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def submission_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (PEER / "submission.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "submission.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "evidence").mkdir(exist_ok=True)
    return path


# --- the YAML reader -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # "2025-02-30 is not a date: February 2025 has 28 days"
        (
            "date: 2026-03-02",
            "date: 2025-02-30",
            "application.date: 2025-02-30 is not a date: February 2025 has 28 days",
        ),
        (
            "date: 2026-03-02",
            "date: 2026-13-01",
            "application.date: 2026-13-01 is not a date: there is no month 13",
        ),
        ("date: 2026-03-02", "date: next spring", "'next spring' is not a date; write dates as YYYY-MM-DD"),
        # "no aliases at all ... refuse with 'anchors and aliases (& and *) are not allowed in a submission file'"
        (
            "level: silver",
            "level: &l silver",
            "anchors and aliases (& and *) are not allowed in a submission file",
        ),
        (
            "mentors: ",
            "mentors: !!python/object/apply:os.system ",
            "the tag !!python/object/apply:os.system is not allowed",
        ),
        ("level: silver", "level: !!binary c2lsdmVy", "the tag !!binary is not allowed in a submission file"),
        (
            "mentors: ",
            "mentors: " + "9" * 5000 + " #",
            "programme.mentors: a value of 5000 characters cannot be read as a whole number",
        ),
    ],
)
def test_hostile_values_are_field_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    code, output = run("validate", str(submission_with(tmp_path, old, new)))
    assert code == 2
    assert expected in output


def test_names_that_the_file_system_refuses_are_problems_not_crashes(tmp_path: Path) -> None:
    path = submission_with(tmp_path, "standard: nums-2021", "standard: " + "x" * 5000)
    code, output = run("validate", str(path))
    assert code == 2
    assert "no edition of the standard at 'xxxxx" in output
    path = submission_with(tmp_path, "file: evidence/mentee-leaflet.md", 'file: "evidence/a\\0b"')
    text = path.read_text().replace(
        'url: "https://www.harbourside.example.ac.uk/peer-mentoring"', 'url: "http://["'
    )
    path.write_text(text)
    code, output = run("validate", str(path))
    assert code == 0, output
    assert "http://[: this is not a web address that can be opened" in output
    assert "a file name cannot contain a NUL character" in output


def test_control_characters_in_a_message_are_shown_as_escapes(tmp_path: Path) -> None:
    path = submission_with(tmp_path, "  aims.1:", '  "aims.1\\e[31m":')
    code, output = run("validate", str(path))
    assert code == 2
    assert "unknown criterion 'aims.1\\x1b[31m'" in output
    assert "\x1b" not in output


def test_a_statement_that_looks_like_an_impossible_date_keeps_its_text(tmp_path: Path) -> None:
    """ "Dates are only dates where the format says a date. A string field that holds
    something date-like keeps the text the person wrote.\""""
    path = submission_with(tmp_path, "statement: The leaflet", "statement: 2025-02-30")
    code, output = run("assess", "--json", str(path))
    assert code == 0, output
    assert "2025-02-30 and the web page" in path.read_text()
    doc = parse_yaml("statement: 2025-02-30\nday: 2025-03-02\n", "x.yaml")
    assert doc.data == {"statement": "2025-02-30", "day": "2025-03-02"}


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """ "a few hundred bytes that make nums validate run for minutes and take gigabytes"."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 30)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    code, output = run("validate", str(path))
    assert code == 2
    assert "bomb.yaml:1: anchors and aliases (& and *) are not allowed in a submission file" in output


def test_a_value_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "self.yaml"
    path.write_text("criteria: &c {aims.1: *c}\n")
    assert "anchors and aliases" in run("validate", str(path))[1]


DEEP_FILES = {
    "flow lists": "programme: " + "[" * 200_000 + "\n",
    "flow mappings": "programme: " + "{a: " * 5_000 + "\n",
    "block mappings": "".join("  " * depth + "a:\n" for depth in range(1_500)),
    "block lists": "- " * 3_000 + "x\n",
}


@pytest.mark.parametrize("parser", ["libyaml", "pure Python"])
@pytest.mark.parametrize("shape", list(DEEP_FILES))
def test_deep_nesting_is_refused_in_nums_words_whichever_parser_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parser: str, shape: str
) -> None:
    """libyaml 0.2.5+ stops at 1,000 levels with its own "exceeded maximum nesting depth",
    before nums' limit of 40 is reached; the person reads nums' message either way."""
    import yaml

    from nums import yamlsource

    if parser == "pure Python":
        monkeypatch.setattr(yamlsource, "_Loader", yaml.SafeLoader)
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP_FILES[shape])
    code, output = run("validate", str(path))
    assert code == 2
    assert "is nested more than 40 levels deep; a submission file needs only a few" in output
    assert "maximum nesting depth" not in output


def test_files_over_five_mib_are_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("statement: " + "x" * (6 * 1024 * 1024) + "\n")
    code, output = run("validate", str(path))
    assert code == 2
    assert "big.yaml: is 6.0 MiB; nums reads files of at most 5 MiB" in output


def test_bytes_that_are_not_utf8_are_placed_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"programme:\n  name: Caf\xe9\n")
    code, output = run("validate", str(path))
    assert code == 2
    assert "latin1.yaml:2: is not UTF-8 text: byte 0xe9 at column 12 cannot be read" in output


def test_review_files_get_the_same_reader(tmp_path: Path) -> None:
    review = tmp_path / "review.yaml"
    review.write_text("reviewer: &r {name: A}\ndate: 2026-03-20\n")
    code, output = run("review", str(PEER / "submission.yaml"), str(review))
    assert code == 2
    assert "anchors and aliases (& and *) are not allowed in a review file" in output


def test_every_problem_in_a_review_is_reported_in_one_run(tmp_path: Path) -> None:
    """ "All problems in a file are reported in one run (review files today report in rounds).\""""
    review = tmp_path / "review.yaml"
    review.write_text(
        "reviewer: {name: A}\ndate: 2026-02-30\ndecisions:\n  aims.99: {decision: accepted}\n"
        "  aims.1: {decision: yes}\noverrides:\n  aimz: {level: gold, reason: judged}\n"
    )
    code, output = run("review", str(PEER / "submission.yaml"), str(review))
    assert code == 2
    assert "date: 2026-02-30 is not a date: February 2026 has 28 days" in output
    assert (
        "decisions.aims.1.decision: the decision must be 'accepted', 'rejected' or 'more-evidence'" in output
    )
    assert "decisions.aims.99: unknown criterion 'aims.99'" in output
    assert "overrides.aimz: unknown pillar 'aimz'" in output


def test_edition_folders_get_the_same_reader(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "edition"
    shutil.copytree(Path(__file__).parent / "editions" / "four-levels", folder)
    rules = folder / "rules.yaml"
    rules.write_text("x: &a 1\n" + rules.read_text())
    code, output = run("--standard", str(folder), "standards")
    assert code == 2
    assert "rules.yaml:1: anchors and aliases (& and *) are not allowed in an edition file" in output


# --- messages for people -------------------------------------------------------------

_CLASS_WORDS = ("Input should", "instance of", "dictionary", "NoneType", "Decimal", "str", "int", "dict")
_CLASS_WORDS += ("list[", "tuple", "EvidenceItem", "Claim", "BaseModel", "pydantic", "type=", "Value error")
_CTX = {
    "gt": 0,
    "ge": 1,
    "lt": 9,
    "le": 9,
    "multiple_of": 2,
    "min_length": 1,
    "max_length": 9,
    "expected": "'a' or 'b'",
    "pattern": "x",
    "error": "a reason of ours",
    "field_type": "Value",
    "class_name": "EvidenceItem",
    "max_digits": 2,
    "decimal_places": 2,
    "whole_digits": 1,
    "tag": "x",
    "expected_tags": "a",
    "discriminator": "d",
    "type_name": "Thing",
    "allowed_schemes": "https",
    "max_length_kind": "x",
    "expected_length": 1,
    "actual_length": 2,
    "reason": "bad",
    "expected_plural": "items",
    "input_type": "x",
    "unicode": "x",
    "version": 4,
    "expected_version": 4,
    "schemes": "https",
    "exception": "x",
    "constraint": "x",
    "class": "EvidenceItem",
    "method_name": "x",
    "attribute": "x",
    "tz_expected": 0,
    "tz_actual": 1,
    "expected_schemes": "'https'",
    "encoding": "base64",
    "encoding_error": "x",
}


@pytest.mark.parametrize("kind", sorted(typing.get_args(ErrorType)))
@pytest.mark.parametrize(
    ("model", "location", "value"),
    [
        (SubmissionFile, ("criteria", "aims.1", "evidence", 0), "a handbook"),
        (SubmissionFile, ("programme", "mentors"), "many"),
        (ReviewFile, ("decisions", "aims.1", "decision"), ["x"]),
    ],
)
def test_no_pydantic_error_type_reaches_people_in_library_words(
    kind: str, model: type, location: tuple, value: object
) -> None:
    """ "Library wording never reaches people ... A test walks every pydantic error type the
    loaders can raise and fails on any message that names a Python type or class.\""""
    detail = InitErrorDetails(type=kind, loc=location, input=value, ctx=_CTX)  # type: ignore[typeddict-item]
    try:
        error = ValidationError.from_exception_data("x", [detail])
    except Exception:  # a type that cannot be raised this way cannot reach a loader either
        pytest.skip(f"{kind} cannot be built")
    doc = parse_yaml("a: 1\n", "f.yaml")
    [problem] = validation_problems(doc, error, model)
    words = problem.message
    assert not any(w in words for w in _CLASS_WORDS), f"{kind}: {words}"


def test_an_evidence_item_that_is_text_says_what_it_needs(tmp_path: Path) -> None:
    """ ""valid dictionary or instance of EvidenceItem" becomes "an evidence item needs a title
    and a url or file".\""""
    path = submission_with(tmp_path, "      - {title: Peer", "      - just a title\n      - {title: Peer")
    code, output = run("validate", str(path))
    assert code == 2
    assert "an evidence item needs a title and a url or file (got 'just a title')" in output


# --- pack PDFs read back --------------------------------------------------------------


def _pdf(tmp_path: Path, attachments: dict[str, bytes]) -> Path:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf_with_attachments(attachments))
    return path


def _good_json() -> bytes:
    import yaml

    data = yaml.safe_load((PEER / "submission.yaml").read_text())
    return json.dumps({"submission": data}, default=str).encode()


def test_a_pdf_that_is_not_a_pack(tmp_path: Path) -> None:
    code, output = run("review", str(_pdf(tmp_path, {})), str(PEER / "review.yaml"))
    assert code == 2
    assert "pack.pdf: this PDF has no embedded submission.json, so it is not a nums pack" in output


def test_a_truncated_pack_gets_one_clear_message_and_no_library_noise(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """ "A truncated or foreign PDF gets one clear message, no library noise before it.\""""
    whole = _pdf(tmp_path, {"submission.json": _good_json()}).read_bytes()
    path = tmp_path / "cut.pdf"
    for cut in (len(whole) // 3, len(whole) - 40, 200):
        path.write_bytes(whole[:cut])
        code, output = run("review", str(path), str(PEER / "review.yaml"))
        assert code in (0, 2), output
        if code == 2:
            assert output.count("error:") == 1, output
            assert output.startswith("error: "), output
    assert "pypdf" not in capfd.readouterr().err


def test_an_embedded_name_that_leaves_its_folder_is_never_written(tmp_path: Path) -> None:
    """Only the evidence the submission cites is unpacked, where it cites it: any other name is ignored."""
    path = _pdf(tmp_path, {"submission.json": _good_json(), "../../escaped.txt": b"x"})
    code, output = run("review", str(path), str(PEER / "review.yaml"))
    assert code == 0, output
    assert "ignored 1 embedded file the submission does not cite: '../../escaped.txt'" in output
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()


def test_an_enormous_embedded_file_is_not_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.setattr(packfile, "MAX_EMBEDDED_BYTES", 1024 * 1024)
    huge = b"\0" * (2 * 1024 * 1024)
    document = json.loads(_good_json())
    document["submission"]["criteria"]["aims.1"]["evidence"] = [
        {"title": "Huge", "file": "evidence/huge.bin"}
    ]
    document["evidence"] = [{"file": "evidence/huge.bin", "sha256": hashlib.sha256(huge).hexdigest()}]
    path = _pdf(tmp_path, {"submission.json": json.dumps(document).encode(), "evidence/huge.bin": huge})
    code, output = run("review", str(path), str(PEER / "review.yaml"))
    assert code == 2
    assert "the embedded file 'evidence/huge.bin' is larger than 1 MiB; nums does not unpack it" in output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "the embedded submission.json is not valid JSON (line 1, column 2"),
        (b"[1, 2]", "the embedded submission.json is not a nums pack"),
        (b"[" * 100_000, "the embedded submission.json is nested more than 40 levels deep"),
        (
            json.dumps({"submission": {"application": {"date": "2026-02-30"}}}).encode(),
            "(its embedded submission.json)",
        ),
    ],
)
def test_an_invalid_embedded_submission_is_one_clear_message(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    code, output = run("review", str(_pdf(tmp_path, {"submission.json": content})), str(PEER / "review.yaml"))
    assert code == 2
    assert expected in output


def test_a_file_with_thousands_of_mistakes_is_reported_in_seconds(tmp_path: Path) -> None:
    """ "Every command ... ends within seconds": the first hundred problems, and a note."""
    import time

    path = tmp_path / "many.yaml"
    path.write_text(
        "history:\n" + "- x\n" * 100_000 + "criteria:\n" + "".join(f"  k{i}: 1\n" for i in range(10_000))
    )
    start = time.perf_counter()
    code, output = run("validate", str(path))
    assert time.perf_counter() - start < 30
    assert code == 2
    assert output.count("error:") == 101
    assert "many.yaml: more problems than the first 100 shown (fix these first)" in output


def test_text_with_a_lone_surrogate_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """Text from JSON or a browser can hold "\\ud800", which no file can."""
    from nums.errors import NumsError

    with pytest.raises(NumsError, match=r"x\.yaml:2: holds a character that is not valid Unicode"):
        parse_yaml("a: 1\nb: \ud800\n", "x.yaml")
    content = b'{"submission": {"programme": {"name": "\\ud800"}}}'
    code, output = run("review", str(_pdf(tmp_path, {"submission.json": content})), str(PEER / "review.yaml"))
    assert code == 2
    assert "the embedded submission.json holds text that is not valid Unicode" in output


# --- how much a file may hold (limits.py) ---------------------------------------------
# "Every command keeps the contract on every failure: ... it ends within seconds." A valid
# file of 1 MiB of evidence made a pack that took minutes; the limits bound every pack.


def test_one_enormous_statement_is_named_with_its_line(tmp_path: Path) -> None:
    path = submission_with(
        tmp_path,
        "    statement: The leaflet and the web page both open with the scheme's three aims in plain words.",
        "    statement: " + "mentoring " * 25_000,
    )
    output_pdf = tmp_path / "pack.pdf"
    for command in (["validate", str(path)], ["pack", str(path), "-o", str(output_pdf)]):
        code, output = run(*command)
        assert code == 2
        assert (
            "submission.yaml:38: criteria.aims.2.statement: is 249,999 characters long; the submission"
            in output
        )
        assert f"and at most {limits.MAX_TEXT_CHARACTERS:,} are allowed" in output
        assert "put long documents in evidence files and cite them" in output
    assert not output_pdf.exists()


def test_text_spread_over_many_criteria_names_the_part_that_holds_it(tmp_path: Path) -> None:
    statement = (
        "    statement: The leaflet and the web page both open with the scheme's three aims in plain words."
    )
    path = submission_with(tmp_path, statement, statement)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    statement: ", "    statement: " + "peer support " * 700), encoding="utf-8"
    )
    code, output = run("validate", str(path))
    assert code == 2
    assert "submission.yaml:27: criteria: holds " in output


def test_too_many_citations_name_the_longest_list(tmp_path: Path) -> None:
    cited = "".join(
        f"      - {{title: Minutes {n}, url: 'https://example.ac.uk/m/{n}'}}\n" for n in range(450)
    )
    path = submission_with(
        tmp_path,
        "    evidence:\n      - {title: Recruitment leaflet for mentees, file: evidence/mentee-leaflet.md}\n  aims.4",
        "    evidence:\n" + cited + "  aims.4",
    )
    code, output = run("assess", "--json", str(path))
    assert code == 2
    assert (
        "criteria.aims.2.evidence: cites 450 pieces of evidence: a submission may cite at most 400" in output
    )
    assert "cite one index document or folder page instead of each file" in output


def test_a_review_holding_too_much_text_is_refused(tmp_path: Path) -> None:
    review = tmp_path / "review.yaml"
    review.write_text(
        "reviewer: {name: A}\ndate: 2026-03-20\ndecisions:\n"
        f"  aims.1: {{decision: accepted, comment: {'fine ' * 50_000}}}\n"
    )
    code, output = run(
        "review", str(PEER / "submission.yaml"), str(review), "--letter", str(tmp_path / "l.pdf")
    )
    assert code == 2
    assert "review.yaml:4: decisions.aims.1.comment: is 249,999 characters long; the review holds" in output
    assert "the letter quotes every comment" in output
    assert not (tmp_path / "l.pdf").exists()


def test_an_edition_file_holding_too_much_text_is_refused(tmp_path: Path) -> None:
    """Edition folders given with --standard are untrusted too: their text is bounded like a submission's."""
    import shutil

    folder = tmp_path / "edition"
    shutil.copytree(Path(__file__).parent / "editions" / "four-levels", folder)
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text() + "notes: " + "mentoring " * 21_000 + "\n")
    code, output = run("--standard", str(folder), "standards")
    assert code == 2
    assert "rules.yaml" in output and "notes: is 209,999 characters long; the edition file holds" in output


def test_text_spread_evenly_is_reported_for_the_whole_file_once() -> None:
    half = "mentoring " * 15_000
    doc = parse_yaml(f"a: {half}\nb: {half}\n", "spread.yaml", "submission file")
    (problem,) = limits.text_problems(doc, "submission")
    assert str(problem) == (
        "spread.yaml:1: holds 300,000 characters of text, and a submission may hold at most 200,000 "
        "(shorten it, or put long documents in evidence files and cite them)"
    )


def test_a_file_within_the_limits_is_never_refused_for_its_size() -> None:
    """The shipped examples are far inside the limits (the limit is not a near miss)."""
    for example in sorted(EXAMPLES.glob("*/submission.yaml")):
        doc = parse_yaml(example.read_text(encoding="utf-8"), str(example), "submission file")
        assert limits.text_problems(doc, "submission") == []
        assert limits.characters(doc.data) * 10 < limits.MAX_TEXT_CHARACTERS
