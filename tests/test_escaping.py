"""Issue 19, §4: "Text from the applicant is escaped for every format it reaches."

The rule these properties check: for any text typed into any field (a programme's name, an
institution, a coordinator, a department, statements, evidence titles, URLs and file names,
folder names in a workspace, history entries, continuation statements, a reviewer's name and
comments, override reasons), each output nums writes, parsed back by its own format's parser,
gives

- for data (YAML values and keys, JSON, CSV cells, the ``filename*`` of a download): *exactly
  that text*, and
- for text a person reads (terminal lines, YAML ``#`` comments, calendar summaries and
  descriptions): *exactly its visible form*, ``nums.escaping.visible(text)``: the text with
  each control character, line break (of every kind: LF, CR, NEL, U+2028, U+2029) and bidi
  control written as an escape (``\\x1b``, ``\\x0a``, ``\\u202e``), so that it stays one line
  that cannot restyle or reorder what follows;

and nothing else: no extra keys, no extra lines, no extra events, no extra header parameters,
and no raw control character on the terminal. Every output is produced by the real entry points
(click's runner for the commands, Starlette's test client for the app).

The default run is short; the long campaign (``NUMS_FUZZ_EXAMPLES=10000``) runs these too.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from nums.cli import cli
from nums.escaping import CSV_GUARDED, csv_value, visible
from nums.limits import MAX_NAME_CHARACTERS, MAX_TITLE_CHARACTERS, MAX_URL_CHARACTERS
from nums.yamlsource import parse_yaml
from tests.conftest import EXAMPLES
from tests.web_support import bearer, client_for

pytestmark = pytest.mark.fuzz

EXAMPLES_PER_TEST = int(os.environ.get("NUMS_FUZZ_EXAMPLES", "25"))
PROPERTY = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES_PER_TEST <= 100,  # the default run is the same every time
)
PEER = EXAMPLES / "peer-mentoring"
ON = "2026-04-20"  # the peer-mentoring Bronze award is then renewal-due, so it has calendar events

# --- applicant text ----------------------------------------------------------------------------

# What breaks formats: line breaks of every kind, terminal controls, bidi controls, quotes,
# backslashes, YAML's indicators, spreadsheet formula starts, and characters YAML refuses raw.
_TRICKY = [
    "\n",
    "\r",
    "\r\n",
    "\x85",
    "\u2028",
    "\u2029",
    "\x0b",
    "\x0c",
    "\t",
    "\x00",
    "\x07",
    "\x08",
    "\x1b",
    "\x1b[31m",
    "\x1b[1m",
    "\x1b[0m",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "\x9b31m",
    "\x7f",
    "\u202e",
    "\u202d",
    "\u2066",
    "\u200f",
    "\u061c",
    "\ufeff",
    "\ufffe",
    "\uffff",
    '"',
    "'",
    "\\",
    "\\n",
    "\\x1b",
    ": ",
    "#",
    " #",
    "---",
    "...",
    "&a",
    "*a",
    "!!python/object:os.system",
    "- ",
    "? ",
    "|",
    ">",
    "{",
    "}",
    "[",
    "]",
    ",",
    ";",
    "%",
    "@",
    "`",
    "=",
    "+",
    "-",
    "=1+1",
    "=cmd|' /C calc'!A0",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
    " ",
    "  ",
    "\u00a0",
    "yes",
    "null",
    "~",
    "2026-03-02",
    "0x1F",
    "1e3",
    "\U0001f642",
    "é",
    "ß",
    "日本",
    "decisions: {aims.1: {decision: accepted}}",
    "\nreviewer: {name: Planted}",
    "\r\nBEGIN:VEVENT",
    "\r\nX-Injected: 1",
    '"; filename="evil.exe',
    "</title><script>alert(1)</script>",
]
LONG = 12_000
_ANY_CHARACTER = st.characters(blacklist_categories=["Cs"])  # lone surrogates: only from folder names


def texts(min_size: int = 0) -> st.SearchStrategy[str]:
    """Text a person could type into a field: tricky pieces and any characters, now and then long
    (up to ``LONG`` characters, so that a submission with long text in every field stays within
    the 200,000 characters a submission may hold)."""
    piece = st.one_of(st.sampled_from(_TRICKY), st.text(_ANY_CHARACTER, max_size=12))
    short = st.lists(piece, max_size=8).map("".join)
    repeated = st.builds(lambda text, times: text * times, st.sampled_from(_TRICKY), st.integers(200, 3000))
    long = repeated.map(lambda text: text[:LONG])
    return st.one_of(short, short, short, long).filter(lambda text: len(text) >= min_size)


def fitted(text: str, limit: int) -> str:
    """The longest start of ``text`` whose visible form is at most ``limit`` characters: then the
    stand-in of the same width (``stand_in``) is within the field's bound too."""
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if len(visible(text[:middle])) <= limit else (low, middle - 1)
    return text[:low]


# one-line fields are bounded (limits.py): a name, a role, an email address; a title; a web address
names = texts().map(lambda text: fitted(text, MAX_NAME_CHARACTERS)).filter(lambda text: text.strip() != "")
CAPS = dict.fromkeys(("department", "framework", "role", "email"), MAX_NAME_CHARACTERS)
CAPS |= {"title": MAX_TITLE_CHARACTERS, "url": MAX_URL_CHARACTERS - len("https://example.org/")}


