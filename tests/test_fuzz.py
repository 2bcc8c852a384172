"""Fuzzing every file nums reads from people: submission and review files built
field by field with hostile values, and the example files mangled as a sync tool
or a careless editor would (issue: "no file, however it was made, crashes nums or
holds it for minutes").

Issue 19 adds hostile plain scalars typed into the files (base-60, hex, octal and binary
numbers of thousands of digits, floats past the largest double, true/false where a number
belongs, dates at and past the edges nums reads), the same dates and rates on the command line,
and review files run against submissions they were not written for.

Properties, for every document: the exit code is 0 or 2 and never anything else;
there is no traceback; no file is touched except the output asked for; each call
ends within ``TIME_BOUND`` seconds; and a valid document dumped and read back is
assessed the same. And for every output target (an input by any spelling or link,
a link, a pipe, a folder, an existing file of any mode) under any umask: the inputs
are untouched, a refused target too, and a written one has the mode the rules give.

The default run is short (a few hundred examples in all). The long campaign:

    NUMS_FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest -m fuzz
"""

from __future__ import annotations

import copy
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nums.cli import cli
from nums.yamlsource import parse_yaml
from tests.builders import dump_yaml
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.fuzz

EXAMPLES_PER_TEST = int(os.environ.get("NUMS_FUZZ_EXAMPLES", "60"))
TIME_BOUND = 10.0  # seconds per call, on a shared machine; calls take milliseconds
PEER = EXAMPLES / "peer-mentoring"
FUZZ = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES_PER_TEST <= 100,  # the default run is the same every time
)


def _example_data(path: Path) -> dict[str, Any]:
    return parse_yaml(path.read_text(encoding="utf-8"), str(path)).data


SUBMISSIONS = {p.parent.name: p for p in sorted(EXAMPLES.glob("*/submission.yaml"))}
SUBMISSION_DATA = {name: _example_data(path) for name, path in SUBMISSIONS.items()}
REVIEW_TEXT = (PEER / "review.yaml").read_text(encoding="utf-8")
REVIEW_DATA = _example_data(PEER / "review.yaml")

# --- hostile values -------------------------------------------------------------------

_IDS = ["aims.1", "aims.99", "training.1", "training.1.z", "nope", "", "AIMS.1", "aims.1 ", "continuation"]
_DATES = [
    "2025-02-30",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
    "9999-12-31",
    "2026-3-2",
    "02/03/2026",
    "2026-02-29",
]
hostile_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["", " ", "\t", "\x00", "\x1b[31m", "\u202e", "🙂", "~", "null", "yes", "no", "0x1F"]),
    st.sampled_from(_DATES + _IDS + ["bronze", "Gold", "platinum", "accepted", "more-evidence"]),
    st.builds(lambda n: "x" * n, st.integers(1000, 200_000)),
    st.builds(lambda n: "9" * n, st.integers(20, 6000)),
)
hostile_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
hostile_value = st.recursive(
    hostile_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(hostile_text, st.sampled_from(_IDS)), inner, max_size=4),
    ),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a document a value can be put."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _set(data: Any, path: tuple[Any, ...], value: Any, action: str) -> Any:
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if action == "delete":
        del parent[path[-1]]
    elif action == "unknown-key" and isinstance(parent, dict):
        parent[f"{path[-1]}_x"] = value
    else:
        parent[path[-1]] = value
    return data


@st.composite
def mutated_document(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """The base document with a few fields given hostile values, deleted or doubled under another key."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths[1:] or paths))
        action = draw(st.sampled_from(["set", "set", "delete", "unknown-key"]))
        data = _set(data, path, draw(hostile_value), action)
        if not isinstance(data, dict):
            break
    return data


@st.composite
def mangled_text(draw: st.DrawFn, text: str) -> bytes:
    """A file as a sync tool or a careless edit leaves it: lines deleted, doubled or
    inserted, the end cut off, bytes flipped, YAML features nums refuses."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate", "flip", "feature"]))
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        if action == "delete" and lines:
            del lines[at : at + draw(st.integers(1, 5))]
        elif action == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif action == "insert":
            lines.insert(at, draw(st.sampled_from(_INSERTS)) + "\n")
        elif action == "truncate":
            joined = "".join(lines)
            lines = [joined[: draw(st.integers(0, len(joined)))]]
        elif action == "feature":
            lines.insert(at, draw(st.sampled_from(_FEATURES)) + "\n")
    data = "".join(lines).encode("utf-8")
    if draw(st.booleans()):
        flips = draw(
            st.lists(st.tuples(st.integers(0, max(len(data) - 1, 0)), st.integers(0, 255)), max_size=4)
        )
        mutable = bytearray(data)
        for position, byte in flips:
            if mutable:
                mutable[position] = byte
        data = bytes(mutable)
    return data


