"""Writing never destroys (issue 19, section 5), and long words or huge evidence files do not
hold a run (section 6).

The rules, as the README states them: "Outputs are written atomically, never over an input,
keeping the umask." An output onto one of the command's own inputs (by any spelling, a hard
link or a symbolic link), onto a link, a pipe, a device or a folder, or two outputs onto one
file, are refused with exit status 2 and the target is left as it was. A new file gets the
umask's mode and a replaced one keeps its own. "Already exists" is decided atomically. A signal
during a long write leaves no ``.part`` file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from nums.cli import cli
from nums.errors import NumsError
from nums.writing import AlreadyExists, write_bytes_atomically, write_text_atomically
from tests.builders import dump_yaml
from tests.conftest import EXAMPLES, REPO

PEER = EXAMPLES / "peer-mentoring"
SRC = REPO / "src" / "nums"


@pytest.fixture()
def programme(tmp_path: Path) -> Path:
    """A copy of the peer-mentoring example (submission, review, evidence) to write beside."""
    folder = tmp_path / "peer"
    shutil.copytree(PEER, folder)
    return folder


def nums(*args: str | Path, cwd: Path | None = None) -> Result:
    before = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(before)


def contents(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: a file's bytes, a link's target, or what it is."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = "link to " + os.readlink(path)
        elif stat.S_ISFIFO(path.lstat().st_mode):
            found[name] = "fifo"
        elif path.is_dir():
            found[name] = "folder"
        else:
            found[name] = path.read_bytes()
    return found


def no_part_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".part")]


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


# --- an output is never one of the command's inputs -----------------------------------------


def test_the_letter_onto_the_review_file_is_refused(programme: Path) -> None:
    """`nums review s.yaml review.yaml --letter review.yaml` lost the assessor's decisions."""
    before = contents(programme)
    result = nums("review", "submission.yaml", "review.yaml", "--letter", "review.yaml", cwd=programme)
    assert result.exit_code == 2
    assert (
        "--letter review.yaml is one of this command's inputs (the review file); choose another name"
        in result.output
    )
    assert contents(programme) == before


@pytest.mark.parametrize(
    "spelling", ["./review.yaml", "absolute", "hard link", "symbolic link", "../peer/review.yaml"]
)
def test_any_spelling_of_an_input_is_the_input(programme: Path, spelling: str) -> None:
    """Compared by identity (device and inode, links followed), not by the text of the path."""
    if spelling == "absolute":
        target = str(programme / "review.yaml")
    elif spelling == "hard link":
        os.link(programme / "review.yaml", programme / "same.yaml")
        target = "same.yaml"
    elif spelling == "symbolic link":
        (programme / "same.yaml").symlink_to("review.yaml")
        target = "same.yaml"
    else:
        target = spelling
    before = contents(programme)
    result = nums("review", "submission.yaml", "review.yaml", "--letter", target, cwd=programme)
    assert result.exit_code == 2
    shown = Path(target)  # as click gives it: ./review.yaml is review.yaml
    assert f"--letter {shown} is one of this command's inputs (the review file)" in result.output
    assert contents(programme) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["review", "submission.yaml", "review.yaml", "--letter", "submission.yaml"],
            "--letter submission.yaml is one of this command's inputs (the submission)",
        ),
        (
            ["review", "submission.yaml", "review.yaml", "--letter", "evidence/mentee-leaflet.md"],
            "--letter evidence/mentee-leaflet.md is one of this command's inputs "
            "(the evidence file evidence/mentee-leaflet.md)",
        ),
        (
            ["review", "--init", "submission.yaml", "-o", "submission.yaml", "--force"],
            "-o submission.yaml is one of this command's inputs (the submission)",
        ),
        (
            ["pack", "submission.yaml", "-o", "submission.yaml"],
            "-o submission.yaml is one of this command's inputs (the submission)",
        ),
        (
            ["pack", "submission.yaml", "--html", "evidence/mentor-training.md"],
            "--html evidence/mentor-training.md is one of this command's inputs",
        ),
        (
            ["pack", "submission.yaml", "--attach-evidence", "-o", "evidence/mentor-handbook-excerpt.md"],
            "-o evidence/mentor-handbook-excerpt.md is one of this command's inputs",
        ),
        (
            ["quote", "submission.yaml", "--pdf", "submission.yaml"],
            "--pdf submission.yaml is one of this command's inputs (the submission)",
        ),
    ],
)
def test_every_output_option_refuses_the_commands_inputs(
    programme: Path, args: list[str], message: str
) -> None:
    before = contents(programme)
    result = nums(*args, cwd=programme)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert contents(programme) == before