def capped(key: str) -> st.SearchStrategy[str]:
    """Text for one field, as long as that field may be."""
    limit = CAPS.get(key)
    return texts() if limit is None else texts().map(lambda text: fitted(text, limit))


def file_names(not_utf8: bool = True) -> st.SearchStrategy[str]:
    """A file or folder name on disk: no '/' or NUL, not hidden, no backslash (workspace ids refuse
    it), short enough for the file system; now and then with bytes that are not UTF-8 (Python
    reads them as lone surrogates)."""
    text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="/\\\x00"), max_size=20)
    mixed = st.lists(st.one_of(text, st.sampled_from([t for t in _TRICKY if not set(t) & set("/\\\x00")])))
    readable = mixed.map(lambda parts: "p" + "".join(parts))
    undecodable = st.builds(
        lambda name, byte: name + os.fsdecode(bytes([byte])), readable, st.integers(0x80, 0xFF)
    )
    chosen = st.one_of(readable, readable, undecodable) if not_utf8 else readable
    return chosen.filter(lambda name: len(os.fsencode(name)) <= 200)


# --- helpers -----------------------------------------------------------------------------------

_OUR_BOLD = re.compile(r"\x1b\[1m|\x1b\[0m")  # what click.style(bold=True) writes for headings
_RAW_ON_A_TERMINAL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def on_terminal(result: Result, stream: str = "stdout") -> str:
    """What a terminal would receive (colour kept, as on a real terminal), with nums' own bold
    taken out; asserts that nothing else raw is left."""
    raw = (result.stdout_bytes if stream == "stdout" else result.stderr_bytes).decode("utf-8")
    text = _OUR_BOLD.sub("", raw)
    found = _RAW_ON_A_TERMINAL.search(text)
    assert found is None, (
        f"raw {found.group()!r} reaches the terminal in {text[max(0, found.start() - 60) : found.end() + 20]!r}"
    )
    return text


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), color=True)


def stand_in(text: str) -> str:
    """Text that prints exactly as wide as ``text`` and wraps at the same places, with nothing to
    escape (and blank where ``text`` is): with it in every field, a report has the lines it
    should have."""
    shown = visible(text)
    return re.sub("[^ ]", "x", shown) if text.strip() else " " * len(shown)


def pyyaml_text(data: Any) -> str:
    """YAML written by PyYAML, not by nums, every character outside ASCII as an escape: with
    ``allow_unicode`` it writes a NEL inside single quotes, which reads back as a space."""
    return yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=False, sort_keys=False)


def example(name: str) -> dict[str, Any]:
    path = EXAMPLES / name / "submission.yaml"
    return parse_yaml(path.read_text(encoding="utf-8"), str(path)).data


@contextmanager
def programme_folder(document: dict[str, Any], source: Path = PEER, name: str = "prog") -> Iterator[Path]:
    """A workspace holding one programme folder: ``source``'s evidence (and review) with ``document``
    as its submission, written by PyYAML, not by nums."""
    with tempfile.TemporaryDirectory(prefix="nums-escaping-") as scratch:
        folder = Path(scratch) / "ws" / name
        shutil.copytree(source, folder)
        (folder / "submission.yaml").write_text(pyyaml_text(document), encoding="utf-8")
        review_for(folder, document)
        yield folder


def review_for(folder: Path, document: dict[str, Any]) -> None:
    """A copied review is made to name the programme the folder now holds, as the coordinator of
    a renamed programme corrects it: "a review belongs to one submission", and nums would refuse
    it as written for another."""
    path = folder / "review.yaml"
    if not path.exists():
        return
    names = [programme["name"] for programme in document.get("programmes") or [document["programme"]]]
    first = (document.get("programmes") or [document["programme"]])[0]
    review = parse_yaml(path.read_text(encoding="utf-8"), str(path)).data
    review["submission"] = {"programme": " · ".join(names), "institution": first.get("institution")}
    path.write_text(pyyaml_text(review), encoding="utf-8")


def hostile_submission(fields: dict[str, str]) -> dict[str, Any]:
    """The peer-mentoring example with applicant text in every field a coordinator types."""
    document = copy.deepcopy(example("peer-mentoring"))
    programme = document["programme"]
    programme["name"] = fields["name"]
    programme["institution"] = fields["institution"]
    programme["coordinator"]["name"] = fields["coordinator"]
    programme["purpose"] = fields["purpose"]
    programme["department"] = fields["department"]
    programme["framework"] = fields["framework"]
    document["history"][0]["programmes"] = [fields["name"]]
    claim = document["criteria"]["aims.1"]
    claim["statement"] = fields["statement"]
    claim["evidence"] = [
        {"title": fields["title"], "url": "https://example.org/" + fields["url"]},
        *claim["evidence"],
        {"title": fields["title"], "file": "evidence/" + fields["file"]},
    ]
    document["declaration"] = {"name": fields["coordinator"], "role": fields["role"], "date": "2026-03-01"}
    return document


FIELDS = ("name", "institution", "coordinator", "purpose", "department", "framework", "statement")
FIELDS += ("title", "url", "file", "role")
named_fields = {"name", "institution", "coordinator", "purpose", "title"}
coordinator_text = st.fixed_dictionaries(
    {
        key: names.map(lambda text, key=key: fitted(text, CAPS.get(key, MAX_NAME_CHARACTERS)))
        if key in named_fields
        else capped(key)
        for key in FIELDS
    }
)