_INSERTS = [
    "  statement: 2025-02-30",
    "application: {date: 2025-02-30, level: silver}",
    "    met: maybe",
    "self_rating: [aims]",
    "  aims.1: {decision: accepted",
    "date: 2026-02-30",
    "\tkey: tab",
    "---",
    "...",
    "? [complex, key]\n: value",
    "x: " + "9" * 5000,
]
_FEATURES = [
    "a: &anchor [1, 2]\nb: *anchor",
    "a: &a [*a]",
    "x: !!python/object/apply:os.system [echo]",
    "x: !!binary aGVsbG8=",
    "x: !custom value",
    "x: " + "[" * 5000,
    "x: " + "{a: " * 100 + "1" + "}" * 100,
    "<<: {a: 1}",
    "%YAML 1.1",
]

# --- running a command safely -----------------------------------------------------------


@contextmanager
def _folder() -> Iterator[Path]:
    """A fresh folder with the peer example's evidence, as the working directory."""
    with tempfile.TemporaryDirectory(prefix="nums-fuzz-") as scratch:
        folder = Path(scratch)
        evidence = folder / "evidence"
        evidence.mkdir()
        for source in (PEER / "evidence").iterdir():
            (evidence / source.name).write_bytes(source.read_bytes())
        before = os.getcwd()
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(before)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def run_safely(folder: Path, *args: str, output: str | None = None) -> tuple[int, str]:
    """Run nums; check the contract that holds for every input."""
    before = _snapshot(folder)
    start = time.perf_counter()
    result = CliRunner().invoke(cli, list(args))
    took = time.perf_counter() - start
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert took < TIME_BOUND, f"{args} took {took:.1f} s"
    after = _snapshot(folder)
    touched = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert touched <= ({output} if output else set()), touched
    if output and result.exit_code == 2:
        assert output not in after, "a failed command left its output behind"
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def _write(folder: Path, name: str, content: bytes | dict[str, Any]) -> str:
    data = content if isinstance(content, bytes) else dump_yaml(content).encode("utf-8")
    (folder / name).write_bytes(data)
    return str(folder / name)


# --- the properties ------------------------------------------------------------------------


@FUZZ
@given(data=st.data(), example=st.sampled_from(sorted(SUBMISSIONS)))
def test_structured_submissions(data: st.DataObject, example: str) -> None:
    document = data.draw(mutated_document(SUBMISSION_DATA[example]))
    with _folder() as folder:
        path = _write(folder, "submission.yaml", document)
        run_safely(folder, "validate", path)
        run_safely(folder, "assess", "--json", path)


@FUZZ
@given(data=st.data(), example=st.sampled_from(sorted(SUBMISSIONS)))
def test_mangled_submissions(data: st.DataObject, example: str) -> None:
    content = data.draw(mangled_text(SUBMISSIONS[example].read_text(encoding="utf-8")))
    with _folder() as folder:
        path = _write(folder, "submission.yaml", content)
        run_safely(folder, "assess", "--json", path)
        run_safely(folder, "review", "--init", path, "-o", "review.yaml", output="review.yaml")


@FUZZ
@given(data=st.data())
def test_structured_reviews(data: st.DataObject) -> None:
    document = data.draw(mutated_document(REVIEW_DATA))
    with _folder() as folder:
        submission = _write(folder, "submission.yaml", (PEER / "submission.yaml").read_bytes())
        run_safely(folder, "review", "--json", submission, _write(folder, "review.yaml", document))


@FUZZ
@given(data=st.data())
def test_mangled_reviews(data: st.DataObject) -> None:
    content = data.draw(mangled_text(REVIEW_TEXT))
    with _folder() as folder:
        submission = _write(folder, "submission.yaml", (PEER / "submission.yaml").read_bytes())
        run_safely(folder, "review", submission, _write(folder, "review.yaml", content))