def test_a_pack_read_by_review_is_an_input(programme: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack.pdf"
    assert nums("pack", programme / "submission.yaml", "-o", pack).exit_code == 0
    before = pack.read_bytes()
    result = nums("review", pack, programme / "review.yaml", "--letter", pack)
    assert result.exit_code == 2
    assert f"--letter {pack} is one of this command's inputs (the pack)" in result.output
    assert pack.read_bytes() == before


def test_the_editions_files_are_inputs(programme: Path, tmp_path: Path) -> None:
    """`--standard FOLDER` reads that folder's edition.yaml, rules, prices and pillars."""
    edition = tmp_path / "edition"
    shutil.copytree(REPO / "standards" / "nums-2021", edition)
    before = contents(edition)
    for name in ("edition.yaml", "rules.yaml"):
        result = nums("--standard", edition, "pack", programme / "submission.yaml", "-o", edition / name)
        assert result.exit_code == 2, result.output
        assert "is one of this command's inputs (a file of the edition of the standard)" in result.output
    assert contents(edition) == before


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(PEER, root / "peer")
    return root


@pytest.mark.parametrize(
    "target", ["peer/submission.yaml", "peer/review.yaml", "peer/evidence/new.ics", "peer/report.pdf"]
)
def test_the_portfolio_writes_nothing_into_a_programmes_folder(workspace: Path, target: str) -> None:
    """A programme's folder is the workspace's files: its submission, its review, its evidence
    (the web app lists and serves every file there). A portfolio written into one would be read
    as one of them, or replace it."""
    option = "--ics" if target.endswith(".ics") else "--pdf"
    before = contents(workspace)
    result = nums("portfolio", workspace, option, workspace / target)
    assert result.exit_code == 2, result.output
    assert "is inside the folder of programme 'peer', which this command reads; choose another name" in (
        result.output
    )
    assert contents(workspace) == before


def test_the_portfolio_beside_the_programmes_is_written(workspace: Path) -> None:
    result = nums("portfolio", workspace, "--ics", workspace / "renewals.ics")
    assert result.exit_code == 0, result.output
    assert (workspace / "renewals.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_hard_link_into_a_programme_is_refused_too(workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "review-copy.yaml"
    os.link(workspace / "peer" / "review.yaml", outside)
    result = nums("portfolio", workspace, "--ics", outside)
    assert result.exit_code == 2
    assert "is a hard link to a file in the folder of programme 'peer'" in result.output


@pytest.mark.parametrize(
    ("args", "first", "second"),
    [
        (["pack", "submission.yaml", "-o", "x.pdf", "--html", "x.pdf"], "-o x.pdf", "--html x.pdf"),
        (
            ["pack", "submission.yaml", "-o", "x.pdf", "--html", "../peer/x.pdf"],
            "-o x.pdf",
            "--html ../peer/x.pdf",
        ),
    ],
)
def test_two_outputs_onto_one_file_are_refused(
    programme: Path, args: list[str], first: str, second: str
) -> None:
    result = nums(*args, cwd=programme)
    assert result.exit_code == 2
    assert f"{first} and {second} are the same file (give each output a name of its own)" in result.output
    assert not (programme / "x.pdf").exists()


def test_the_portfolios_two_outputs_onto_one_file_are_refused(workspace: Path, tmp_path: Path) -> None:
    target = tmp_path / "both"
    result = nums("portfolio", workspace, "--pdf", target, "--ics", target)
    assert result.exit_code == 2
    assert "are the same file" in result.output
    assert not target.exists()


# --- only a new name or a regular file is written ----------------------------------------------


def _make(kind: str, target: Path, outside: Path) -> None:
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    elif kind == "link to a file":
        outside.write_bytes(b"someone else's file")
        target.symlink_to(outside)
    elif kind == "dangling link":
        target.symlink_to(outside)
    elif kind == "link to a folder":
        outside.mkdir()
        target.symlink_to(outside)


KIND_WORDS = {
    "fifo": "is a named pipe (FIFO), not a file",
    "folder": "is a folder, not a file",
    "link to a file": "is a symbolic link, which nums never writes through or replaces",
    "dangling link": "is a symbolic link, which nums never writes through or replaces",
    "link to a folder": "is a symbolic link, which nums never writes through or replaces",
}


@pytest.mark.parametrize("kind", sorted(KIND_WORDS))
@pytest.mark.parametrize("option", ["-o", "--html"])
def test_a_target_that_is_not_a_regular_file_is_refused(
    programme: Path, tmp_path: Path, kind: str, option: str
) -> None:
    """A FIFO, a folder or a symbolic link as the target was silently replaced by a file."""
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    outside = tmp_path / "elsewhere"
    _make(kind, outputs / "target", outside)
    before, elsewhere = contents(outputs), contents(tmp_path)
    result = nums("pack", programme / "submission.yaml", option, outputs / "target")
    assert result.exit_code == 2, result.output
    if "folder" in kind:  # click refuses a folder first, in its own words
        assert f"File '{outputs / 'target'}' is a directory" in result.output
    else:
        assert f"{option} {outputs / 'target'} {KIND_WORDS[kind]}; choose another name" in result.output
    assert contents(outputs) == before
    assert contents(tmp_path) == elsewhere


def test_a_device_is_refused(programme: Path) -> None:
    result = nums("review", "submission.yaml", "review.yaml", "--letter", "/dev/null", cwd=programme)
    assert result.exit_code == 2
    assert "--letter /dev/null is a device, not a file; choose another name" in result.output


@pytest.mark.parametrize("kind", ["fifo", "link to a file", "folder", "link to a folder"])
def test_every_writer_refuses_a_target_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    """The library refuses too (the web app and unpacking write through it), without waiting on
    a pipe: it never opens the target."""
    target, outside = tmp_path / "target", tmp_path / "elsewhere"
    _make(kind, target, outside)
    before = contents(tmp_path)
    with pytest.raises(NumsError) as refused:
        write_bytes_atomically(target, b"new")
    assert str(refused.value).startswith(f"{target}: {KIND_WORDS[kind]} (choose another name)")
    assert contents(tmp_path) == before


def test_the_review_skeleton_is_not_written_over_a_link(programme: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("mine\n")
    (programme / "rv.yaml").symlink_to(outside)
    result = nums("review", "--init", "submission.yaml", "-o", "rv.yaml", "--force", cwd=programme)
    assert result.exit_code == 2
    assert "-o rv.yaml is a symbolic link" in result.output
    assert outside.read_text() == "mine\n" and (programme / "rv.yaml").is_symlink()


# --- modes: the umask for a new file, its own for a replaced one -------------------------------


@pytest.mark.parametrize(
    ("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o027, 0o640), (0o002, 0o664)]
)
def test_a_new_output_gets_the_mode_the_umask_gives(programme: Path, mask: int, expected: int) -> None:
    """Issue 19: "every output is made world-readable (mode 0644 whatever the umask)"."""
    with umask(mask):
        result = nums("review", "--init", "submission.yaml", "-o", "rv.yaml", cwd=programme)
        assert result.exit_code == 0, result.output
        ics = nums("portfolio", programme.parent, "--ics", programme.parent / "renewals.ics")
        assert ics.exit_code == 0, ics.output
    assert stat.S_IMODE((programme / "rv.yaml").stat().st_mode) == expected
    assert stat.S_IMODE((programme.parent / "renewals.ics").stat().st_mode) == expected


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_a_replaced_output_keeps_its_mode(programme: Path, tmp_path: Path, mode: int) -> None:
    """Issue 19: "re-writing a 0600 pack makes it 0644. A pack carries the whole submission and
    its evidence." A replaced file keeps its own mode."""
    pack = tmp_path / "pack.html"
    pack.write_text("the pack before")
    pack.chmod(mode)
    with umask(0o022):
        result = nums("pack", programme / "submission.yaml", "--html", pack)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(pack.stat().st_mode) == mode
    assert "<html" in pack.read_text()


def test_the_web_apps_saves_and_uploads_keep_the_rules(programme: Path) -> None:
    """A saved submission keeps its mode; an upload gets the umask's (it was always 0644)."""
    from nums.web import files

    submission = programme / "submission.yaml"
    submission.chmod(0o600)
    text = submission.read_text() + "\n"
    files.save_submission(programme, text, files.current_sha256(submission))
    assert stat.S_IMODE(submission.stat().st_mode) == 0o600
    with umask(0o077):
        upload = files.save_upload(programme, "minutes.pdf", [b"%PDF-1.4 minutes"], 1000)
    assert stat.S_IMODE(upload.stat().st_mode) == 0o600
    assert no_part_files(programme)


def test_the_edition_snapshot_stays_private_whatever_the_umask(tmp_path: Path) -> None:
    """Pickle runs code, so the snapshot is 0600 and nobody else may change it."""
    env = {**os.environ, "NUMS_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.umask(0); from nums.edition_loading import load_edition; load_edition()",
        ],
        env=env,
        check=True,
    )
    snapshots = list((tmp_path / "cache").glob("edition-*.pickle"))
    assert snapshots and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in snapshots)
    assert no_part_files(tmp_path / "cache")


def test_a_name_near_the_file_systems_limit_can_be_written(tmp_path: Path) -> None:
    """The temporary name beside it is cut to fit (it pushed long names past 255 bytes)."""
    target = tmp_path / ("é" * 125 + ".pdf")  # 254 bytes
    write_bytes_atomically(target, b"pack")
    assert target.read_bytes() == b"pack" and no_part_files(tmp_path)


# --- "already exists" is atomic -----------------------------------------------------------------


def test_of_many_exclusive_writes_at_once_exactly_one_wins(tmp_path: Path) -> None:
    target = tmp_path / "rv.yaml"
    start = threading.Barrier(8)
    outcomes: dict[int, str] = {}

    def write(number: int) -> None:
        start.wait()
        try:
            write_text_atomically(target, f"written by {number}\n" * 1000, exclusive=True)
            outcomes[number] = "wrote"
        except AlreadyExists as refused:
            outcomes[number] = str(refused)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for n, outcome in outcomes.items() if outcome == "wrote"]
    assert len(winners) == 1
    assert set(outcomes.values()) == {"wrote", f"{target}: already exists"}
    assert target.read_text() == f"written by {winners[0]}\n" * 1000
    assert no_part_files(tmp_path)


def test_two_review_inits_at_once_one_succeeds(programme: Path) -> None:
    """Two `nums review --init -o rv.yaml` at once could both succeed."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "nums", "review", "--init", "submission.yaml", "-o", "rv.yaml"],
            cwd=programme,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(run.wait(timeout=60), run.stderr.read() if run.stderr else "") for run in runs]
    assert sorted(code for code, _ in results) == [0, 2]
    assert any("rv.yaml: already exists (use --force to overwrite it)" in err for _, err in results)
    assert yaml.safe_load((programme / "rv.yaml").read_text())["decisions"]
    assert no_part_files(programme)


def test_init_without_force_never_replaces(tmp_path: Path) -> None:
    (tmp_path / "submission.yaml").write_text("mine\n")
    result = nums("init", tmp_path)
    assert result.exit_code == 2
    assert "submission.yaml: already exists (use --force to overwrite it)" in result.output
    assert (tmp_path / "submission.yaml").read_text() == "mine\n"


# --- signals: no .part file is left behind --------------------------------------------------------


def _big_submission(folder: Path) -> Path:
    """The peer example with long statements: a pack that takes seconds to lay out."""
    shutil.copytree(PEER, folder)
    data = yaml.safe_load((folder / "submission.yaml").read_text(encoding="utf-8"))
    words = "Mentors meet their mentees every fortnight and record what was agreed. "
    for claim in data["criteria"].values():
        claim["statement"] = words * 25
    (folder / "submission.yaml").write_text(dump_yaml(data), encoding="utf-8")
    return folder / "submission.yaml"


def _part_appears(folder: Path, process: subprocess.Popen[bytes], timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if not no_part_files(folder):
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_a_long_write_leaves_no_part_file(tmp_path: Path, signum: int) -> None:
    """Issue 19: "SIGTERM or SIGHUP during a long write leaves .part files that nothing removes".
    The process ends as the signal says (SIGINT: 130, as for Ctrl-C), the target untouched."""
    submission = _big_submission(tmp_path / "big")
    out = tmp_path / "out"
    out.mkdir()
    (out / "pack.pdf").write_bytes(b"the pack before")
    process = subprocess.Popen(
        [sys.executable, "-m", "nums", "pack", str(submission), "-o", str(out / "pack.pdf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _part_appears(out, process), "the pack was written before a .part file was seen"
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == (130 if signum == signal.SIGINT else -signum), err
    assert b"Traceback" not in err
    assert no_part_files(out)
    assert (out / "pack.pdf").read_bytes() == b"the pack before"


def test_an_ignored_signal_stays_ignored(programme: Path, tmp_path: Path) -> None:
    """Under nohup, SIGHUP is ignored; nums does not take that away."""
    letter = tmp_path / "letter.pdf"
    process = subprocess.Popen(
        [sys.executable, "-m", "nums", "review", "submission.yaml", "review.yaml", "--letter", str(letter)],
        cwd=programme,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    try:
        if _part_appears(tmp_path, process):
            process.send_signal(signal.SIGHUP)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert letter.read_bytes().startswith(b"%PDF") and no_part_files(tmp_path)


def test_the_earlier_handlers_are_back_after_a_write(tmp_path: Path) -> None:
    seen: list[int] = []
    previous = signal.signal(signal.SIGHUP, lambda signum, frame: seen.append(signum))
    try:
        write_bytes_atomically(tmp_path / "a", b"x")
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        os.kill(os.getpid(), signal.SIGHUP)  # a handler someone else set is theirs, never replaced
        assert seen == [signal.SIGHUP]
    finally:
        signal.signal(signal.SIGHUP, previous)


# --- nothing else in nums writes a file ------------------------------------------------------------

_WRITES = re.compile(
    r"""open\([^)]*["'][rwax]*[wax+][b]?["']|\.write_text\(|\.write_bytes\(|mkstemp|O_WRONLY|O_RDWR|O_CREAT"""
)


def test_every_file_is_written_through_writing_py() -> None:
    """One module owns writing: no other module opens a file to write it."""
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "writing.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _WRITES.search(line)
    ]
    assert offenders == []