def without_stray_keys(data: Any) -> None:
    """No key anywhere in the data read back came from the applicant's text."""
    if isinstance(data, dict):
        for key, value in data.items():
            assert re.fullmatch(r"[a-z_][a-z0-9_.-]*", key), f"a key nums did not write: {key!r}"
            without_stray_keys(value)
    elif isinstance(data, list):
        for value in data:
            without_stray_keys(value)


# --- YAML written by nums ----------------------------------------------------------------------


@PROPERTY
@given(fields=coordinator_text)
def test_review_init_writes_the_applicants_text_only_as_comments(fields: dict[str, str]) -> None:
    """`nums review --init` lists the claimed criteria with their statements and evidence as
    comments: read back by nums, the file holds the reviewer, date, fingerprint, overrides and one
    empty decision per claim, nothing else; the header comment is the name's visible form."""
    document = hostile_submission(fields)
    with programme_folder(document) as folder:
        target = folder / "review-new.yaml"
        result = run("review", "--init", str(folder / "submission.yaml"), "-o", str(target))
        assert result.exit_code == 0, result.output
        written = target.read_text(encoding="utf-8")
        data = parse_yaml(written, str(target), "review file").data
    claimed = [ident for ident, claim in document["criteria"].items() if claim.get("met")]
    assert set(data) == {"reviewer", "date", "submission", "submission_sha256", "overrides", "decisions"}
    assert data["submission"] == {"programme": fields["name"], "institution": fields["institution"]}
    assert sorted(data["decisions"]) == sorted(claimed)
    assert all(value == {"decision": None, "comment": ""} for value in data["decisions"].values())
    assert data["reviewer"] == {"name": "", "email": ""}
    lines = written.split("\n")
    assert lines[0] == f"# Review of {visible(fields['name'])} ({visible(fields['institution'])})"
    comments = "".join(line.lstrip()[1:] for line in lines if line.lstrip().startswith("#")).split()
    statement = "Statement: " + (fields["statement"].strip() or "(no statement)")
    assert "".join(visible(statement).split()) in "".join(comments)


COMBINED = EXAMPLES / "department-combined"


def hostile_combined(programme_names: list[str], fields: dict[str, str]) -> dict[str, Any]:
    """The department's combined reaccreditation with applicant text in its programmes' names,
    department, the shared approach, the continuation statement and the award's history."""
    document = copy.deepcopy(example("department-combined"))
    for programme, name in zip(document["programmes"], programme_names, strict=True):
        programme["name"] = name
        programme["department"] = fields["department"]
        programme["institution"] = fields["institution"]
    document["combined_approach"] = fields["approach"]
    document["continuation"]["statement"] = fields["continuation"]
    document["history"][1]["programmes"] = list(programme_names)
    return document


combined_text = st.fixed_dictionaries(
    {"department": capped("department"), "institution": names, "approach": texts(), "continuation": names}
)


@PROPERTY
@given(programme_names=st.lists(names, min_size=3, max_size=3, unique=True), fields=combined_text)
def test_a_combined_reaccreditation_keeps_every_name_and_the_continuation_in_every_format(
    programme_names: list[str], fields: dict[str, str]
) -> None:
    """A combined application's names, its continuation statement and its history: the review
    file's header and comments hold their visible forms and its data only the decisions; the
    report's first line is the names' visible form; --json and a save through the app give the
    text exactly."""
    document = hostile_combined(programme_names, fields)
    title = " · ".join(programme_names)
    with programme_folder(document, source=COMBINED) as folder:
        path = str(folder / "submission.yaml")
        init = run("review", "--init", path, "-o", str(folder / "review.yaml"))
        assess, as_json = run("assess", path), run("assess", path, "--json")
        written = (folder / "review.yaml").read_text(encoding="utf-8")
        client, _ = client_for(folder.parent)
        url = "/api/programmes/prog/submission"
        base = client.get(url, headers=bearer()).json()["sha256"]
        sent = json.loads(json.dumps(document, default=str))
        response = client.put(url, json={"base_sha256": base, "submission": sent}, headers=bearer())
        assert response.status_code == 200, response.text
        saved = parse_yaml((folder / "submission.yaml").read_text(encoding="utf-8"), path).data
    assert init.exit_code == 0 and assess.exit_code == 0, init.output + assess.output
    lines = written.split("\n")
    assert lines[0] == f"# Review of {visible(title)} ({visible(fields['institution'])})"
    data = parse_yaml(written, "review.yaml").data
    assert set(data) == {"reviewer", "date", "submission", "submission_sha256", "overrides", "decisions"}
    assert data["submission"] == {"programme": title, "institution": fields["institution"]}
    assert "continuation" in data["decisions"]
    comments = "".join(line.strip()[1:] for line in lines if line.strip().startswith("#"))
    assert "".join(visible(fields["continuation"].strip()).split()) in "".join(comments.split())
    assert on_terminal(assess).split("\n")[0] == visible(title)
    assert json.loads(as_json.stdout)["programmes"] == programme_names
    assert without_blank_claims(json.loads(json.dumps(saved, default=str))) == sent


def a_review(fields: dict[str, str], key: str) -> dict[str, Any]:
    return {
        # a key the format does not define is kept under reviewer:, whatever it is called (elsewhere
        # nums refuses it: a decision must not sit in a key nums does not read)
        "reviewer": {"name": fields["reviewer"], "email": fields["email"], key: fields["note"]},
        "date": "2026-03-25",
        "decisions": {
            "aims.1": {"decision": "accepted", "comment": fields["comment"]},
            "diversity.2": {"decision": "more-evidence", "comment": fields["request"]},
        },
        "overrides": {"celebration": {"level": "silver", "reason": fields["reason"]}},
    }