@FUZZ
@given(
    example=st.sampled_from(sorted(SUBMISSIONS)),
    flips=st.lists(st.integers(0, 200), max_size=6),
    style=st.sampled_from(["block", "flow", "json"]),
)
def test_a_valid_document_read_back_is_assessed_the_same(example: str, flips: list[int], style: str) -> None:
    """A valid submission (its claims switched on and off) assesses the same after it is
    dumped and read back, in any YAML style."""
    import json

    document = copy.deepcopy(SUBMISSION_DATA[example])
    claims = list((document.get("criteria") or {}).values())
    for flip in flips:
        if claims:
            claim = claims[flip % len(claims)]
            claim["met"] = not claim.get("met", False)
    with _folder() as folder:
        first = _write(folder, "submission.yaml", document)
        code, assessed = run_safely(folder, "assess", "--json", first)
        assert code == 0, assessed
        reread = parse_yaml(Path(first).read_text(encoding="utf-8"), first).data
        if style == "json":
            text = json.dumps(reread, indent=1, ensure_ascii=False)
        else:
            import yaml

            text = yaml.dump(
                reread,
                Dumper=type("D", (yaml.SafeDumper,), {"ignore_aliases": lambda s, d: True}),
                default_flow_style=style == "flow",
                allow_unicode=True,
            )
        second = _write(folder, "again.yaml", text.encode("utf-8"))
        code, again = run_safely(folder, "assess", "--json", second)
        assert code == 0, again
        first_data, again_data = json.loads(assessed), json.loads(again)
        # the same warnings, each at wherever the dump put its line
        first_data["warnings"] = [_without_line(w, first) for w in first_data["warnings"]]
        again_data["warnings"] = [
            _without_line(w, second).replace(second, first) for w in again_data["warnings"]
        ]
        assert {**again_data, "submission": None} == {**first_data, "submission": None}


def _without_line(warning: str, path: str) -> str:
    """``PATH:33: field: message`` as ``PATH: field: message``."""
    return re.sub("^" + re.escape(path) + r":\d+: ", path + ": ", warning)


# --- packs: the structure of a PDF someone else made ------------------------------------------
# "From a pack, nums takes the submission it wrote, that submission's recorded assessment for
# display only, and the evidence files the submission cites; nothing else is unpacked or read."
# Packs are built here from their parts: embedded names (hostile, duplicated, nums' own, reserved,
# leaving the folder), sizes, counts, streams shared by several names, and the JSON of the
# embedded submission and assessment in every shape.

PEER_EVIDENCE = {f"evidence/{p.name}": p.read_bytes() for p in sorted((PEER / "evidence").iterdir())}
_RESERVED_NAMES = [
    "submission.json",
    "submission.yaml",
    "review.yaml",
    "pack.pdf",
    ".nums/history/submission/20260101T000000.yaml",
    ".nums/received-edition",
    ".nums/received-pack",
    "evidence/sub/submission.yaml",
    "../../outside.txt",
    "/tmp/nums-fuzz-outside.txt",
    "evidence/../../outside.txt",
    "a\\..\\..\\outside.txt",
    "",
    ".",
    "evidence-001-mentee-leaflet.md",
    *PEER_EVIDENCE,
]
pack_names = st.one_of(st.sampled_from(_RESERVED_NAMES), hostile_text)
_RAW_JSON = [
    b"NaN",
    b"-Infinity",
    b"1e999",
    b"9" * 5000,
    b"-" + b"9" * 4301,
    b"0." + b"1" * 5000,
    b'{"a": 1, "a": 2}',
    b"[" * 3000,
    b"[" * 45 + b"]" * 45,
    b'"\\ud800"',
    b"\xff\xfe",
    b"",
    b"{",
    b"null",
]
_RAW = "@@raw@@"


def _honest_document() -> dict[str, Any]:
    """The peer example's ``submission.json`` as nums writes it, every evidence file attached."""
    import hashlib

    names = {written: f"evidence-{n:03d}-file" for n, written in enumerate(PEER_EVIDENCE, start=1)}
    rows = [
        {"criterion": "x", "title": "t", "file": written, "sha256": hashlib.sha256(data).hexdigest()}
        | {"attachment": names[written]}
        for written, data in PEER_EVIDENCE.items()
    ]
    levels = {
        pillar: {"level": "bronze"} for pillar in ("aims", "recruitment", "training", "support", "review")
    }
    submission = json.loads(json.dumps(SUBMISSION_DATA["peer-mentoring"], default=str))
    return {
        "format": "nums-pack/1",
        "edition": "nums-2021",
        "submission": submission,
        "assessment": {"pillars": levels},
        "evidence": rows,
    }


