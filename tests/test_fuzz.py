"""Fuzzing every file nums reads from people: submission and review files built
field by field with hostile values, and the example files mangled as a sync tool
or a careless editor would (issue: "no file, however it was made, crashes nums or
holds it for minutes").

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
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
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
        again_data["warnings"] = [w.replace(second, first) for w in again_data["warnings"]]
        assert {**again_data, "submission": None} == {**first_data, "submission": None}


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