# --- section 6: long words are laid out in linear time ----------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=400), st.sampled_from(["p", "td", "a"]))
def test_long_words_are_laid_out_in_pieces_and_nothing_else_changes(text: str, tag: str) -> None:
    """Every word WeasyPrint is given is at most LONG_WORD characters between break opportunities,
    and the text, once the pieces are joined again, is exactly what was written."""
    from nums.render.pdf import LONG_WORD, in_pieces

    escaped = str(escape(text))
    html = f'<html><head><title>{escaped}</title></head><body data-title="{escaped}"><{tag}>{escaped}</{tag}></body></html>'
    laid_out = in_pieces(html)
    body = laid_out.split("<body", 1)[1]
    joined = re.sub(r'<span class="long-word">|</span>', "", body).replace("\u200b", "")
    assert joined == html.split("<body", 1)[1]
    assert laid_out.split("<body", 1)[0] == html.split("<body", 1)[0]  # the head is never cut
    if tag == "a":  # a box per piece of a link would each carry the whole address
        assert "long-word" not in body
    inner = re.sub(r"<[^>]*>", "\u200b", body.split(">", 1)[1])
    for run in re.split("[ \t\n\r\f\u200b]+", inner):
        assert len(re.findall(r"&#?\w+;|.", run)) <= LONG_WORD