HONEST_DOCUMENT = _honest_document()
HONEST_ATTACHMENTS = [(row["attachment"], PEER_EVIDENCE[row["file"]]) for row in HONEST_DOCUMENT["evidence"]]


@st.composite
def embedded_json(draw: st.DrawFn) -> bytes:
    """The embedded submission.json: the honest one with fields changed, or raw JSON text nums must refuse."""
    document = copy.deepcopy(HONEST_DOCUMENT)
    if draw(st.integers(0, 2)) == 0:
        document = draw(mutated_document(document))
    if draw(st.integers(0, 3)) == 0:
        paths = list(_paths(document))
        document = _set(document, draw(st.sampled_from(paths)), _RAW, "set")
        text = json.dumps(document, default=str, allow_nan=True).encode()
        return text.replace(json.dumps(_RAW).encode(), draw(st.sampled_from(_RAW_JSON)))
    return json.dumps(document, default=str, allow_nan=True).encode("utf-8", "surrogatepass")


@st.composite
def pack_parts(draw: st.DrawFn) -> list[tuple[str, bytes, int | None]]:
    """Each embedded file as (name, bytes, index of an earlier file whose stream it shares, or None)."""
    parts: list[tuple[str, bytes, int | None]] = []
    if draw(st.integers(0, 9)) > 0:
        parts.append(("submission.json", draw(embedded_json()), None))
    if draw(st.integers(0, 2)) > 0:
        parts += [(name, data, None) for name, data in HONEST_ATTACHMENTS]
    for _ in range(draw(st.integers(0, 12))):
        name = draw(pack_names)
        size = draw(st.sampled_from([0, 1, 100, 64 * 1024, 2 * 1024 * 1024]))
        data = draw(st.sampled_from([b"\0", b"x", b"reviewer: {name: Planted}\n"])) * max(size, 1)
        shares = draw(st.integers(0, len(parts) - 1)) if parts and draw(st.integers(0, 9)) == 0 else None
        parts.append((name, data[:size] if size else b"", shares))
    return draw(st.permutations(parts))  # a name tree in any order


