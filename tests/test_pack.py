"""The PDF submission pack, opened with pypdf and read like an assessor would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from nums.cli import cli
from nums.packfile import pack_attachments, read_pack, unpack
from nums.standard import Edition
from tests.builders import submission_data, write_submission
from tests.conftest import EXAMPLES

ALL = sorted(EXAMPLES.glob("*/submission.yaml"))


def pack(submission: Path, target: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["pack", str(submission), "-o", str(target), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def text_of(pdf: Path) -> str:
    reader = PdfReader(str(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def outline_titles(pdf: Path) -> list[str]:
    titles: list[str] = []

    def walk(entries: list[object]) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(entry.title)  # type: ignore[attr-defined]

    walk(PdfReader(str(pdf)).outline)
    return titles


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("packs")
    results = {}
    for submission in ALL:
        target = folder / f"{submission.parent.name}.pdf"
        pack(submission, target)
        results[submission.parent.name] = target
    return results


@pytest.mark.parametrize("name", [p.parent.name for p in ALL])
def test_every_example_packs_with_bookmarks_and_embedded_submission(
    packed: dict[str, Path], edition: Edition, name: str
) -> None:
    pdf = packed[name]
    titles = outline_titles(pdf)
    for section in ("Cover", "Summary", "Gaps and next steps", "Fees", "Evidence index"):
        assert section in titles
    data = read_pack(pdf)
    assert data["format"] == "nums-pack/1" and data["edition"] == "nums-2021"
    submission = (EXAMPLES / name / "submission.yaml").read_text()
    assert data["submission"]["application"]["date"] in submission
    text = re.sub(r"\s+", " ", text_of(pdf))
    for criterion in data["submission"].get("criteria", {}):
        assert criterion in text, criterion
    reader = PdfReader(str(pdf))
    assert reader.metadata is not None and reader.metadata.title.startswith("Submission pack:")
    assert reader.metadata.author and reader.metadata.subject


def test_an_initial_pack_covers_every_pillar(packed: dict[str, Path], edition: Edition) -> None:
    titles = outline_titles(packed["academic-mentoring"])
    for pillar in edition.pillars:
        assert f"Pillar {pillar.number}: {pillar.name}" in titles
    text = text_of(packed["academic-mentoring"])
    assert "Self-assessment: may be awarded Bronze" in text
    assert "SHA-256" in text


def test_a_reaccreditation_pack_centres_on_continuation(packed: dict[str, Path]) -> None:
    titles = outline_titles(packed["department-combined"])
    assert titles.index("Continuation of provision") < titles.index("Gaps and next steps")
    assert titles[1:4] == ["Contents", "Summary", "Continuation of provision"]
    text = text_of(packed["department-combined"])
    assert "Continuation evidenced" in text and "3 programmes accredited together" in text


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    """Deterministic: dates come from the submission, never the wall clock."""
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    pack(EXAMPLES / "peer-mentoring" / "submission.yaml", first, "--attach-evidence")
    pack(EXAMPLES / "peer-mentoring" / "submission.yaml", second, "--attach-evidence")
    assert first.read_bytes() == second.read_bytes()


def test_attached_evidence_never_exceeds_what_nums_review_reads_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack nums writes, nums reads: an evidence file over the embedded-file limit (or all of them
    over the pack's) is refused before anything is read or written, at the line that cites it."""
    from nums import packfile

    target = tmp_path / "pack.pdf"
    submission = EXAMPLES / "peer-mentoring" / "submission.yaml"
    training = EXAMPLES / "peer-mentoring" / "evidence" / "mentor-training.md"
    size = training.stat().st_size
    monkeypatch.setattr(packfile, "MAX_EMBEDDED_BYTES", size - 1)
    result = CliRunner().invoke(cli, ["pack", str(submission), "-o", str(target), "--attach-evidence"])
    assert result.exit_code == 2
    line = next(
        n for n, text in enumerate(submission.read_text().splitlines(), 1) if "mentor-training.md" in text
    )
    assert (
        f"submission.yaml:{line}: criteria.training.1.a.evidence[0].file: evidence/mentor-training.md is "
        in (result.output)
    )
    assert "MiB, over the 0.01 MiB a pack attaches (the most `nums review` reads back)" in result.output
    assert "make the pack without --attach-evidence" in result.output
    assert not target.exists()
    monkeypatch.setattr(packfile, "MAX_EMBEDDED_BYTES", 64 * 1024 * 1024)
    monkeypatch.setattr(packfile, "MAX_ATTACHED_BYTES", 10)
    result = CliRunner().invoke(cli, ["pack", str(submission), "-o", str(target), "--attach-evidence"])
    assert result.exit_code == 2
    assert f"{submission}: its evidence files come to" in result.output
    assert not target.exists()
    pack(submission, target)  # without attachments the same submission packs