def test_styles_and_svg_are_never_cut() -> None:
    from nums.render.pdf import in_pieces

    html = (
        "<body><style>"
        + "a" * 100
        + "{}</style><svg><text>"
        + "S" * 100
        + "</text></svg><p>"
        + "P" * 100
        + "</p></body>"
    )
    laid_out = in_pieces(html)
    assert "a" * 100 in laid_out and "S" * 100 in laid_out and "P" * 100 not in laid_out


def _text_and_right_edge(pdf: Path) -> tuple[str, float, float]:
    """All the text of a PDF, where its rightmost piece of text starts, and the page's width."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    starts: list[float] = []
    text = "".join(
        page.extract_text(
            visitor_text=lambda t, cm, tm, font, size: (
                starts.append(tm[4] * cm[0] + cm[4]) if t.strip() else None
            )
        )
        for page in reader.pages
    )
    return text, max(starts), float(reader.pages[0].mediabox.width)


def test_the_longest_name_is_shown_whole_within_the_page(workspace: Path, tmp_path: Path) -> None:
    """A name of 10,000 characters took 167 s in the portfolio (quadratic), and its table ran off
    the page. The longest name allowed (300 characters, no space) is shown whole, in the page."""
    path = workspace / "peer" / "submission.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["programme"]["name"] = "Q" * 300
    path.write_text(dump_yaml(data), encoding="utf-8")
    pdf = tmp_path / "portfolio.pdf"
    result = nums("portfolio", workspace, "--on", "2026-09-01", "--pdf", pdf)
    assert result.exit_code == 0, result.output
    text, right, width = _text_and_right_edge(pdf)
    assert text.count("Q") == 300 and "\u200b" not in text
    assert right < width


def test_a_long_unbroken_statement_is_shown_whole_in_the_pack(programme: Path, tmp_path: Path) -> None:
    path = programme / "submission.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["criteria"]["aims.1"]["statement"] = "Q" * 10_000
    path.write_text(dump_yaml(data), encoding="utf-8")
    pdf = tmp_path / "pack.pdf"
    result = nums("pack", path, "-o", pdf)
    assert result.exit_code == 0, result.output
    text, right, width = _text_and_right_edge(pdf)
    assert sum(map(len, re.findall("QQ+", re.sub(r"\s+", "", text)))) == 10_000  # across pages
    assert "\u200b" not in text
    assert right < width


def test_the_running_header_shows_a_long_name_cut() -> None:
    from nums.render.pdf import RUNNING_HEADER, headline

    assert headline("First-Year Peer Mentoring") == "First-Year Peer Mentoring"
    cut = headline("W" * 1000)
    assert len(cut) == RUNNING_HEADER and cut.endswith("…")


# --- section 6: a huge evidence file is measured, not read -----------------------------------------


class _CountingSha256:
    """hashlib.sha256 that counts the bytes it is given."""

    hashed = 0

    def __init__(self) -> None:
        self._inner = hashlib.sha256()

    def update(self, data: bytes) -> None:
        _CountingSha256.hashed += len(data)
        self._inner.update(data)

    def hexdigest(self) -> str:
        return self._inner.hexdigest()


@pytest.fixture()
def sparse_evidence(programme: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 20 GiB sparse evidence file (no disk used), cited by aims.1; hashing is counted."""
    with open(programme / "evidence" / "recording.bin", "wb") as stream:
        stream.truncate(20 * 2**30)
    data = yaml.safe_load((programme / "submission.yaml").read_text(encoding="utf-8"))
    data["criteria"]["aims.1"]["evidence"].append({"title": "Recording", "file": "evidence/recording.bin"})
    (programme / "submission.yaml").write_text(dump_yaml(data), encoding="utf-8")
    import nums.evidence

    _CountingSha256.hashed = 0
    monkeypatch.setattr(nums.evidence, "hashlib", SimpleNamespace(sha256=_CountingSha256))
    return programme