def as_sent(saved: dict[str, Any]) -> dict[str, Any]:
    """A saved review without what the app adds: the submission it is for and its fingerprint, and
    a blank decision for each claimed criterion the review did not decide (the `--init` layout
    lists them all)."""
    blank = {"decision": None, "comment": ""}
    kept = {key: value for key, value in saved.items() if key not in {"submission", "submission_sha256"}}
    kept["decisions"] = {ident: value for ident, value in saved["decisions"].items() if value != blank}
    return kept


reviewer_text = st.fixed_dictionaries(
    {
        "reviewer": names,
        "email": capped("email"),
        "comment": texts(),
        "request": names,
        "reason": names,
        "note": texts(),
    }
)


@PROPERTY
@given(fields=reviewer_text, key=texts(min_size=1))
def test_a_review_saved_by_the_app_reads_back_exactly_and_saves_again(
    fields: dict[str, str], key: str
) -> None:
    """The review page saves in the `--init` layout: read back by nums, the saved file holds exactly
    the review that was sent (and the submission's fingerprint), and a later save of it works too;
    `nums review` then prints the reviewer and the request in their visible form and warns of the
    reviewer's extra key in its visible form, and its --json gives them exactly: the reviewer
    as the whole mapping the file holds, the extra key "kept but not used" included."""
    defined = {"name", "email"}
    extra = key + "!" if key in defined else key
    review = a_review(fields, extra)
    with programme_folder(example("peer-mentoring")) as folder:
        client, _ = client_for(folder.parent)
        url = "/api/programmes/prog/review"
        base = client.get(url, headers=bearer()).json()["sha256"]
        for _ in range(2):  # saved, then saved again over what was saved
            response = client.put(url, json={"base_sha256": base, "review": review}, headers=bearer())
            assert response.status_code == 200, response.text
            base = response.json()["sha256"]
            saved = parse_yaml((folder / "review.yaml").read_text(encoding="utf-8"), "review.yaml").data
            assert as_sent(saved) == review
        assert client.get(url, headers=bearer()).json()["review"] == saved
        arguments = ("review", str(folder / "submission.yaml"), str(folder / "review.yaml"))
        as_json = run(*arguments, "--json")
        as_text = run(*arguments)
    assert as_json.exit_code == 0, as_json.output
    answer = json.loads(as_json.stdout)
    assert answer["reviewer"] == {"name": fields["reviewer"], "email": fields["email"], extra: fields["note"]}
    assert [r["comment"] for r in answer["evidence_requests"]] == [
        fields["request"].strip()
    ]  # as review.py keeps it
    assert answer["pillars"]["celebration"]["override"]["reason"] == fields["reason"]
    shown = on_terminal(as_text)
    assert f" · reviewed by {visible(fields['reviewer'])} on 2026-03-25" in shown.split("\n")[1]
    words = "".join(shown.split())
    assert "".join(visible(fields["request"].strip()).split()) in words
    assert "".join(visible(fields["reason"]).split()) in words
    warned = f"reviewer.{visible(extra)}: not a field of the review format; it is kept but not used"
    assert warned in on_terminal(as_text, "stderr")


@PROPERTY
@given(fields=coordinator_text, key=texts(min_size=1), value=texts())
def test_a_submission_saved_by_the_app_reads_back_exactly(
    fields: dict[str, str], key: str, value: str
) -> None:
    """The app writes a submission back in `nums init`'s layout: read back by nums, the file holds
    exactly the document that was sent, keys it does not define included, and nothing else."""
    document = hostile_submission(fields)
    with programme_folder(example("peer-mentoring")) as folder:
        client, _ = client_for(folder.parent)
        url = "/api/programmes/prog/submission"
        got = client.get(url, headers=bearer()).json()
        sent = json.loads(json.dumps(document, default=str))  # dates as ISO text, as the API sends them
        sent["programme"]["x-" + key] = value
        response = client.put(url, json={"base_sha256": got["sha256"], "submission": sent}, headers=bearer())
        assert response.status_code == 200, response.text
        saved = parse_yaml((folder / "submission.yaml").read_text(encoding="utf-8"), "submission.yaml").data
        assert without_blank_claims(json.loads(json.dumps(saved, default=str))) == sent
        assert without_blank_claims(client.get(url, headers=bearer()).json()["submission"]) == sent


def without_blank_claims(saved: dict[str, Any]) -> dict[str, Any]:
    """A saved submission without the blank claims the `nums init` layout lists for every criterion."""
    blank = {"met": False, "statement": "", "evidence": []}
    return {**saved, "criteria": {ident: c for ident, c in saved["criteria"].items() if c != blank}}


def test_a_lone_surrogate_sent_to_the_app_is_refused_in_words_and_the_file_is_untouched() -> None:
    """JSON can carry "\\ud800", which no UTF-8 file can: the save is refused in words (422),
    the file left as it was, and the refusal itself is valid JSON."""
    with programme_folder(example("peer-mentoring")) as folder:
        client, _ = client_for(folder.parent)
        url = "/api/programmes/prog/submission"
        before = (folder / "submission.yaml").read_bytes()
        got = client.get(url, headers=bearer()).json()
        got["submission"]["programme"]["name"] = "Peer \ud800 Mentoring"
        body = json.dumps({"base_sha256": got["sha256"], "submission": got["submission"]})  # ASCII: "\\ud800"
        headers = {**bearer(), "content-type": "application/json"}
        response = client.put(url, content=body, headers=headers)
        assert response.status_code == 422, response.text
        assert "Unicode" in json.dumps(response.json()["errors"])
        assert (folder / "submission.yaml").read_bytes() == before