def test_sizes_against_the_pack_limits_never_round_down_to_the_limit() -> None:
    from nums.render.pack_pdf import _mebibytes

    assert _mebibytes(64 * 1024 * 1024) == "64 MiB"
    assert _mebibytes(64 * 1024 * 1024 + 1) == "64.01 MiB"
    assert _mebibytes(1536 * 1024) == "1.50 MiB"


def test_attach_evidence_makes_the_pack_the_whole_submission(tmp_path: Path, edition: Edition) -> None:
    target = tmp_path / "pack.pdf"
    pack(EXAMPLES / "peer-mentoring" / "submission.yaml", target, "--attach-evidence")
    names = set(pack_attachments(target))
    assert {"submission.json", "evidence-001-mentee-leaflet.md", "evidence-004-mentor-training.md"} <= names
    (tmp_path / "restored").mkdir()
    restored = unpack(target, tmp_path / "restored").submission
    from nums.evaluation import assess
    from nums.submission import load_submission

    original = assess(edition, load_submission(EXAMPLES / "peer-mentoring" / "submission.yaml", edition))
    again = assess(edition, load_submission(restored, edition))
    assert again.awardable == original.awardable and again.met_ids == original.met_ids


HOSTILE = '<img src="file:///etc/passwd"> <script>alert(1)</script> & "quotes"'


def test_hostile_text_is_text_and_nothing_is_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = submission_data(["aims.1"])
    data["programme"]["name"] = "<b>Bold</b> Mentoring"
    claim = data["criteria"]["aims.1"]
    claim["statement"] = HOSTILE
    claim["evidence"] += [
        {"title": "<i>Passwords</i>", "url": "file:///etc/passwd"},
        {"title": "Remote", "url": "https://evil.example.org/track.png"},
    ]
    path = write_submission(tmp_path, data)
    fetched: list[str] = []
    import urllib.request

    def refuse(*args: object, **kwargs: object) -> None:
        fetched.append(str(args[0]))
        raise AssertionError("nothing may be fetched")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    html = tmp_path / "pack.html"
    pdf = tmp_path / "pack.pdf"
    result = CliRunner().invoke(cli, ["pack", str(path), "-o", str(pdf), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert fetched == []
    page = html.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Mentoring" in page
    text = re.sub(r"\s+", " ", text_of(pdf))
    assert "<script>alert(1)</script>" in text and "<b>Bold</b> Mentoring" in text
    assert "root:" not in text  # /etc/passwd was never read


def test_the_safe_fetcher_refuses_outside_files(tmp_path: Path) -> None:
    from nums.render.pdf import is_allowed

    inside = tmp_path / "ok.txt"
    inside.write_text("x")
    assert is_allowed(inside.as_uri(), [tmp_path]) == inside.resolve()
    assert is_allowed("file:///etc/passwd", [tmp_path]) is None
    assert is_allowed("https://example.org/x.css", [tmp_path]) is None
    assert is_allowed((tmp_path / ".." / "x").as_uri(), [tmp_path]) is None


def test_writing_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure leaves no partial file and an existing target untouched."""
    target = tmp_path / "pack.pdf"
    target.write_bytes(b"previous pack")
    import nums.render.pdf as pdf_module

    def broken(document: object) -> bytes:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(pdf_module, "render_pdf", broken)
    result = CliRunner().invoke(
        cli, ["pack", str(EXAMPLES / "peer-mentoring" / "submission.yaml"), "-o", str(target)]
    )
    assert result.exit_code != 0
    assert target.read_bytes() == b"previous pack"
    assert [p.name for p in tmp_path.iterdir()] == ["pack.pdf"]


def test_html_preview_is_self_contained(tmp_path: Path) -> None:
    html = tmp_path / "pack.html"
    result = CliRunner().invoke(
        cli, ["pack", str(EXAMPLES / "academic-mentoring" / "submission.yaml"), "--html", str(html)]
    )
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert "<style>" in page and "<svg" in page and 'role="img"' in page
    assert not re.search(r'<link[^>]+stylesheet|<img[^>]+src="(?!data:)', page)


def test_pack_needs_an_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pack", str(EXAMPLES / "academic-mentoring" / "submission.yaml")])
    assert result.exit_code == 2 and "-o pack.pdf" in result.output


def test_the_pack_json_matches_assess_json(packed: dict[str, Path]) -> None:
    result = CliRunner().invoke(
        cli, ["assess", "--json", str(EXAMPLES / "peer-mentoring" / "submission.yaml")]
    )
    assert (
        json.loads(result.output)["overall"] == read_pack(packed["peer-mentoring"])["assessment"]["overall"]
    )


def test_relative_paths_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    target = tmp_path / "pack.pdf"
    result = CliRunner().invoke(
        cli, ["pack", "evidence_examples/online-peer-mentoring/submission.yaml", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "not started (planned 2026-09-21)" in " ".join(text_of(target).split())


def test_an_unwritable_target_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(
        cli,
        ["pack", str(EXAMPLES / "peer-mentoring" / "submission.yaml"), "--html", str(blocker / "pack.html")],
    )
    assert result.exit_code == 2 and "cannot be written" in result.output