def test_a_huge_evidence_file_is_listed_by_its_size_without_being_read(sparse_evidence: Path) -> None:
    """A 20 GiB sparse evidence file was hashed for 53 s by `nums pack`. The index lists each file
    with SHA-256 only as far as a pack could carry it (one file of 64 MiB)."""
    from nums import packfile
    from tests.test_pack import text_of

    pack = sparse_evidence / "pack.pdf"
    result = nums("pack", "submission.yaml", "-o", "pack.pdf", cwd=sparse_evidence)
    assert result.exit_code == 0, result.output
    assert 0 < _CountingSha256.hashed < packfile.MAX_EMBEDDED_BYTES  # the other files, not this one
    text = re.sub(r"\s+", " ", text_of(pack))
    assert "evidence/recording.bin (20.0 GB, not fingerprinted: too large)" in text
    assert "evidence/recording.bin: not fingerprinted (no SHA-256 in the evidence index)" in text
    embedded = json.loads(packfile.pack_attachments(pack)[packfile.SUBMISSION_JSON])
    recording = [e for e in embedded["evidence"] if e.get("file") == "evidence/recording.bin"]
    assert recording == [{**recording[0], "size": 20 * 2**30, "sha256": None}]


def test_a_huge_evidence_file_is_refused_for_attaching_before_it_is_read(sparse_evidence: Path) -> None:
    result = nums("pack", "submission.yaml", "--attach-evidence", "-o", "pack.pdf", cwd=sparse_evidence)
    assert result.exit_code == 2
    assert "evidence/recording.bin is 20,480 MiB, over the 64 MiB a pack attaches" in result.output
    assert _CountingSha256.hashed < 2**20
    assert not (sparse_evidence / "pack.pdf").exists()