def _forged_pdf(parts: list[tuple[str, bytes, int | None]], compress: bool) -> bytes:
    """A PDF whose embedded-files name tree holds ``parts`` as given: names repeated, streams shared."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    specs: list[Any] = []
    for _name, data, shares in parts:
        if shares is not None and shares < len(specs):
            specs.append(specs[shares])
            continue
        stream = DecodedStreamObject()
        stream.set_data(data)
        stored = writer._add_object(stream.flate_encode() if compress else stream)
        files = DictionaryObject({NameObject("/F"): stored})
        specs.append(writer._add_object(DictionaryObject({NameObject("/EF"): files})))
    tree = ArrayObject()
    for (name, _, _), spec in zip(parts, specs, strict=True):
        tree += [TextStringObject(name), spec]
    names = DictionaryObject({NameObject("/Names"): tree})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/EmbeddedFiles"): writer._add_object(names)}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _allowed(document: Any) -> tuple[set[str], set[str]]:
    """What the rule lets a reader take from a pack with this submission.json: the embedded names it
    may decompress, and the places in the folder it may write."""
    from nums import packfile

    if not isinstance(document, dict) or not isinstance(document.get("submission"), dict):
        return {"submission.json"}, set()
    cited = {packfile._place(w) for w in packfile.cited_files(document["submission"])} - {None}
    rows = packfile._rows(document.get("evidence"))
    recorded = {row.get("attachment") for row in rows if isinstance(row.get("attachment"), str)}
    places = {place for place in cited if isinstance(place, str) and packfile._refusal(place) is None}
    return {"submission.json", *recorded, *(p for p in cited if isinstance(p, str))}, {
        "submission.yaml",
        *places,
    }


def _document_of(parts: list[tuple[str, bytes, int | None]]) -> Any:
    """The one embedded submission.json as data (None when there is not exactly one, or it is not JSON)."""
    submissions = [data for name, data, _ in parts if name == "submission.json"]
    try:
        return json.loads(submissions[0]) if len(submissions) == 1 else None
    except (ValueError, RecursionError):
        return None


@FUZZ
@given(parts=pack_parts(), compress=st.booleans())
def test_pack_structure(parts: list[tuple[str, bytes, int | None]], compress: bool) -> None:
    """Every `nums review PACK` exits 0 or 2, prints no traceback, ends within the time bound, and
    decompresses and writes nothing but what the rule allows, whatever the pack holds."""
    from unittest import mock

    from nums import packfile
    from nums.cli import assessor

    inflated: list[str] = []
    written: list[Path] = []
    folders: list[Path] = []
    inflate, write_new, unpack = packfile._inflate, packfile._write_new, assessor.unpack

    def counting(entry: Any, *args: Any) -> bytes:
        inflated.append(entry.name)
        return inflate(entry, *args)

    def recording(target: Path, *args: Any) -> None:
        written.append(target)
        write_new(target, *args)

    def unpacking(path: Path, folder: Path) -> Any:
        folders.append(folder)
        return unpack(path, folder)

    with (
        _folder() as folder,
        mock.patch.object(packfile, "_inflate", counting),
        mock.patch.object(packfile, "_write_new", recording),
        mock.patch.object(assessor, "unpack", unpacking),
    ):
        path = _write(folder, "pack.pdf", _forged_pdf(parts, compress))
        code, _ = run_safely(folder, "review", "--init", path, "-o", "rv.yaml", output="rv.yaml")
    event(f"exit {code}, {'some' if len(written) > 1 else 'no'} evidence unpacked")
    names, places = _allowed(_document_of(parts))
    assert set(inflated) <= names, inflated
    assert {target.relative_to(folders[0]).as_posix() for target in written} <= places, written
    if code == 0:
        assert [name for name, _, _ in parts].count("submission.json") == 1


@FUZZ
@given(parts=pack_parts(), compress=st.booleans())
def test_received_pack_structure(parts: list[tuple[str, bytes, int | None]], compress: bool) -> None:
    """`nums serve` receives a pack through the same reader: the folder it makes holds the pack,
    nums' own markers, the submission and the evidence it cites, nothing else; a refused pack
    leaves nothing."""
    from nums.errors import NumsError
    from nums.received import receive_pack
    from nums.workspace import Workspace

    with _folder() as folder:
        data = _forged_pdf(parts, compress)
        start = time.perf_counter()
        try:
            place = receive_pack(Workspace(folder), "sent.pdf", [data], 64 * 1024 * 1024)
        except NumsError:
            place = None
        assert time.perf_counter() - start < TIME_BOUND
        assert not list(folder.glob(".pack-*"))
        event("refused" if place is None else "received")
        if place is None:
            assert not (folder / "received").exists() or not any((folder / "received").iterdir())
            return
        _, places = _allowed(_document_of(parts))
        kept = {p.relative_to(place.folder).as_posix() for p in place.folder.rglob("*") if p.is_file()}
        assert kept <= places | {"pack.pdf", ".nums/received-pack", ".nums/received-edition"}, kept


# --- issue 19: numbers, dates and reviews at the boundary ----------------------------------------

# Plain YAML scalars as a person or an attacker types them: YAML 1.1's base-60, hex, octal and
# binary forms (some of thousands of digits), floats past the largest double, true/false where a
# number belongs, and dates at and past the edges of what nums reads.
_DIGITS = st.integers(1, 6000)
raw_number = st.one_of(
    st.builds(lambda n: "1:" + ":".join(["59"] * n), st.integers(1, 20_000)),
    st.builds(lambda n: "0x" + "f" * n, _DIGITS),
    st.builds(lambda n: "0b" + "1" * n, _DIGITS),
    st.builds(lambda n: "0" + "7" * n, _DIGITS),
    st.builds(lambda n: "9" * n, _DIGITS),
    st.builds(lambda n: "!!int " + "1" * n, _DIGITS),
    st.sampled_from(
        ["1e309", "1.0e+309", "-1.0e+309", ".inf", "-.inf", ".nan", "3.0", "24.0", "1_000", "+24"]
    ),
    st.sampled_from(
        ["true", "false", "yes", "no", "on", "off", "'24'", "024", "0", "-1", "1:30", "!!float 1:30.5"]
    ),
)
raw_day = st.one_of(
    st.sampled_from(["9999-12-31", "0001-01-01", "2999-12-31", "3000-01-01", "1900-01-01", "1899-12-31"]),
    st.sampled_from(["'1772409600'", "1772409600", "2026-02-29", "2026-03-02T00:00:00", "20260302", "true"]),
    st.dates().map(date.isoformat),
)
raw_scalar = st.one_of(raw_number, raw_day)
_VALUE_LINE = re.compile(r"^( *(?:- )?[A-Za-z_][\w.]*: )(\S.*)$")
_WORTH_REPLACING = ("date", "awarded", "started", "mentors", "met", "level", "decision", "comment")


@st.composite
def with_raw_values(draw: st.DrawFn, text: str) -> bytes:
    """The file with a few `key: value` lines given a hostile plain scalar as they would be typed."""
    lines = text.splitlines(keepends=True)
    places = [i for i, line in enumerate(lines) if _VALUE_LINE.match(line.rstrip("\n"))]
    preferred = [i for i in places if any(word in lines[i] for word in _WORTH_REPLACING)] or places
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from(preferred))
        match = _VALUE_LINE.match(lines[at].rstrip("\n"))
        assert match is not None
        lines[at] = f"{match.group(1)}{draw(raw_scalar)}\n"
    return "".join(lines).encode("utf-8")


@FUZZ
@given(data=st.data(), example=st.sampled_from(sorted(SUBMISSIONS)))
def test_hostile_numbers_and_dates_in_submissions(data: st.DataObject, example: str) -> None:
    content = data.draw(with_raw_values(SUBMISSIONS[example].read_text(encoding="utf-8")))
    with _folder() as folder:
        path = _write(folder, "submission.yaml", content)
        run_safely(folder, "assess", "--json", path)
        run_safely(folder, "quote", path, "--json")
        run_safely(folder, "pack", path, "--html", "pack.html", output="pack.html")
        run_safely(folder, "review", "--json", path, str(PEER / "review.yaml"))


@FUZZ
@given(data=st.data(), on=raw_day)
def test_hostile_dates_on_the_command_line(data: st.DataObject, on: str) -> None:
    with _folder() as folder:
        submission = _write(folder, "submission.yaml", (PEER / "submission.yaml").read_bytes())
        run_safely(folder, "assess", submission, "--on", on)
        run_safely(folder, "quote", "--initial", "1", "--on", on)
        run_safely(folder, "portfolio", str(folder), "--on", on, "--json")
        rate = data.draw(st.one_of(raw_number, st.decimals(allow_nan=True).map(str)))
        run_safely(folder, "quote", "--initial", "1", "--vat-rate", rate)


@FUZZ
@given(data=st.data(), example=st.sampled_from(sorted(SUBMISSIONS)))
def test_reviews_against_other_submissions(data: st.DataObject, example: str) -> None:
    """A review (intact, mutated, or with hostile values typed in) of a submission it may not be
    for: refused or decided, never a traceback; an intact review of another programme is refused
    as written for another submission."""
    kind = data.draw(st.sampled_from(["intact", "mutated", "raw"]))
    if kind == "intact":
        review: bytes | dict[str, Any] = REVIEW_TEXT.encode("utf-8")
    elif kind == "mutated":
        review = data.draw(mutated_document(REVIEW_DATA))
    else:
        review = data.draw(with_raw_values(REVIEW_TEXT))
    with _folder() as folder:
        submission = _write(folder, "submission.yaml", SUBMISSIONS[example].read_bytes())
        code, output = run_safely(
            folder, "review", "--json", submission, _write(folder, "review.yaml", review)
        )
        if kind == "intact" and example != "peer-mentoring":
            assert code == 2 and "this review was written for First-Year Peer Mentoring" in output


# --- output targets: writing never destroys ---------------------------------------------------

# (command, whether each input kind is read by it): review --init reads the submission and its
# evidence; pack --html the same; the portfolio reads everything in a programme's folder.
_WRITERS = {
    "review --init": lambda target: ["review", "--init", "submission.yaml", "-o", target, "--force"],
    "pack --html": lambda target: ["pack", "submission.yaml", "--html", target],
    "portfolio --ics": lambda target: ["portfolio", "..", "--ics", target, "--on", "2026-09-01"],
}
_INPUT_SPELLINGS = {
    "the submission": "submission.yaml",
    "the submission, as ./": "./submission.yaml",
    "the submission, absolute": "ABSOLUTE/submission.yaml",
    "the submission, by ..": "../peer/submission.yaml",
    "an evidence file": "evidence/mentee-leaflet.md",
    "a hard link to the submission": "../hard",
    "a symbolic link to the submission": "../soft",
}
_OTHER_TARGETS = {
    "new, in the programme": "new.out",
    "new, beside it": "../new.out",
    "new, in a new folder": "../made/for/it.out",
    "the review file": "review.yaml",
    "an existing file": "../existing",
    "a dangling link": "../dangling",
    "a link to another file": "../elsewhere",
    "a named pipe": "../fifo",
    "a folder": "../folder",
}


def _outputs_folder(root: Path, existing_mode: int) -> Path:
    """root/ws/peer: the peer example, and beside it every kind of target."""
    peer = root / "ws" / "peer"
    peer.mkdir(parents=True)
    for name in ("submission.yaml", "review.yaml"):
        (peer / name).write_bytes((PEER / name).read_bytes())
    (peer / "evidence").mkdir()
    for source in (PEER / "evidence").iterdir():
        (peer / "evidence" / source.name).write_bytes(source.read_bytes())
    ws = root / "ws"
    os.link(peer / "submission.yaml", ws / "hard")
    (ws / "soft").symlink_to(peer / "submission.yaml")
    (ws / "dangling").symlink_to(root / "nowhere")
    (root / "other").write_bytes(b"someone else's")
    (ws / "elsewhere").symlink_to(root / "other")
    os.mkfifo(ws / "fifo")
    (ws / "folder").mkdir()
    (ws / "existing").write_bytes(b"an older output")
    (ws / "existing").chmod(existing_mode)
    return peer


def _state(root: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry under ``root``: its kind, content (or link target) and permission bits."""
    found: dict[str, tuple[str, bytes | str, int]] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISLNK(info.st_mode):
            found[str(path.relative_to(root))] = ("link", os.readlink(path), 0)
        elif stat.S_ISREG(info.st_mode):
            found[str(path.relative_to(root))] = ("file", path.read_bytes(), mode)
        else:
            found[str(path.relative_to(root))] = ("other", "", mode)
    return found