def hostile_edition(tmp_path: Path, text: str) -> Path:
    """The shipped edition with ``text`` in its title and in the text of criterion aims.1."""
    from nums.editions import shipped_editions

    folder = tmp_path / "edition"
    shutil.copytree(shipped_editions()["nums-2021"], folder)
    for name, change in (("edition.yaml", _retitle), ("pillars/1-aims.yaml", _reword)):
        path = folder / name
        data = parse_yaml(path.read_text(encoding="utf-8"), str(path)).data
        change(data, text)
        path.write_text(pyyaml_text(data), encoding="utf-8")
    return folder


def _retitle(data: dict[str, Any], text: str) -> None:
    data["title"] = "Standards " + text


def _reword(data: dict[str, Any], text: str) -> None:
    data["levels"][0]["criteria"][0]["text"] = "A clear purpose " + text


@settings(PROPERTY, max_examples=max(5, EXAMPLES_PER_TEST // 5))
@given(text=texts())
def test_nums_init_writes_an_editions_text_only_as_comments(text: str) -> None:
    """`nums init` writes every criterion under its text as a comment: with an edition whose title
    holds any text, the file read back is the same blank submission, the title a comment."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = hostile_edition(Path(scratch), text)
        plain = run("init", str(Path(scratch) / "plain"))
        hostile = run("--standard", str(folder), "init", str(Path(scratch) / "new"))
        assert plain.exit_code == 0 and hostile.exit_code == 0, hostile.output
        written = (Path(scratch) / "new" / "submission.yaml").read_text(encoding="utf-8")
        expected = (Path(scratch) / "plain" / "submission.yaml").read_text(encoding="utf-8")
    assert written.split("\n")[0] == f"# A submission for the Standards {visible(text)} (nums-2021)."
    assert parse_yaml(written, "new").data == parse_yaml(expected, "plain").data
    comments = "".join(line.strip()[1:] for line in written.split("\n") if line.strip().startswith("#"))
    assert "".join(visible("A clear purpose " + text).split()) in "".join(comments.split())


# --- terminal text -----------------------------------------------------------------------------


@PROPERTY
@given(fields=coordinator_text)
def test_assess_and_validate_show_the_applicants_text_in_its_visible_form(fields: dict[str, str]) -> None:
    """No raw control character reaches the terminal: the name and institution lines are their
    visible forms, the warning names the evidence file in its visible form, and the report has
    exactly the lines it has with plain text in every field (but the file's name, on which the
    wording of its warning depends); --json gives the text exactly."""
    plain = {key: value if key == "file" else stand_in(value) for key, value in fields.items()}
    runs = {}
    for label, values in (("hostile", fields), ("plain", plain)):
        with programme_folder(hostile_submission(values)) as folder:
            path = str(folder / "submission.yaml")
            runs[label] = (run("assess", path), run("validate", path), run("assess", path, "--json"))
    (assess, validate, as_json), (plain_assess, plain_validate, _) = runs["hostile"], runs["plain"]
    assert assess.exit_code == 0 and validate.exit_code == 0, assess.output
    shown = on_terminal(assess).split("\n")
    assert shown[0] == visible(fields["name"])
    assert shown[1].startswith(visible(fields["institution"]) + " · initial application")
    assert len(shown) == len(on_terminal(plain_assess).split("\n"))
    for result, plain in ((assess, plain_assess), (validate, plain_validate)):
        warnings = on_terminal(result, "stderr").split("\n")
        assert len(warnings) == len(on_terminal(plain, "stderr").split("\n"))
        assert all(line.startswith("warning: ") for line in warnings if line)
        assert visible("evidence/" + fields["file"]) in on_terminal(result, "stderr")
    answer = json.loads(as_json.stdout)
    assert (answer["programme"], answer["programmes"]) == (fields["name"], [fields["name"]])
    targets = [check["target"] for check in answer["criteria"]["aims.1"]["evidence"]]
    assert "https://example.org/" + fields["url"] in targets
    assert "evidence/" + fields["file"] in targets


@PROPERTY
@given(name=names, addressee=names)
def test_a_quote_shows_the_addressee_and_programmes_in_their_visible_form(name: str, addressee: str) -> None:
    """`nums quote SUBMISSION --to NAME`: the "For" line is the addressee's visible form (its
    spaces collapsed, as `--to` does), the programme's name is shown likewise, and --json gives
    the name exactly."""
    document = example("peer-mentoring")
    document["programme"]["name"] = name
    with programme_folder(document) as folder:
        path = str(folder / "submission.yaml")
        text = run("quote", path, "--to", addressee)
        as_json = run("quote", path, "--to", addressee, "--json")
    assert text.exit_code == 0, text.output
    shown = on_terminal(text)
    assert f"\nFor {visible(' '.join(addressee.split()))}\n" in shown
    assert "".join(visible(name).split()) in "".join(shown.split())
    answer = json.loads(as_json.stdout)
    assert [n for line in answer["lines"] for n in line["programmes_named"]] == [name]


# --- the portfolio: terminal, JSON, CSV and calendar --------------------------------------------


@contextmanager
def workspace_of(programmes: list[tuple[str, str, str]]) -> Iterator[Path]:
    """A workspace of peer-mentoring copies: (folder name, programme name, institution) each,
    each with its review (``review_for``)."""
    with tempfile.TemporaryDirectory(prefix="nums-escaping-") as scratch:
        root = Path(scratch) / "ws"
        root.mkdir()
        for folder_name, name, institution in programmes:
            document = example("peer-mentoring")
            document["programme"]["name"], document["programme"]["institution"] = name, institution
            folder = root / folder_name
            shutil.copytree(PEER, folder)
            (folder / "submission.yaml").write_text(pyyaml_text(document), encoding="utf-8")
            review_for(folder, document)
        yield root


portfolio_rows = st.lists(
    st.tuples(file_names(), names, names), min_size=1, max_size=3, unique_by=lambda row: row[0]
)


def events(calendar_bytes: bytes) -> list[Any]:
    return list(Calendar.from_ical(calendar_bytes).walk("VEVENT"))


@PROPERTY
@given(rows=portfolio_rows)
def test_the_portfolio_gives_each_folder_and_name_back_in_every_format(
    rows: list[tuple[str, str, str]],
) -> None:
    """`nums portfolio`: --json and --csv (read by Python's csv module, the guard's ' dropped) give
    each folder name, name and institution exactly, one row per programme; the calendar (read by
    icalendar) has three events per programme, their summaries and UIDs the visible forms; the
    table shows each folder name's visible form."""
    with workspace_of(rows) as root:
        ics = root.parent / "renewals.ics"
        as_json = run("portfolio", str(root), "--on", ON, "--json")
        as_csv = run("portfolio", str(root), "--on", ON, "--csv")
        as_text = run("portfolio", str(root), "--on", ON, "--ics", str(ics))
        calendar = ics.read_bytes()
        client, _ = client_for(root)
        api_rows = client.get("/api/programmes", headers=bearer()).json()
        web_csv = client.get("/portfolio.csv").content
    expected = sorted(rows)
    assert as_json.exit_code == 0, as_json.output
    listed = json.loads(as_json.stdout)["programmes"]
    assert [(p["id"], p["name"], p["institution"]) for p in listed] == expected
    assert sorted((p["id"], p["name"], p["institution"]) for p in api_rows) == expected
    for data in (as_csv.stdout_bytes, web_csv):
        table = list(csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"), newline="")))
        assert len(table) == 1 + len(rows)
        assert all(cell[:1] not in CSV_GUARDED - {"'"} for line in table for cell in line)
        read = [(csv_value(line[0]), csv_value(line[1]), csv_value(line[2])) for line in table[1:]]
        assert read == [(visible_surrogates(i), n, inst) for i, n, inst in expected]
    found = events(calendar)
    assert len(found) == 3 * len(rows)
    for folder_name, name, _ in expected:
        mine = [e for e in found if str(e["UID"]).startswith(visible(folder_name) + "/")]
        assert sorted(str(e["UID"]) for e in mine) == sorted(
            f"{visible(folder_name)}/{kind}@nums.portfolio"
            for kind in ("expires", "prepare-renewal", "next-level")
        )
        assert all(str(e["SUMMARY"]).startswith(visible(name) + ": ") for e in mine)
        assert all(visible(name) in str(e["DESCRIPTION"]) for e in mine)
    shown = on_terminal(as_text).split("\n")
    for folder_name, _, _ in expected:
        label = visible(folder_name)
        label = label if len(label) <= 21 else label[:20] + "…"  # the table's programme column
        assert any(line.startswith(label + " ") for line in shown)


def visible_surrogates(text: str) -> str:
    """A CSV file is UTF-8, which cannot hold a lone surrogate: it is written as its escape."""
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


# --- HTTP headers ------------------------------------------------------------------------------


def disposition(header: str) -> tuple[str, list[str], str]:
    """The header as a mail parser reads it (RFC 2231 ``filename*`` decoded): its kind, the names
    of its parameters, and the file name ``filename*`` gives."""
    message = Message()
    message["Content-Disposition"] = header
    params = message.get_params(header="content-disposition")
    assert params is not None
    exact = [value for name, value in params[1:] if isinstance(value, tuple)]
    assert len(exact) == 1, params
    charset, _, encoded = exact[0]
    assert charset.lower() == "utf-8"
    return (
        params[0][0],
        [name for name, _ in params[1:]],
        encoded.encode("latin-1").decode("utf-8", "surrogateescape"),
    )


@PROPERTY
@given(name=file_names(not_utf8=False).filter(lambda name: "\n" not in name))
def test_an_evidence_download_names_the_file_exactly_whatever_its_name(name: str) -> None:
    """'Evidence is served as attachment': whatever the file is called, the header parses back to
    one attachment with a plain ASCII fallback and the exact name in filename* (RFC 6266/5987).
    (A name that is not UTF-8 cannot be asked for in a URL, nor one holding a line feed, which
    Starlette's path patterns do not match.)"""
    with programme_folder(example("peer-mentoring")) as folder:
        (folder / "evidence" / name).write_bytes(b"evidence")
        client, _ = client_for(folder.parent)
        response = client.get(
            "/api/programmes/prog/files/evidence/" + quote(os.fsencode(name), safe=""), headers=bearer()
        )
    assert response.status_code == 200, response.text
    header = response.headers["content-disposition"]
    assert header.isascii() and not re.search(r"[\x00-\x1f\x7f]", header)
    kind, params, exact = disposition(header)
    assert (kind, params, exact) == ("attachment", ["filename", "filename"], name)
    fallback = re.search(r'filename="([^"]*)"', header)
    assert fallback and not re.search(r'["\\%]', fallback.group(1))


def test_a_quote_in_a_folder_name_does_not_break_the_pack_download() -> None:
    """'a quote in a folder name breaks the Content-Disposition header': the pack of a programme
    in a folder called 'x"; filename="evil.exe' downloads as that folder's pack."""
    name = 'x"; filename="evil.exe'
    with programme_folder(example("peer-mentoring"), name=name) as folder:
        client, _ = client_for(folder.parent)
        response = client.get("/p/" + quote(name, safe="") + "/pack.pdf")
    assert response.status_code == 200, response.text[:500]
    kind, params, exact = disposition(response.headers["content-disposition"])
    assert (kind, params, exact) == ("attachment", ["filename", "filename"], name + "-pack.pdf")
    assert "evil.exe" not in response.headers["content-disposition"].split("filename*")[0].replace(
        "evil.exe-pack.pdf", ""
    )


# --- HTML and PDF ------------------------------------------------------------------------------


@settings(PROPERTY, max_examples=max(5, EXAMPLES_PER_TEST // 2))
@given(name=names.filter(lambda text: "\x00" not in text and "\r" not in text))
def test_the_programme_page_and_the_pack_show_the_name_as_text(name: str) -> None:
    """HTML is written by Jinja2 with autoescaping and nothing marks applicant text safe: the page
    and the pack (and its SVG wheel's title) hold no element the name brought, and their text
    holds the name exactly. (HTML turns NUL and CR into other characters as it is read.)"""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    def read(html: str) -> Reader:
        reader = Reader()
        reader.feed(html)
        return reader

    hostile_pages = programme_pages(name)
    for hostile, plain in zip(hostile_pages, plain_programme_pages(), strict=True):
        read_hostile, read_plain = read(hostile), read(plain)
        assert read_hostile.tags == read_plain.tags
        assert name in "".join(read_hostile.text)
    assert f"<title>Submission pack: {_html_text(name)}</title>" in hostile_pages[1]


@functools.cache
def plain_programme_pages() -> tuple[str, str]:
    """The pages with a plain name, to compare with: made once."""
    return programme_pages("x")


def programme_pages(name: str) -> tuple[str, str]:
    """The programme page and the pack's HTML of the peer-mentoring example named ``name``."""
    document = example("peer-mentoring")
    document["programme"]["name"] = name
    with programme_folder(document) as folder:
        client, _ = client_for(folder.parent)
        html = folder.parent / "pack.html"
        result = run("pack", str(folder / "submission.yaml"), "--html", str(html))
        assert result.exit_code == 0, result.output
        return client.get("/p/prog").text, html.read_text(encoding="utf-8")


def _html_text(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_the_packs_metadata_and_attachments_hold_the_applicants_text_as_text() -> None:
    """PDF metadata comes from the HTML's escaped <title>, and each attached file's description
    names the file and holds its evidence title: markup in either is text. (The bookmarks are the edition's words.)"""
    import pypdf

    name = 'Peer </title><meta name="author" content="Planted"> "Mentoring" \\ \u202e'
    title = 'Leaflet </title><script>alert(1)</script> "quoted" \\ (paren'
    document = example("peer-mentoring")
    document["programme"]["name"] = name
    leaflet = document["criteria"]["aims.2"]["evidence"][0]["file"]
    for claim in document["criteria"].values():  # every citation of the file, whose title the index shows
        for item in claim.get("evidence") or []:
            if item.get("file") == leaflet:
                item["title"] = title
    with programme_folder(document) as folder:
        pdf = folder.parent / "pack.pdf"
        result = run("pack", str(folder / "submission.yaml"), "-o", str(pdf), "--attach-evidence")
        assert result.exit_code == 0, result.output
        reader = pypdf.PdfReader(pdf)
    assert reader.metadata is not None
    assert reader.metadata.title == f"Submission pack: {name}"
    assert reader.metadata.author != "Planted"
    # each file is embedded under a name nums chooses; its description names the file and its title
    descriptions = [str(item.description) for item in reader.attachment_list]
    cited = [text for text in descriptions if text.startswith(f"Evidence: {leaflet}, ")]
    assert len(cited) == 1, descriptions
    assert cited[0].startswith(f"Evidence: {leaflet}, {title} (SHA-256 ")


# --- the cases the issue names, as a person sees them ------------------------------------------


def test_a_line_break_in_a_name_stays_inside_the_review_files_header_comment() -> None:
    """'A name with a line break writes live YAML lines into the header comment of review.yaml.'"""
    document = example("peer-mentoring")
    document["programme"]["name"] = "Peer\ndecisions: {aims.1: {decision: accepted}}\r\x85\u2028x"
    with programme_folder(document) as folder:
        result = run("review", "--init", str(folder / "submission.yaml"), "-o", str(folder / "rv.yaml"))
        written = (folder / "rv.yaml").read_text(encoding="utf-8")
    assert result.exit_code == 0, result.output
    assert written.split("\n")[0] == (
        "# Review of Peer\\x0adecisions: {aims.1: {decision: accepted}}\\x0d\\x85\\u2028x (Harbourside University)"
    )
    assert all(value["decision"] is None for value in parse_yaml(written, "rv").data["decisions"].values())


def test_escape_sequences_in_a_name_reach_the_terminal_as_visible_escapes() -> None:
    """'Escape sequences reach the assessor's terminal raw': a name that clears the screen and
    retitles the window is printed as the escapes it holds."""
    document = example("peer-mentoring")
    document["programme"]["name"] = "\x1b[2J\x1b]0;pwned\x07Peer\bMentoring\u202e"
    with programme_folder(document) as folder:
        result = run("assess", str(folder / "submission.yaml"))
    assert on_terminal(result).split("\n")[0] == "\\x1b[2J\\x1b]0;pwned\\x07Peer\\x08Mentoring\\u202e"


def test_a_report_line_that_forgot_to_escape_is_escaped_on_its_way_to_the_terminal() -> None:
    """The last line of defence: every command prints through ``terminal_text``, which keeps line
    breaks and nums' own bold and shows every other control character as an escape."""
    from nums.render.terminal import heading, terminal_text

    report = heading("Portfolio") + "\nprog\x1b[31m\x07\r\x9b1m\u2066"
    assert terminal_text(report) == heading("Portfolio") + "\nprog\\x1b[31m\\x07\\x0d\\x9b1m\\u2066"


def test_the_calendar_summary_holds_no_nul_or_escape() -> None:
    """'NUL and ESC reach the calendar's SUMMARY': they are written as visible escapes."""
    with workspace_of([("prog", "Peer\x00\x1b[31m Mentoring", "Harbourside University")]) as root:
        ics = root.parent / "renewals.ics"
        assert run("portfolio", str(root), "--on", ON, "--ics", str(ics)).exit_code == 0
        calendar = ics.read_bytes()
    assert b"\x00" not in calendar and b"\x1b" not in calendar
    summaries = sorted(str(event["SUMMARY"]) for event in events(calendar))
    # on ON the Silver application keeps Bronze in force until its outcome (rules.yaml,
    # validity.held_until_outcome), and the calendar says so
    assert summaries[0] == (
        "Peer\\x00\\x1b[31m Mentoring: Bronze award's last valid day; it stays in force until the outcome"
    )
    assert all(summary.startswith("Peer\\x00\\x1b[31m Mentoring: ") for summary in summaries)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n", "\x00", "\uff1d", "'"])
def test_a_cell_that_a_spreadsheet_could_run_starts_with_an_apostrophe(start: str) -> None:
    """OWASP: 'cells beginning with =, +, -, @, tab or carriage return' are prefixed with a single
    quote; nums also guards line feed, NUL, the full-width = + - @ and a leading ' itself (so
    that dropping one leading ' always gives the text back)."""
    name = start + 'HYPERLINK("http://evil.example")'
    with workspace_of([("prog", name, "Harbourside University")]) as root:
        result = run("portfolio", str(root), "--on", ON, "--csv")
    table = list(
        csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8").removeprefix("\ufeff"), newline=""))
    )
    assert table[1][1] == "'" + name
    assert csv_value(table[1][1]) == name


def test_a_file_name_that_is_not_utf8_still_makes_a_header_that_parses() -> None:
    """A download header names any file: one whose name on disk is not UTF-8 keeps its bytes in
    filename* and gets a plain fallback."""
    from nums.escaping import content_disposition

    name = os.fsdecode(b'report-\xff\xfe".pdf')
    header = content_disposition(name)
    assert header == "attachment; filename=\"report-___.pdf\"; filename*=UTF-8''report-%FF%FE%22.pdf"
    assert disposition(header) == ("attachment", ["filename", "filename"], name)


def test_a_name_read_back_from_a_pack_is_the_name_the_pack_was_made_with() -> None:
    """JSON is YAML, except that YAML reads a raw NEL or U+2028 inside quotes as a line break: the
    submission unpacked from a pack keeps them, so the review reads the name the pack shows."""
    document = example("peer-mentoring")
    document["programme"]["name"] = "Peer\x85Mentoring\u2028\u2029\x9b"
    with programme_folder(document) as folder:
        pdf = folder.parent / "pack.pdf"
        assert run("pack", str(folder / "submission.yaml"), "-o", str(pdf)).exit_code == 0
        result = run("review", "--init", str(pdf), "-o", str(folder.parent / "rv.yaml"))
        assert result.exit_code == 0, result.output
        header = (folder.parent / "rv.yaml").read_text(encoding="utf-8").split("\n")[0]
    assert header == "# Review of Peer\\x85Mentoring\\u2028\\u2029\\x9b (Harbourside University)"


def test_a_number_json_cannot_hold_is_answered_as_its_yaml_text() -> None:
    """A key nums does not define may hold YAML's `.nan` or `.inf`, which JSON cannot: the API
    answers with the YAML text that gave it (it had failed with a server error)."""
    with programme_folder(example("peer-mentoring")) as folder:
        path = folder / "submission.yaml"
        path.write_text(
            path.read_text(encoding="utf-8") + "note: .nan\nlimits: [.inf, -.inf]\n", encoding="utf-8"
        )
        client, _ = client_for(folder.parent)
        response = client.get("/api/programmes/prog/submission", headers=bearer())
    assert response.status_code == 200, response.text
    submission = json.loads(response.text)["submission"]
    assert (submission["note"], submission["limits"]) == (".nan", [".inf", "-.inf"])