# --- section 6: a name is one line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "where", "message"),
    [
        (
            "submission.yaml",
            ("programme", "name"),
            "programme.name: the name must be at most 300 characters long",
        ),
        (
            "submission.yaml",
            ("programme", "institution"),
            "programme.institution: the institution must be at most 300 characters long",
        ),
        ("review.yaml", ("reviewer", "name"), "reviewer.name: the name must be at most 300 characters long"),
    ],
)
def test_a_name_longer_than_a_line_is_refused(
    programme: Path, file: str, where: tuple[str, str], message: str
) -> None:
    """A name is shown in large type on a pack's cover, in its tables and in every page's header:
    one of 50,000 characters made a pack of 228 pages that took 100 s. A name holds 300."""
    path = programme / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[where[0]][where[1]] = "W" * 301
    path.write_text(dump_yaml(data), encoding="utf-8")
    result = nums("review", "submission.yaml", "review.yaml", cwd=programme)
    assert result.exit_code == 2
    assert message in result.output and "(got text of 301 characters)" in result.output


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("title", "T" * 1001, "title: the evidence title must be at most 1000 characters long"),
        (
            "url",
            "https://example.org/" + "u" * 2029,
            "url: the web address must be at most 2048 characters long",
        ),
    ],
)
def test_an_evidence_title_and_address_are_bounded(
    programme: Path, key: str, value: str, message: str
) -> None:
    """A title is shown twice in a pack (once in a narrow column); a link's address is written into
    the PDF for every line its text takes: a 190,000-character address took minutes and gigabytes."""
    path = programme / "submission.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["criteria"]["aims.1"]["evidence"][0][key] = value
    path.write_text(dump_yaml(data), encoding="utf-8")
    result = nums("validate", "submission.yaml", cwd=programme)
    assert result.exit_code == 2
    assert f"criteria.aims.1.evidence[0].{message}" in result.output