def _refused(writer: str, kind: str) -> bool:
    """What nums must do with this target: refuse (exit 2) or write (exit 0)."""
    if kind in _INPUT_SPELLINGS or kind in {
        "a dangling link",
        "a link to another file",
        "a named pipe",
        "a folder",
    }:
        return True
    if writer == "portfolio --ics":  # nothing is written into a programme's folder
        return kind in {"new, in the programme", "the review file"}
    return False


@FUZZ
@given(
    writer=st.sampled_from(sorted(_WRITERS)),
    kind=st.sampled_from(sorted(_INPUT_SPELLINGS) + sorted(_OTHER_TARGETS)),
    mask=st.sampled_from([0o022, 0o077, 0o027, 0o002, 0o000]),
    existing_mode=st.sampled_from([0o600, 0o640, 0o644, 0o444]),
)
def test_output_targets_never_destroy(writer: str, kind: str, mask: int, existing_mode: int) -> None:
    """For any output target (an input by any spelling or link, a link, a pipe, a folder, a file of
    any mode) and any umask: exit 0 or 2 as the rules say; the inputs byte for byte as they were;
    a refused target untouched; a written one a regular file with the umask's mode when new, its
    own when replaced; no .part file left."""
    with tempfile.TemporaryDirectory(prefix="nums-fuzz-out-") as scratch:
        root = Path(scratch)
        peer = _outputs_folder(root, existing_mode)
        target = {**_INPUT_SPELLINGS, **_OTHER_TARGETS}[kind].replace("ABSOLUTE", str(peer))
        written = os.path.normpath(peer / target)
        before = _state(root)
        previous_mask, previous_folder = os.umask(mask), os.getcwd()
        os.chdir(peer)
        try:
            result = CliRunner().invoke(cli, _WRITERS[writer](target))
        finally:
            os.chdir(previous_folder)
            os.umask(previous_mask)
        assert result.exit_code in (0, 2), result.output
        assert "Traceback" not in result.output
        assert result.exit_code == (2 if _refused(writer, kind) else 0), result.output
        after = _state(root)
        assert not [name for name in after if name.endswith(".part")]
        shown = str(Path(written).relative_to(root))
        changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
        if result.exit_code == 2:
            assert changed == set(), changed
            return
        new_folders = {str(p.relative_to(root)) for p in Path(written).parents if p.is_relative_to(root)}
        assert changed <= {shown} | new_folders, changed
        kind_now, _, mode = after[shown]
        assert kind_now == "file"
        expected = before[shown][2] if shown in before else 0o666 & ~mask
        assert mode == expected, (oct(mode), oct(expected))