def test_who_a_quote_is_for_is_one_line_too() -> None:
    result = nums("quote", "--initial", "1", "--to", "W" * 301)
    assert result.exit_code == 2
    assert "--to: is 301 characters long; a name may be at most 300" in result.output


def test_the_web_quote_refuses_a_long_addressee_in_the_same_words(tmp_path: Path) -> None:
    from tests.web_support import bearer, client_for, copy_examples

    client, _ = client_for(copy_examples(tmp_path))
    got = client.get("/api/quote", params={"initial": "1", "to": "W" * 301}, headers=bearer())
    assert got.status_code == 422
    assert "is 301 characters long; a name may be at most 300" in got.json()["error"]


def test_a_web_save_onto_a_link_is_refused_in_words(tmp_path: Path) -> None:
    """The app's saves follow the same rules: a link is neither written through nor replaced."""
    from tests.web_support import bearer, client_for, copy_examples

    root = copy_examples(tmp_path)
    peer, real = root / "peer-mentoring", root / "kept-elsewhere.yaml"
    shutil.move(peer / "submission.yaml", real)
    (peer / "submission.yaml").symlink_to(real)
    before = real.read_bytes()
    client, _ = client_for(root)
    document = yaml.safe_load(before)
    sha = hashlib.sha256(before).hexdigest()
    got = client.put(
        "/api/programmes/peer-mentoring/submission",
        json={"submission": json.loads(json.dumps(document, default=str)), "base_sha256": sha},
        headers=bearer(),
    )
    assert 400 <= got.status_code < 500
    assert real.read_bytes() == before and (peer / "submission.yaml").is_symlink()
    assert no_part_files(root)


def test_a_signal_taken_while_a_class_is_made_still_ends_as_the_signal_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Seen under load: SIGHUP arrived while WeasyPrint's modules were being imported for the
    pack, and Python 3.11 wraps what a descriptor's ``__set_name__`` raises in a RuntimeError, so
    the process printed a traceback and exited 1 instead of ending by the signal. The CLI finds
    the ``Interrupted`` inside and ends as it would have."""
    from nums import cli as cli_package
    from nums.writing import Interrupted, interrupted_in

    class Breaks:
        def __set_name__(self, owner: type, name: str) -> None:
            raise Interrupted(signal.SIGHUP)

    with pytest.raises(RuntimeError) as caught:
        type("Made", (), {"part": Breaks()})
    found = interrupted_in(caught.value)
    assert found is not None and found.signum == signal.SIGHUP
    assert interrupted_in(RuntimeError("nothing to do with a signal")) is None

    ended: list[int] = []
    monkeypatch.setattr("nums.writing.exit_for", lambda stop: ended.append(stop.signum))

    def wrapped(**_: object) -> None:
        raise caught.value

    monkeypatch.setattr(cli_package.cli, "main", wrapped)
    cli_package.main()
    assert ended == [signal.SIGHUP]
